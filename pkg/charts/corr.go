package charts

import (
	"fmt"
	"math"

	"github.com/mlstack/mlstack/pkg/frame"
)

// pearson returns the correlation of x and y over the rows where both are
// finite (pairwise deletion, like pandas' DataFrame.corr), NaN with fewer
// than two such rows or a constant column.
func pearson(x, y []float64) float64 {
	var n, sx, sy float64
	for i := range x {
		if !math.IsNaN(x[i]) && !math.IsNaN(y[i]) {
			n++
			sx += x[i]
			sy += y[i]
		}
	}
	if n < 2 {
		return math.NaN()
	}
	mx, my := sx/n, sy/n
	var sxy, sxx, syy float64
	for i := range x {
		if !math.IsNaN(x[i]) && !math.IsNaN(y[i]) {
			dx, dy := x[i]-mx, y[i]-my
			sxy += dx * dy
			sxx += dx * dx
			syy += dy * dy
		}
	}
	if sxx == 0 || syy == 0 {
		return math.NaN()
	}
	return sxy / math.Sqrt(sxx*syy)
}

// Correlation draws the Pearson correlation matrix of the named columns of
// f (with none, every numeric or boolean column) as a heat map on a
// blue–white–red scale from −1 to 1. Missing values are left out pair by
// pair, like pandas' DataFrame.corr; an undefined correlation (constant
// column) is drawn as 0 and labelled "n/a". Cells are labelled with two
// decimals when there are at most 20 columns. Categorical or absent
// columns are errors.
func Correlation(f *frame.Frame, columns ...string) (*Chart, error) {
	if len(columns) == 0 {
		for _, c := range f.Columns() {
			if c.Kind() != frame.Categorical {
				columns = append(columns, c.Name())
			}
		}
	}
	if len(columns) < 2 {
		return nil, fmt.Errorf("%w: correlation needs at least two numeric columns", ErrNoData)
	}
	vals := make([][]float64, len(columns))
	for i, name := range columns {
		c, err := f.Column(name)
		if err != nil {
			return nil, fmt.Errorf("charts: correlation: %w", err)
		}
		if c.Kind() == frame.Categorical {
			return nil, fmt.Errorf("charts: correlation: column %q is categorical", name)
		}
		vals[i] = c.Floats()
	}
	k := len(columns)
	h := &heat{
		title: "Feature correlation", subtitle: fmt.Sprintf("Pearson r, %d rows, pairwise complete", f.Len()),
		rows: columns, cols: columns, lo: -1, hi: 1, stops: diverge, legend: "Pearson r", scaleText: [2]string{"+1", "−1"},
		name: "correlation", width: 760, height: 640,
	}
	if k > 16 {
		h.width, h.height = 960, 860
	}
	for i := range k {
		row, lab := make([]float64, k), make([]string, k)
		for j := range k {
			r := 1.0
			if i != j {
				r = pearson(vals[i], vals[j])
			} else if math.IsNaN(pearson(vals[i], vals[i])) {
				r = math.NaN()
			}
			lab[j] = fmt.Sprintf("%.2f", r)
			if math.IsNaN(r) {
				r, lab[j] = 0, "n/a"
			}
			row[j] = r
		}
		h.v = append(h.v, row)
		h.labels = append(h.labels, lab)
	}
	if k > 20 {
		h.labels = nil
	}
	return h.chart(), nil
}
