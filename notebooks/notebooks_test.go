// Package notebooks_test keeps the GoNB notebooks thin (TestCodeCells:
// every code cell at most 30 lines; the work is in pkg/) and executes them
// headless against real MinIO and MLflow servers (scripts/notebooks.sh:
// nbconvert + the GoNB kernel, failing on any error output), then checks
// what they left behind: the MLflow run (params, metrics, chart artifacts,
// a model bundle that mlflow.xgboost loads and whose pyfunc scores raw rows
// as pkg/model does), the model copy in MinIO, and the charts of the HTML
// export in headless Chromium.
package notebooks_test

import (
	"bytes"
	"context"
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

	"gonum.org/v1/gonum/mat"

	"github.com/mlstack/mlstack/internal/testenv"
	"github.com/mlstack/mlstack/pkg/dataset"
	"github.com/mlstack/mlstack/pkg/frame"
	"github.com/mlstack/mlstack/pkg/model"
	"github.com/mlstack/mlstack/pkg/storage"
)

func TestMain(m *testing.M) { testenv.Main(m) }

// notebooks are executed in this order (02 needs 01's data, 03 needs 02's model).
var notebooks = []string{"01_ingest_and_explore.ipynb", "02_train_xgboost.ipynb", "03_predict.ipynb", "04_detection.ipynb", "05_tuning.ipynb"}

// maxCellLines is the most lines a code cell may have: a notebook calls
// pkg/ (experiment.Run, model.Open, charts, ...) and shows results; code
// longer than that belongs in a package, with tests.
const maxCellLines = 30

// TestCodeCells enforces maxCellLines on every code cell of every notebook.
func TestCodeCells(t *testing.T) {
	paths, err := filepath.Glob("*.ipynb")
	if err != nil || len(paths) == 0 {
		t.Fatalf("no notebooks: %v", err)
	}
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		var nb nbFile
		if err := json.Unmarshal(b, &nb); err != nil {
			t.Fatalf("%s: %v", p, err)
		}
		for i, c := range nb.Cells {
			if n := len(strings.Split(strings.TrimRight(multiline(c.Source), "\n"), "\n")); c.CellType == "code" && n > maxCellLines {
				t.Errorf("%s: code cell %d has %d lines, at most %d: move the code into a package", p, i, n, maxCellLines)
			}
		}
	}
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
	if d := os.Getenv("MLSTACK_NOTEBOOKS_OUT"); d != "" { // keep the executed notebooks, exports and screenshots
		out = d
	}
	cmd := exec.Command("bash", filepath.Join(root, "scripts", "notebooks.sh"))
	cmd.Dir = root
	cmd.Env = append(os.Environ(), srv.Env()...)
	cmd.Env = append(cmd.Env,
		"BUCKET_DATA="+bucket, "BUCKET_MLFLOW="+srv.ArtifactsBucket,
		"MLFLOW_EXPERIMENT_NAME="+experiment,
		"N_REPEATS=2",                    // 5×2 folds instead of the seed's 5×10: the notebook default stays 10
		"N_TRIALS=10", "N_ESTIMATORS=30", // notebook 05: a shorter search
		"NOTEBOOKS_OUT="+out, "NOTEBOOKS_HTML=1",
		"MLSTACK_MLFLOW_SPOOL="+t.TempDir(), "STORAGE_ROOT="+t.TempDir(),
	)
	start := time.Now()
	b, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("scripts/notebooks.sh: %v\n%s", err, b)
	}
	t.Logf("notebooks executed in %s", time.Since(start).Round(time.Second))
	// The kernels' stderr is in the output: GoNB's start-up self-test line
	// ("E… main.go:191] … Error message") is filtered (scripts/gonb-kernel.sh).
	for _, line := range strings.Split(string(b), "\n") {
		if strings.Contains(line, "Error message") {
			t.Errorf("kernel output has an error line: %s", line)
		}
	}

	// Our own scan of every executed notebook, plus what each must print.
	want := map[string][]string{
		notebooks[0]: {"read s3://" + bucket + "/raw/diabetes.csv: 768 rows × 9 columns", "after SMOTE 1000 rows"},
		notebooks[1]: {"repeated_stratified_kfold 5×2 = 10 fits + 1 final fit", "data: s3://" + bucket + "/raw/diabetes.csv, 768 rows",
			"MLflow run ", "model files saved to s3://" + bucket + "/models/" + experiment + "/", "SHAP values of 500 rows; patient 0: "},
		notebooks[2]: {"model from models:/diabetes-xgb@champion", "leaves and the bundle agree", "Python's pyfunc and Go agree"},
		notebooks[3]: {"detection: mAP@0.5 ", ", best epoch ", "drew 5 of 5 valid images with the detections scoring ≥ 0.25",
			"5 prediction images", "loaded checkpoint (face, 128 px, epoch ", " detections scoring ≥ 0.25 in "},
		notebooks[4]: {"search: 10 trials", "trial 0 ", "best trial ", "MLflow run ", "(10 child runs)"},
	}
	text := map[string]string{}
	for _, nb := range notebooks {
		if st, err := os.Stat(filepath.Join(out, nb)); err == nil {
			t.Logf("executed %s: %d bytes", nb, st.Size())
			// ECharts travels once per notebook, not once per chart.
			if nb == notebooks[1] && st.Size() >= 500_000 {
				t.Errorf("executed %s is %d bytes, want under 500 kB", nb, st.Size())
			}
		}
		var charts int
		var html string
		text[nb], charts, html = scan(t, filepath.Join(out, nb))
		for _, w := range want[nb] {
			if !strings.Contains(text[nb], w) {
				t.Errorf("%s: output lacks %q; stdout:\n%s", nb, w, text[nb])
			}
		}
		if nb != notebooks[2] && nb != notebooks[3] && charts == 0 { // 03 shows a table, 04 a table and images
			t.Errorf("%s: no chart output", nb)
		}
		if nb == notebooks[1] && !strings.Contains(html, `<progress value="10" max="10"`) {
			t.Errorf("%s: no finished progress bar of the 10 folds in the output", nb)
		}
	}

	// Notebook 02 names its run and the copy of its model; the bundle is in its work directory.
	runID := regexp.MustCompile(`MLflow run ([0-9a-f]{32})`).FindStringSubmatch(text[notebooks[1]])
	copyURI := regexp.MustCompile(`model files saved to (s3://\S+)`).FindStringSubmatch(text[notebooks[1]])
	if runID == nil || copyURI == nil {
		t.Fatalf("notebook 02 did not reach MLflow or object storage:\n%s", text[notebooks[1]])
	}
	dir := filepath.Join(out, "work", "run", "model")

	t.Run("mlflow", func(t *testing.T) { checkMLflow(t, srv.Env(), runID[1], dir) })
	t.Run("minio", func(t *testing.T) { checkMinIO(t, st, srv.Env(), runID[1], copyURI[1], dir) })
	t.Run("html", func(t *testing.T) {
		checkHTML(t, filepath.Join(out, "02_train_xgboost.html"), 10, 9000)
		checkHTML(t, filepath.Join(out, "04_detection.html"), 0, 3000)
	})
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
// scripts/notebooks.sh does) and returns the stdout text, the number of
// chart outputs and all HTML output.
func scan(t *testing.T, path string) (stdout string, charts int, html string) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var nb nbFile
	if err := json.Unmarshal(b, &nb); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	var text, all strings.Builder
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
			if h, ok := o.Data["text/html"]; ok {
				all.WriteString(multiline(h))
				if strings.Contains(multiline(h), "mlstack-chart") {
					charts++
				}
			}
		}
	}
	return text.String(), charts, all.String()
}

// checkMLflow reads the run back with the Python client: params, metrics,
// chart artifacts, the xgboost flavour of the model, and the registered
// bundle through pyfunc, whose scores of the raw data must equal pkg/model's
// on the bundle in modelDir.
func checkMLflow(t *testing.T, env []string, runID, modelDir string) {
	const code = `
import json, sys
import mlflow
c = mlflow.MlflowClient()
run = c.get_run(sys.argv[1])
arts = sorted(a.path for a in c.list_artifacts(run.info.run_id, "charts"))
arts += sorted(a.path for a in c.list_artifacts(run.info.run_id))
arts += sorted(a.path for a in c.list_artifacts(run.info.run_id, "model"))
model = mlflow.xgboost.load_model("runs:/%s/model" % run.info.run_id)
print(json.dumps({"status": run.info.status, "params": run.data.params, "metrics": run.data.metrics,
  "artifacts": arts, "model_type": type(model).__name__,
  "datasets": [{"name": d.dataset.name, "digest": d.dataset.digest, "context": [t.value for t in d.tags if t.key == "mlflow.data.context"]}
    for d in run.inputs.dataset_inputs]}))
`
	outb := testenv.RunPython(t, code, []string{runID}, env...)
	var got struct {
		Status    string             `json:"status"`
		Params    map[string]string  `json:"params"`
		Metrics   map[string]float64 `json:"metrics"`
		Artifacts []string           `json:"artifacts"`
		ModelType string             `json:"model_type"`
		Datasets  []struct {
			Name, Digest string
			Context      []string
		} `json:"datasets"`
	}
	if err := json.Unmarshal(outb, &got); err != nil {
		t.Fatalf("%v\n%s", err, outb)
	}
	if got.Status != "FINISHED" {
		t.Errorf("run status %s, want FINISHED", got.Status)
	}
	// The notebook lets the run read data.source, so the run's lineage
	// names the bytes it trained on (issue 15: "Datasets used" was empty).
	if len(got.Datasets) != 1 || len(got.Datasets[0].Digest) != 32 || len(got.Datasets[0].Context) != 1 || got.Datasets[0].Context[0] != "train" {
		t.Errorf("run dataset inputs %+v, want one train dataset with a digest", got.Datasets)
	}
	for k, v := range map[string]string{
		"validation.n_splits": "5", "validation.n_repeats": "2", "seed": "42", "resample.method": "smote",
		"model.params.max_depth": "4", "model.params.n_estimators": "100", "model.params.learning_rate": "0.1",
		"data.n_rows": "768", "clean.1.strategy": "median", "data.objective": "binary:logistic",
		"tracking.register_model": "diabetes-xgb", "tracking.alias": "champion",
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
	for _, a := range []string{"charts/index.html", "charts/cv_scores.png", "charts/roc.png",
		"charts/precision_recall.png", "charts/learning_curves.png", "charts/confusion_matrix.png",
		"pipeline.json", "schema.json", "model/model.txt"} {
		if !strings.Contains(" "+arts+" ", " "+a+" ") {
			t.Errorf("artifact %s missing; have %s", a, arts)
		}
	}
	// The charts' HTML is one page, carrying ECharts once.
	if n := strings.Count(arts, ".html"); n != 1 {
		t.Errorf("%d HTML artifacts, want charts/index.html alone: %s", n, arts)
	}
	if got.ModelType != "XGBClassifier" {
		t.Errorf("mlflow.xgboost.load_model gave %s, want XGBClassifier", got.ModelType)
	}

	// The registered bundle scores the raw data in Python as in Go.
	csv := filepath.Join(t.TempDir(), "diabetes.csv")
	sample, _ := dataset.Sample("diabetes")
	if err := os.WriteFile(csv, sample, 0o644); err != nil {
		t.Fatal(err)
	}
	py := testenv.Pyfunc(t, []testenv.PyfuncJob{{URI: "models:/diabetes-xgb@champion", CSV: csv}}, env...)[0]
	m, err := model.Load(modelDir)
	if err != nil {
		t.Fatal(err)
	}
	df, err := frame.ReadBytes(context.Background(), sample, m.ReadOptions())
	if err != nil {
		t.Fatal(err)
	}
	p, err := m.PredictProba(df)
	if err != nil {
		t.Fatal(err)
	}
	if len(py.Proba) != df.Len() {
		t.Fatalf("%d Go predictions, %d Python", df.Len(), len(py.Proba))
	}
	worst := 0.0
	for i := range py.Proba {
		worst = math.Max(worst, math.Abs(p.At(i, 1)-py.Proba[i][1]))
	}
	if worst > 1e-6 {
		t.Errorf("Python pyfunc and pkg/model predictions on the raw rows differ by up to %g", worst)
	}
}

// checkMinIO checks the model copy under s3://$BUCKET_DATA/models/... and
// that its files are those of the bundle in dir.
func checkMinIO(t *testing.T, st *storage.S3, env []string, runID, uri, dir string) {
	ctx := context.Background()
	bucket, prefix, err := storage.ParseURI(uri)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasSuffix(prefix, "/"+runID+"/") {
		t.Errorf("model copy %s is not under the run id %s", uri, runID)
	}
	for _, name := range []string{"model.json", "model.txt", "pipeline.json", "schema.json", "mlstack.json", "MLmodel", "code/mlstack_model.py"} {
		info, err := st.Stat(ctx, bucket, prefix+name)
		if err != nil {
			t.Errorf("%s%s: %v", uri, name, err)
			continue
		}
		sum, _, err := storage.HashFile(ctx, filepath.Join(dir, filepath.FromSlash(name)), nil)
		if err != nil {
			t.Fatal(err)
		}
		if info.SHA256 != sum || info.Size == 0 {
			t.Errorf("%s%s: sha256 %s size %d, local file sha256 %s", uri, name, info.SHA256, info.Size, sum)
		}
	}
	// The copy is a bundle model.Open reads through pkg/storage, and it
	// scores like the one in the notebook's work directory.
	for _, kv := range env {
		k, v, _ := strings.Cut(kv, "=")
		t.Setenv(k, v)
	}
	remote, err := model.Open(ctx, uri)
	if err != nil {
		t.Fatalf("model.Open(%s): %v", uri, err)
	}
	local, err := model.Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	sample, _ := dataset.Sample("diabetes")
	df, err := frame.ReadBytes(ctx, sample, local.ReadOptions())
	if err != nil {
		t.Fatal(err)
	}
	a, err := remote.PredictProba(df)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := local.PredictProba(df)
	if !mat.Equal(a, b) {
		t.Errorf("the copy at %s predicts otherwise than %s", uri, dir)
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
// left, no uncaught error), then takes a screenshot (NAME_screenshot.png,
// 1200 × height, beside the export; MLSTACK_NOTEBOOKS_OUT keeps it).
// pkg/charts' browser tests cover a synthetic nbconvert-like page; this is
// the real export, with ECharts in its first chart's output only.
func checkHTML(t *testing.T, path string, n, height int) {
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
	res = testenv.Screenshot(t, page, strings.TrimSuffix(path, ".html")+"_screenshot.png", 1200, height)
	for _, c := range res.Console {
		if strings.Contains(c, "Uncaught") || strings.Contains(c, "mlstack charts") {
			t.Errorf("%s screenshot: %s", filepath.Base(path), c)
		}
	}
}
