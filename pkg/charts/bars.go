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

	"github.com/mlstack/mlstack/pkg/boost"
)

// FeatureImportance draws horizontal bars of the top features by
// importance, largest on top. names and importance are parallel (e.g.
// the schema's feature names and boost.Model.Importance(kind)); kind names
// the importance type on the axis ("gain", "weight", …). top ≤ 0 means 20.
// Features with zero importance are left out. Different lengths panic.
func FeatureImportance(names []string, importance []float64, kind string, top int) (*Chart, error) {
	if len(names) != len(importance) {
		panic("charts: names and importance differ in length")
	}
	if top <= 0 {
		top = 20
	}
	idx := make([]int, 0, len(names))
	for i, v := range importance {
		if v > 0 && !math.IsInf(v, 0) {
			idx = append(idx, i)
		}
	}
	if len(idx) == 0 {
		return nil, fmt.Errorf("%w: no feature has a positive importance", ErrNoData)
	}
	sort.SliceStable(idx, func(a, b int) bool { return importance[idx[a]] > importance[idx[b]] })
	shown := min(top, len(idx))
	idx = idx[:shown]
	slices.Reverse(idx) // ECharts and gonum draw the first category at the bottom
	cats := make([]string, len(idx))
	vals := make([]float64, len(idx))
	for i, j := range idx {
		cats[i], vals[i] = names[j], importance[j]
	}
	if kind == "" {
		kind = "importance"
	}
	title := "Feature importance"
	sub := fmt.Sprintf("top %d of %d features by %s", shown, len(names), kind)

	b := charts.NewBar()
	b.SetGlobalOptions(common(title, sub, "item", false)...)
	y := yAxis("", "category", 0)
	y.Data = cats
	y.AxisLabel.Interval = "0"
	x := xAxis(kind, "value", 30)
	b.SetGlobalOptions(charts.WithXAxisOpts(x), charts.WithYAxisOpts(y),
		gridOpt(opts.Grid{Left: "24", Right: "72", Top: "72", Bottom: "48", ContainLabel: opts.Bool(true)}))
	// XYReversal swaps the axes' data: give it the category data as x.
	b.SetXAxis(cats)
	data := make([]opts.BarData, len(vals))
	for i, v := range vals {
		data[i] = opts.BarData{Value: round(v, 6)}
	}
	b.AddSeries(kind, data,
		charts.WithItemStyleOpts(opts.ItemStyle{Color: seriesColor(0)}),
		charts.WithLabelOpts(opts.Label{Show: opts.Bool(true), Position: "right", Color: textColor, FontSize: 11}),
		charts.WithBarChartOpts(opts.BarChart{BarCategoryGap: "30%"}))
	b.XYReversal()

	plotFn := func() (*plot.Plot, error) {
		p := newPlot(kind, "")
		addGrid(p, true)
		bc, err := plotter.NewBarChart(plotter.Values(vals), vg.Points(max(4, min(22, 300/float64(len(vals))))))
		if err != nil {
			return nil, err
		}
		bc.Horizontal = true
		bc.Color = rgb(seriesColor(0))
		bc.LineStyle.Width = 0
		p.Add(bc)
		p.Y.Tick.Marker = nominalTicks(cats)
		p.Y.Tick.Length = 0
		p.Y.Min, p.Y.Max = -0.6, float64(len(cats))-0.4
		p.X.Min = 0
		p.X.Max = slices.Max(vals) * 1.08
		return p, nil
	}
	h := 120 + 26*len(cats)
	return &Chart{Name: "feature_importance", Title: title, subtitle: sub, Width: 760, Height: max(360, h), ec: b, plot: plotFn}, nil
}

// LearningCurves draws the per-round evaluation history of a boosted
// model (boost.Model.History): one line per evaluation set and metric, and
// a dashed vertical line at the best iteration (early stopping). rounds are
// numbered from 0 like XGBoost's. It is an error if m has no history.
func LearningCurves(m *boost.Model) (*Chart, error) {
	if m == nil || len(m.History) == 0 {
		return nil, fmt.Errorf("%w: the model has no evaluation history (train with evaluation sets)", ErrNoData)
	}
	metricsSeen := map[string]bool{}
	n := 0
	for _, h := range m.History {
		metricsSeen[h.Metric] = true
		n = max(n, len(h.Values))
	}
	if n == 0 {
		return nil, fmt.Errorf("%w: empty evaluation history", ErrNoData)
	}
	yName := "Metric value"
	if len(metricsSeen) == 1 {
		yName = m.History[0].Metric
	}
	title := "Learning curves"
	sub := fmt.Sprintf("%d boosting rounds · best iteration %d", n, m.BestIteration)
	rounds := make([]string, n)
	for i := range rounds {
		rounds[i] = strconv.Itoa(i)
	}
	seriesName := func(h boost.EvalHistory) string {
		if len(metricsSeen) == 1 {
			return h.Set
		}
		return h.Set + " · " + h.Metric
	}

	l := charts.NewLine()
	l.SetGlobalOptions(common(title, sub, "axis", true)...)
	l.SetGlobalOptions(
		charts.WithXAxisOpts(xAxis("Boosting round", "category", 30)),
		charts.WithYAxisOpts(scaled(yAxis(yName, "value", 56))),
	)
	l.SetXAxis(rounds)
	for i, h := range m.History {
		d := make([]opts.LineData, len(h.Values))
		for j, v := range h.Values {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				d[j] = opts.LineData{Value: "-"}
			} else {
				d[j] = opts.LineData{Value: round(v, 6)}
			}
		}
		so := []charts.SeriesOpts{
			charts.WithLineChartOpts(opts.LineChart{ShowSymbol: opts.Bool(false), Symbol: "none"}),
			charts.WithLineStyleOpts(opts.LineStyle{Color: seriesColor(i), Width: 2}),
			charts.WithItemStyleOpts(opts.ItemStyle{Color: seriesColor(i)}),
		}
		if i == 0 && m.BestIteration >= 0 && m.BestIteration < n {
			so = append(so,
				charts.WithMarkLineNameXAxisItemOpts(opts.MarkLineNameXAxisItem{Name: "best iteration", XAxis: strconv.Itoa(m.BestIteration)}),
				charts.WithMarkLineStyleOpts(opts.MarkLineStyle{
					Symbol:    []string{"none", "none"},
					LineStyle: &opts.LineStyle{Color: "#888888", Type: "dashed", Width: 1.5},
					Label:     &opts.Label{Show: opts.Bool(true), Formatter: "best: {c}", Color: textColor},
				}))
		}
		l.AddSeries(seriesName(h), d, so...)
	}

	plotFn := func() (*plot.Plot, error) { return learningPlot(m, n, yName, seriesName) }
	return &Chart{Name: "learning_curves", Title: title, subtitle: sub, ec: l, plot: plotFn}, nil
}

// learningPlot draws the PNG of LearningCurves: a line an evaluation
// history over the n rounds and the best iteration.
func learningPlot(m *boost.Model, n int, yName string, seriesName func(boost.EvalHistory) string) (*plot.Plot, error) {
	p := newPlot("Boosting round", yName)
	addGrid(p, true)
	lo, hi := math.Inf(1), math.Inf(-1)
	for i, h := range m.History {
		var pts plotter.XYs
		for j, v := range h.Values {
			if !math.IsNaN(v) && !math.IsInf(v, 0) {
				pts = append(pts, plotter.XY{X: float64(j), Y: v})
				lo, hi = min(lo, v), max(hi, v)
			}
		}
		if len(pts) == 0 {
			continue
		}
		ln, err := plotter.NewLine(pts)
		if err != nil {
			return nil, err
		}
		ln.LineStyle = lineStyle(seriesColor(i), 1.8)
		p.Add(ln)
		p.Legend.Add(seriesName(h), ln)
	}
	if m.BestIteration >= 0 && m.BestIteration < n && hi >= lo {
		pad := max((hi-lo)*0.05, 1e-9)
		best, err := plotter.NewLine(plotter.XYs{{X: float64(m.BestIteration), Y: lo - pad}, {X: float64(m.BestIteration), Y: hi + pad}})
		if err != nil {
			return nil, err
		}
		best.LineStyle = lineStyle("#888888", 1.2)
		best.LineStyle.Dashes = []vg.Length{vg.Points(5), vg.Points(4)}
		p.Add(best)
		p.Legend.Add(fmt.Sprintf("best iteration (%d)", m.BestIteration), best)
	}
	p.X.Min = 0
	p.X.Max = float64(n - 1)
	return p, nil
}

// groupedBars draws bars for several groups (series) over categories,
// side by side.
func groupedBars(p *plot.Plot, cats []string, series [][]float64, names []string, colors []string) error {
	w := vg.Points(max(6, min(40, 420/float64(len(cats)*len(series)))))
	for i, s := range series {
		bc, err := plotter.NewBarChart(plotter.Values(s), w)
		if err != nil {
			return err
		}
		bc.Color = rgb(colors[i])
		bc.LineStyle.Width = 0
		bc.Offset = w * vg.Length(float64(i)-float64(len(series)-1)/2)
		p.Add(bc)
		p.Legend.Add(names[i], bc)
	}
	p.X.Tick.Marker = nominalTicks(cats)
	p.X.Min, p.X.Max = -0.6, float64(len(cats))-0.4
	p.Y.Min = 0
	return nil
}

// ClassBalance draws the number of samples of each class before and after
// resampling (e.g. SMOTE) as grouped bars with their counts. before and
// after are the label vectors (class ids 0..k-1); classes names the classes
// (nil = "0", "1", …). A label that is not a class id of classes is an
// error.
func ClassBalance(before, after []float64, classes []string) (*Chart, error) {
	if len(before) == 0 {
		return nil, fmt.Errorf("%w: class balance without labels", ErrNoData)
	}
	k := 0
	for _, ys := range [][]float64{before, after} {
		for _, y := range ys {
			if y < 0 || y != math.Trunc(y) || math.IsNaN(y) {
				return nil, fmt.Errorf("charts: class balance: label %v is not a class id", y)
			}
			k = max(k, int(y)+1)
		}
	}
	if classes == nil {
		for i := range k {
			classes = append(classes, strconv.Itoa(i))
		}
	}
	if k > len(classes) {
		return nil, fmt.Errorf("charts: class balance: label %d has no name (%d classes)", k-1, len(classes))
	}
	count := func(ys []float64) []float64 {
		c := make([]float64, len(classes))
		for _, y := range ys {
			c[int(y)]++
		}
		return c
	}
	series := [][]float64{count(before), count(after)}
	names := []string{fmt.Sprintf("Before (%d rows)", len(before)), fmt.Sprintf("After (%d rows)", len(after))}
	colors := []string{seriesColor(0), seriesColor(1)}
	title := "Class balance before and after resampling"
	sub := fmt.Sprintf("%d → %d rows", len(before), len(after))

	b := charts.NewBar()
	b.SetGlobalOptions(common(title, sub, "axis", true)...)
	b.SetGlobalOptions(
		charts.WithXAxisOpts(xAxis("Class", "category", 30)),
		charts.WithYAxisOpts(yAxis("Samples", "value", 64)),
	)
	b.SetXAxis(classes)
	for i, s := range series {
		d := make([]opts.BarData, len(s))
		for j, v := range s {
			d[j] = opts.BarData{Value: v}
		}
		b.AddSeries(names[i], d,
			charts.WithItemStyleOpts(opts.ItemStyle{Color: colors[i]}),
			charts.WithLabelOpts(opts.Label{Show: opts.Bool(true), Position: "top", Color: textColor}),
			charts.WithSeriesOpts(func(s *charts.SingleSeries) { s.BarMaxWidth = "80" }))
	}
	plotFn := func() (*plot.Plot, error) {
		p := newPlot("Class", "Samples")
		addGrid(p, false)
		if err := groupedBars(p, classes, series, names, colors); err != nil {
			return nil, err
		}
		p.Y.Max = max(slices.Max(series[0]), slices.Max(series[1])) * 1.1
		p.Add(&barLabels{series: series, p: p})
		return p, nil
	}
	return &Chart{Name: "class_balance", Title: title, subtitle: sub, Width: 760, Height: 480, ec: b, plot: plotFn}, nil
}

// barLabels writes each bar's count above it (for groupedBars layouts).
type barLabels struct {
	series [][]float64
	p      *plot.Plot
}

func (l *barLabels) Plot(c draw.Canvas, p *plot.Plot) {
	trX, trY := p.Transforms(&c)
	ts, _ := titleStyles()
	ts.Font.Size = vg.Points(9)
	ts.Font.Weight = 0
	ts.YAlign = draw.YBottom
	w := vg.Points(max(6, min(40, 420/float64(len(l.series[0])*len(l.series)))))
	for i, s := range l.series {
		off := w * vg.Length(float64(i)-float64(len(l.series)-1)/2)
		for j, v := range s {
			c.FillText(ts, vg.Point{X: trX(float64(j)) + off, Y: trY(v) + vg.Points(2)}, strconv.FormatFloat(v, 'f', -1, 64))
		}
	}
}
