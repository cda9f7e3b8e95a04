package charts

import (
	"fmt"
	"image/color"
	"math"
	"slices"
	"sort"
	"strconv"

	"github.com/go-echarts/go-echarts/v2/charts"
	"github.com/go-echarts/go-echarts/v2/opts"
	"github.com/go-echarts/go-echarts/v2/types"
	"gonum.org/v1/gonum/mat"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/mlstack/mlstack/pkg/boost"
)

// SHAPValues are one output's SHAP values, what the SHAP charts draw
// (SHAPSummary, SHAPImportance, SHAPDependence, SHAPWaterfall).
type SHAPValues struct {
	// Features names the features.
	Features []string
	// Values is rows × (len(Features)+1): each feature's contribution to
	// the margin, the bias (expected margin) last, as
	// boost.Model.Contributions and model.Explanation.ByFeature give.
	Values *mat.Dense
	// X is rows × len(Features): the feature values (NaN missing).
	X *mat.Dense
	// Output says what the values add up to, e.g. "log-odds of M"; ""
	// means "model output (margin)".
	Output string
	// Interactions, optional, are the interaction values of the first
	// Interactions.Rows rows (boost.Model.Interactions); SHAPDependence
	// colours by the feature with the strongest mean |interaction|.
	Interactions *boost.InteractionValues
}

// shapBlue and shapRed are the low and high ends of the feature-value
// colour scale (the shap package's), shapGrey marks missing values.
const (
	shapBlue = "#008bfb"
	shapRed  = "#ff0052"
	shapGrey = "#b0b0b0"
)

// shapScale is the colour scale from low to high feature values.
var shapScale = []string{shapBlue, "#7c4fd0", shapRed}

// colourBins is the number of colours feature values are drawn in.
const colourBins = 9

func (v *SHAPValues) check() (rows, nf int, err error) {
	if v == nil || v.Values == nil || v.X == nil {
		return 0, 0, fmt.Errorf("%w: no SHAP values", ErrNoData)
	}
	rows, nc := v.Values.Dims()
	xr, xc := v.X.Dims()
	nf = len(v.Features)
	if nc != nf+1 || xr != rows || xc != nf {
		panic(fmt.Sprintf("charts: SHAP values %d×%d and X %d×%d for %d features", rows, nc, xr, xc, nf))
	}
	if rows == 0 || nf == 0 {
		return 0, 0, fmt.Errorf("%w: no rows or no features", ErrNoData)
	}
	return rows, nf, nil
}

func (v *SHAPValues) output() string {
	if v.Output == "" {
		return "model output (margin)"
	}
	return v.Output
}

// meanAbs returns each feature's mean |SHAP value|.
func (v *SHAPValues) meanAbs() []float64 {
	rows, _ := v.Values.Dims()
	m := make([]float64, len(v.Features))
	for i := range rows {
		for j := range m {
			m[j] += math.Abs(v.Values.At(i, j))
		}
	}
	for j := range m {
		m[j] /= float64(rows)
	}
	return m
}

// ranked returns up to top feature indices by mean |SHAP value|, largest
// first, leaving out features that never contribute.
func (v *SHAPValues) ranked(top int) []int {
	m := v.meanAbs()
	var idx []int
	for j, x := range m {
		if x > 0 {
			idx = append(idx, j)
		}
	}
	sort.SliceStable(idx, func(a, b int) bool { return m[idx[a]] > m[idx[b]] })
	return idx[:min(top, len(idx))]
}

// colourLevel maps feature j's values to colour bins 0..colourBins-1 (-1
// missing), scaled between its 5th and 95th percentiles as the shap
// package does, so a few outliers do not wash out the rest.
func colourLevel(x *mat.Dense, j int) []int {
	rows, _ := x.Dims()
	var vals []float64
	for i := range rows {
		if v := x.At(i, j); !math.IsNaN(v) {
			vals = append(vals, v)
		}
	}
	out := make([]int, rows)
	if len(vals) == 0 {
		for i := range out {
			out[i] = -1
		}
		return out
	}
	slices.Sort(vals)
	lo, hi := vals[int(0.05*float64(len(vals)-1))], vals[int(0.95*float64(len(vals)-1))]
	if hi <= lo {
		lo, hi = vals[0], vals[len(vals)-1]
	}
	for i := range rows {
		v := x.At(i, j)
		switch {
		case math.IsNaN(v):
			out[i] = -1
		case hi <= lo:
			out[i] = colourBins / 2
		default:
			t := math.Max(0, math.Min(1, (v-lo)/(hi-lo)))
			out[i] = int(math.Round(t * (colourBins - 1)))
		}
	}
	return out
}

func binColour(b int) color.RGBA {
	if b < 0 {
		return rgb(shapGrey)
	}
	return ramp(shapScale, float64(b)/(colourBins-1))
}

func hexColour(c color.RGBA) string { return fmt.Sprintf("#%02x%02x%02x", c.R, c.G, c.B) }

// swarm returns vertical offsets in [-0.4, 0.4] that pile up points with
// close x values, as a beeswarm: x is cut into 120 bins over [lo, hi] and
// the k-th point of a bin goes k steps above or below the centre.
func swarm(x []float64, lo, hi float64) []float64 {
	const bins = 120
	count := make([]int, bins+1)
	out := make([]float64, len(x))
	order := make([]int, len(x))
	for i := range order {
		order[i] = i
	}
	// Most extreme first does not matter; a fixed order keeps it
	// deterministic.
	maxCount := 1
	binOf := func(v float64) int {
		if hi <= lo {
			return 0
		}
		return int(math.Round((v - lo) / (hi - lo) * bins))
	}
	for _, v := range x {
		b := binOf(v)
		count[b]++
		maxCount = max(maxCount, count[b])
	}
	clear(count)
	step := math.Min(0.04, 0.4/float64((maxCount+1)/2))
	for _, i := range order {
		b := binOf(x[i])
		k := count[b]
		count[b]++
		off := float64((k+1)/2) * step
		if k%2 == 1 {
			off = -off
		}
		out[i] = off
	}
	return out
}

// SHAPSummary draws the SHAP summary (beeswarm) plot: for each of the top
// features by mean |SHAP value| (top ≤ 0 means 20), largest on top, one
// point per row at its SHAP value, piled up where values are close and
// coloured by the row's feature value (blue low, red high, between the
// feature's 5th and 95th percentiles; grey missing).
func SHAPSummary(v *SHAPValues, top int) (*Chart, error) {
	rows, nf, err := v.check()
	if err != nil {
		return nil, err
	}
	if top <= 0 {
		top = 20
	}
	idx := v.ranked(top)
	if len(idx) == 0 {
		return nil, fmt.Errorf("%w: every SHAP value is 0", ErrNoData)
	}
	slices.Reverse(idx) // the first category is drawn at the bottom
	cats := make([]string, len(idx))
	for k, j := range idx {
		cats[k] = v.Features[j]
	}
	points, lo, hi := v.beeswarm(idx, rows)
	title := "SHAP summary"
	sub := fmt.Sprintf("%d rows · top %d of %d features by mean |SHAP value| · colour: feature value, blue low → red high, grey missing", rows, len(idx), nf)
	xName := "SHAP value (impact on " + v.output() + ")"

	sc := charts.NewScatter()
	sc.SetGlobalOptions(common(title, sub, "item", false)...)
	y := yAxis("", "category", 0)
	y.Data = cats
	y.AxisLabel.Interval = "0"
	y.SplitLine = &opts.SplitLine{Show: opts.Bool(true), LineStyle: &opts.LineStyle{Color: gridColor}}
	sc.SetGlobalOptions(charts.WithXAxisOpts(xAxis(xName, "value", 30)), charts.WithYAxisOpts(y),
		gridOpt(opts.Grid{Left: "24", Right: "40", Top: "72", Bottom: "48", ContainLabel: opts.Bool(true)}))
	// Points sit on a hidden value axis aligned with the categories, so
	// they can be piled up.
	sc.ExtendYAxis(opts.YAxis{Type: "value", Show: opts.Bool(false), Min: -0.5, Max: float64(len(idx)) - 0.5})
	for b, pts := range points {
		if len(pts) == 0 {
			continue
		}
		data := make([]opts.ScatterData, len(pts))
		for i, p := range pts {
			data[i] = opts.ScatterData{Value: []float64{round(p.X, 4), round(p.Y, 3)}}
		}
		name, col := "feature value "+strconv.Itoa(b+1)+"/"+strconv.Itoa(colourBins), hexColour(binColour(b))
		if b == colourBins {
			name, col = "missing", shapGrey
		}
		sc.AddSeries(name, data,
			charts.WithSeriesOpts(func(s *charts.SingleSeries) { s.YAxisIndex = 1; s.SymbolSize = 4 }),
			charts.WithItemStyleOpts(opts.ItemStyle{Color: col, Opacity: opts.Float(0.8)}))
	}
	plotFn := func() (*plot.Plot, error) {
		p := newPlot(xName, "")
		addGrid(p, true)
		colour := func(b int) color.RGBA {
			if b < colourBins {
				return binColour(b)
			}
			return rgb(shapGrey)
		}
		if err := addBinScatters(p, points, colour, 210, vg.Points(1.6)); err != nil {
			return nil, err
		}
		p.Y.Tick.Marker = nominalTicks(cats)
		p.Y.Tick.Length = 0
		p.Y.Min, p.Y.Max = -0.6, float64(len(cats))-0.4
		pad := (hi - lo) * 0.04
		p.X.Min, p.X.Max = lo-pad, hi+pad
		p.Add(vline(0))
		return p, nil
	}
	return &Chart{Name: "shap_summary", Title: title, subtitle: sub, Width: 900, Height: max(400, 130+28*len(cats)), ec: sc, plot: plotFn}, nil
}

// beeswarm returns the points of the summary plot by colour bin of the
// feature value (index colourBins: missing): feature idx[k]'s SHAP values
// on row k, piled up by swarm; and the range of those SHAP values.
func (v *SHAPValues) beeswarm(idx []int, rows int) (points []plotter.XYs, lo, hi float64) {
	lo, hi = math.Inf(1), math.Inf(-1)
	for _, j := range idx {
		for i := range rows {
			lo, hi = min(lo, v.Values.At(i, j)), max(hi, v.Values.At(i, j))
		}
	}
	points = make([]plotter.XYs, colourBins+1)
	for k, j := range idx {
		s := make([]float64, rows)
		for i := range rows {
			s[i] = v.Values.At(i, j)
		}
		off := swarm(s, lo, hi)
		lv := colourLevel(v.X, j)
		for i := range rows {
			b := lv[i]
			if b < 0 {
				b = colourBins
			}
			points[b] = append(points[b], plotter.XY{X: s[i], Y: float64(k) + off[i]})
		}
	}
	return points, lo, hi
}

// vline is a thin grey line across the plot at x = at (vertical) or
// y = at (horizontal), optionally dashed.
type vline float64

func (l vline) Plot(c draw.Canvas, p *plot.Plot) {
	trX, _ := p.Transforms(&c)
	x := trX(float64(l))
	c.StrokeLines(lineStyle("#6e7079", 0.8), c.ClipLinesXY([]vg.Point{{X: x, Y: c.Min.Y}, {X: x, Y: c.Max.Y}})...)
}

type hline struct {
	y      float64
	colour string
	dashed bool
}

func (l hline) Plot(c draw.Canvas, p *plot.Plot) {
	_, trY := p.Transforms(&c)
	y := trY(l.y)
	st := lineStyle(l.colour, 0.9)
	if l.dashed {
		st.Dashes = []vg.Length{vg.Points(4), vg.Points(3)}
	}
	c.StrokeLines(st, c.ClipLinesXY([]vg.Point{{X: c.Min.X, Y: y}, {X: c.Max.X, Y: y}})...)
}

// SHAPImportance draws the mean |SHAP value| of the top features (top ≤ 0
// means 20) as horizontal bars, largest on top: FeatureImportance of the
// SHAP values.
func SHAPImportance(v *SHAPValues, top int) (*Chart, error) {
	rows, nf, err := v.check()
	if err != nil {
		return nil, err
	}
	c, err := FeatureImportance(v.Features, v.meanAbs(), "mean |SHAP value|", top)
	if err != nil {
		return nil, err
	}
	shown := min(len(v.ranked(max(top, 1))), nf)
	if top <= 0 {
		shown = len(v.ranked(20))
	}
	c.Name, c.Title = "shap_importance", "SHAP feature importance"
	c.subtitle = fmt.Sprintf("%d rows · top %d of %d features by mean |SHAP value| (impact on %s)", rows, shown, nf, v.output())
	b := c.ec.(*charts.Bar)
	b.Title.Title, b.Title.Subtitle = c.Title, c.subtitle
	return c, nil
}

// SHAPDependence draws the SHAP dependence plot of a feature ("" means the
// top one by mean |SHAP value|): one point per row at the feature's value
// and its SHAP value, coloured by the value of the feature it interacts
// with most (largest mean |interaction value| over the rows of
// v.Interactions; without Interactions the points are not coloured). Rows
// where the feature is missing are left out (the subtitle counts them).
func SHAPDependence(v *SHAPValues, feature string) (*Chart, error) {
	rows, nf, err := v.check()
	if err != nil {
		return nil, err
	}
	j := slices.Index(v.Features, feature)
	switch {
	case feature == "":
		r := v.ranked(1)
		if len(r) == 0 {
			return nil, fmt.Errorf("%w: every SHAP value is 0", ErrNoData)
		}
		j, feature = r[0], v.Features[r[0]]
	case j < 0:
		return nil, fmt.Errorf("charts: SHAP dependence: no feature %q", feature)
	}
	partner := v.partner(j, rows, nf)
	var lv []int
	if partner >= 0 {
		lv = colourLevel(v.X, partner)
	}
	points, missing := dependencePoints(v, j, rows, lv)
	if missing == rows {
		return nil, fmt.Errorf("%w: feature %q is missing in every row", ErrNoData, feature)
	}
	title := "SHAP dependence: " + feature
	sub := fmt.Sprintf("%d rows", rows-missing)
	if missing > 0 {
		sub += fmt.Sprintf(" (%d with %s missing left out)", missing, feature)
	}
	if partner >= 0 {
		sub += " · colour: " + v.Features[partner] + " (strongest interaction), blue low → red high, grey missing"
	}
	yName := "SHAP value for " + feature
	sc := charts.NewScatter()
	sc.SetGlobalOptions(common(title, sub, "item", false)...)
	sc.SetGlobalOptions(charts.WithXAxisOpts(xAxis(feature, "value", 30)), charts.WithYAxisOpts(scaled(yAxis(yName, "value", 56))))
	first := true
	for b, pts := range points {
		if len(pts) == 0 {
			continue
		}
		data := make([]opts.ScatterData, len(pts))
		for i, p := range pts {
			data[i] = opts.ScatterData{Value: []float64{round(p.X, 6), round(p.Y, 5)}}
		}
		col := hexColour(binColour(b))
		if lv == nil {
			col = seriesColor(0)
		} else if b == colourBins {
			col = shapGrey
		}
		so := []charts.SeriesOpts{
			charts.WithSeriesOpts(func(s *charts.SingleSeries) { s.SymbolSize = 5 }),
			charts.WithItemStyleOpts(opts.ItemStyle{Color: col, Opacity: opts.Float(0.75)}),
		}
		if first {
			so = append(so, charts.WithMarkLineNameYAxisItemOpts(opts.MarkLineNameYAxisItem{Name: "0", YAxis: 0}),
				charts.WithMarkLineStyleOpts(opts.MarkLineStyle{Symbol: []string{"none", "none"}, Label: &opts.Label{Show: opts.Bool(false)},
					LineStyle: &opts.LineStyle{Color: "#6e7079", Type: "solid", Width: 1}}))
			first = false
		}
		sc.AddSeries(strconv.Itoa(b), data, so...)
	}
	plotFn := func() (*plot.Plot, error) {
		p := newPlot(feature, yName)
		addGrid(p, true)
		p.Add(hline{y: 0, colour: "#6e7079"})
		colour := func(b int) color.RGBA {
			switch {
			case lv == nil:
				return rgb(seriesColor(0))
			case b == colourBins:
				return rgb(shapGrey)
			}
			return binColour(b)
		}
		if err := addBinScatters(p, points, colour, 200, vg.Points(2)); err != nil {
			return nil, err
		}
		return p, nil
	}
	return &Chart{Name: "shap_dependence_" + safeName(feature), Title: title, subtitle: sub, ec: sc, plot: plotFn}, nil
}

// partner is the feature with the strongest interaction with feature j
// (largest sum of |interaction| over the rows), or -1 without
// interaction values.
func (v *SHAPValues) partner(j, rows, nf int) int {
	partner := -1
	if iv := v.Interactions; iv != nil && iv.Size == nf+1 && iv.Rows > 0 {
		best := 0.0
		for k := range nf {
			if k == j {
				continue
			}
			s := 0.0
			for r := range min(iv.Rows, rows) {
				s += math.Abs(iv.At(r, j, k))
			}
			if s > best {
				best, partner = s, k
			}
		}
	}
	return partner
}

// dependencePoints returns the (feature value, SHAP value) points of
// feature j by colour bin of lv (the middle bin without lv; index
// colourBins: lv missing), and the rows left out for a missing value.
func dependencePoints(v *SHAPValues, j, rows int, lv []int) (points []plotter.XYs, missing int) {
	points = make([]plotter.XYs, colourBins+1)
	for i := range rows {
		x := v.X.At(i, j)
		if math.IsNaN(x) {
			missing++
			continue
		}
		b := colourBins / 2
		if lv != nil {
			if b = lv[i]; b < 0 {
				b = colourBins
			}
		}
		points[b] = append(points[b], plotter.XY{X: x, Y: v.Values.At(i, j)})
	}
	return points, missing
}

// addBinScatters adds to p a scatter a non-empty colour bin of points, in
// colour(b) with the given alpha and radius.
func addBinScatters(p *plot.Plot, points []plotter.XYs, colour func(b int) color.RGBA, alpha uint8, radius vg.Length) error {
	for b, pts := range points {
		if len(pts) == 0 {
			continue
		}
		s, err := plotter.NewScatter(pts)
		if err != nil {
			return err
		}
		s.GlyphStyle = draw.GlyphStyle{Color: withAlpha(colour(b), alpha), Radius: radius, Shape: draw.CircleGlyph{}}
		p.Add(s)
	}
	return nil
}

// SHAPWaterfall draws how one row's prediction is built: from the
// expected margin E[f(X)] (the bias), each of the top features by |SHAP
// value| (top ≤ 0 means 10; the rest summed as "N other features") moves
// it up (red) or down (blue), largest first, to the row's margin f(x).
// Features are labelled with the row's values.
func SHAPWaterfall(v *SHAPValues, row, top int) (*Chart, error) {
	rows, nf, err := v.check()
	if err != nil {
		return nil, err
	}
	if row < 0 || row >= rows {
		return nil, fmt.Errorf("charts: SHAP waterfall: row %d out of range [0, %d)", row, rows)
	}
	if top <= 0 {
		top = 10
	}
	bias := v.Values.At(row, nf)
	cats, deltas := v.waterfallSteps(row, top, nf)
	starts := make([]float64, len(deltas))
	fx := bias
	for i, d := range deltas {
		starts[i] = fx
		fx += d
	}
	title := fmt.Sprintf("SHAP waterfall: row %d", row)
	sub := fmt.Sprintf("%s: E[f(X)] = %.3f → f(x) = %.3f · red raises, blue lowers", v.output(), bias, fx)

	k := charts.NewKLine()
	k.SetGlobalOptions(common(title, sub, "item", false)...)
	x := xAxis("", "category", 0)
	x.Data = cats
	x.AxisLabel.Interval = "0"
	x.AxisLabel.Rotate = 30
	x.AxisLine = &opts.AxisLine{OnZero: opts.Bool(false)}
	k.SetGlobalOptions(charts.WithXAxisOpts(x), charts.WithYAxisOpts(scaled(yAxis(v.output(), "value", 56))),
		gridOpt(opts.Grid{Left: "150", Right: "96", Top: "72", Bottom: "24", ContainLabel: opts.Bool(true)}))
	k.SetXAxis(cats)
	kd := make([]opts.KlineData, len(deltas))
	for i, d := range deltas {
		a, b := starts[i], starts[i]+d
		kd[i] = opts.KlineData{Value: []float64{round(a, 5), round(b, 5), round(min(a, b), 5), round(max(a, b), 5)}}
	}
	k.AddSeries("contribution", kd,
		charts.WithItemStyleOpts(opts.ItemStyle{Color: shapRed, Color0: shapBlue, BorderColor: shapRed, BorderColor0: shapBlue}),
		charts.WithMarkLineNameYAxisItemOpts(
			opts.MarkLineNameYAxisItem{Name: "E[f(X)]", YAxis: round(bias, 5)},
			opts.MarkLineNameYAxisItem{Name: "f(x)", YAxis: round(fx, 5)}),
		charts.WithMarkLineStyleOpts(opts.MarkLineStyle{Symbol: []string{"none", "none"},
			Label:     &opts.Label{Show: opts.Bool(true), Position: "end", Formatter: "{b}", Color: textColor},
			LineStyle: &opts.LineStyle{Color: "#6e7079", Type: "dashed", Width: 1}}))
	// The values, written above (red) or below (blue) each bar.
	type item struct {
		Value []any       `json:"value"`
		Label *opts.Label `json:"label,omitempty"`
	}
	var labels []item
	for i, d := range deltas {
		pos, y := "top", max(starts[i], starts[i]+d)
		if d < 0 {
			pos, y = "bottom", min(starts[i], starts[i]+d)
		}
		labels = append(labels, item{Value: []any{i, round(y, 5)},
			Label: &opts.Label{Show: opts.Bool(true), Position: pos, Formatter: types.FuncStr(signed(d)), Color: textColor, FontSize: 11}})
	}
	sc := charts.NewScatter()
	sc.AddSeries("value", nil, charts.WithSeriesOpts(func(s *charts.SingleSeries) { s.Data = labels; s.SymbolSize = 0 }))
	k.Overlap(sc)

	plotFn := func() (*plot.Plot, error) {
		p := newPlot("", v.output())
		addGrid(p, false)
		p.Add(hline{y: bias, colour: "#6e7079", dashed: true}, hline{y: fx, colour: "#6e7079", dashed: true})
		p.Add(&waterfall{starts: starts, deltas: deltas})
		p.X.Tick.Marker = nominalTicks(cats)
		p.X.Tick.Label.Rotation = math.Pi / 6
		p.X.Tick.Label.XAlign = draw.XRight
		p.X.Tick.Label.YAlign = draw.YTop
		p.X.Min, p.X.Max = -0.6, float64(len(cats))-0.4
		lo, hi := min(bias, fx), max(bias, fx)
		for i, d := range deltas {
			lo, hi = min(lo, starts[i], starts[i]+d), max(hi, starts[i], starts[i]+d)
		}
		pad := (hi - lo) * 0.1
		p.Y.Min, p.Y.Max = lo-pad, hi+pad
		return p, nil
	}
	return &Chart{Name: "shap_waterfall", Title: title, subtitle: sub, Width: 900, Height: 520, ec: k, plot: plotFn}, nil
}

// waterfallSteps returns the bars of row's waterfall: its top-1 features
// by |SHAP value| (all when nf <= top), labelled with their values, then
// the sum of the others.
func (v *SHAPValues) waterfallSteps(row, top, nf int) (cats []string, deltas []float64) {
	c := v.Values.RawRowView(row)
	idx := make([]int, nf)
	for j := range idx {
		idx[j] = j
	}
	sort.SliceStable(idx, func(a, b int) bool { return math.Abs(c[idx[a]]) > math.Abs(c[idx[b]]) })
	shown := idx
	rest := 0.0
	if nf > top {
		shown = idx[:top-1]
		for _, j := range idx[top-1:] {
			rest += c[j]
		}
	}
	for _, j := range shown {
		x := v.X.At(row, j)
		val := "missing"
		if !math.IsNaN(x) {
			val = strconv.FormatFloat(x, 'g', 4, 64)
		}
		cats = append(cats, v.Features[j]+" = "+val)
		deltas = append(deltas, c[j])
	}
	if nf > top {
		cats = append(cats, fmt.Sprintf("%d other features", nf-top+1))
		deltas = append(deltas, rest)
	}
	return cats, deltas
}

func signed(d float64) string {
	s := strconv.FormatFloat(d, 'f', 3, 64)
	if d >= 0 {
		s = "+" + s
	}
	return s
}

// waterfall draws the bars of SHAPWaterfall with their values.
type waterfall struct{ starts, deltas []float64 }

func (w *waterfall) Plot(c draw.Canvas, p *plot.Plot) {
	trX, trY := p.Transforms(&c)
	_, sub := titleStyles()
	sub.Font.Size = vg.Points(8)
	sub.Color = rgb(textColor)
	for i, d := range w.deltas {
		a, b := w.starts[i], w.starts[i]+d
		col, y, ya := rgb(shapRed), max(a, b), draw.YBottom
		if d < 0 {
			col, y, ya = rgb(shapBlue), min(a, b), draw.YTop
		}
		x0, x1 := trX(float64(i)-0.3), trX(float64(i)+0.3)
		y0, y1 := trY(a), trY(b)
		if math.Abs(float64(y1-y0)) < 1 {
			y1 = y0 + 1
		}
		c.FillPolygon(col, c.ClipPolygonXY([]vg.Point{{X: x0, Y: y0}, {X: x1, Y: y0}, {X: x1, Y: y1}, {X: x0, Y: y1}}))
		if i+1 < len(w.deltas) {
			c.StrokeLines(lineStyle("#9a9a9a", 0.6), c.ClipLinesXY([]vg.Point{{X: x1, Y: y1}, {X: trX(float64(i+1) - 0.3), Y: y1}})...)
		}
		sub.YAlign = ya
		off := vg.Points(2)
		if d < 0 {
			off = -off
		}
		c.FillText(sub, vg.Point{X: trX(float64(i)), Y: trY(y) + off}, signed(d))
	}
}

func (w *waterfall) DataRange() (xmin, xmax, ymin, ymax float64) {
	ymin, ymax = math.Inf(1), math.Inf(-1)
	for i, d := range w.deltas {
		ymin, ymax = min(ymin, w.starts[i], w.starts[i]+d), max(ymax, w.starts[i], w.starts[i]+d)
	}
	return -0.5, float64(len(w.deltas)) - 0.5, ymin, ymax
}

// SHAPCharts returns the four SHAP charts of v: SHAPSummary and
// SHAPImportance of the top 20 features, SHAPDependence of the top feature
// and SHAPWaterfall of row (its top 10 features).
func SHAPCharts(v *SHAPValues, row int) ([]*Chart, error) {
	var out []*Chart
	for _, f := range []func() (*Chart, error){
		func() (*Chart, error) { return SHAPSummary(v, 20) },
		func() (*Chart, error) { return SHAPImportance(v, 20) },
		func() (*Chart, error) { return SHAPDependence(v, "") },
		func() (*Chart, error) { return SHAPWaterfall(v, row, 10) },
	} {
		c, err := f()
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, nil
}
