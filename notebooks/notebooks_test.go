// Package notebooks_test executes the GoNB notebooks headless against real
// MinIO and MLflow servers (scripts/notebooks.sh: nbconvert + the GoNB
// kernel, failing on any error output), then checks what they left behind:
// the MLflow run (params, metrics, chart artifacts, a model that
// mlflow.xgboost loads and that predicts like pkg/boost), the model copy in
// MinIO, and the charts of the HTML export in headless Chromium.
package notebooks_test

import (
	"bytes"
	"context"
	"encoding/gob"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/mlstack/mlstack/internal/testenv"
	"github.com/mlstack/mlstack/pkg/boost"
	"github.com/mlstack/mlstack/pkg/dataset"
	"github.com/mlstack/mlstack/pkg/frame"
	"github.com/mlstack/mlstack/pkg/storage"
)

func TestMain(m *testing.M) { testenv.Main(m) }

// notebooks are executed in this order (02 needs 01's data, 03 needs 02's model).
var notebooks = []string{"01_ingest_and_explore.ipynb", "02_train_xgboost.ipynb", "03_predict.ipynb", "04_detection.ipynb"}

// logged mirrors the struct notebook 02 saves as model.gob (gob matches
// fields by name).
type logged struct {
	RunID, RunURL, ModelURI, ArtifactURI string
	Spool                                string
	StorageURI                           string
	Dir                                  string
}

// tools returns the GoNB tools directory, Unavailable when it is not built.
func tools(t *testing.T, root string) {
	t.Helper()
	py := testenv.Python(t) // the venv: jupyter, nbconvert, mlflow
	if _, err := os.Stat(filepath.Join(filepath.Dir(py), "jupyter-nbconvert")); err != nil {
		testenv.Unavailable(t, "jupyter nbconvert missing from the venv (%v): run scripts/setup-python.sh", err)
	}
	out, err := exec.Command("bash", filepath.Join(root, "scripts", "setup-gonb.sh"), "--path").Output()
	if err != nil {
		testenv.Unavailable(t, "cannot locate the GoNB tools: %v", err)
	}
	dir := strings.TrimSpace(string(out))
	for _, f := range []string{".complete", "gonb", "goimports", "gopls"} {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			testenv.Unavailable(t, "GoNB tools not built (%v): run scripts/setup-gonb.sh (make test does)", err)
		}
	}
}

func TestNotebooks(t *testing.T) {
	root, err := testenv.RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	tools(t, root)
	srv := testenv.MLflow(t)
	ctx := context.Background()

	// The data bucket, filled like the ingest program does.
	bucket := srv.MinIO.Bucket(t)
	st, err := storage.NewS3(&storage.S3Options{Endpoint: srv.MinIO.URL(), AccessKey: srv.MinIO.AccessKey, SecretKey: srv.MinIO.SecretKey})
	if err != nil {
		t.Fatal(err)
	}
	sample, err := dataset.Sample("diabetes")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.Put(ctx, bucket, "raw/diabetes.csv", bytes.NewReader(sample), nil); err != nil {
		t.Fatal(err)
	}

	experiment := testenv.Name("notebooks")
	out := t.TempDir()
	cmd := exec.Command("bash", filepath.Join(root, "scripts", "notebooks.sh"))
	cmd.Dir = root
	cmd.Env = append(os.Environ(), srv.Env()...)
	cmd.Env = append(cmd.Env,
		"BUCKET_DATA="+bucket, "BUCKET_MLFLOW="+srv.ArtifactsBucket,
		"MLFLOW_EXPERIMENT_NAME="+experiment,
		"N_REPEATS=2", // 5×2 folds instead of the seed's 5×10: the notebook default stays 10
		"NOTEBOOKS_OUT="+out, "NOTEBOOKS_HTML=1",
		"MLSTACK_MLFLOW_SPOOL="+t.TempDir(), "STORAGE_ROOT="+t.TempDir(),
	)
	start := time.Now()
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("scripts/notebooks.sh: %v\n%s", err, b)
	}
	t.Logf("notebooks executed in %s", time.Since(start).Round(time.Second))

	// Our own scan of every executed notebook, plus what each must print.
	want := map[string][]string{
		notebooks[0]: {"read s3://" + bucket + "/raw/diabetes.csv: 768 rows × 9 columns", "after SMOTE 1000 rows"},
		notebooks[1]: {"validation: repeated stratified 5-fold × 2", "MLflow run ", "model files saved to s3://" + bucket + "/models/" + experiment + "/"},
		notebooks[2]: {"model from MLflow run ", "leaves and pkg/boost agree"},
		notebooks[3]: {"detection: mAP@0.5 ", "4 prediction images", "loaded checkpoint (face, 128 px): best 5 detections"},
	}
	for _, nb := range notebooks {
		if st, err := os.Stat(filepath.Join(out, nb)); err == nil {
			t.Logf("executed %s: %d bytes", nb, st.Size())
		}
		text, charts := scan(t, filepath.Join(out, nb))
		for _, w := range want[nb] {
			if !strings.Contains(text, w) {
				t.Errorf("%s: output lacks %q; stdout:\n%s", nb, w, text)
			}
		}
		if nb != notebooks[2] && nb != notebooks[3] && charts == 0 { // 04 shows a table and images
			t.Errorf("%s: no chart output", nb)
		}
	}

	var lg logged
	f, err := os.Open(filepath.Join(out, "work", "model.gob"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := gob.NewDecoder(f).Decode(&lg); err != nil {
		t.Fatal(err)
	}
	if lg.RunID == "" || lg.ModelURI == "" {
		t.Fatalf("notebook 02 did not reach MLflow: %+v", lg)
	}

	t.Run("mlflow", func(t *testing.T) { checkMLflow(t, srv.Env(), lg, filepath.Join(out, "work", "final", "model")) })
	t.Run("minio", func(t *testing.T) { checkMinIO(t, st, lg) })
	t.Run("html", func(t *testing.T) { checkHTML(t, filepath.Join(out, "02_train_xgboost.html"), 4) })
}

// nbFile is the part of an .ipynb the checks read.
type nbFile struct {
	Cells []struct {
		CellType string          `json:"cell_type"`
		Source   json.RawMessage `json:"source"`
		Outputs  []struct {
			OutputType string                     `json:"output_type"`
			Name       string                     `json:"name"`
			Text       json.RawMessage            `json:"text"`
			Ename      string                     `json:"ename"`
			Evalue     string                     `json:"evalue"`
			Data       map[string]json.RawMessage `json:"data"`
		} `json:"outputs"`
	} `json:"cells"`
}

// multiline decodes an nbformat string or list of strings.
func multiline(raw json.RawMessage) string {
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s
	}
	var l []string
	_ = json.Unmarshal(raw, &l)
	return strings.Join(l, "")
}

// scan fails the test on any error output or failing stderr (as
// scripts/notebooks.sh does) and returns the stdout text and the number of
// chart outputs.
func scan(t *testing.T, path string) (stdout string, charts int) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var nb nbFile
	if err := json.Unmarshal(b, &nb); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	var text strings.Builder
	for i, c := range nb.Cells {
		if c.CellType != "code" {
			continue
		}
		for _, o := range c.Outputs {
			switch {
			case o.OutputType == "error":
				t.Errorf("%s cell %d: error %s: %s", filepath.Base(path), i, o.Ename, o.Evalue)
			case o.OutputType == "stream" && o.Name == "stderr":
				if s := multiline(o.Text); strings.Contains(s, "exit status") || strings.Contains(s, "panic:") {
					t.Errorf("%s cell %d: stderr:\n%s", filepath.Base(path), i, s)
				}
			case o.OutputType == "stream":
				text.WriteString(multiline(o.Text))
			}
			if h, ok := o.Data["text/html"]; ok && strings.Contains(multiline(h), "mlstack-chart") {
				charts++
			}
		}
	}
	return text.String(), charts
}

// checkMLflow reads the run back with the Python client: params, metrics,
// chart artifacts, and the model through mlflow.xgboost.load_model, whose
// predictions on the raw data must match pkg/boost's on the same file.
func checkMLflow(t *testing.T, env []string, lg logged, modelDir string) {
	const code = `
import json, sys
import mlflow, numpy as np, pandas as pd
c = mlflow.MlflowClient()
run = c.get_run(sys.argv[1])
arts = sorted(a.path for a in c.list_artifacts(run.info.run_id, "charts"))
arts += sorted(a.path for a in c.list_artifacts(run.info.run_id))
arts += sorted(a.path for a in c.list_artifacts(run.info.run_id, "model"))
model = mlflow.xgboost.load_model("runs:/%s/model" % run.info.run_id)
X = pd.read_csv(sys.argv[2]).drop(columns=["Outcome"]).to_numpy(dtype=np.float64)
p = model.predict_proba(X)[:, 1]
print(json.dumps({"status": run.info.status, "params": run.data.params, "metrics": run.data.metrics,
  "artifacts": arts, "model_type": type(model).__name__, "pred": p.tolist()}))
`
	csv := filepath.Join(t.TempDir(), "diabetes.csv")
	sample, _ := dataset.Sample("diabetes")
	if err := os.WriteFile(csv, sample, 0o644); err != nil {
		t.Fatal(err)
	}
	outb := testenv.RunPython(t, code, []string{lg.RunID, csv}, env...)
	var got struct {
		Status    string             `json:"status"`
		Params    map[string]string  `json:"params"`
		Metrics   map[string]float64 `json:"metrics"`
		Artifacts []string           `json:"artifacts"`
		ModelType string             `json:"model_type"`
		Pred      []float64          `json:"pred"`
	}
	if err := json.Unmarshal(outb, &got); err != nil {
		t.Fatalf("%v\n%s", err, outb)
	}
	if got.Status != "FINISHED" {
		t.Errorf("run status %s, want FINISHED", got.Status)
	}
	for k, v := range map[string]string{
		"cv.n_splits": "5", "cv.n_repeats": "2", "seed": "42", "resample.method": "smote",
		"max_depth": "4", "n_estimators": "100", "learning_rate": "0.1", "data.rows": "768",
		"clean.impute": "median", "objective": "binary:logistic",
	} {
		if got.Params[k] != v {
			t.Errorf("param %s = %q, want %q", k, got.Params[k], v)
		}
	}
	for _, m := range []string{"accuracy", "precision", "recall", "f1", "roc_auc", "average_precision", "log_loss"} {
		for _, s := range []string{"_mean", "_std", "_ci_low", "_ci_high"} {
			if _, ok := got.Metrics[m+s]; !ok {
				t.Errorf("metric %s%s missing", m, s)
			}
		}
		if _, ok := got.Metrics["fold_"+m]; !ok {
			t.Errorf("metric fold_%s missing", m)
		}
	}
	// The seed's result on this data is ROC AUC ≈ 0.82 (5×10 folds); 5×2 varies a little.
	if auc := got.Metrics["roc_auc_mean"]; !(auc > 0.78 && auc < 0.87) {
		t.Errorf("roc_auc_mean = %v, want about 0.82", auc)
	}
	if lo, hi := got.Metrics["roc_auc_ci_low"], got.Metrics["roc_auc_ci_high"]; !(lo < got.Metrics["roc_auc_mean"] && got.Metrics["roc_auc_mean"] < hi) {
		t.Errorf("roc_auc CI [%v, %v] does not hold the mean", lo, hi)
	}
	arts := strings.Join(got.Artifacts, " ")
	for _, a := range []string{"charts/cv_scores.html", "charts/cv_scores.png", "charts/roc.html", "charts/roc.png",
		"charts/confusion_matrix.png", "pipeline.json", "schema.json", "model/model.txt"} {
		if !strings.Contains(" "+arts+" ", " "+a+" ") {
			t.Errorf("artifact %s missing; have %s", a, arts)
		}
	}
	if got.ModelType != "XGBClassifier" {
		t.Errorf("mlflow.xgboost.load_model gave %s, want XGBClassifier", got.ModelType)
	}

	// The model predicts in Python as in Go (raw rows: the trees take NaN or values alike).
	fh, err := os.Open(filepath.Join(modelDir, "model.json"))
	if err != nil {
		t.Fatal(err)
	}
	defer fh.Close()
	m, err := boost.ReadXGBoostJSON(fh)
	if err != nil {
		t.Fatal(err)
	}
	df, err := frame.ReadBytes(context.Background(), sample, nil)
	if err != nil {
		t.Fatal(err)
	}
	X, _, _, err := df.XY("Outcome", nil)
	if err != nil {
		t.Fatal(err)
	}
	p, err := m.Predict(X)
	if err != nil {
		t.Fatal(err)
	}
	if len(p) != len(got.Pred) {
		t.Fatalf("%d Go predictions, %d Python", len(p), len(got.Pred))
	}
	worst := 0.0
	for i := range p {
		worst = math.Max(worst, math.Abs(p[i]-got.Pred[i]))
	}
	// float32 trees: XGBoost and pkg/boost agree to rounding.
	if worst > 1e-5 {
		t.Errorf("Python xgboost and pkg/boost predictions differ by up to %g", worst)
	}
}

// checkMinIO checks the model copy under s3://$BUCKET_DATA/models/... and
// that its model.json is the file logged with the run.
func checkMinIO(t *testing.T, st *storage.S3, lg logged) {
	ctx := context.Background()
	bucket, prefix, err := storage.ParseURI(lg.StorageURI)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasSuffix(prefix, "/"+lg.RunID+"/") {
		t.Errorf("model copy %s is not under the run id %s", lg.StorageURI, lg.RunID)
	}
	for _, name := range []string{"model.json", "model.txt", "pipeline.json", "schema.json", "MLmodel"} {
		info, err := st.Stat(ctx, bucket, prefix+name)
		if err != nil {
			t.Errorf("%s%s: %v", lg.StorageURI, name, err)
			continue
		}
		sum, _, err := storage.HashFile(ctx, filepath.Join(lg.Dir, name), nil)
		if err != nil {
			t.Fatal(err)
		}
		if info.SHA256 != sum || info.Size == 0 {
			t.Errorf("%s%s: sha256 %s size %d, local file sha256 %s", lg.StorageURI, name, info.SHA256, info.Size, sum)
		}
	}
}

// statusJS counts, after the page's scripts ran, the chart containers
// holding a live ECharts instance with a canvas and those still showing
// the fallback PNG (the criterion of pkg/charts' browser tests).
const statusJS = `<pre id="nbstatus"></pre>
<script>
window.addEventListener("load", function(){ setTimeout(function(){
  var els=document.querySelectorAll(".mlstack-chart"), live=0, img=0;
  for (var i=0;i<els.length;i++){
    if (window.echarts && echarts.getInstanceByDom(els[i]) && els[i].querySelector("canvas")) live++;
    if (els[i].querySelector("img")) img++;
  }
  document.getElementById("nbstatus").textContent="charts="+els.length+" live="+live+" img="+img;
}, 500); });
</script>
`

var statusRE = regexp.MustCompile(`charts=(\d+) live=(\d+) img=(\d+)`)

// checkHTML opens nbconvert's HTML export of an executed notebook in
// headless Chromium and checks that all n charts render (no fallback image
// left, no uncaught error). pkg/charts' browser tests cover a synthetic
// nbconvert-like page; this is the real export.
func checkHTML(t *testing.T, path string, n int) {
	testenv.Chromium(t)
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	i := strings.LastIndex(string(b), "</body>")
	if i < 0 {
		t.Fatalf("%s: no </body>", path)
	}
	page := filepath.Join(t.TempDir(), "page.html")
	if err := os.WriteFile(page, []byte(string(b[:i])+statusJS+string(b[i:])), 0o644); err != nil {
		t.Fatal(err)
	}
	res := testenv.DumpDOM(t, page)
	for _, c := range res.Console {
		if strings.Contains(c, "Uncaught") {
			t.Errorf("%s: %s", filepath.Base(path), c)
		}
	}
	m := statusRE.FindStringSubmatch(res.DOM)
	if m == nil {
		t.Fatalf("%s: no status in the DOM; console:\n%s", filepath.Base(path), strings.Join(res.Console, "\n"))
	}
	if got, want := strings.Join(m[1:], " "), fmt.Sprintf("%d %d 0", n, n); got != want {
		t.Errorf("%s: charts, live, fallback images = %s, want %s; console:\n%s", filepath.Base(path), got, want, strings.Join(res.Console, "\n"))
	}
}
