package experiment_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/minio/minio-go/v7"
	"gonum.org/v1/gonum/mat"

	"github.com/mlstack/mlstack/internal/testenv"
	"github.com/mlstack/mlstack/pkg/dataset"
	"github.com/mlstack/mlstack/pkg/experiment"
	"github.com/mlstack/mlstack/pkg/frame"
	"github.com/mlstack/mlstack/pkg/mlflow"
	"github.com/mlstack/mlstack/pkg/model"
)

func TestMain(m *testing.M) { testenv.Main(m) }

// TestRunAgainstMLflow runs the seed experiment against a real MLflow server
// (artifacts in MinIO) and checks the run as the Python client sees it: the
// params, the metrics with confidence intervals, the artifacts, and the
// model bundle: model.Open reads it by run, logged-model and registry URIs;
// mlflow.xgboost loads its booster; mlflow.pyfunc (by run and by alias) and
// `mlflow models serve` score raw rows as Go does, within 1e-6.
func TestRunAgainstMLflow(t *testing.T) {
	srv := testenv.MLflow(t)
	for _, kv := range srv.Env() {
		k, v, _ := strings.Cut(kv, "=")
		t.Setenv(k, v)
	}
	t.Setenv("MLSTACK_MLFLOW_SPOOL", t.TempDir())
	ctx := context.Background()
	// The data comes from MinIO, as with the stack up (ingest puts it there).
	bucket := srv.MinIO.Bucket(t)
	sample, err := dataset.Sample("diabetes")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := srv.MinIO.Client(t).PutObject(ctx, bucket, "raw/diabetes.csv", bytes.NewReader(sample), int64(len(sample)), minio.PutObjectOptions{}); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "out")
	exp := testenv.Name("diabetes")
	var stderr bytes.Buffer
	rep, err := experiment.Run(ctx, experiment.Options{
		ConfigPath: "../../configs/classification.yaml",
		Overrides:  []string{"validation.n_repeats=2", "data.source=s3://" + bucket + "/raw/diabetes.csv", "tracking.experiment=" + exp, "tracking.register_model=" + exp, "tracking.alias=champion"},
		Out:        out, Notes: notesTo(&stderr),
	})
	if err != nil {
		t.Fatalf("Run: %v\nstderr:\n%s", err, stderr.String())
	}
	if !rep.Online || rep.RunID == "" || !rep.Finished {
		t.Fatalf("run not online, or not finished: %+v", rep)
	}
	// The link train's summary prints (cmd/train TestPrintSummary).
	if !strings.HasPrefix(rep.RunURL, srv.URL+"/#/experiments/") {
		t.Errorf("run URL %q is not the run's page on %s", rep.RunURL, srv.URL)
	}

	c, err := mlflow.New(srv.URL, nil)
	if err != nil {
		t.Fatal(err)
	}
	run, err := c.GetRun(ctx, rep.RunID)
	if err != nil {
		t.Fatal(err)
	}
	if run.Info.Status != mlflow.StatusFinished {
		t.Errorf("status = %s, want FINISHED", run.Info.Status)
	}
	params := map[string]string{}
	for _, p := range run.Data.Params {
		params[p.Key] = p.Value
	}
	for k, want := range map[string]string{"data.source": "s3://" + bucket + "/raw/diabetes.csv", "model.params.max_depth": "4", "resample.method": "smote", "validation.n_repeats": "2", "data.n_features": "8"} {
		if params[k] != want {
			t.Errorf("param %s = %q, want %q", k, params[k], want)
		}
	}
	// Lineage without ingest: the object has no stored checksum and no
	// manifest, so the SHA-256 is computed while the CSV is read.
	sum := sha256.Sum256(sample)
	if ins := run.Inputs.DatasetInputs; len(ins) != 1 || ins[0].Dataset.Digest != hex.EncodeToString(sum[:])[:32] || len(ins[0].Tags) != 1 {
		t.Errorf("dataset inputs = %+v, want diabetes.csv with digest %x…, context only", ins, sum[:16])
	}
	metrics := map[string]float64{}
	for _, m := range run.Data.Metrics {
		metrics[m.Key] = m.Value
	}
	for _, k := range []string{"roc_auc", "accuracy", "f1", "precision", "recall"} {
		mean, lo, hi := metrics[k+"_mean"], metrics[k+"_ci_low"], metrics[k+"_ci_high"]
		if !(lo < mean && mean < hi) {
			t.Errorf("%s: mean %v not inside its interval [%v, %v]", k, mean, lo, hi)
		}
	}
	if auc := metrics["roc_auc_mean"]; auc < 0.75 || auc > 0.9 {
		t.Errorf("roc_auc_mean = %v, outside the plausible range for diabetes", auc)
	}
	hist, err := c.GetMetricHistory(ctx, rep.RunID, "fold_roc_auc")
	if err != nil || len(hist) != 10 {
		t.Errorf("fold_roc_auc history: %d points, %v; want 10", len(hist), err)
	}
	files, err := c.ListArtifacts(ctx, rep.RunID, "")
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, f := range files {
		names = append(names, f.Path)
	}
	for _, want := range []string{"metrics.json", "oof_predictions.csv", "config.resolved.yaml", "pipeline.json"} {
		if !strings.Contains(strings.Join(names, " "), want) {
			t.Errorf("artifacts %v lack %s", names, want)
		}
	}

	// The model bundle of the run, by every URI form, scores like the
	// bundle in the output directory.
	local, err := model.Load(filepath.Join(out, "model"))
	if err != nil {
		t.Fatal(err)
	}
	raw, err := frame.ReadBytes(ctx, sample, local.ReadOptions())
	if err != nil {
		t.Fatal(err)
	}
	want, err := local.PredictProba(raw)
	if err != nil {
		t.Fatal(err)
	}
	t.Run("open", func(t *testing.T) {
		for _, uri := range []string{rep.Model.RunModelURI, rep.Model.ModelURI, "models:/" + exp + "/1",
			"models:/" + exp + "/latest", "models:/" + exp + "@champion"} {
			m, err := model.Open(ctx, uri)
			if err != nil {
				t.Errorf("Open(%s): %v", uri, err)
				continue
			}
			got, err := m.PredictProba(raw)
			if err != nil {
				t.Fatal(err)
			}
			if !mat.Equal(got, want) {
				t.Errorf("Open(%s) predicts otherwise than the saved bundle", uri)
			}
		}
		for uri, names := range map[string][]string{
			"models:/" + exp + "@challenger": {exp, "challenger"},
			"models:/no-such-model@champion": {"no-such-model", "champion"},
			"models:/" + exp + "/99":         {exp, `"99"`},
		} {
			_, err := model.Open(ctx, uri)
			if !errors.Is(err, model.ErrURI) {
				t.Errorf("Open(%s): %v, want ErrURI", uri, err)
				continue
			}
			for _, n := range names {
				if !strings.Contains(err.Error(), n) {
					t.Errorf("Open(%s): %q does not name %s", uri, err, n)
				}
			}
		}
	})

	// Python: the xgboost flavour on the cleaned features (the booster
	// alone), and pyfunc on the raw rows (the bundle) by run and by alias.
	X, err := local.Features(raw)
	if err != nil {
		t.Fatal(err)
	}
	xPath := filepath.Join(t.TempDir(), "x.csv")
	writeMatrix(t, xPath, X)
	got := testenv.RunPython(t, `
import sys, mlflow.xgboost, numpy as np
X = np.loadtxt(sys.argv[2], delimiter=",", ndmin=2)
m = mlflow.xgboost.load_model(f"runs:/{sys.argv[1]}/model")
for p in m.predict_proba(X)[:, 1]:
    print(repr(float(p)))
`, []string{rep.RunID, xPath}, srv.Env()...)
	lines := strings.Fields(string(got))
	if len(lines) != raw.Len() {
		t.Fatalf("python returned %d predictions, want %d", len(lines), raw.Len())
	}
	var maxDiff float64
	for i, line := range lines {
		v, err := strconv.ParseFloat(line, 64)
		if err != nil {
			t.Fatal(err)
		}
		maxDiff = math.Max(maxDiff, math.Abs(v-want.At(i, 1)))
	}
	if maxDiff > 1e-6 {
		t.Errorf("mlflow.xgboost on the cleaned features vs Go: max |diff| = %g, want <= 1e-6", maxDiff)
	}
	rows := filepath.Join(t.TempDir(), "rows.csv")
	if err := os.WriteFile(rows, append(sample, newPatients...), 0o644); err != nil {
		t.Fatal(err)
	}
	py := testenv.Pyfunc(t, []testenv.PyfuncJob{{URI: rep.Model.RunModelURI, CSV: rows}, {URI: "models:/" + exp + "@champion", CSV: rows}}, srv.Env()...)
	for i, name := range []string{"runs:/", "models:/@champion"} {
		t.Run("pyfunc "+name, func(t *testing.T) { compareRaw(t, local, rows, py[i]) })
	}
	t.Run("serve", func(t *testing.T) { checkServe(t, srv, "models:/"+exp+"@champion", local, rows) })
}

// newPatients are raw rows with zeros for "not measured" and a missing
// BMI, appended to diabetes.csv (same columns, Outcome left empty).
const newPatients = `3,0,70,0,0,30.5,0.350,45,
8,183,64,0,0,,0.672,32,
0,0,0,0,0,0,0,21,
`

// compareRaw checks Python's scores of the raw rows of a CSV against the
// Go bundle's: the same labels (values for regression) and probabilities
// within 1e-6.
func compareRaw(t *testing.T, m *model.Model, path string, py *testenv.PyfuncResult) {
	t.Helper()
	o := m.ReadOptions()
	o.Name = path
	rows, err := frame.ReadFile(context.Background(), path, o)
	if err != nil {
		t.Fatal(err)
	}
	pred, err := m.Predict(rows)
	if err != nil {
		t.Fatal(err)
	}
	if len(py.Labels) != rows.Len() {
		t.Fatalf("Python gave %d predictions for %d rows", len(py.Labels), rows.Len())
	}
	if len(py.Warnings) > 0 {
		t.Errorf("mlflow warned when loading the model:\n%s", strings.Join(py.Warnings, "\n"))
	}
	worst, wrong := 0.0, 0
	for i := range rows.Len() {
		if m.Task == model.Regression {
			worst = math.Max(worst, math.Abs(pred.Float(i)-py.Values[i]))
		} else if py.Labels[i] != pred.String(i) {
			wrong++
		}
	}
	if m.Task == model.Classification {
		proba, err := m.PredictProba(rows)
		if err != nil {
			t.Fatal(err)
		}
		for i, row := range py.Proba {
			for j, p := range row {
				worst = math.Max(worst, math.Abs(p-proba.At(i, j)))
			}
		}
	}
	if worst > 1e-6 || wrong > 0 {
		t.Errorf("Python vs Go on %d raw rows: max |diff| %g (want <= 1e-6), %d labels differ", rows.Len(), worst, wrong)
	}
	t.Logf("%d raw rows: max |Python - Go| = %.3g", rows.Len(), worst)
}

// checkServe starts mlflow models serve on uri and posts the raw rows of
// path to /invocations: labels, then probabilities, as Go gives them.
func checkServe(t *testing.T, srv *testenv.MLflowServer, uri string, m *model.Model, path string) {
	o := m.ReadOptions()
	rows, err := frame.ReadFile(context.Background(), path, o)
	if err != nil {
		t.Fatal(err)
	}
	split, err := m.MLflowInput(rows)
	if err != nil {
		t.Fatal(err)
	}
	base := testenv.ServeModel(t, uri, srv.Env()...)
	invoke := func(params map[string]string) json.RawMessage {
		body, err := json.Marshal(map[string]any{"dataframe_split": split, "params": params})
		if err != nil {
			t.Fatal(err)
		}
		resp, err := http.Post(base+"/invocations", "application/json", bytes.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("POST /invocations: %s: %s", resp.Status, b)
		}
		var out struct {
			Predictions json.RawMessage `json:"predictions"`
		}
		if err := json.Unmarshal(b, &out); err != nil {
			t.Fatalf("%v: %s", err, b)
		}
		return out.Predictions
	}
	var labels []json.Number
	if err := json.Unmarshal(invoke(nil), &labels); err != nil {
		t.Fatal(err)
	}
	var proba [][]float64
	if err := json.Unmarshal(invoke(map[string]string{"predict_method": "predict_proba"}), &proba); err != nil {
		t.Fatal(err)
	}
	pred, err := m.Predict(rows)
	if err != nil {
		t.Fatal(err)
	}
	want, err := m.PredictProba(rows)
	if err != nil {
		t.Fatal(err)
	}
	if len(labels) != rows.Len() || len(proba) != rows.Len() {
		t.Fatalf("served %d labels, %d probabilities for %d rows", len(labels), len(proba), rows.Len())
	}
	worst, wrong := 0.0, 0
	for i := range rows.Len() {
		if labels[i].String() != pred.String(i) {
			wrong++
		}
		for j, p := range proba[i] {
			worst = math.Max(worst, math.Abs(p-want.At(i, j)))
		}
	}
	if worst > 1e-6 || wrong > 0 {
		t.Errorf("mlflow models serve vs Go on %d rows: max |diff| %g (want <= 1e-6), %d labels differ", rows.Len(), worst, wrong)
	}
	t.Logf("mlflow models serve, %d raw rows: max |diff| = %.3g", rows.Len(), worst)
}

func writeMatrix(t *testing.T, path string, X mat.Matrix) {
	t.Helper()
	var b bytes.Buffer
	w := csv.NewWriter(&b)
	r, c := X.Dims()
	for i := 0; i < r; i++ {
		rec := make([]string, c)
		for j := range rec {
			rec[j] = strconv.FormatFloat(X.At(i, j), 'g', -1, 64)
		}
		w.Write(rec)
	}
	w.Flush()
	if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}

func ExampleRun() {
	// A quick offline run of the seed experiment (2 repeats instead of 10).
	dir, _ := os.MkdirTemp("", "example")
	defer os.RemoveAll(dir)
	os.Setenv("MLSTACK_MLFLOW_SPOOL", filepath.Join(dir, "spool"))
	defer os.Unsetenv("MLSTACK_MLFLOW_SPOOL")
	rep, err := experiment.Run(context.Background(), experiment.Options{
		ConfigPath: "../../configs/classification.yaml",
		Overrides:  []string{"validation.n_repeats=2", "tracking.offline=true"},
		Out:        filepath.Join(dir, "out"),
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	auc := rep.Outcome.Summary.Aggregate["roc_auc"]
	fmt.Println(len(rep.Outcome.Summary.Folds), "folds; AUC CI contains the mean:", auc.Lo < auc.Mean && auc.Mean < auc.Hi)
	// Output: 10 folds; AUC CI contains the mean: true
}

// churnRows are raw rows for configs/churn.yaml: no label, a tenure of 0,
// categories never seen in training, missing categories and charges.
const churnRows = `,1,0,1,0,0,1,No,Satellite,No,No,No,No,No,No,Month-to-month,1,Crypto,20.5,
,0,1,0,0,72,1,Yes,Fiber optic,,Yes,Yes,Yes,Yes,Yes,,0,Mailed check,110.0,7920.0
,0,0,0,1,5,0,No phone service,DSL,Yes,,No,No,No,No,One year,0,Electronic check,0,
`

// TestConfigsScoreRawRowsInPython trains each tabular config (offline,
// 2 folds) and scores raw CSV rows — the sample and rows with zeros,
// missing values and unseen categories — with the saved bundle in Go and
// with mlflow.pyfunc.load_model(...).predict(pandas.read_csv(...)) in
// Python: the same labels and probabilities (values) within 1e-6.
func TestConfigsScoreRawRowsInPython(t *testing.T) {
	testenv.SkipShort(t, "Python (pyfunc on every config's model)")
	t.Setenv("MLSTACK_MLFLOW_SPOOL", t.TempDir())
	ctx := context.Background()
	telco, err := dataset.Sample("telco_churn")
	if err != nil {
		t.Fatal(err)
	}
	diabetes, err := dataset.Sample("diabetes")
	if err != nil {
		t.Fatal(err)
	}
	type job struct {
		name, dir, csv string
		m              *model.Model
	}
	var jobs []job
	for _, tc := range []struct {
		config string
		rows   []byte
	}{
		{"classification.yaml", append(diabetes, newPatients...)},
		{"churn.yaml", append(telco, churnRows...)},
		// Without the columns the pipeline drops (and the target): they are not inputs.
		{"regression.yaml", dropColumns(t, append(telco, churnRows...), "churn", "total_charges", "monthly_charges")},
	} {
		out := filepath.Join(t.TempDir(), "out")
		_, err := experiment.Run(ctx, experiment.Options{
			ConfigPath: "../../configs/" + tc.config, Out: out,
			Overrides: []string{"tracking.offline=true", "validation.n_splits=2", "validation.n_repeats=1"},
		})
		if err != nil {
			t.Fatalf("%s: %v", tc.config, err)
		}
		dir := filepath.Join(out, "model")
		m, err := model.Load(dir)
		if err != nil {
			t.Fatal(err)
		}
		csv := filepath.Join(t.TempDir(), "rows.csv")
		if err := os.WriteFile(csv, tc.rows, 0o644); err != nil {
			t.Fatal(err)
		}
		jobs = append(jobs, job{tc.config, dir, csv, m})
	}
	pj := make([]testenv.PyfuncJob, len(jobs))
	for i, j := range jobs {
		pj[i] = testenv.PyfuncJob{URI: j.dir, CSV: j.csv}
	}
	for i, py := range testenv.Pyfunc(t, pj) {
		t.Run(jobs[i].name, func(t *testing.T) { compareRaw(t, jobs[i].m, jobs[i].csv, py) })
	}
}

// dropColumns removes columns from CSV text.
func dropColumns(t *testing.T, text []byte, names ...string) []byte {
	t.Helper()
	recs, err := csv.NewReader(bytes.NewReader(text)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	var keep []int
	for j, h := range recs[0] {
		if !slices.Contains(names, h) {
			keep = append(keep, j)
		}
	}
	var b bytes.Buffer
	w := csv.NewWriter(&b)
	for _, r := range recs {
		out := make([]string, len(keep))
		for k, j := range keep {
			out[k] = r[j]
		}
		w.Write(out)
	}
	w.Flush()
	return b.Bytes()
}

// An offline run keeps the whole bundle in its spool: after train sync,
// runs:/<id>/model and the registry alias open the same model in Go, and
// pyfunc scores raw rows with it in Python.
func TestOfflineRunSyncsBundle(t *testing.T) {
	srv := testenv.MLflow(t)
	spool := t.TempDir()
	t.Setenv("MLSTACK_MLFLOW_SPOOL", spool)
	ctx := context.Background()
	exp := testenv.Name("offline")
	out := filepath.Join(t.TempDir(), "out")
	_, err := experiment.Run(ctx, experiment.Options{
		ConfigPath: "../../configs/classification.yaml", Out: out,
		Overrides: []string{"tracking.offline=true", "validation.n_splits=2", "validation.n_repeats=1",
			"tracking.experiment=" + exp, "tracking.register_model=" + exp, "tracking.alias=champion"},
	})
	if err != nil {
		t.Fatal(err)
	}
	c, err := mlflow.New(srv.URL, nil)
	if err != nil {
		t.Fatal(err)
	}
	runs, err := mlflow.Sync(ctx, c, spool)
	if err != nil || len(runs) != 1 || !runs[0].Done {
		t.Fatalf("sync: %+v, %v", runs, err)
	}
	for _, kv := range srv.Env() {
		k, v, _ := strings.Cut(kv, "=")
		t.Setenv(k, v)
	}
	local, err := model.Load(filepath.Join(out, "model"))
	if err != nil {
		t.Fatal(err)
	}
	raw, err := frame.ReadBytes(ctx, []byte(diabetesHead+newPatients), local.ReadOptions())
	if err != nil {
		t.Fatal(err)
	}
	want, err := local.PredictProba(raw)
	if err != nil {
		t.Fatal(err)
	}
	for _, uri := range []string{"runs:/" + runs[0].RunID + "/model", "models:/" + exp + "@champion"} {
		m, err := model.Open(ctx, uri)
		if err != nil {
			t.Fatalf("Open(%s): %v", uri, err)
		}
		got, err := m.PredictProba(raw)
		if err != nil {
			t.Fatal(err)
		}
		if !mat.Equal(got, want) {
			t.Errorf("Open(%s) predicts otherwise than the saved bundle", uri)
		}
	}
	rows := filepath.Join(t.TempDir(), "rows.csv")
	if err := os.WriteFile(rows, []byte(diabetesHead+newPatients), 0o644); err != nil {
		t.Fatal(err)
	}
	py := testenv.Pyfunc(t, []testenv.PyfuncJob{{URI: "models:/" + exp + "@champion", CSV: rows}}, srv.Env()...)
	compareRaw(t, local, rows, py[0])
}

// diabetesHead is the header of diabetes.csv.
const diabetesHead = "Pregnancies,Glucose,BloodPressure,SkinThickness,Insulin,BMI,DiabetesPedigreeFunction,Age,Outcome\n"
