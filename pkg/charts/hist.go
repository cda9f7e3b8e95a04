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

	"github.com/mlstack/mlstack/pkg/frame"
)

// DefaultBins is the number of histogram bins when 0 is given.
const DefaultBins = 30

// Histogram draws the distribution of the numeric (or boolean) column
// feature of f split by the classes of column target: one overlaid,
// translucent histogram per class over shared bins, each normalised to the
// percentage of its class's rows so that a rare class stays visible.
// Rows whose feature or target is missing are left out (the subtitle
// counts them). bins ≤ 0 means DefaultBins; a boolean or small-integer
// column gets one bin per value.
func Histogram(f *frame.Frame, feature, target string, bins int) (*Chart, error) {
	fc, err := f.Column(feature)
	if err != nil {
		return nil, fmt.Errorf("charts: histogram: %w", err)
	}
	tc, err := f.Column(target)
	if err != nil {
		return nil, fmt.Errorf("charts: histogram: %w", err)
	}
	if fc.Kind() == frame.Categorical {
		return nil, fmt.Errorf("charts: histogram: column %q is categorical", feature)
	}
	x := fc.Floats()
	byClass, classes, lo, hi, missing := classValues(x, tc)
	if len(byClass) == 0 {
		return nil, fmt.Errorf("%w: column %q has no value with a class", ErrNoData, feature)
	}
	bins, width, start, integer := binning(x, lo, hi, bins)
	edge := func(i int) float64 { return start + float64(i)*width }
	pct := make([][]float64, len(classes))
	for ci, c := range classes {
		pct[ci] = make([]float64, bins)
		for _, v := range byClass[c] {
			b := min(int((v-start)/width), bins-1)
			pct[ci][b]++
		}
		for b := range pct[ci] {
			pct[ci][b] *= 100 / float64(len(byClass[c]))
		}
	}
	prec := labelPrecision(width)
	cats := make([]string, bins)
	for b := range cats {
		if width == 1 && integer {
			cats[b] = strconv.FormatFloat(edge(b)+0.5, 'f', 0, 64)
		} else {
			cats[b] = strconv.FormatFloat(edge(b)+width/2, 'f', prec, 64)
		}
	}
	title := fmt.Sprintf("%s by %s", feature, target)
	sub := fmt.Sprintf("%d rows, %d bins of width %s · each class normalised to 100%%", len(x)-missing, bins, strconv.FormatFloat(width, 'g', 4, 64))
	if missing > 0 {
		sub += fmt.Sprintf(" · %d missing left out", missing)
	}
	names := make([]string, len(classes))
	for i, c := range classes {
		names[i] = fmt.Sprintf("%s = %s (n=%d)", target, c, len(byClass[c]))
	}

	b := charts.NewBar()
	b.SetGlobalOptions(common(title, sub, "axis", true)...)
	b.SetGlobalOptions(
		charts.WithXAxisOpts(xAxis(feature+" (bin centre)", "category", 30)),
		charts.WithYAxisOpts(yAxis("% of class", "value", 48)),
	)
	b.SetXAxis(cats)
	for ci := range classes {
		d := make([]opts.BarData, bins)
		for j, v := range pct[ci] {
			d[j] = opts.BarData{Value: round(v, 3)}
		}
		b.AddSeries(names[ci], d,
			charts.WithItemStyleOpts(opts.ItemStyle{Color: seriesColor(ci), Opacity: opts.Float(0.55)}),
			charts.WithBarChartOpts(opts.BarChart{BarGap: "-100%", BarCategoryGap: "4%"}))
	}
	plotFn := func() (*plot.Plot, error) {
		p := newPlot(feature, "% of class")
		addGrid(p, false)
		top := 0.0
		for ci := range classes {
			h := &plotter.Histogram{Width: width, FillColor: withAlpha(rgb(seriesColor(ci)), 130)}
			for j, v := range pct[ci] {
				h.Bins = append(h.Bins, plotter.HistogramBin{Min: edge(j), Max: edge(j + 1), Weight: v})
			}
			h.LineStyle = lineStyle(seriesColor(ci), 0.6)
			p.Add(h)
			p.Legend.Add(names[ci], h)
			top = max(top, slices.Max(pct[ci]))
		}
		p.Y.Min, p.Y.Max = 0, top*1.08
		p.Legend.Top = true
		p.Legend.XOffs = -vg.Points(4)
		return p, nil
	}
	return &Chart{Name: "hist_" + safeName(feature), Title: title, subtitle: sub, ec: b, plot: plotFn}, nil
}

// classValues groups the values of x by the class tc gives their row,
// leaving out (and counting as missing) NaN and rows without a class; it
// returns the classes in sortClasses order and the range of the values.
func classValues(x []float64, tc *frame.Column) (byClass map[string][]float64, classes []string, lo, hi float64, missing int) {
	byClass = map[string][]float64{}
	lo, hi = math.Inf(1), math.Inf(-1)
	for i, v := range x {
		if math.IsNaN(v) || tc.IsNA(i) {
			missing++
			continue
		}
		c := tc.String(i)
		byClass[c] = append(byClass[c], v)
		lo, hi = min(lo, v), max(hi, v)
	}
	classes = make([]string, 0, len(byClass))
	for c := range byClass {
		classes = append(classes, c)
	}
	sortClasses(classes)
	return byClass, classes, lo, hi, missing
}

// binning returns the bins of values x in [lo, hi]: bins of equal width
// from start (DefaultBins for bins <= 0), or one a value for an integer
// column with at most that many distinct values, or one for a constant.
func binning(x []float64, lo, hi float64, bins int) (n int, width, start float64, integer bool) {
	if bins <= 0 {
		bins = DefaultBins
	}
	// Integer columns with few distinct values get one bin per value.
	integer = true
	for _, v := range x {
		if !math.IsNaN(v) && v != math.Trunc(v) {
			integer = false
			break
		}
	}
	width = (hi - lo) / float64(bins)
	start = lo
	if integer && hi-lo+1 <= float64(bins) {
		bins = int(hi-lo) + 1
		width, start = 1, lo-0.5
	} else if width == 0 {
		bins, width, start = 1, 1, lo-0.5
	}
	return bins, width, start, integer
}

// Histograms returns Histogram for every named column of f (with none,
// every numeric or boolean column except target).
func Histograms(f *frame.Frame, target string, bins int, features ...string) ([]*Chart, error) {
	if len(features) == 0 {
		for _, c := range f.Columns() {
			if c.Name() != target && c.Kind() != frame.Categorical {
				features = append(features, c.Name())
			}
		}
	}
	var out []*Chart
	for _, ft := range features {
		c, err := Histogram(f, ft, target, bins)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, nil
}

// sortClasses orders class names numerically when they all parse as
// numbers, else byte-wise.
func sortClasses(cs []string) {
	num := true
	for _, c := range cs {
		if _, err := strconv.ParseFloat(c, 64); err != nil {
			num = false
		}
	}
	sort.Slice(cs, func(i, j int) bool {
		if num {
			a, _ := strconv.ParseFloat(cs[i], 64)
			b, _ := strconv.ParseFloat(cs[j], 64)
			return a < b
		}
		return cs[i] < cs[j]
	})
}

// labelPrecision is the number of decimals that tells bins of width w apart.
func labelPrecision(w float64) int {
	if w <= 0 || math.IsInf(w, 0) {
		return 0
	}
	return max(0, min(6, 1-int(math.Floor(math.Log10(w)))))
}

// safeName maps a column name to a file-name-safe chart name.
func safeName(s string) string {
	b := []byte(s)
	for i, c := range b {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == '.') {
			b[i] = '_'
		}
	}
	if len(b) == 0 {
		return "column"
	}
	return string(b)
}
