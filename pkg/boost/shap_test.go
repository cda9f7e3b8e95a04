package boost

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/mlstack/mlstack/internal/testenv"
	"gonum.org/v1/gonum/mat"
)

// shapScript loads the model argv[1] with xgb.Booster, explains the CSV
// argv[2] and writes float32 little-endian files: argv[3] the margins,
// argv[4] pred_contribs=True (rows × groups × (f+1)), argv[5]
// pred_interactions=True (rows × groups × (f+1)²). argv[6] = "train"
// first trains a model on the first argv[8] rows of argv[2] (label last)
// with the JSON params argv[7], saves it to argv[1] and explains the
// other rows.
const shapScript = `
import sys, json, numpy as np, xgboost as xgb
X = np.loadtxt(sys.argv[2], delimiter=",", ndmin=2)
if sys.argv[6] == "train":
    n = int(sys.argv[8])
    b = xgb.train(json.loads(sys.argv[7]), xgb.DMatrix(X[:n, :-1], label=X[:n, -1], missing=np.nan), 30)
    b.save_model(sys.argv[1])
    X = X[n:, :-1]
b = xgb.Booster(model_file=sys.argv[1])
b.set_param({"nthread": 2})
d = xgb.DMatrix(X, missing=np.nan)
b.predict(d, output_margin=True).astype("<f4").tofile(sys.argv[3])
b.predict(d, pred_contribs=True).astype("<f4").tofile(sys.argv[4])
b.predict(d, pred_interactions=True).astype("<f4").tofile(sys.argv[5])
`

func readF32(t *testing.T, path string, n int) []float64 {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(b) != 4*n {
		t.Fatalf("%s: %d bytes, want %d float32", path, len(b), n)
	}
	out := make([]float64, n)
	for i := range out {
		out[i] = float64(math.Float32frombits(binary.LittleEndian.Uint32(b[4*i:])))
	}
	return out
}

// withNaN returns a copy of x with frac of the cells and every 10th row
// entirely missing.
func withNaN(x *mat.Dense, frac float64, seed uint64) *mat.Dense {
	out := mat.DenseCopyOf(x)
	r, c := out.Dims()
	rng := rand.New(rand.NewPCG(seed, 3))
	for i := range r {
		for j := range c {
			if i%10 == 9 || rng.Float64() < frac {
				out.Set(i, j, math.NaN())
			}
		}
	}
	return out
}

type shapCase struct {
	name   string
	x, xte *mat.Dense
	y      []float64
	p      Params
	python map[string]any // train in Python with these params instead of Go
}

func shapCases(t *testing.T) []shapCase {
	bc, bcy := loadSample(t, "breast_cancer")
	bctr, bctry, bcte, _ := trainTest(bc, bcy, 0.3, 1)
	db, dby := loadSample(t, "diabetes")
	db = withNaN(db, 0.05, 1)
	dbtr, dbtry, dbte, _ := trainTest(db, dby, 0.3, 2)
	sx, sy := synth(1500, 8, 5, 0.1)
	sxtr, sytr, sxte, _ := trainTest(sx, sy, 0.2, 3)
	return []shapCase{
		{name: "breast_cancer", x: bctr, y: bctry, xte: bcte, p: Params{NEstimators: 40}},
		{name: "diabetes_nan", x: dbtr, y: dbtry, xte: dbte, p: Params{NEstimators: 40, MaxDepth: 5}},
		{name: "diabetes_nan_exact", x: dbtr, y: dbtry, xte: dbte, p: Params{NEstimators: 20, TreeMethod: Exact}},
		{name: "multiclass", x: sxtr, y: labelsFor(MultiSoftprob, sxtr, sytr), xte: sxte, p: Params{NEstimators: 15, Objective: MultiSoftprob, NumClass: 3}},
		{name: "regression", x: sxtr, y: labelsFor(RegSquaredError, sxtr, sytr), xte: sxte, p: Params{NEstimators: 30, Objective: RegSquaredError}},
		{name: "xgboost_model_diabetes_nan", x: dbtr, y: dbtry, xte: dbte,
			python: map[string]any{"objective": "binary:logistic", "max_depth": 6, "nthread": 2}},
		{name: "xgboost_model_multiclass", x: sxtr, y: labelsFor(MultiSoftprob, sxtr, sytr), xte: sxte,
			python: map[string]any{"objective": "multi:softprob", "num_class": 3, "max_depth": 4, "nthread": 2}},
	}
}

// TestShapParityXGBoost: Contributions and Interactions equal xgboost
// 3.x's pred_contribs and pred_interactions (|diff| <= 1e-5) for models
// trained in Go and for models trained by xgboost and read with
// ReadXGBoostJSON; each row's contributions sum to its margin.
func TestShapParityXGBoost(t *testing.T) {
	testenv.Python(t)
	for _, tc := range shapCases(t) {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, "m.json")
			var m *Model
			mode, ntrain := "load", "0"
			var csv, params string
			if tc.python == nil {
				var err error
				tc.p.NJobs = 2
				if m, err = Train(context.Background(), tc.x, tc.y, nil, &tc.p); err != nil {
					t.Fatal(err)
				}
				f, err := os.Create(path)
				if err != nil {
					t.Fatal(err)
				}
				if err := m.WriteXGBoostJSON(f); err != nil {
					t.Fatal(err)
				}
				f.Close()
				csv = writeCSV(t, dir, "x.csv", tc.xte, nil)
			} else {
				mode = "train"
				b, _ := json.Marshal(tc.python)
				params = string(b)
				ys := append(append([]float64{}, tc.y...), make([]float64, tc.xte.RawMatrix().Rows)...)
				csv = writeCSV(t, dir, "x.csv", stack(tc.x, tc.xte), ys)
				ntrain = strconv.Itoa(len(tc.y))
			}
			files := []string{filepath.Join(dir, "margin"), filepath.Join(dir, "contribs"), filepath.Join(dir, "inter")}
			testenv.RunPython(t, shapScript, []string{path, csv, files[0], files[1], files[2], mode, params, ntrain})
			if m == nil {
				f, err := os.Open(path)
				if err != nil {
					t.Fatal(err)
				}
				m, err = ReadXGBoostJSON(f)
				f.Close()
				if err != nil {
					t.Fatal(err)
				}
			}
			m.NJobs = 2
			rows, _ := tc.xte.Dims()
			k, nc := m.NumClass, m.NumFeature+1
			margin, err := m.PredictMargin(tc.xte)
			if err != nil {
				t.Fatal(err)
			}
			c, err := m.Contributions(tc.xte)
			if err != nil {
				t.Fatal(err)
			}
			if len(c) != k {
				t.Fatalf("%d contribution matrices, want %d", len(c), k)
			}
			want := readF32(t, files[1], rows*k*nc)
			got := make([]float64, 0, len(want))
			sumDiff := 0.0
			for r := range rows {
				for g := range k {
					row := c[g].RawRowView(r)
					got = append(got, row...)
					s := 0.0
					for _, v := range row {
						s += v
					}
					sumDiff = max(sumDiff, math.Abs(s-margin[r*k+g]))
				}
			}
			d := maxAbsDiff(got, want)
			t.Logf("contributions: %d rows × %d groups × %d; max |Go - xgboost| %.3g; max |sum - margin| %.3g", rows, k, nc, d, sumDiff)
			if d > 1e-5 {
				t.Errorf("contributions differ from xgboost's pred_contribs by %g > 1e-5", d)
			}
			if sumDiff > 1e-5 {
				t.Errorf("contributions sum to the margin within %g > 1e-5", sumDiff)
			}
			xm := readF32(t, files[0], rows*k)
			if d := maxAbsDiff(margin, xm); d > 1e-5 {
				t.Errorf("margins differ from xgboost's by %g", d)
			}
			iv, err := m.Interactions(tc.xte)
			if err != nil {
				t.Fatal(err)
			}
			wantI := readF32(t, files[2], rows*k*nc*nc)
			gotI := make([]float64, 0, len(wantI))
			rowDiff := 0.0
			for r := range rows {
				for g := range k {
					gotI = append(gotI, iv[g].Data[r*nc*nc:(r+1)*nc*nc]...)
					for i := range nc {
						s := 0.0
						for j := range nc {
							s += iv[g].At(r, i, j)
						}
						rowDiff = max(rowDiff, math.Abs(s-c[g].At(r, i)))
					}
				}
			}
			di := maxAbsDiff(gotI, wantI)
			t.Logf("interactions: max |Go - xgboost| %.3g; max |row sum - contribution| %.3g", di, rowDiff)
			if di > 1e-5 {
				t.Errorf("interactions differ from xgboost's pred_interactions by %g > 1e-5", di)
			}
			if rowDiff > 1e-5 {
				t.Errorf("interaction rows sum to the contributions within %g > 1e-5", rowDiff)
			}
		})
	}
}

func stack(a, b *mat.Dense) *mat.Dense {
	ra, c := a.Dims()
	rb, _ := b.Dims()
	out := mat.NewDense(ra+rb, c, nil)
	out.Slice(0, ra, 0, c).(*mat.Dense).Copy(a)
	out.Slice(ra, ra+rb, 0, c).(*mat.Dense).Copy(b)
	return out
}

// TestShapDeterministic: the values do not depend on the number of
// goroutines.
func TestShapDeterministic(t *testing.T) {
	x, y := synth(600, 6, 7, 0.2)
	m, err := Train(context.Background(), x, y, nil, &Params{NEstimators: 10})
	if err != nil {
		t.Fatal(err)
	}
	var ref []*mat.Dense
	var refI []*InteractionValues
	for _, jobs := range []int{1, 2, 5} {
		m.NJobs = jobs
		c, err := m.Contributions(x)
		if err != nil {
			t.Fatal(err)
		}
		iv, err := m.Interactions(x)
		if err != nil {
			t.Fatal(err)
		}
		if ref == nil {
			ref, refI = c, iv
			continue
		}
		if !mat.Equal(c[0], ref[0]) {
			t.Errorf("NJobs=%d: contributions differ from NJobs=1", jobs)
		}
		if maxAbsDiff(iv[0].Data, refI[0].Data) != 0 {
			t.Errorf("NJobs=%d: interactions differ from NJobs=1", jobs)
		}
	}
}

// TestShapErrors: bad input is a typed error, never a panic.
func TestShapErrors(t *testing.T) {
	x, y := synth(300, 4, 9, 0)
	m, err := Train(context.Background(), x, y, nil, &Params{NEstimators: 3})
	if err != nil {
		t.Fatal(err)
	}
	noCover := &Model{Objective: m.Objective, NumClass: 1, NumFeature: 4, BaseScore: 0.5, Trees: []Tree{{Nodes: append([]Node{}, m.Trees[0].Nodes...)}}}
	for i := range noCover.Trees[0].Nodes {
		noCover.Trees[0].Nodes[i].Hess = 0
	}
	nanCover := &Model{Objective: m.Objective, NumClass: 1, NumFeature: 4, BaseScore: 0.5, Trees: []Tree{{Nodes: append([]Node{}, m.Trees[0].Nodes...)}}}
	nanCover.Trees[0].Nodes[len(nanCover.Trees[0].Nodes)-1].Hess = float32(math.NaN())
	badTree := &Model{Objective: m.Objective, NumClass: 1, NumFeature: 4, BaseScore: 0.5, Trees: []Tree{{Nodes: []Node{{Left: 5, Right: 6, Hess: 1}}}}}
	wide := mat.NewDense(2, 5, nil)
	for _, tc := range []struct {
		name string
		m    *Model
		x    mat.Matrix
		want error
	}{
		{"wrong column count", m, wide, ErrShape},
		{"nil matrix", m, nil, ErrEmpty},
		{"no rows", m, mat.NewDense(3, 4, nil).Slice(0, 0, 0, 4), ErrEmpty},
		{"no cover", noCover, x, ErrNoCover},
		{"NaN cover", nanCover, x, ErrNoCover},
		{"malformed tree", badTree, x, ErrModelFormat},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := tc.m.Contributions(tc.x); !errors.Is(err, tc.want) {
				t.Errorf("Contributions: %v, want %v", err, tc.want)
			}
			if _, err := tc.m.Interactions(tc.x); !errors.Is(err, tc.want) {
				t.Errorf("Interactions: %v, want %v", err, tc.want)
			}
		})
	}
	// Too many interaction values for one call.
	big := &Model{Objective: RegSquaredError, NumClass: 1, NumFeature: 4000, Trees: []Tree{{Nodes: []Node{{Left: -1, Right: -1, Hess: 1}}}}}
	if _, err := big.Interactions(mat.NewDense(10, 4000, nil)); !errors.Is(err, ErrShape) {
		t.Errorf("Interactions of 10 × 4001² values: %v, want ErrShape", err)
	}
}

// TestShapSingleLeaf: a tree that is one leaf contributes only its value
// to the bias.
func TestShapSingleLeaf(t *testing.T) {
	m := &Model{Objective: RegSquaredError, NumClass: 1, NumFeature: 2, BaseScore: 0.25,
		Trees: []Tree{{Nodes: []Node{{Left: -1, Right: -1, Value: 1.5, Hess: 3}}}}}
	c, err := m.Contributions(mat.NewDense(1, 2, []float64{1, math.NaN()}))
	if err != nil {
		t.Fatal(err)
	}
	if got := c[0].RawRowView(0); got[0] != 0 || got[1] != 0 || got[2] != 1.75 {
		t.Errorf("contributions %v, want [0 0 1.75]", got)
	}
}

// BenchmarkContributions explains 1000 rows with 100 trees of depth 6
// (scripts/bench-shap.sh compares with xgboost).
func BenchmarkContributions(b *testing.B) {
	x, y := synth(5000, 28, 1, 0)
	m, err := Train(context.Background(), x, y, nil, &Params{NEstimators: 100})
	if err != nil {
		b.Fatal(err)
	}
	m.NJobs = 1
	xe := mat.DenseCopyOf(x.Slice(0, 1000, 0, 28))
	for b.Loop() {
		if _, err := m.Contributions(xe); err != nil {
			b.Fatal(err)
		}
	}
}
