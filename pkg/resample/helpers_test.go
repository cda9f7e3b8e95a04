package resample_test

import (
	"bytes"
	"encoding/csv"
	"math"
	"slices"
	"strconv"
	"testing"

	"gonum.org/v1/gonum/mat"

	"github.com/mlstack/mlstack/pkg/dataset"
)

// loadSample reads a built-in sample. The label column becomes class ids
// (pos ↦ 1); numeric columns are parsed ("NA" ↦ NaN); other columns are
// coded as categories 0, 1, … in order of appearance and listed in cat.
func loadSample(t testing.TB, name, label, pos string) (X *mat.Dense, y []float64, names []string, cat []int) {
	t.Helper()
	b, err := dataset.Sample(name)
	if err != nil {
		t.Fatal(err)
	}
	recs, err := csv.NewReader(bytes.NewReader(b)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	head, recs := recs[0], recs[1:]
	var cols []int
	for j, h := range head {
		if h != label {
			cols = append(cols, j)
			names = append(names, h)
		}
	}
	X = mat.NewDense(len(recs), len(cols), nil)
	y = make([]float64, len(recs))
	for c, j := range cols {
		numeric := true
		for _, r := range recs {
			if _, err := strconv.ParseFloat(r[j], 64); err != nil && r[j] != "NA" {
				numeric = false
			}
		}
		codes := map[string]float64{}
		if !numeric {
			cat = append(cat, c)
		}
		for i, r := range recs {
			v := r[j]
			switch {
			case !numeric:
				if _, ok := codes[v]; !ok {
					codes[v] = float64(len(codes))
				}
				X.Set(i, c, codes[v])
			case v == "NA":
				X.Set(i, c, math.NaN())
			default:
				f, _ := strconv.ParseFloat(v, 64)
				X.Set(i, c, f)
			}
		}
	}
	li := slices.Index(head, label)
	for i, r := range recs {
		if r[li] == pos {
			y[i] = 1
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
