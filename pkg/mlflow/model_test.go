package mlflow_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
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

// A model with its own pyfunc loader, another flavour, more files, a
// signature and an input example; MLflow reads them back.
func TestWriteXGBoostModelExtras(t *testing.T) {
	dir := t.TempDir()
	m := mlflow.XGBoostModel{
		JSON:   []byte(`{"learner":{},"version":[3,2,0]}`),
		Loader: "my_loader",
		Files: map[string][]byte{
			"code/my_loader.py": []byte("def _load_pyfunc(path):\n    return None\n"),
			"extra/notes.json":  []byte(`{}`),
		},
		Flavors: map[string]map[string]string{"mlstack": {"data": "notes.json", "format": "1"}},
		Signature: &mlflow.Signature{
			Inputs:  []mlflow.ColSpec{{Type: "long", Name: "age", Required: true}, {Type: "string", Name: "city", Required: true}},
			Outputs: []mlflow.ColSpec{{Type: "string", Required: true}},
			Params:  []mlflow.ParamSpec{{Name: "predict_method", Type: "string", Default: "predict"}},
		},
		InputExample: &mlflow.DataFrame{Columns: []string{"age", "city"}, Data: [][]any{{int64(31), "Lyon"}, {int64(45), nil}}},
	}
	if err := mlflow.WriteXGBoostModel(dir, m); err != nil {
		t.Fatal(err)
	}
	out := testenv.RunPython(t, `
import json, sys
from mlflow.models import Model
m = Model.load(sys.argv[1] + "/MLmodel")
ex = m.load_input_example(sys.argv[1])
print(json.dumps({"flavors": sorted(m.flavors), "loader": m.flavors["python_function"]["loader_module"],
  "code": m.flavors["python_function"]["code"], "mlstack": m.flavors["mlstack"],
  "inputs": [[c.name, c.type.name] for c in m.signature.inputs.inputs],
  "outputs": m.signature.outputs.inputs[0].type.name, "params": [p.name for p in m.signature.params.params],
  "example": ex.astype(object).where(ex.notna(), None).values.tolist(), "example_types": [str(t) for t in ex.dtypes]}))
`, []string{dir})
	var got struct {
		Flavors      []string          `json:"flavors"`
		Loader       string            `json:"loader"`
		Code         string            `json:"code"`
		Mlstack      map[string]string `json:"mlstack"`
		Inputs       [][]string        `json:"inputs"`
		Outputs      string            `json:"outputs"`
		Params       []string          `json:"params"`
		Example      [][]any           `json:"example"`
		ExampleTypes []string          `json:"example_types"`
	}
	if err := json.Unmarshal(out, &got); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	for _, c := range []struct{ name, got, want string }{
		{"flavours", strings.Join(got.Flavors, ","), "mlstack,python_function,xgboost"},
		{"loader", got.Loader + " in " + got.Code, "my_loader in code"},
		{"mlstack flavour", got.Mlstack["data"] + " " + got.Mlstack["format"], "notes.json 1"},
		{"inputs", fmt.Sprint(got.Inputs), "[[age long] [city string]]"},
		{"outputs", got.Outputs, "string"},
		{"params", fmt.Sprint(got.Params), "[predict_method]"},
		{"example", fmt.Sprint(got.Example), "[[31 Lyon] [45 <nil>]]"},
		{"example types", fmt.Sprint(got.ExampleTypes), "[int64 str]"},
	} {
		if c.got != c.want {
			t.Errorf("%s: %s, want %s", c.name, c.got, c.want)
		}
	}
}

func TestWriteXGBoostModelRefuses(t *testing.T) {
	base := func() mlflow.XGBoostModel {
		return mlflow.XGBoostModel{JSON: []byte(`{"learner":{},"version":[3,2,0]}`)}
	}
	for _, tc := range []struct {
		name string
		edit func(*mlflow.XGBoostModel)
		want string
	}{
		{"file replaces MLmodel", func(m *mlflow.XGBoostModel) { m.Files = map[string][]byte{"MLmodel": nil} }, `model file "MLmodel"`},
		{"file outside the directory", func(m *mlflow.XGBoostModel) { m.Files = map[string][]byte{"../x": nil} }, `model file "../x"`},
		{"loader without its file", func(m *mlflow.XGBoostModel) { m.Loader = "absent" }, "want code/absent.py"},
		{"flavour named xgboost", func(m *mlflow.XGBoostModel) { m.Flavors = map[string]map[string]string{"xgboost": {}} }, `flavour name "xgboost"`},
		{"flavour field with a colon", func(m *mlflow.XGBoostModel) { m.Flavors = map[string]map[string]string{"x": {"a:b": ""}} }, `field name "a:b"`},
		{"NaN in the example", func(m *mlflow.XGBoostModel) {
			m.InputExample = &mlflow.DataFrame{Columns: []string{"a"}, Data: [][]any{{math.NaN()}}}
		}, "use nil for a missing value"},
		{"ragged example", func(m *mlflow.XGBoostModel) {
			m.InputExample = &mlflow.DataFrame{Columns: []string{"a", "b"}, Data: [][]any{{1.0}}}
		}, "row 0 has 1 values for 2 columns"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := base()
			tc.edit(&m)
			err := mlflow.WriteXGBoostModel(t.TempDir(), m)
			if !errors.Is(err, mlflow.ErrInvalid) || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("WriteXGBoostModel: %v; want ErrInvalid saying %q", err, tc.want)
			}
		})
	}
}

func TestDataFrameJSON(t *testing.T) {
	d := mlflow.DataFrame{Columns: []string{"n", "x", "s", "b"}, Data: [][]any{
		{int64(3), 2.0, "a", true}, {4, 0.5, nil, false}, {nil, 1e21, "é\"", nil}}}
	b, err := json.Marshal(d)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"columns":["n","x","s","b"],"data":[[3,2.0,"a",true],[4,0.5,null,false],[null,1e+21,"é\"",null]]}`
	if string(b) != want {
		t.Errorf("JSON:\n got %s\nwant %s", b, want)
	}
	var back mlflow.DataFrame
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	if got := fmt.Sprintf("%#v", back.Data); got != `[][]interface {}{[]interface {}{3, 2, "a", true}, []interface {}{4, 0.5, interface {}(nil), false}, []interface {}{interface {}(nil), 1e+21, "é\"", interface {}(nil)}}` {
		t.Errorf("read back: %s", got)
	}
	if b2, _ := json.Marshal(back); string(b2) != want {
		t.Errorf("written again:\n got %s\nwant %s", b2, want)
	}
	if _, err := json.Marshal(mlflow.DataFrame{Columns: []string{"x"}, Data: [][]any{{math.Inf(1)}}}); err == nil {
		t.Error("an infinite value was written")
	}
}
