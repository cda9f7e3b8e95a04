package charts

import (
	"fmt"
	"math"
	"slices"
	"sort"
	"strconv"

	"github.com/go-echarts/go-echarts/v2/charts"
	"github.com/go-echarts/go-echarts/v2/opts"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/mlstack/mlstack/pkg/tune"
)

// The search charts (Optuna's plot_optimization_history,
// plot_parallel_coordinate, plot_param_importances and plot_slice) take
// a search's trials; objective names the value on the axes (e.g.
// "roc_auc_mean"). Only Complete trials carry a value; pruned ones are
// drawn by their last reported value where a chart says so, failed ones
// are counted in the subtitle.

// completed returns the Complete trials and a subtitle counting all.
func completed(trials []tune.Trial) ([]tune.Trial, string) {
	var done []tune.Trial
	counts := map[tune.State]int{}
	for _, t := range trials {
		counts[t.State]++
		if t.State == tune.Complete {
			done = append(done, t)
		}
	}
	sub := fmt.Sprintf("%d trials: %d complete", len(trials), counts[tune.Complete])
	if n := counts[tune.Pruned]; n > 0 {
		sub += fmt.Sprintf(", %d pruned", n)
	}
	if n := counts[tune.Fail]; n > 0 {
		sub += fmt.Sprintf(", %d failed", n)
	}
	return done, sub
}

// OptimizationHistory draws every finished trial's value by trial number
// (pruned trials at their last reported value, hollow) and the best value
// so far as a step line.
func OptimizationHistory(trials []tune.Trial, dir tune.Direction, objective string) (*Chart, error) {
	done, sub := completed(trials)
	if len(done) == 0 {
		return nil, fmt.Errorf("%w: no trial completed", ErrNoData)
	}
	pts, pruned, best := history(trials, dir)
	title := "Optimization history"
	sub += " · best " + dir.String() + "d " + objective

	s := charts.NewScatter()
	s.SetGlobalOptions(common(title, sub, "item", true)...)
	x := xAxis("trial", "value", 30)
	x.Min = 0
	y := yAxis(objective, "value", 52)
	y.Scale = opts.Bool(true)
	s.SetGlobalOptions(charts.WithXAxisOpts(x), charts.WithYAxisOpts(y))
	scatter := func(p [][]float64) []opts.ScatterData {
		out := make([]opts.ScatterData, len(p))
		for i, v := range p {
			out[i] = opts.ScatterData{Value: v, SymbolSize: 8}
		}
		return out
	}
	s.AddSeries("complete", scatter(pts), charts.WithItemStyleOpts(opts.ItemStyle{Color: seriesColor(0)}))
	if len(pruned) > 0 {
		s.AddSeries("pruned (last report)", scatter(pruned),
			charts.WithItemStyleOpts(opts.ItemStyle{Color: "#ffffff", BorderColor: "#a0a0a0"}))
	}
	l := charts.NewLine()
	l.AddSeries("best so far", lineData(best),
		charts.WithLineChartOpts(opts.LineChart{Step: "end", ShowSymbol: opts.Bool(false), Symbol: "none"}),
		charts.WithLineStyleOpts(opts.LineStyle{Color: seriesColor(3), Width: 2}),
		charts.WithItemStyleOpts(opts.ItemStyle{Color: seriesColor(3)}))
	s.Overlap(l)

	plotFn := func() (*plot.Plot, error) {
		p := newPlot("trial", objective)
		addGrid(p, true)
		sc, err := plotter.NewScatter(xyRows(pts))
		if err != nil {
			return nil, err
		}
		sc.GlyphStyle = draw.GlyphStyle{Color: rgb(seriesColor(0)), Radius: vg.Points(3), Shape: draw.CircleGlyph{}}
		p.Add(sc)
		p.Legend.Add("complete", sc)
		if len(pruned) > 0 {
			pr, err := plotter.NewScatter(xyRows(pruned))
			if err != nil {
				return nil, err
			}
			pr.GlyphStyle = draw.GlyphStyle{Color: rgb("#a0a0a0"), Radius: vg.Points(3), Shape: draw.RingGlyph{}}
			p.Add(pr)
			p.Legend.Add("pruned (last report)", pr)
		}
		var steps plotter.XYs
		for i, b := range best {
			if i > 0 {
				steps = append(steps, plotter.XY{X: b[0], Y: best[i-1][1]})
			}
			steps = append(steps, plotter.XY{X: b[0], Y: b[1]})
		}
		ln, err := plotter.NewLine(steps)
		if err != nil {
			return nil, err
		}
		ln.LineStyle = lineStyle(seriesColor(3), 1.8)
		p.Add(ln)
		p.Legend.Add("best so far", ln)
		p.X.Min = 0
		pad := (p.Y.Max - p.Y.Min) * 0.04
		p.Y.Min, p.Y.Max = p.Y.Min-pad, p.Y.Max+pad
		p.Legend.Top = dir == tune.Minimize
		p.Legend.Left = false
		return p, nil
	}
	return &Chart{Name: "optimization_history", Title: title, subtitle: sub, Width: 900, Height: 520, ec: s, plot: plotFn}, nil
}

// history returns the (trial number, value) points of the complete trials,
// of the pruned ones with a last report, and of the best value so far.
func history(trials []tune.Trial, dir tune.Direction) (pts, pruned, best [][]float64) {
	cur := math.NaN()
	for _, t := range trials {
		switch t.State {
		case tune.Complete:
			pts = append(pts, []float64{float64(t.Number), round(t.Value, 6)})
			if math.IsNaN(cur) || (dir == tune.Maximize && t.Value > cur) || (dir == tune.Minimize && t.Value < cur) {
				cur = t.Value
			}
		case tune.Pruned:
			if !math.IsNaN(t.Value) {
				pruned = append(pruned, []float64{float64(t.Number), round(t.Value, 6)})
			}
		}
		if !math.IsNaN(cur) {
			best = append(best, []float64{float64(t.Number), round(cur, 6)})
		}
	}
	return pts, pruned, best
}

func xyRows(rows [][]float64) plotter.XYs {
	out := make(plotter.XYs, len(rows))
	for i, r := range rows {
		out[i] = plotter.XY{X: r[0], Y: r[1]}
	}
	return out
}

// ParamImportance draws tune.Importance's estimate as horizontal bars.
func ParamImportance(trials []tune.Trial, space tune.Space, objective string) (*Chart, error) {
	imp, err := tune.Importance(trials, space)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrNoData, err)
	}
	names := make([]string, 0, len(space))
	vals := make([]float64, 0, len(space))
	for _, q := range space {
		names = append(names, q.Name)
		vals = append(vals, imp[q.Name])
	}
	c, err := FeatureImportance(names, vals, "share of "+objective+" variance (ε²)", 0)
	if err != nil {
		return nil, err
	}
	_, sub := completed(trials)
	c.Name, c.Title = "param_importance", "Parameter importance"
	c.subtitle = sub + " · one-way estimate, normalised to 1"
	c.ec.(*charts.Bar).SetGlobalOptions(titleOpt(c.Title, c.subtitle))
	return c, nil
}

// logScale reports whether a parameter is searched on a log scale.
func logScale(d tune.Distribution) bool {
	switch d := d.(type) {
	case tune.Float:
		return d.Log
	case tune.Int:
		return d.Log
	}
	return false
}

// Slices draws, for each parameter, the objective of every Complete trial
// against the parameter's value (Optuna's plot_slice), coloured by trial
// number so the search's drift shows; log ranges on a log axis,
// categorical parameters as categories.
func Slices(trials []tune.Trial, space tune.Space, objective string) ([]*Chart, error) {
	done, sub := completed(trials)
	if len(done) == 0 {
		return nil, fmt.Errorf("%w: no trial completed", ErrNoData)
	}
	var out []*Chart
	for _, q := range space {
		out = append(out, slice(done, q, objective, sub, len(trials)))
	}
	return out, nil
}

func slice(done []tune.Trial, q tune.Param, objective, sub string, nTrials int) *Chart {
	title := "Slice: " + q.Name
	cat, isCat := q.Dist.(tune.Categorical)
	var cats []string
	if isCat {
		for _, c := range cat.Choices {
			cats = append(cats, fmt.Sprint(c))
		}
	}
	pos := func(v any) float64 {
		if isCat {
			return float64(slices.Index(cats, fmt.Sprint(v)))
		}
		switch x := v.(type) {
		case float64:
			return x
		case int:
			return float64(x)
		}
		return math.NaN()
	}
	s := charts.NewScatter()
	s.SetGlobalOptions(common(title, sub, "item", false)...)
	x := xAxis(q.Name, "value", 30)
	x.Scale = opts.Bool(true)
	if logScale(q.Dist) {
		x.Type = "log"
	}
	if isCat {
		x.Type, x.Data = "category", cats
	}
	y := yAxis(objective, "value", 52)
	y.Scale = opts.Bool(true)
	s.SetGlobalOptions(charts.WithXAxisOpts(x), charts.WithYAxisOpts(y),
		charts.WithVisualMapOpts(opts.VisualMap{Type: "continuous", Dimension: "2", Min: 0, Max: float32(max(nTrials-1, 1)),
			Calculable: opts.Bool(false), Text: []string{"later", "trial"}, Right: "8", Top: "center",
			InRange: &opts.VisualMapInRange{Color: []string{"#9ecae1", "#08306b"}}}))
	data := make([]opts.ScatterData, len(done))
	pts := make(plotter.XYZs, len(done))
	for i, t := range done {
		xv := pos(t.Params[q.Name])
		var val any = round(xv, 6)
		if isCat {
			val = cats[int(xv)]
		}
		data[i] = opts.ScatterData{Value: []any{val, round(t.Value, 6), t.Number}, SymbolSize: 11}
		pts[i] = plotter.XYZ{X: xv, Y: t.Value, Z: float64(t.Number)}
	}
	s.AddSeries("trials", data)

	plotFn := func() (*plot.Plot, error) {
		p := newPlot(q.Name, objective)
		addGrid(p, true)
		if logScale(q.Dist) {
			p.X.Scale = plot.LogScale{}
			p.X.Tick.Marker = logTicks{}
		}
		if isCat {
			p.X.Tick.Marker = nominalTicks(cats)
			p.X.Min, p.X.Max = -0.5, float64(len(cats))-0.5
		}
		sc, err := plotter.NewScatter(pts)
		if err != nil {
			return nil, err
		}
		lo, hi := math.Inf(1), math.Inf(-1)
		for _, q := range pts {
			lo, hi = math.Min(lo, q.Y), math.Max(hi, q.Y)
		}
		pad := max(hi-lo, 1e-9) * 0.04
		p.Y.Min, p.Y.Max = lo-pad, hi+pad
		sc.GlyphStyleFunc = func(i int) draw.GlyphStyle {
			t := pts[i].Z / float64(max(nTrials-1, 1))
			return draw.GlyphStyle{Color: ramp([]string{"#9ecae1", "#08306b"}, t), Radius: vg.Points(4.5), Shape: draw.CircleGlyph{}}
		}
		p.Add(sc)
		return p, nil
	}
	return &Chart{Name: "slice_" + safeName(q.Name), Title: title, subtitle: sub, Width: 760, Height: 480, ec: s, plot: plotFn}
}

// ParallelCoordinates draws one line per Complete trial through an axis
// per parameter and a last axis for the objective, coloured by the
// objective (dark = better).
func ParallelCoordinates(trials []tune.Trial, space tune.Space, dir tune.Direction, objective string) (*Chart, error) {
	done, sub := completed(trials)
	if len(done) == 0 {
		return nil, fmt.Errorf("%w: no trial completed", ErrNoData)
	}
	title := "Parallel coordinates"
	axes, pAxes := parallelAxisList(space, objective)
	rows := parallelRows(done, space, axes)
	vlo, vhi := axes[len(space)].lo, axes[len(space)].hi
	// Better trials last, so they are drawn on top.
	order := make([]int, len(done))
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(a, b int) bool {
		if dir == tune.Maximize {
			return done[order[a]].Value < done[order[b]].Value
		}
		return done[order[a]].Value > done[order[b]].Value
	})

	pc := charts.NewParallel()
	pc.SetGlobalOptions(common(title, sub, "item", false)...)
	colors := []string{"#c6dbef", "#08306b"}
	if dir == tune.Minimize {
		colors = []string{"#08306b", "#c6dbef"}
	}
	pc.SetGlobalOptions(charts.WithParallelAxisList(pAxes),
		charts.WithVisualMapOpts(opts.VisualMap{Type: "continuous", Dimension: strconv.Itoa(len(space)),
			Min: float32(vlo), Max: float32(vhi), Calculable: opts.Bool(true), Right: "8", Top: "center",
			InRange: &opts.VisualMapInRange{Color: colors}}))
	data := make([]opts.ParallelData, len(order))
	for k, r := range order {
		vals := make([]any, len(axes))
		for i, q := range space {
			vals[i] = t2v(done[r].Params[q.Name])
		}
		vals[len(space)] = round(done[r].Value, 6)
		data[k] = opts.ParallelData{Value: vals}
	}
	pc.AddSeries("trials", data, charts.WithLineStyleOpts(opts.LineStyle{Width: 1.5, Opacity: opts.Float(0.8)}))

	plotFn := func() (*plot.Plot, error) { return parallelPlot(axes, rows, order, dir) }
	w := max(760, 150*len(axes))
	return &Chart{Name: "parallel_coordinates", Title: title, subtitle: sub, Width: w, Height: 520, ec: pc, plot: plotFn}, nil
}

// parAxis is an axis of the parallel coordinates: a parameter's, or the
// objective's last. Each maps its values to [0, 1] for the PNG (ECharts
// scales itself).
type parAxis struct {
	name   string
	cats   []string
	log    bool
	lo, hi float64
}

// parallelAxisList returns the axes of space's parameters and the
// objective, for the PNG and for ECharts.
func parallelAxisList(space tune.Space, objective string) ([]parAxis, []opts.ParallelAxis) {
	axes := make([]parAxis, 0, len(space)+1)
	var pAxes []opts.ParallelAxis
	for i, q := range space {
		a := parAxis{name: q.Name, log: logScale(q.Dist)}
		pa := opts.ParallelAxis{Dim: i, Name: q.Name, Type: "value"}
		if c, ok := q.Dist.(tune.Categorical); ok {
			for _, ch := range c.Choices {
				a.cats = append(a.cats, fmt.Sprint(ch))
			}
			pa.Type, pa.Data = "category", a.cats
		} else if a.log {
			pa.Type = "log"
		}
		axes = append(axes, a)
		pAxes = append(pAxes, pa)
	}
	axes = append(axes, parAxis{name: objective})
	pAxes = append(pAxes, opts.ParallelAxis{Dim: len(space), Name: objective, Type: "value"})
	return axes, pAxes
}

// parallelRows returns, per trial and axis, the value the PNG draws (a
// category's index, the log of a log-scaled parameter, the objective
// last), and sets the range of each axis.
func parallelRows(done []tune.Trial, space tune.Space, axes []parAxis) [][]float64 {
	rows := make([][]float64, len(done)) // per trial, per axis: the value (category index, log taken)
	for r, t := range done {
		rows[r] = make([]float64, len(axes))
		for i, q := range space {
			v := t.Params[q.Name]
			switch {
			case axes[i].cats != nil:
				rows[r][i] = float64(slices.Index(axes[i].cats, fmt.Sprint(v)))
			default:
				f, _ := strconv.ParseFloat(fmt.Sprint(v), 64)
				if axes[i].log {
					f = math.Log10(f)
				}
				rows[r][i] = f
			}
		}
		rows[r][len(space)] = t.Value
	}
	for i := range axes {
		axes[i].lo, axes[i].hi = math.Inf(1), math.Inf(-1)
		if axes[i].cats != nil {
			axes[i].lo, axes[i].hi = -0.5, float64(len(axes[i].cats))-0.5
			continue
		}
		for _, r := range rows {
			axes[i].lo, axes[i].hi = math.Min(axes[i].lo, r[i]), math.Max(axes[i].hi, r[i])
		}
		if axes[i].hi == axes[i].lo {
			axes[i].lo, axes[i].hi = axes[i].lo-0.5, axes[i].hi+0.5
		}
	}
	return rows
}

// parallelPlot draws the PNG: a line a trial in order, coloured by its
// objective (darker is better for dir), over the axes with their labels.
func parallelPlot(axes []parAxis, rows [][]float64, order []int, dir tune.Direction) (*plot.Plot, error) {
	obj := len(axes) - 1
	vlo, vhi := axes[obj].lo, axes[obj].hi
	p := newPlot("", "")
	p.HideY()
	p.X.Tick.Marker = nominalTicks(func() []string {
		n := make([]string, len(axes))
		for i, a := range axes {
			n[i] = a.name
		}
		return n
	}())
	p.X.Min, p.X.Max = -0.3, float64(len(axes)-1)+0.3
	p.Y.Min, p.Y.Max = -0.08, 1.08
	for _, r := range order {
		xy := make(plotter.XYs, len(axes))
		for i, a := range axes {
			xy[i] = plotter.XY{X: float64(i), Y: (rows[r][i] - a.lo) / (a.hi - a.lo)}
		}
		ln, err := plotter.NewLine(xy)
		if err != nil {
			return nil, err
		}
		t := (rows[r][obj] - vlo) / (vhi - vlo)
		if dir == tune.Minimize {
			t = 1 - t
		}
		ln.LineStyle = draw.LineStyle{Color: ramp([]string{"#c6dbef", "#08306b"}, t), Width: vg.Points(1)}
		p.Add(ln)
	}
	labels := make([][]axisLabel, len(axes))
	for i, a := range axes {
		if a.cats != nil {
			for k, c := range a.cats {
				labels[i] = append(labels[i], axisLabel{y: (float64(k) - a.lo) / (a.hi - a.lo), text: c})
			}
			continue
		}
		for _, y := range []float64{0, 1} {
			v := a.lo + y*(a.hi-a.lo)
			if a.log {
				v = math.Pow(10, v)
			}
			labels[i] = append(labels[i], axisLabel{y: y, text: strconv.FormatFloat(v, 'g', 3, 64)})
		}
	}
	p.Add(&parallelAxes{labels: labels})
	p.X.LineStyle.Width = 0
	p.X.Tick.Length = 0
	return p, nil
}

// t2v gives a parameter value as ECharts data: a number or a category.
func t2v(v any) any {
	switch x := v.(type) {
	case float64:
		return round(x, 6)
	case int:
		return x
	}
	return fmt.Sprint(v)
}

// parallelAxes draws the vertical axes of a parallel-coordinates PNG with
// their labels: the lowest and highest value of a numeric axis, every
// category of a categorical one at its place.
type parallelAxes struct {
	labels [][]axisLabel // per axis
}

type axisLabel struct {
	y    float64 // 0..1 on the axis
	text string
}

func (a *parallelAxes) Plot(c draw.Canvas, p *plot.Plot) {
	trX, trY := p.Transforms(&c)
	st := lineStyle("#6e7079", 1)
	ts := p.X.Tick.Label
	for i, ls := range a.labels {
		x := trX(float64(i))
		c.StrokeLine2(st, x, trY(0), x, trY(1))
		for _, l := range ls {
			t := ts
			t.XAlign, t.YAlign = draw.XCenter, draw.YCenter
			y := trY(l.y)
			switch l.y {
			case 0:
				t.YAlign, y = draw.YTop, y-vg.Points(3)
			case 1:
				t.YAlign, y = draw.YBottom, y+vg.Points(3)
			default: // a category: beside the axis
				t.XAlign = draw.XLeft
				c.FillText(t, vg.Point{X: x + vg.Points(4), Y: y}, l.text)
				continue
			}
			c.FillText(t, vg.Point{X: x, Y: y}, l.text)
		}
	}
}

// logTicks labels 1, 2 and 5 × 10^k inside a log axis's range.
type logTicks struct{}

func (logTicks) Ticks(lo, hi float64) []plot.Tick {
	var ts []plot.Tick
	for k := math.Floor(math.Log10(lo)); math.Pow(10, k) <= hi; k++ {
		for _, m := range []float64{1, 2, 5} {
			v := m * math.Pow(10, k)
			if v >= lo && v <= hi {
				ts = append(ts, plot.Tick{Value: v, Label: strconv.FormatFloat(v, 'g', -1, 64)})
			}
		}
	}
	return ts
}
