package boost

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/mlstack/mlstack/internal/testenv"
	"gonum.org/v1/gonum/mat"
)

// paramCase is one parameter checked against xgboost 3.x (xgb.train with
// py, the same data and max_bin 256): with exact set, every tree equals
// xgboost's and the held-out AUC and log loss agree within 1e-6;
// otherwise (random draws that are not xgboost's) the AUC and log loss
// averaged over six seeds, on the largest sample, agree within the
// tolerance of TestParityXGBoost.
type paramCase struct {
	name   string
	sample string
	p      Params
	py     map[string]any
	rounds int
	exact  bool
}

// seedsScript trains with xgb.train on the CSV argv[1] (label last) with
// the parameters argv[3] for argv[4] rounds, once for each seed 0 ..
// argv[5]-1, and prints the predictions on the CSV argv[2] of each as a
// JSON list of lists.
const seedsScript = `
import sys, json, numpy as np, xgboost as xgb
tr = np.loadtxt(sys.argv[1], delimiter=",", ndmin=2)
te = np.loadtxt(sys.argv[2], delimiter=",", ndmin=2)
dtr = xgb.DMatrix(tr[:, :-1], label=tr[:, -1], missing=np.nan)
dte = xgb.DMatrix(te[:, :-1], missing=np.nan)
out = []
for seed in range(int(sys.argv[5])):
    params = dict(json.loads(sys.argv[3]), seed=seed)
    b = xgb.train(params, dtr, int(sys.argv[4]))
    out.append([float(v) for v in b.predict(dte).ravel()])
print(json.dumps(out))
`

func paramCases() []paramCase {
	// diabetes: Pregnancies, Glucose, BloodPressure, SkinThickness,
	// Insulin, BMI, DiabetesPedigreeFunction, Age.
	mono := []int{0, 1, -1, 0, 0, 1, 1, 1}
	inter := [][]int{{1, 5}, {0, 6, 7}}
	var cases []paramCase
	for _, method := range []string{Hist, Exact} {
		cases = append(cases,
			paramCase{"max_delta_step/" + method, "breast_cancer", Params{MaxDeltaStep: 0.5},
				map[string]any{"max_delta_step": 0.5}, 30, true},
			paramCase{"max_delta_step alpha/" + method, "diabetes", Params{MaxDeltaStep: 0.3, RegAlpha: 0.5},
				map[string]any{"max_delta_step": 0.3, "alpha": 0.5}, 30, true},
			paramCase{"monotone_constraints/" + method, "diabetes", Params{MonotoneConstraints: mono},
				map[string]any{"monotone_constraints": "(0,1,-1,0,0,1,1,1)"}, 30, true},
			paramCase{"monotone max_delta_step/" + method, "diabetes", Params{MonotoneConstraints: mono, MaxDeltaStep: 0.4, MaxDepth: 4},
				map[string]any{"monotone_constraints": "(0,1,-1,0,0,1,1,1)", "max_delta_step": 0.4, "max_depth": 4}, 30, true},
			paramCase{"interaction_constraints/" + method, "diabetes", Params{InteractionConstraints: inter},
				map[string]any{"interaction_constraints": "[[1,5],[0,6,7]]"}, 30, true},
			paramCase{"num_parallel_tree/" + method, "breast_cancer", Params{NumParallelTree: 3},
				map[string]any{"num_parallel_tree": 3}, 10, true},
			paramCase{"colsample_bylevel/" + method, "telco_churn", Params{ColsampleBylevel: 0.5},
				map[string]any{"colsample_bylevel": 0.5}, 50, false},
		)
	}
	cases = append(cases,
		paramCase{"colsample_bynode/hist", "telco_churn", Params{ColsampleBynode: 0.5, ColsampleBylevel: 0.8},
			map[string]any{"colsample_bynode": 0.5, "colsample_bylevel": 0.8}, 50, false},
		paramCase{"lossguide max_leaves/hist", "diabetes", Params{GrowPolicy: "lossguide", MaxLeaves: 9},
			map[string]any{"grow_policy": "lossguide", "max_leaves": 9}, 30, true},
		paramCase{"lossguide/hist", "breast_cancer", Params{GrowPolicy: "lossguide", MaxDepth: 4},
			map[string]any{"grow_policy": "lossguide", "max_depth": 4}, 30, true},
		paramCase{"depthwise max_leaves/hist", "diabetes", Params{MaxLeaves: 11},
			map[string]any{"max_leaves": 11}, 30, true},
		paramCase{"random forest/hist", "telco_churn", Params{NumParallelTree: 8, Subsample: 0.7, ColsampleBynode: 0.6, LearningRate: 1},
			map[string]any{"num_parallel_tree": 8, "subsample": 0.7, "colsample_bynode": 0.6, "eta": 1}, 1, false},
	)
	return cases
}

// TestParityParams checks each parameter added for issue 19 against
// xgboost 3.x (paramCase).
func TestParityParams(t *testing.T) {
	py := testenv.Python(t)
	testenv.SkipShort(t, "models trained in Python")
	type sets struct {
		xtr, xte *mat.Dense
		ytr, yte []float64
	}
	data := map[string]sets{}
	for _, tc := range paramCases() {
		t.Run(tc.name, func(t *testing.T) {
			method := Hist
			if tc.name[len(tc.name)-5:] == "exact" {
				method = Exact
			}
			d, ok := data[tc.sample]
			if !ok {
				x, y := loadSample(t, tc.sample)
				xtr, ytr, xte, yte := trainTest(x, y, 0.3, 1)
				d = sets{xtr, xte, ytr, yte}
				data[tc.sample] = d
			}
			dir := t.TempDir()
			trCSV := writeCSV(t, dir, "train.csv", d.xtr, d.ytr)
			teCSV := writeCSV(t, dir, "test.csv", d.xte, d.yte)
			seeds := []uint64{0}
			if !tc.exact {
				seeds = []uint64{0, 1, 2, 3, 4, 5}
			}
			params := map[string]any{"objective": "binary:logistic", "tree_method": method, "max_bin": 256, "nthread": 2}
			for k, v := range tc.py {
				params[k] = v
			}
			var sampled [][]float64 // xgboost's test predictions for each seed, one interpreter for all
			if !tc.exact {
				js, _ := json.Marshal(params)
				if err := json.Unmarshal(testenv.RunInterpreter(t, py, seedsScript, []string{trCSV, teCSV, string(js), fmt.Sprint(tc.rounds), fmt.Sprint(len(seeds))}), &sampled); err != nil {
					t.Fatal(err)
				}
			}
			var goAUC, pyAUC, goLL, pyLL float64
			for i, seed := range seeds {
				p := tc.p
				p.TreeMethod, p.NJobs, p.NEstimators, p.RandomState = method, 2, tc.rounds, seed
				m, err := Train(context.Background(), d.xtr, d.ytr, nil, &p)
				if err != nil {
					t.Fatal(err)
				}
				goP, err := m.Predict(d.xte)
				if err != nil {
					t.Fatal(err)
				}
				path := filepath.Join(dir, "py.json")
				var out trainOutput
				if tc.exact {
					params["seed"] = seed
					js, _ := json.Marshal(params)
					if err := json.Unmarshal(testenv.RunInterpreter(t, py, trainScript, []string{trCSV, teCSV, string(js), fmt.Sprint(tc.rounds), path}), &out); err != nil {
						t.Fatal(err)
					}
				} else {
					out.Pred = sampled[i]
				}
				yte := d.yte
				goAUC += auc64(goP, yte) / float64(len(seeds))
				pyAUC += auc64(out.Pred, yte) / float64(len(seeds))
				goLL += logloss(goP, yte) / float64(len(seeds))
				pyLL += logloss(out.Pred, yte) / float64(len(seeds))
				if !tc.exact {
					continue
				}
				f, err := os.Open(path)
				if err != nil {
					t.Fatal(err)
				}
				pm, err := ReadXGBoostJSON(f)
				f.Close()
				if err != nil {
					t.Fatalf("reading xgboost's model: %v", err)
				}
				if len(pm.Trees) != len(m.Trees) {
					t.Fatalf("%d trees, xgboost %d", len(m.Trees), len(pm.Trees))
				}
				for i := range m.Trees {
					if !sameTree(t, i, m.Trees[i].Nodes, pm.Trees[i].Nodes) {
						break
					}
				}
				if d := maxAbsDiff(goP, out.Pred); d > 1e-6 {
					t.Errorf("predictions: max |diff| %g > 1e-6", d)
				}
			}
			t.Logf("AUC go %.7f xgb %.7f (Δ %+.2g); logloss go %.7f xgb %.7f (Δ %+.2g)", goAUC, pyAUC, goAUC-pyAUC, goLL, pyLL, goLL-pyLL)
			if tc.exact {
				if math.Abs(goAUC-pyAUC) > 1e-6 || math.Abs(goLL-pyLL) > 1e-6 {
					t.Errorf("AUC or log loss differ from xgboost's by more than 1e-6")
				}
				return
			}
			if math.Abs(goAUC-pyAUC) > 0.005 {
				t.Errorf("mean AUC go %.5f vs xgboost %.5f: |diff| > 0.005", goAUC, pyAUC)
			}
			if math.Abs(goLL/pyLL-1) > 0.02 {
				t.Errorf("mean log loss go %.5f vs xgboost %.5f: differ by more than 2%%", goLL, pyLL)
			}
		})
	}
}

// sameTree reports whether tree i equals xgboost's: structure, split
// features, conditions and default directions, leaf values within 1e-6.
func sameTree(t *testing.T, i int, got, want []Node) bool {
	t.Helper()
	if len(got) != len(want) {
		t.Errorf("tree %d: %d nodes, xgboost %d", i, len(got), len(want))
		return false
	}
	for j := range got {
		g, w := got[j], want[j]
		switch {
		case g.IsLeaf() != w.IsLeaf() || g.Left != w.Left:
			t.Errorf("tree %d node %d: go leaf=%v left=%d, xgboost leaf=%v left=%d", i, j, g.IsLeaf(), g.Left, w.IsLeaf(), w.Left)
			return false
		case !g.IsLeaf() && (g.Feature != w.Feature || g.Cond != w.Cond || g.DefaultLeft != w.DefaultLeft):
			t.Errorf("tree %d node %d: go f%d<%v (default left %v), xgboost f%d<%v (%v)", i, j, g.Feature, g.Cond, g.DefaultLeft, w.Feature, w.Cond, w.DefaultLeft)
			return false
		case g.IsLeaf() && math.Abs(float64(g.Value-w.Value)) > 1e-6:
			t.Errorf("tree %d leaf %d: go %v, xgboost %v", i, j, g.Value, w.Value)
			return false
		}
	}
	return true
}

// sklearnScript prints the parameters of xgboost's scikit-learn API.
const sklearnScript = `
import inspect, xgboost as xgb
print(" ".join(n for n in inspect.signature(xgb.XGBModel.__init__).parameters if n not in ("self", "kwargs")))
`

// TestSklearnParamsKnown: every parameter of xgboost.XGBModel (the
// installed xgboost 3.x) is a key of Params, so a config never gets
// "unknown parameter" for one: it is supported, accepted and ignored, or
// refused with "not supported: <reason>".
func TestSklearnParamsKnown(t *testing.T) {
	py := testenv.Python(t)
	keys := map[string]bool{}
	rt := reflect.TypeFor[Params]()
	for i := range rt.NumField() {
		f := rt.Field(i)
		keys[strings.Split(f.Tag.Get("yaml"), ",")[0]] = true
		for _, a := range strings.Split(f.Tag.Get("alias"), ",") {
			keys[a] = true
		}
	}
	names := strings.Fields(string(testenv.RunInterpreter(t, py, sklearnScript, nil)))
	if len(names) < 40 {
		t.Fatalf("xgboost printed %d parameters: %v", len(names), names)
	}
	for _, n := range names {
		if !keys[n] {
			t.Errorf("xgboost's scikit-learn parameter %q is not a key of boost.Params", n)
		}
	}
}
