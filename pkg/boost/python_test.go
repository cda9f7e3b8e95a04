package boost

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/mlstack/mlstack/internal/testenv"
	"gonum.org/v1/gonum/mat"
)

// loadScript loads a model file with xgb.Booster and, when argv[3] names
// an estimator, with XGBClassifier/XGBRegressor.load_model, and prints
// the predictions on the CSV argv[2]: Booster first, then the estimator's
// (predict_proba for classifiers, class 1 only when binary).
const loadScript = `
import sys, warnings, numpy as np, xgboost as xgb
warnings.simplefilter("ignore")
X = np.loadtxt(sys.argv[2], delimiter=",", ndmin=2)
b = xgb.Booster(model_file=sys.argv[1])
out = [b.predict(xgb.DMatrix(X, missing=np.nan)).ravel()]
if sys.argv[3] == "classifier":
    c = xgb.XGBClassifier()
    c.load_model(sys.argv[1])
    p = c.predict_proba(X)
    out.append(p[:, 1] if p.shape[1] == 2 else p.ravel())
elif sys.argv[3] == "regressor":
    r = xgb.XGBRegressor()
    r.load_model(sys.argv[1])
    out.append(r.predict(X).ravel())
print(" ".join(repr(float(v)) for v in np.concatenate(out)))
`

// trainScript trains with xgb.train on the CSV argv[1] (label last),
// evaluating on argv[2] (label last), saves the model to argv[5] and
// prints a JSON object: test predictions, evals_result and get_score of
// every importance type.
const trainScript = `
import sys, json, numpy as np, xgboost as xgb
tr = np.loadtxt(sys.argv[1], delimiter=",", ndmin=2)
te = np.loadtxt(sys.argv[2], delimiter=",", ndmin=2)
params = json.loads(sys.argv[3])
dte = xgb.DMatrix(te[:, :-1], label=te[:, -1], missing=np.nan)
res = {}
b = xgb.train(params, xgb.DMatrix(tr[:, :-1], label=tr[:, -1], missing=np.nan), int(sys.argv[4]), evals=[(dte, "test")], evals_result=res, verbose_eval=False)
b.save_model(sys.argv[5])
imp = {k: b.get_score(importance_type=k) for k in ["weight", "gain", "cover", "total_gain", "total_cover"]}
print(json.dumps({"pred": [float(v) for v in b.predict(xgb.DMatrix(te[:, :-1], missing=np.nan)).ravel()], "evals": res["test"], "importance": imp}))
`

type trainOutput struct {
	Pred       []float64
	Evals      map[string][]float64
	Importance map[string]map[string]float64
}

type loadCase struct {
	name      string
	p         Params
	estimator string // classifier or regressor
}

func loadCases() []loadCase {
	return []loadCase{
		{"binary hist", Params{NEstimators: 30}, "classifier"},
		{"binary exact", Params{NEstimators: 20, TreeMethod: Exact, MaxDepth: 4}, "classifier"},
		{"binary weights spw", Params{NEstimators: 20, ScalePosWeight: 3, Subsample: 0.8, ColsampleBytree: 0.7}, "classifier"},
		{"regression", Params{NEstimators: 20, Objective: RegSquaredError}, "regressor"},
		{"multiclass", Params{NEstimators: 10, Objective: MultiSoftprob, NumClass: 3}, "classifier"},
		{"multiclass parallel trees", Params{NEstimators: 5, Objective: MultiSoftprob, NumClass: 3, NumParallelTree: 3, Subsample: 0.7, ColsampleBynode: 0.6}, "classifier"},
		{"binary lossguide monotone", Params{NEstimators: 10, GrowPolicy: "lossguide", MaxLeaves: 12, MonotoneConstraints: []int{1, -1}}, "classifier"},
	}
}

func labelsFor(obj string, x *mat.Dense, y []float64) []float64 {
	switch obj {
	case RegSquaredError:
		out := make([]float64, len(y))
		for i := range y {
			out[i] = 2*y[i] + math.Sin(float64(i))
		}
		return out
	case MultiSoftprob:
		out := make([]float64, len(y))
		for i := range y {
			out[i] = y[i]
			if y[i] == 1 && x.At(i, 0) > 0 {
				out[i] = 2
			}
		}
		return out
	}
	return y
}

// checkPythonLoads writes Go models as XGBoost JSON and checks that the
// interpreter py predicts the same (max |diff| <= 1e-6).
func checkPythonLoads(t *testing.T, py string, estimators bool) {
	dir := t.TempDir()
	x, y := synth(2000, 8, 3, 0.1)
	test := edgeRows(&Model{}, x, 1000)
	csv := writeCSV(t, dir, "x.csv", test, nil)
	for _, tc := range loadCases() {
		t.Run(tc.name, func(t *testing.T) {
			yy := labelsFor(tc.p.Objective, x, y)
			m, err := Train(context.Background(), x, yy, nil, &tc.p)
			if err != nil {
				t.Fatal(err)
			}
			path := filepath.Join(dir, "m.json")
			f, err := os.Create(path)
			if err != nil {
				t.Fatal(err)
			}
			if err := m.WriteXGBoostJSON(f); err != nil {
				t.Fatal(err)
			}
			f.Close()
			want, err := m.Predict(test)
			if err != nil {
				t.Fatal(err)
			}
			est := "none"
			if estimators {
				est = tc.estimator
			}
			got := parseFloats(t, testenv.RunInterpreter(t, py, loadScript, []string{path, csv, est}))
			n := len(want)
			if wantN := map[bool]int{false: n, true: 2 * n}[estimators]; len(got) != wantN {
				t.Fatalf("python printed %d values, want %d", len(got), wantN)
			}
			if d := maxAbsDiff(got[:n], want); d > 1e-6 {
				t.Errorf("Booster.predict vs Go: max |diff| = %g > 1e-6", d)
			} else {
				t.Logf("Booster.predict vs Go: max |diff| = %.3g", d)
			}
			if len(got) == 2*n {
				if d := maxAbsDiff(got[n:], want); d > 1e-6 {
					t.Errorf("%s load_model vs Go: max |diff| = %g > 1e-6", tc.estimator, d)
				}
			}
		})
	}
}

// TestXGBoostLoadsJSON: Python xgboost 3.x (project venv) loads our JSON.
func TestXGBoostLoadsJSON(t *testing.T) {
	checkPythonLoads(t, testenv.Python(t), true)
}

// TestDebianXGBoostLoadsJSON: Debian's python3-xgboost 1.7.x loads our
// JSON. XGBClassifier is checked too when python3-sklearn is installed.
func TestDebianXGBoostLoadsJSON(t *testing.T) {
	py := testenv.DebianXGBoost(t)
	_, err := runQuiet(py, "import sklearn")
	checkPythonLoads(t, py, err == nil)
}

func runQuiet(py, code string) ([]byte, error) {
	return execCommand(py, "-c", code)
}

func logloss(p, y []float64) float64 {
	s := 0.0
	for i := range p {
		q := min(max(p[i], 1e-16), 1-1e-16)
		if y[i] == 1 {
			s -= math.Log(q)
		} else {
			s -= math.Log(1 - q)
		}
	}
	return s / float64(len(p))
}

func auc64(p, y []float64) float64 {
	w := make([]float32, len(y))
	for i := range w {
		w[i] = 1
	}
	return auc(p, toF32(y), w)
}

// TestParityXGBoost trains Go and Python xgboost 3.x with the same
// parameters on the built-in samples and compares held-out AUC and log
// loss; it also reads Python's model file back and checks Go predicts as
// Python does, and that exact's first tree equals xgboost's.
func TestParityXGBoost(t *testing.T) {
	py := testenv.Python(t)
	testenv.SkipShort(t, "100-tree models trained in Python")
	for _, name := range []string{"breast_cancer", "diabetes", "telco_churn"} {
		x, y := loadSample(t, name)
		xtr, ytr, xte, yte := trainTest(x, y, 0.3, 1)
		dir := t.TempDir()
		trCSV := writeCSV(t, dir, "train.csv", xtr, ytr)
		teCSV := writeCSV(t, dir, "test.csv", xte, yte)
		for _, method := range []string{Hist, Exact} {
			t.Run(name+"/"+method, func(t *testing.T) {
				p := Params{TreeMethod: method, NJobs: 2, EvalMetric: []string{"auc", "logloss"}}
				m, err := Train(context.Background(), xtr, ytr, nil, &p, EvalSet{Name: "test", X: xte, Y: yte})
				if err != nil {
					t.Fatal(err)
				}
				goP, err := m.Predict(xte)
				if err != nil {
					t.Fatal(err)
				}
				params, _ := json.Marshal(map[string]any{"objective": "binary:logistic", "tree_method": method,
					"max_depth": 6, "eta": 0.3, "max_bin": 256, "nthread": 2, "eval_metric": []string{"auc", "logloss"}})
				modelPath := filepath.Join(dir, method+".json")
				var out trainOutput
				if err := json.Unmarshal(testenv.RunInterpreter(t, py, trainScript, []string{trCSV, teCSV, string(params), "100", modelPath}), &out); err != nil {
					t.Fatal(err)
				}
				pyP := out.Pred
				ga, xa := auc64(goP, yte), auc64(pyP, yte)
				gl, xl := logloss(goP, yte), logloss(pyP, yte)
				t.Logf("%s %s: AUC go %.5f xgb %.5f (Δ %+.5f); logloss go %.5f xgb %.5f (%+.2f%%); max |Δp| %.3g",
					name, method, ga, xa, ga-xa, gl, xl, 100*(gl/xl-1), maxAbsDiff(goP, pyP))
				if math.Abs(ga-xa) > 0.005 {
					t.Errorf("AUC go %.5f vs xgboost %.5f: |diff| > 0.005", ga, xa)
				}
				if math.Abs(gl/xl-1) > 0.02 {
					t.Errorf("log loss go %.5f vs xgboost %.5f: differ by more than 2%%", gl, xl)
				}
				// Python's model read by Go predicts like Python.
				f, err := os.Open(modelPath)
				if err != nil {
					t.Fatal(err)
				}
				pm, err := ReadXGBoostJSON(f)
				f.Close()
				if err != nil {
					t.Fatalf("reading xgboost's JSON: %v", err)
				}
				if pm.BaseScore != m.BaseScore {
					t.Errorf("base_score go %v, xgboost %v", m.BaseScore, pm.BaseScore)
				}
				rp, err := pm.Predict(xte)
				if err != nil {
					t.Fatal(err)
				}
				if d := maxAbsDiff(rp, pyP); d > 1e-6 {
					t.Errorf("xgboost's model in Go vs xgboost: max |diff| %g > 1e-6", d)
				}
				if method == Exact {
					compareTree(t, m.Trees[0].Nodes, pm.Trees[0].Nodes)
				}
				checkImportance(t, pm, out.Importance)
				// Evaluation history: same length; equal values while the
				// models agree (exact: all rounds).
				for _, h := range m.History {
					want := out.Evals[h.Metric]
					if len(h.Values) != len(want) {
						t.Fatalf("%s history: %d rounds, xgboost %d", h.Metric, len(h.Values), len(want))
					}
					if method == Exact {
						for i := range want {
							if math.Abs(h.Values[i]-want[i]) > 1e-5 {
								t.Errorf("%s round %d: go %.7f, xgboost %.7f", h.Metric, i, h.Values[i], want[i])
								break
							}
						}
					}
				}
			})
		}
	}
}

// compareTree checks structure, split features and thresholds.
func compareTree(t *testing.T, got, want []Node) {
	t.Helper()
	if len(got) != len(want) {
		t.Errorf("first tree: %d nodes, xgboost %d", len(got), len(want))
	}
	for i := range min(len(got), len(want)) {
		g, w := got[i], want[i]
		if g.IsLeaf() != w.IsLeaf() || g.Left != w.Left {
			t.Errorf("first tree node %d: go leaf=%v left=%d, xgboost leaf=%v left=%d", i, g.IsLeaf(), g.Left, w.IsLeaf(), w.Left)
			return
		}
		if !g.IsLeaf() && (g.Feature != w.Feature || g.Cond != w.Cond || g.DefaultLeft != w.DefaultLeft) {
			t.Errorf("first tree node %d: go f%d<%v (default left %v), xgboost f%d<%v (%v)", i, g.Feature, g.Cond, g.DefaultLeft, w.Feature, w.Cond, w.DefaultLeft)
		}
		if g.IsLeaf() && math.Abs(float64(g.Value-w.Value)) > 1e-5 {
			t.Errorf("first tree leaf %d: go %v, xgboost %v", i, g.Value, w.Value)
		}
	}
}

// checkImportance compares Model.Importance with xgboost's get_score.
func checkImportance(t *testing.T, m *Model, want map[string]map[string]float64) {
	t.Helper()
	for _, kind := range []string{Weight, Gain, Cover, TotalGain, TotalCover} {
		got, err := m.Importance(kind)
		if err != nil {
			t.Fatal(err)
		}
		for f, g := range got {
			w, ok := want[kind]["f"+strconv.Itoa(f)]
			if !ok && g != 0 {
				t.Errorf("importance %s f%d: go %g, xgboost has none", kind, f, g)
			}
			if ok && math.Abs(g-w) > 1e-4*math.Max(1, math.Abs(w)) {
				t.Errorf("importance %s f%d: go %g, xgboost %g", kind, f, g, w)
			}
		}
	}
}

var _ = fmt.Sprint

// mcScript trains multi:softprob with Python xgboost (3.1+ stores one
// intercept per class), saves it to argv[2] and prints its predictions on
// the CSV argv[1] (label last).
const mcScript = `
import sys, numpy as np, xgboost as xgb
d = np.loadtxt(sys.argv[1], delimiter=",", ndmin=2)
b = xgb.train({"objective": "multi:softprob", "num_class": 3, "max_depth": 3}, xgb.DMatrix(d[:, :-1], label=d[:, -1], missing=np.nan), 5)
b.save_model(sys.argv[2])
print(" ".join(repr(float(v)) for v in b.predict(xgb.DMatrix(d[:, :-1], missing=np.nan)).ravel()))
`

// TestReadXGBoost3Multiclass reads a multi-class model written by Python
// xgboost 3.x (vector base_score), predicts like it, and writes it back
// in a form Debian's xgboost 1.7 predicts identically.
func TestReadXGBoost3Multiclass(t *testing.T) {
	py := testenv.Python(t)
	dir := t.TempDir()
	x, y := synth(600, 5, 8, 0.1)
	yy := labelsFor(MultiSoftprob, x, y)
	csv := writeCSV(t, dir, "d.csv", x, yy)
	path := filepath.Join(dir, "py.json")
	want := parseFloats(t, testenv.RunInterpreter(t, py, mcScript, []string{csv, path}))
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	m, err := ReadXGBoostJSON(f)
	f.Close()
	if err != nil {
		t.Fatal(err)
	}
	got, err := m.Predict(x)
	if err != nil {
		t.Fatal(err)
	}
	if d := maxAbsDiff(got, want); d > 1e-6 {
		t.Fatalf("Go on xgboost's multi-class model: max |diff| %g > 1e-6", d)
	}
	t.Logf("Go vs xgboost max |diff| %.3g", maxAbsDiff(got, want))
	out := filepath.Join(dir, "go.json")
	w, err := os.Create(out)
	if err != nil {
		t.Fatal(err)
	}
	if err := m.WriteXGBoostJSON(w); err != nil {
		t.Fatal(err)
	}
	w.Close()
	xcsv := writeCSV(t, dir, "x.csv", x, nil)
	back := parseFloats(t, testenv.RunInterpreter(t, py, loadScript, []string{out, xcsv, "none"}))
	if d := maxAbsDiff(back, want); d > 1e-6 {
		t.Errorf("xgboost 3.x on Go's rewrite: max |diff| %g > 1e-6", d)
	}
	if _, err := runQuiet(testenv.DebianPython, "import xgboost"); err == nil {
		old := parseFloats(t, testenv.RunInterpreter(t, testenv.DebianPython, loadScript, []string{out, xcsv, "none"}))
		if d := maxAbsDiff(old, want); d > 1e-6 {
			t.Errorf("Debian xgboost 1.7 on Go's rewrite: max |diff| %g > 1e-6", d)
		}
	}
}

// TestParityMulticlass trains multi:softprob (exact) in Go and in Python
// xgboost 3.x: same per-class intercepts, same first tree, same
// predictions (up to float32 rounding).
func TestParityMulticlass(t *testing.T) {
	py := testenv.Python(t)
	dir := t.TempDir()
	x, y := synth(700, 5, 17, 0.05)
	yy := labelsFor(MultiSoftprob, x, y)
	xtr, ytr, xte, yte := trainTest(x, yy, 0.3, 5)
	trCSV := writeCSV(t, dir, "train.csv", xtr, ytr)
	teCSV := writeCSV(t, dir, "test.csv", xte, yte)
	params, _ := json.Marshal(map[string]any{"objective": "multi:softprob", "num_class": 3, "tree_method": "exact", "nthread": 2})
	path := filepath.Join(dir, "py.json")
	var out trainOutput
	if err := json.Unmarshal(testenv.RunInterpreter(t, py, trainScript, []string{trCSV, teCSV, string(params), "20", path}), &out); err != nil {
		t.Fatal(err)
	}
	m, err := Train(context.Background(), xtr, ytr, nil, &Params{Objective: MultiSoftprob, NumClass: 3, NEstimators: 20, TreeMethod: Exact}, EvalSet{X: xte, Y: yte})
	if err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	pm, err := ReadXGBoostJSON(f)
	f.Close()
	if err != nil {
		t.Fatal(err)
	}
	// The first tree of each class carries the class intercept (folded).
	for c := range 3 {
		compareTree(t, m.Trees[c].Nodes, pm.Trees[c].Nodes)
	}
	got, err := m.Predict(xte)
	if err != nil {
		t.Fatal(err)
	}
	d := maxAbsDiff(got, out.Pred)
	t.Logf("max |Δp| %.3g; mlogloss go %.5f xgboost %.5f", d,
		m.History[0].Values[19], out.Evals["mlogloss"][19])
	if d > 1e-4 {
		t.Errorf("predictions differ from xgboost's: max |diff| %g", d)
	}
}
