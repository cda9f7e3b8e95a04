package boost

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/mlstack/mlstack/pkg/dataset"
	"gonum.org/v1/gonum/mat"
)

// sampleLabels names the label column and its positive value of each
// built-in sample.
var sampleLabels = map[string][2]string{
	"breast_cancer": {"diagnosis", "M"},
	"diabetes":      {"Outcome", "1"},
	"telco_churn":   {"churn", "Yes"},
}

// loadSample reads a built-in sample with a minimal encoding: numeric
// columns as is (NA or empty = NaN), Yes/No columns as 1/0, other text
// columns one-hot (sorted categories).
func loadSample(t testing.TB, name string) (*mat.Dense, []float64) {
	t.Helper()
	b, err := dataset.Sample(name)
	if err != nil {
		t.Fatal(err)
	}
	recs, err := csv.NewReader(bytes.NewReader(b)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	head, rows := recs[0], recs[1:]
	lab := sampleLabels[name]
	y := make([]float64, len(rows))
	var cols [][]float64
	for j, h := range head {
		vals := make([]string, len(rows))
		for i, r := range rows {
			vals[i] = strings.TrimSpace(r[j])
		}
		if h == lab[0] {
			for i, v := range vals {
				if v == lab[1] {
					y[i] = 1
				}
			}
			continue
		}
		numeric, yesno := true, true
		cats := map[string]bool{}
		for _, v := range vals {
			if v == "" || v == "NA" {
				continue
			}
			if _, err := strconv.ParseFloat(v, 64); err != nil {
				numeric = false
			}
			if v != "Yes" && v != "No" {
				yesno = false
			}
			cats[v] = true
		}
		switch {
		case numeric:
			c := make([]float64, len(rows))
			for i, v := range vals {
				c[i], err = strconv.ParseFloat(v, 64)
				if err != nil {
					c[i] = math.NaN()
				}
			}
			cols = append(cols, c)
		case yesno:
			c := make([]float64, len(rows))
			for i, v := range vals {
				switch v {
				case "Yes":
					c[i] = 1
				case "No":
				default:
					c[i] = math.NaN()
				}
			}
			cols = append(cols, c)
		default:
			var keys []string
			for k := range cats {
				keys = append(keys, k)
			}
			slices.Sort(keys)
			for _, k := range keys {
				c := make([]float64, len(rows))
				for i, v := range vals {
					if v == k {
						c[i] = 1
					}
				}
				cols = append(cols, c)
			}
		}
	}
	x := mat.NewDense(len(rows), len(cols), nil)
	for j, c := range cols {
		x.SetCol(j, c)
	}
	return x, y
}

// trainTest divides rows into train and test (testFrac) with a fixed seed.
func trainTest(x *mat.Dense, y []float64, testFrac float64, seed uint64) (xtr *mat.Dense, ytr []float64, xte *mat.Dense, yte []float64) {
	n, d := x.Dims()
	perm := rand.New(rand.NewPCG(seed, 2)).Perm(n)
	nte := int(float64(n) * testFrac)
	pick := func(idx []int) (*mat.Dense, []float64) {
		m := mat.NewDense(len(idx), d, nil)
		yy := make([]float64, len(idx))
		for i, r := range idx {
			m.SetRow(i, x.RawRowView(r))
			yy[i] = y[r]
		}
		return m, yy
	}
	xte, yte = pick(perm[:nte])
	xtr, ytr = pick(perm[nte:])
	return
}

// writeCSV writes X (and y as the last column when not nil) for numpy's
// loadtxt; NaN is written as nan.
func writeCSV(t testing.TB, dir, name string, x mat.Matrix, y []float64) string {
	t.Helper()
	var b strings.Builder
	r, c := x.Dims()
	for i := 0; i < r; i++ {
		for j := 0; j < c; j++ {
			if j > 0 {
				b.WriteByte(',')
			}
			b.WriteString(strconv.FormatFloat(x.At(i, j), 'g', -1, 64))
		}
		if y != nil {
			b.WriteString("," + strconv.FormatFloat(y[i], 'g', -1, 64))
		}
		b.WriteByte('\n')
	}
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(strings.ReplaceAll(b.String(), "NaN", "nan")), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// parseFloats reads whitespace-separated floats printed by a script.
func parseFloats(t testing.TB, out []byte) []float64 {
	t.Helper()
	var v []float64
	for _, f := range strings.Fields(string(out)) {
		x, err := strconv.ParseFloat(f, 64)
		if err != nil {
			t.Fatalf("parsing script output %q: %v", f, err)
		}
		v = append(v, x)
	}
	return v
}

func maxAbsDiff(a, b []float64) float64 {
	if len(a) != len(b) {
		panic(fmt.Sprintf("length %d vs %d", len(a), len(b)))
	}
	d := 0.0
	for i := range a {
		d = max(d, math.Abs(a[i]-b[i]))
	}
	return d
}
