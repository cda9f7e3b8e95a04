package resample_test

import (
	"math"
	"slices"
	"testing"

	"gonum.org/v1/gonum/mat"

	"github.com/mlstack/mlstack/pkg/frame"
	"github.com/mlstack/mlstack/pkg/internal/sampletest"
)

// loadSample reads a built-in sample with pkg/frame. The label column
// becomes class ids (pos ↦ 1); numeric columns are as read (missing ↦ NaN);
// categorical and yes/no columns are coded 0, 1, … (frame's ordinal export)
// and listed in cat.
func loadSample(t testing.TB, name, label, pos string) (X *mat.Dense, y []float64, names []string, cat []int) {
	t.Helper()
	X, y, schema := sampletest.XY(t, sampletest.Frame(t, name), label, &frame.ExportOptions{Ordinal: true, Positive: pos})
	for i, feat := range schema.Features {
		names = append(names, feat.Name)
		if feat.Kind != frame.Numeric {
			cat = append(cat, i)
		}
	}
	return X, y, names, cat
}

// dropNaN returns the rows without NaN.
func dropNaN(X *mat.Dense, y []float64) (*mat.Dense, []float64) {
	n, d := X.Dims()
	var keep []int
	for i := range n {
		if !slices.ContainsFunc(X.RawRowView(i), math.IsNaN) {
			keep = append(keep, i)
		}
	}
	out := mat.NewDense(len(keep), d, nil)
	yy := make([]float64, len(keep))
	for k, i := range keep {
		out.SetRow(k, X.RawRowView(i))
		yy[k] = y[i]
	}
	return out, yy
}

// naiveKNN returns the k nearest other rows of each row (by the squared
// distance dist, ties by lower index), computed by sorting all distances.
func naiveKNN(rows [][]float64, k int, dist func(a, b []float64) float64) [][]int {
	out := make([][]int, len(rows))
	for i := range rows {
		idx := make([]int, 0, len(rows)-1)
		for j := range rows {
			if j != i {
				idx = append(idx, j)
			}
		}
		ds := make([]float64, len(rows))
		for _, j := range idx {
			ds[j] = dist(rows[i], rows[j])
		}
		slices.SortStableFunc(idx, func(a, b int) int {
			switch {
			case ds[a] < ds[b]:
				return -1
			case ds[a] > ds[b]:
				return 1
			}
			return a - b
		})
		out[i] = idx[:k]
	}
	return out
}

func euclid2(a, b []float64) float64 {
	var s float64
	for i := range a {
		s += (a[i] - b[i]) * (a[i] - b[i])
	}
	return s
}

// onSegment reports whether p = a + u(b − a) for some u in [0, 1) on the
// columns where use is true (all columns if use is nil), within tol.
func onSegment(p, a, b []float64, use []bool, tol float64) bool {
	u, best := math.NaN(), 0.0
	for j := range p {
		if use != nil && !use[j] {
			continue
		}
		if dd := math.Abs(b[j] - a[j]); dd > best {
			best, u = dd, (p[j]-a[j])/(b[j]-a[j])
		}
	}
	if best == 0 { // a == b: p must equal a
		u = 0
	}
	if !(u >= -tol && u < 1+tol) {
		return false
	}
	for j := range p {
		if use != nil && !use[j] {
			continue
		}
		if math.Abs(a[j]+u*(b[j]-a[j])-p[j]) > tol*(1+math.Abs(p[j])) {
			return false
		}
	}
	return true
}
