package boost

import (
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/mlstack/mlstack/pkg/clean"
	"github.com/mlstack/mlstack/pkg/frame"
	"github.com/mlstack/mlstack/pkg/internal/sampletest"
	"gonum.org/v1/gonum/mat"
)

// sampleLabels names the label column and its positive value of each
// built-in sample.
var sampleLabels = map[string][2]string{
	"breast_cancer": {"diagnosis", "M"},
	"diabetes":      {"Outcome", "1"},
	"telco_churn":   {"churn", "Yes"},
}

// loadSample reads a built-in sample with pkg/frame and encodes it with
// pkg/clean: numeric columns as read (missing = NaN), yes/no columns as 1/0,
// other text columns one-hot; the label's positive value (sampleLabels) is 1.
func loadSample(t testing.TB, name string) (*mat.Dense, []float64) {
	t.Helper()
	lab := sampleLabels[name]
	pipe := clean.New(&clean.Encode{Method: clean.OneHot})
	pipe.Target = lab[0]
	f, err := pipe.FitTransform(sampletest.Frame(t, name))
	if err != nil {
		t.Fatal(err)
	}
	x, y, _ := sampletest.XY(t, f, lab[0], &frame.ExportOptions{Positive: lab[1]})
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
