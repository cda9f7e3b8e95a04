package charts

import (
	"fmt"
	"math"
	"slices"
	"sort"

	"github.com/go-echarts/go-echarts/v2/charts"
	"github.com/go-echarts/go-echarts/v2/opts"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/mlstack/mlstack/pkg/frame"
	"github.com/mlstack/mlstack/pkg/metrics"
)

// boxStats are Tukey's box plot numbers: whiskers at the most extreme
// values within 1.5 IQR of the quartiles; quartiles by linear interpolation
// (numpy's default).
type boxStats struct{ lo, q1, med, q3, hi float64 }

func tukey(v []float64) boxStats {
	s := slices.Clone(v)
	sort.Float64s(s)
	q1, med, q3 := frame.Quantile(s, 0.25), frame.Quantile(s, 0.5), frame.Quantile(s, 0.75)
	iqr := q3 - q1
	lo, hi := q1, q3
	for _, x := range s {
		if x >= q1-1.5*iqr && x < lo {
			lo = x
		}
		if x <= q3+1.5*iqr && x > hi {
			hi = x
		}
	}
	return boxStats{lo, q1, med, q3, hi}
}

// jitter returns a deterministic horizontal offset in [-0.15, 0.15] for
// the i-th point of n, so overlaid fold points do not hide each other.
func jitter(i, n int) float64 {
	if n <= 1 {
		return 0
	}
	// golden-ratio sequence: well spread and reproducible
	f := math.Mod(float64(i)*0.6180339887498949, 1)
	return (f - 0.5) * 0.3
}

// CVBoxPlot draws one box per metric over the cross-validation folds of s,
// with every fold's score overlaid as a point. names selects and orders the
// metrics; with none, every metric of s except log_loss (whose scale
// differs) in sorted order. NaN scores (e.g. ROC AUC of a single-class
// fold) are left out. The title states the number of folds and repeats.
func CVBoxPlot(s *metrics.Summary, names ...string) (*Chart, error) {
	if s == nil || len(s.Folds) == 0 {
		return nil, fmt.Errorf("%w: cv box plot without folds", ErrNoData)
	}
	names, values, err := foldScores(s, names)
	if err != nil {
		return nil, err
	}
	repeats := map[int]bool{}
	for _, f := range s.Folds {
		repeats[f.Repeat] = true
	}
	title := "Cross-validation scores"
	sub := fmt.Sprintf("%d folds", len(s.Folds))
	if len(repeats) > 1 {
		sub = fmt.Sprintf("%d folds (%d repeats × %d)", len(s.Folds), len(repeats), len(s.Folds)/len(repeats))
	}
	sub += " · box: quartiles, whiskers: 1.5 IQR, points: folds"

	stats := make([]boxStats, len(names))
	lo, hi := math.Inf(1), math.Inf(-1)
	for i, v := range values {
		stats[i] = tukey(v)
		lo, hi = min(lo, slices.Min(v)), max(hi, slices.Max(v))
	}

	box := charts.NewBoxPlot()
	box.SetGlobalOptions(common(title, sub, "item", true)...)
	box.SetGlobalOptions(
		charts.WithXAxisOpts(metricAxis(len(names))),
		charts.WithYAxisOpts(scaled(yAxis("Score", "value", 48))),
	)
	// The points sit on a hidden value axis aligned with the categories, so
	// they can be jittered.
	box.ExtendXAxis(opts.XAxis{Type: "value", Show: opts.Bool(false), Min: -0.5, Max: float64(len(names)) - 0.5})
	box.SetXAxis(names)
	bd := make([]opts.BoxPlotData, len(names))
	for i, st := range stats {
		bd[i] = opts.BoxPlotData{Name: names[i], Value: []float64{
			round(st.lo, 4), round(st.q1, 4), round(st.med, 4), round(st.q3, 4), round(st.hi, 4)}}
	}
	box.AddSeries("Folds (box)", bd, charts.WithItemStyleOpts(opts.ItemStyle{
		Color: "rgba(84,112,198,0.12)", BorderColor: seriesColor(0), BorderWidth: 1.5,
	}), charts.WithBarChartOpts(opts.BarChart{BarWidth: "40%"}))
	sc := charts.NewScatter()
	var pts []opts.ScatterData
	for i, v := range values {
		for j, x := range v {
			pts = append(pts, opts.ScatterData{Value: []float64{round(float64(i)+jitter(j, len(v)), 4), round(x, 4)}, SymbolSize: 7})
		}
	}
	sc.AddSeries("Fold score", pts, charts.WithSeriesOpts(func(s *charts.SingleSeries) { s.XAxisIndex = 1 }), charts.WithItemStyleOpts(opts.ItemStyle{
		Color: seriesColor(3), Opacity: opts.Float(0.7), BorderColor: "#ffffff", BorderWidth: 0.5,
	}))
	box.Overlap(sc)

	plotFn := func() (*plot.Plot, error) {
		p := newPlot("Metric", "Score")
		addGrid(p, false)
		p.Add(&boxPlotter{stats: stats})
		var xys plotter.XYs
		for i, v := range values {
			for j, x := range v {
				xys = append(xys, plotter.XY{X: float64(i) + jitter(j, len(v)), Y: x})
			}
		}
		sp, err := plotter.NewScatter(xys)
		if err != nil {
			return nil, err
		}
		sp.GlyphStyle = draw.GlyphStyle{Color: withAlpha(rgb(seriesColor(3)), 180), Radius: vg.Points(2.6), Shape: draw.CircleGlyph{}}
		p.Add(sp)
		p.X.Tick.Marker = nominalTicks(names)
		p.X.Min, p.X.Max = -0.6, float64(len(names))-0.4
		ymin, ymax := axisRange(lo, hi)
		p.Y.Min, p.Y.Max = ymin, ymax
		return p, nil
	}
	return &Chart{Name: "cv_scores", Title: title, subtitle: sub, ec: box, plot: plotFn}, nil
}

// foldScores returns the finite fold scores of each metric of names (all
// the metrics of s but log_loss, sorted, when none are named).
func foldScores(s *metrics.Summary, names []string) ([]string, [][]float64, error) {
	if len(names) == 0 {
		set := map[string]bool{}
		for _, f := range s.Folds {
			for k := range f.Scores {
				if k != "log_loss" {
					set[k] = true
				}
			}
		}
		for k := range set {
			names = append(names, k)
		}
		sort.Strings(names)
	}
	if len(names) == 0 {
		return nil, nil, fmt.Errorf("%w: cv box plot without metrics", ErrNoData)
	}
	values := make([][]float64, len(names))
	for i, n := range names {
		for _, f := range s.Folds {
			if v, ok := f.Scores[n]; ok && !math.IsNaN(v) && !math.IsInf(v, 0) {
				values[i] = append(values[i], v)
			}
		}
		if len(values[i]) == 0 {
			return nil, nil, fmt.Errorf("%w: metric %q has no finite fold score", ErrNoData, n)
		}
	}
	return names, values, nil
}

// axisRange pads [lo, hi] by 10% of the span (at least 0.01) and rounds
// the bounds outwards to 2 decimals.
func axisRange(lo, hi float64) (float64, float64) {
	pad := max((hi-lo)*0.1, 0.01)
	return math.Floor((lo-pad)*100) / 100, math.Ceil((hi+pad)*100) / 100
}

// scaled lets ECharts choose nice bounds around the data instead of
// starting at 0.
func scaled(a opts.YAxis) opts.YAxis {
	a.Scale = opts.Bool(true)
	return a
}

// boxPlotter draws precomputed boxes at x = 0, 1, ….
type boxPlotter struct{ stats []boxStats }

func (b *boxPlotter) Plot(c draw.Canvas, p *plot.Plot) {
	trX, trY := p.Transforms(&c)
	line := lineStyle(seriesColor(0), 1.3)
	fill := withAlpha(rgb(seriesColor(0)), 30)
	for i, s := range b.stats {
		x := float64(i)
		xl, xr := trX(x-0.2), trX(x+0.2)
		cl, cr := trX(x-0.1), trX(x+0.1)
		yq1, yq3 := trY(s.q1), trY(s.q3)
		rect := c.ClipPolygonXY([]vg.Point{{X: xl, Y: yq1}, {X: xr, Y: yq1}, {X: xr, Y: yq3}, {X: xl, Y: yq3}})
		c.FillPolygon(fill, rect)
		c.StrokeLines(line, c.ClipLinesXY(append(rect, rect[0]))...)
		med := line
		med.Width = vg.Points(2)
		c.StrokeLines(med, c.ClipLinesXY([]vg.Point{{X: xl, Y: trY(s.med)}, {X: xr, Y: trY(s.med)}})...)
		xm := trX(x)
		c.StrokeLines(line, c.ClipLinesXY([]vg.Point{{X: xm, Y: yq3}, {X: xm, Y: trY(s.hi)}})...)
		c.StrokeLines(line, c.ClipLinesXY([]vg.Point{{X: xm, Y: yq1}, {X: xm, Y: trY(s.lo)}})...)
		c.StrokeLines(line, c.ClipLinesXY([]vg.Point{{X: cl, Y: trY(s.hi)}, {X: cr, Y: trY(s.hi)}})...)
		c.StrokeLines(line, c.ClipLinesXY([]vg.Point{{X: cl, Y: trY(s.lo)}, {X: cr, Y: trY(s.lo)}})...)
	}
}

func (b *boxPlotter) DataRange() (xmin, xmax, ymin, ymax float64) {
	ymin, ymax = math.Inf(1), math.Inf(-1)
	for _, s := range b.stats {
		ymin, ymax = min(ymin, s.lo), max(ymax, s.hi)
	}
	return -0.5, float64(len(b.stats)) - 0.5, ymin, ymax
}

// metricAxis shows every metric name, slanted when there are many.
func metricAxis(n int) opts.XAxis {
	a := xAxis("Metric", "category", 30)
	a.AxisLabel.Interval = "0"
	if n > 6 {
		a.AxisLabel.Rotate = 25
		a.NameGap = 56
	}
	return a
}
