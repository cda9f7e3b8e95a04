package mlflow_test

import (
	"context"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/mlstack/mlstack/internal/testenv"
	"github.com/mlstack/mlstack/pkg/mlflow"
)

// trainPy trains a tiny XGBoost model in Python and prints its JSON and
// its predictions on a fixed matrix. Until pkg/boost exports models, this
// is where the XGBoost JSON of the tests comes from.
const trainPy = `
import json, sys, numpy as np, xgboost as xgb
rng = np.random.default_rng(7)
X = rng.normal(size=(200, 4))
y = (X[:, 0] + 0.5 * X[:, 1] - X[:, 2] > 0).astype(int)
b = xgb.train({"objective": "binary:logistic", "max_depth": 3, "eta": 0.3, "seed": 1, "nthread": 1},
              xgb.DMatrix(X, label=y), num_boost_round=12)
b.save_model(sys.argv[1])
Xt = rng.normal(size=(16, 4))
print(json.dumps({"X": Xt.tolist(), "pred": b.predict(xgb.DMatrix(Xt)).tolist()}))
`

// loadPy loads the model the Go code logged through MLflow, with the
// xgboost flavour and with pyfunc, by run URI and by registry alias, and
// prints the predictions of each.
const loadPy = `
import json, sys, time, numpy as np, pandas as pd, mlflow, mlflow.xgboost, mlflow.pyfunc, xgboost as xgb
t0 = time.time()
run_id, name, alias = sys.argv[1], sys.argv[2], sys.argv[3]
X = np.array(json.loads(sys.stdin.read())["X"])
out = {}
b = mlflow.xgboost.load_model(f"runs:/{run_id}/model")
out["xgboost_runs"] = b.predict(xgb.DMatrix(X)).tolist()
pf = mlflow.pyfunc.load_model(f"runs:/{run_id}/model")
out["pyfunc_runs"] = np.asarray(pf.predict(pd.DataFrame(X))).ravel().tolist()
if name:
    m = mlflow.xgboost.load_model(f"models:/{name}@{alias}")
    out["xgboost_alias"] = m.predict(xgb.DMatrix(X)).tolist()
info = mlflow.models.get_model_info(f"runs:/{run_id}/model")
out["flavors"] = sorted(info.flavors)
out["run_id"] = info.run_id
out["seconds"] = time.time() - t0
print(json.dumps(out))
`

type trained struct {
	JSON []byte
	X    [][]float64 `json:"X"`
	Pred []float64   `json:"pred"`
}

func trainInPython(t *testing.T) trained {
	t.Helper()
	path := filepath.Join(t.TempDir(), "model.json")
	out := testenv.RunPython(t, trainPy, []string{path}, "OMP_NUM_THREADS=1")
	var tr trained
	if err := json.Unmarshal(out, &tr); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	tr.JSON = b
	return tr
}

// checkInPython loads runs:/<runID>/model in Python and compares its
// predictions with the booster's own, within 1e-6.
func checkInPython(t *testing.T, s *testenv.MLflowServer, tr trained, runID, regName, alias string) {
	t.Helper()
	in, _ := json.Marshal(map[string]any{"X": tr.X})
	code := "import sys, io; sys.stdin = io.StringIO(" + pyString(string(in)) + ")\n" + loadPy
	out := testenv.RunPython(t, code, []string{runID, regName, alias}, append(s.Env(), "OMP_NUM_THREADS=1")...)
	var got map[string]json.RawMessage
	if err := json.Unmarshal(out, &got); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	for _, k := range []string{"xgboost_runs", "pyfunc_runs", "xgboost_alias"} {
		if k == "xgboost_alias" && regName == "" {
			continue
		}
		var p []float64
		json.Unmarshal(got[k], &p)
		if len(p) != len(tr.Pred) {
			t.Fatalf("%s: %d predictions, want %d", k, len(p), len(tr.Pred))
		}
		var worst float64
		for i := range p {
			worst = math.Max(worst, math.Abs(p[i]-tr.Pred[i]))
		}
		if worst > 1e-6 {
			t.Errorf("%s: max |diff| = %g > 1e-6", k, worst)
		}
		t.Logf("%s: %d predictions, max |diff| = %g", k, len(p), worst)
	}
	t.Logf("Python load and predict: %s s", got["seconds"])
	var flavors []string
	json.Unmarshal(got["flavors"], &flavors)
	if strings.Join(flavors, ",") != "python_function,xgboost" {
		t.Errorf("flavors = %s", got["flavors"])
	}
}

func pyString(s string) string { b, _ := json.Marshal(s); return string(b) }

func TestLogModelLoadsInPython(t *testing.T) {
	s := testenv.MLflow(t)
	t0 := time.Now()
	tr := trainInPython(t)
	t.Logf("trained in Python in %v", time.Since(t0))
	ctx := context.Background()
	run, err := mlflow.Open(ctx, mlflow.Config{TrackingURI: s.URL, ExperimentName: testenv.Name("model"),
		RunName: "xgb", SpoolDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	if !run.Online() {
		t.Fatal("run is not online")
	}
	run.LogParam("max_depth", 3)
	run.LogMetric("auc", 0.9, 12)
	reg := testenv.Name("reg")
	info, err := run.LogModel(ctx, mlflow.XGBoostModel{JSON: tr.JSON}, mlflow.LogModelOptions{
		Step: 12, RegisteredModelName: reg, Alias: "champion"})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(info.ModelID, "m-") || info.Version != "1" || info.RunModelURI != "runs:/"+run.ID()+"/model" {
		t.Errorf("model info = %+v", info)
	}
	if err := run.Close(); err != nil {
		t.Fatal(err)
	}
	t.Logf("logged from Go at %v", time.Since(t0))
	c := run.Client()
	lm, err := c.GetLoggedModel(ctx, info.ModelID)
	if err != nil || lm.Status != mlflow.ModelReady || lm.SourceRunID != run.ID() || lm.Name != "model" {
		t.Fatalf("logged model = %+v, %v", lm, err)
	}
	// The run's metrics at the model's step are linked to the model.
	if len(lm.Metrics) != 1 || lm.Metrics[0].Key != "auc" || lm.Metrics[0].Value != 0.9 || lm.Metrics[0].Step != 12 {
		t.Errorf("model metrics = %+v, want auc=0.9 at step 12", lm.Metrics)
	}
	mv, err := c.GetModelVersionByAlias(ctx, reg, "champion")
	if err != nil || mv.Version != "1" || mv.Source != info.ModelURI {
		t.Errorf("alias champion -> %+v, %v", mv, err)
	}
	checkInPython(t, s, tr, run.ID(), reg, "champion")
	t.Logf("checked in Python at %v", time.Since(t0))
}

func TestWriteXGBoostModel(t *testing.T) {
	dir := t.TempDir()
	err := mlflow.WriteXGBoostModel(dir, mlflow.XGBoostModel{JSON: []byte(`{"learner":{},"version":[3,2,0]}`)})
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{"MLmodel", "model.json", "requirements.txt", "conda.yaml", "python_env.yaml"} {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			t.Error(err)
		}
	}
	ml, _ := os.ReadFile(filepath.Join(dir, "MLmodel"))
	for _, want := range []string{"model_format: json", `xgb_version: "3.2.0"`, "loader_module: mlflow.xgboost", `model_class: "xgboost.core.Booster"`} {
		if !strings.Contains(string(ml), want) {
			t.Errorf("MLmodel lacks %s:\n%s", want, ml)
		}
	}
	for _, bad := range [][]byte{nil, []byte("not json"), []byte(`{"a":1}`)} {
		if err := mlflow.WriteXGBoostModel(t.TempDir(), mlflow.XGBoostModel{JSON: bad}); err == nil {
			t.Errorf("WriteXGBoostModel(%q) accepted", bad)
		}
	}
}
