package charts

import (
	"fmt"
	"math"
	"sort"
	"strconv"

	"github.com/go-echarts/go-echarts/v2/charts"
	"github.com/go-echarts/go-echarts/v2/opts"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"

	"github.com/mlstack/mlstack/pkg/cv"
	"github.com/mlstack/mlstack/pkg/metrics"
)

// gridPoints is the number of points of the common grid on which fold
// curves are averaged.
const gridPoints = 101

// foldPreds groups the binary out-of-fold predictions of r by fold.
func foldPreds(r *cv.Result) ([][2][]float64, error) {
	if r == nil || len(r.Predictions) == 0 {
		return nil, fmt.Errorf("%w: no out-of-fold predictions", ErrNoData)
	}
	if r.Classes > 2 {
		return nil, fmt.Errorf("charts: ROC and precision-recall curves need a binary problem, got %d classes", r.Classes)
	}
	type key struct{ rep, fold int }
	idx := map[key]int{}
	var out [][2][]float64
	for _, p := range r.Predictions {
		k := key{p.Repeat, p.Fold}
		i, ok := idx[k]
		if !ok {
			i = len(out)
			idx[k] = i
			out = append(out, [2][]float64{})
		}
		out[i][0] = append(out[i][0], p.YTrue)
		out[i][1] = append(out[i][1], p.YScore)
	}
	return out, nil
}

// curve is one fold's curve and its area.
type curve struct {
	x, y []float64
	area float64
}

type curveSpec struct {
	name, title, xName, yName, areaName string
	folds                               []curve
	meanX, meanY, sd                    []float64
	ref                                 [2][2]float64 // reference line from (x0,y0) to (x1,y1)
	refName                             string
}

func meanStd(v []float64) (m, s float64) {
	var n float64
	for _, x := range v {
		if !math.IsNaN(x) {
			m += x
			n++
		}
	}
	if n == 0 {
		return math.NaN(), math.NaN()
	}
	m /= n
	for _, x := range v {
		if !math.IsNaN(x) {
			s += (x - m) * (x - m)
		}
	}
	if n > 1 {
		s = math.Sqrt(s / (n - 1))
	} else {
		s = 0
	}
	return m, s
}

// interp is numpy.interp: y at x by linear interpolation of (xs, ys), xs
// increasing, clamped at the ends.
func interp(x float64, xs, ys []float64) float64 {
	if x <= xs[0] {
		return ys[0]
	}
	if x >= xs[len(xs)-1] {
		return ys[len(ys)-1]
	}
	i := sort.SearchFloat64s(xs, x)
	if xs[i] == x {
		return ys[i]
	}
	t := (x - xs[i-1]) / (xs[i] - xs[i-1])
	return ys[i-1] + t*(ys[i]-ys[i-1])
}

// ROC draws the ROC curve of every fold of a binary cross-validation run
// (thin grey lines), their mean (true positive rate averaged over folds on
// a grid of 101 false positive rates, as in scikit-learn's "ROC with
// cross-validation" example) with a ±1 standard deviation band, and the
// chance diagonal. The legend gives the mean ± standard deviation of the
// folds' ROC AUC. Folds with a single class are left out.
func ROC(r *cv.Result) (*Chart, error) {
	fp, err := foldPreds(r)
	if err != nil {
		return nil, err
	}
	s := curveSpec{name: "roc", title: "ROC curve", xName: "False positive rate", yName: "True positive rate",
		areaName: "AUC", refName: "Chance", ref: [2][2]float64{{0, 0}, {1, 1}}}
	grid := make([][]float64, gridPoints)
	for _, f := range fp {
		auc := metrics.ROCAUC(f[0], f[1], nil)
		if math.IsNaN(auc) {
			continue
		}
		fpr, tpr, _ := metrics.ROC(f[0], f[1], nil)
		s.folds = append(s.folds, curve{fpr, tpr, auc})
		for g := range grid {
			x := float64(g) / (gridPoints - 1)
			y := interp(x, fpr, tpr)
			if g == 0 {
				y = 0
			}
			grid[g] = append(grid[g], y)
		}
	}
	if len(s.folds) == 0 {
		return nil, fmt.Errorf("%w: every fold has a single class", ErrNoData)
	}
	s.setMean(grid)
	s.meanY[gridPoints-1] = 1
	return s.chart(), nil
}

// PrecisionRecall draws the precision-recall curve of every fold of a
// binary cross-validation run (thin grey lines), their mean (interpolated
// precision — the best precision at recall ≥ r — averaged over folds on a
// grid of 101 recalls) with a ±1 standard deviation band, and the
// no-skill line at the positive rate. The legend gives the mean ±
// standard deviation of the folds' average precision. Folds without a
// positive sample are left out.
func PrecisionRecall(r *cv.Result) (*Chart, error) {
	fp, err := foldPreds(r)
	if err != nil {
		return nil, err
	}
	var pos, n float64
	for _, p := range r.Predictions {
		pos += p.YTrue
		n++
	}
	rate := pos / n
	s := curveSpec{name: "precision_recall", title: "Precision-recall curve", xName: "Recall", yName: "Precision",
		areaName: "AP", refName: fmt.Sprintf("No skill (positive rate %.3f)", rate), ref: [2][2]float64{{0, rate}, {1, rate}}}
	grid := make([][]float64, gridPoints)
	for _, f := range fp {
		var npos float64
		for _, y := range f[0] {
			npos += y
		}
		if npos == 0 {
			continue
		}
		prec, rec, _ := metrics.PrecisionRecall(f[0], f[1], nil)
		// Reverse to increasing recall for drawing.
		x, y := make([]float64, len(rec)), make([]float64, len(rec))
		for i := range rec {
			x[len(rec)-1-i], y[len(rec)-1-i] = rec[i], prec[i]
		}
		s.folds = append(s.folds, curve{x, y, metrics.AveragePrecision(f[0], f[1], nil)})
		for g := range grid {
			rg := float64(g) / (gridPoints - 1)
			best := 0.0
			for i := range x {
				if x[i] >= rg-1e-12 && y[i] > best {
					best = y[i]
				}
			}
			grid[g] = append(grid[g], best)
		}
	}
	if len(s.folds) == 0 {
		return nil, fmt.Errorf("%w: no fold has a positive sample", ErrNoData)
	}
	s.setMean(grid)
	return s.chart(), nil
}

// setMean sets the mean curve and its band from grid, the folds' values
// at each of the gridPoints evenly spaced x in [0, 1].
func (s *curveSpec) setMean(grid [][]float64) {
	for g := range grid {
		m, sd := meanStd(grid[g])
		s.meanX = append(s.meanX, float64(g)/(gridPoints-1))
		s.meanY = append(s.meanY, m)
		s.sd = append(s.sd, sd)
	}
}

func (s *curveSpec) labels() (fold, mean, band string) {
	areas := make([]float64, len(s.folds))
	for i, f := range s.folds {
		areas[i] = f.area
	}
	m, sd := meanStd(areas)
	fold = fmt.Sprintf("Folds (%d)", len(s.folds))
	mean = fmt.Sprintf("Mean (%s %.3f ± %.3f)", s.areaName, m, sd)
	band = "± 1 std. dev."
	return
}

func xy(x, y []float64) [][]float64 {
	out := make([][]float64, len(x))
	for i := range x {
		out[i] = []float64{round(x[i], 4), round(y[i], 4)}
	}
	return out
}

// values is line data on the category grid.
func values(v []float64) []opts.LineData {
	d := make([]opts.LineData, len(v))
	for i, x := range v {
		d[i] = opts.LineData{Value: round(x, 4)}
	}
	return d
}

func lineData(pts [][]float64) []opts.LineData {
	d := make([]opts.LineData, len(pts))
	for i, p := range pts {
		d[i] = opts.LineData{Value: p}
	}
	return d
}

func (s *curveSpec) chart() *Chart {
	foldName, meanName, bandName := s.labels()
	sub := fmt.Sprintf("%d folds · mean curve with ±1 standard deviation band", len(s.folds))
	l := charts.NewLine()
	l.SetGlobalOptions(common(s.title, sub, "item", true)...)
	// Two x axes share the plot width: a hidden category axis with the
	// 101 grid points (the band is a stack, which ECharts computes on a
	// category axis only) and the visible value axis 0..1 for the curves.
	grid := make([]string, len(s.meanX))
	for i, x := range s.meanX {
		grid[i] = strconv.FormatFloat(x, 'f', 2, 64)
	}
	hidden := opts.XAxis{Type: "category", Show: opts.Bool(false), BoundaryGap: opts.Bool(false),
		AxisLabel: &opts.AxisLabel{Show: opts.Bool(false)}}
	x := xAxis(s.xName, "value", 30)
	x.Min, x.Max = 0, 1
	x.Position = "bottom"
	y := yAxis(s.yName, "value", 44)
	y.Min, y.Max = 0, 1.05
	if s.name == "roc" {
		y.Max = 1
	}
	l.SetGlobalOptions(charts.WithXAxisOpts(hidden), charts.WithYAxisOpts(y),
		gridOpt(opts.Grid{Left: "64", Right: "40", Top: "72", Bottom: "96", ContainLabel: opts.Bool(true)}))
	l.ExtendXAxis(x)
	l.SetXAxis(grid)
	onValue := charts.WithSeriesOpts(func(ss *charts.SingleSeries) { ss.XAxisIndex = 1 })
	noSymbol := charts.WithLineChartOpts(opts.LineChart{ShowSymbol: opts.Bool(false), Symbol: "none"})
	for _, f := range s.folds {
		l.AddSeries(foldName, lineData(xy(f.x, f.y)), noSymbol, onValue,
			charts.WithLineStyleOpts(opts.LineStyle{Color: foldColor, Width: 1, Opacity: opts.Float(0.6)}),
			charts.WithItemStyleOpts(opts.ItemStyle{Color: foldColor}))
	}
	lo, diff := make([]float64, len(s.meanX)), make([]float64, len(s.meanX))
	for i := range s.meanX {
		a, b := max(s.meanY[i]-s.sd[i], 0), min(s.meanY[i]+s.sd[i], 1)
		lo[i], diff[i] = a, b-a
	}
	// The band is a stack of the lower bound (invisible) and the width.
	l.AddSeries(bandName, values(lo), noSymbol,
		charts.WithLineChartOpts(opts.LineChart{Stack: "band", ShowSymbol: opts.Bool(false), Symbol: "none"}),
		charts.WithLineStyleOpts(opts.LineStyle{Opacity: opts.Float(0)}),
		charts.WithItemStyleOpts(opts.ItemStyle{Color: "rgba(84,112,198,0.25)"}))
	l.AddSeries(bandName, values(diff),
		charts.WithLineChartOpts(opts.LineChart{Stack: "band", ShowSymbol: opts.Bool(false), Symbol: "none"}),
		charts.WithLineStyleOpts(opts.LineStyle{Opacity: opts.Float(0)}),
		charts.WithAreaStyleOpts(opts.AreaStyle{Color: "rgba(84,112,198,0.18)", Opacity: opts.Float(1)}),
		charts.WithItemStyleOpts(opts.ItemStyle{Color: "rgba(84,112,198,0.25)"}))
	l.AddSeries(meanName, values(s.meanY), noSymbol,
		charts.WithLineStyleOpts(opts.LineStyle{Color: seriesColor(0), Width: 3}),
		charts.WithItemStyleOpts(opts.ItemStyle{Color: seriesColor(0)}))
	l.AddSeries(s.refName, lineData([][]float64{
		{s.ref[0][0], round(s.ref[0][1], 4)}, {s.ref[1][0], round(s.ref[1][1], 4)}}), noSymbol, onValue,
		charts.WithLineStyleOpts(opts.LineStyle{Color: "#888888", Width: 1.5, Type: "dashed"}),
		charts.WithItemStyleOpts(opts.ItemStyle{Color: "#888888"}))

	plotFn := func() (*plot.Plot, error) { return s.plot(lo, diff, foldName, meanName, bandName) }
	return &Chart{Name: s.name, Title: s.title, subtitle: sub, Width: 760, Height: 600, ec: l, plot: plotFn}
}

// plot draws the PNG: the band between lo and lo+diff, the folds, the
// mean and the reference line, with the legend in the corner the curves
// leave empty.
func (s *curveSpec) plot(lo, diff []float64, foldName, meanName, bandName string) (*plot.Plot, error) {
	p := newPlot(s.xName, s.yName)
	addGrid(p, true)
	var poly plotter.XYs
	for i := range s.meanX {
		poly = append(poly, plotter.XY{X: s.meanX[i], Y: lo[i]})
	}
	for i := len(s.meanX) - 1; i >= 0; i-- {
		poly = append(poly, plotter.XY{X: s.meanX[i], Y: lo[i] + diff[i]})
	}
	band, err := plotter.NewPolygon(poly)
	if err != nil {
		return nil, err
	}
	band.Color = withAlpha(rgb(seriesColor(0)), 50)
	band.LineStyle.Width = 0
	p.Add(band)
	for i, f := range s.folds {
		ln, err := plotter.NewLine(plotter.XYs(xyPts(f.x, f.y)))
		if err != nil {
			return nil, err
		}
		ln.LineStyle = lineStyle(foldColor, 0.8)
		p.Add(ln)
		if i == 0 {
			p.Legend.Add(foldName, ln)
		}
	}
	p.Legend.Add(bandName, band)
	mean, err := plotter.NewLine(plotter.XYs(xyPts(s.meanX, s.meanY)))
	if err != nil {
		return nil, err
	}
	mean.LineStyle = lineStyle(seriesColor(0), 2.2)
	p.Add(mean)
	p.Legend.Add(meanName, mean)
	ref, err := plotter.NewLine(plotter.XYs{{X: s.ref[0][0], Y: s.ref[0][1]}, {X: s.ref[1][0], Y: s.ref[1][1]}})
	if err != nil {
		return nil, err
	}
	ref.LineStyle = lineStyle("#888888", 1.2)
	ref.LineStyle.Dashes = []vg.Length{vg.Points(5), vg.Points(4)}
	p.Add(ref)
	p.Legend.Add(s.refName, ref)
	p.X.Min, p.X.Max, p.Y.Min, p.Y.Max = 0, 1, 0, 1.02
	// Bottom right for ROC, bottom left for precision-recall: the
	// corners the curves leave empty.
	p.Legend.Top = false
	p.Legend.Left = s.name != "roc"
	p.Legend.XOffs, p.Legend.YOffs = -vg.Points(10), vg.Points(10)
	if p.Legend.Left {
		p.Legend.XOffs = vg.Points(10)
	}
	return p, nil
}

func xyPts(x, y []float64) []plotter.XY {
	out := make([]plotter.XY, len(x))
	for i := range x {
		out[i] = plotter.XY{X: x[i], Y: y[i]}
	}
	return out
}
