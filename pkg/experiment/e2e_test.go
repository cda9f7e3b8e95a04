package experiment_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/minio/minio-go/v7"
	"gonum.org/v1/gonum/mat"

	"github.com/mlstack/mlstack/internal/testenv"
	"github.com/mlstack/mlstack/pkg/boost"
	"github.com/mlstack/mlstack/pkg/clean"
	"github.com/mlstack/mlstack/pkg/dataset"
	"github.com/mlstack/mlstack/pkg/experiment"
	"github.com/mlstack/mlstack/pkg/frame"
	"github.com/mlstack/mlstack/pkg/mlflow"
)

func TestMain(m *testing.M) { testenv.Main(m) }

// TestRunAgainstMLflow runs the seed experiment against a real MLflow server
// (artifacts in MinIO) and checks the run as the Python client sees it: the
// params, the metrics with confidence intervals, the artifacts, and a model
// that mlflow.xgboost.load_model and mlflow.pyfunc.load_model load and that
// predicts within 1e-6 of the Go model on the cleaned data.
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
	var stdout, stderr bytes.Buffer
	rep, err := experiment.Run(ctx, experiment.Options{
		ConfigPath: "../../configs/classification.yaml",
		Overrides:  []string{"validation.n_repeats=2", "data.source=s3://" + bucket + "/raw/diabetes.csv", "tracking.experiment=" + exp, "tracking.register_model=" + exp, "tracking.alias=champion"},
		Out:        out, Stdout: &stdout, Stderr: &stderr,
	})
	if err != nil {
		t.Fatalf("Run: %v\nstderr:\n%s", err, stderr.String())
	}
	if !rep.Online || rep.RunID == "" {
		t.Fatalf("run not online: %+v\n%s", rep, stdout.String())
	}
	if !strings.Contains(stdout.String(), "mlflow:   "+srv.URL+"/#/experiments/") {
		t.Errorf("summary does not link the run:\n%s", stdout.String())
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

	// The Go model's predictions on the cleaned data, and the same rows for Python.
	X, want := goPredictions(t, out)
	dir := t.TempDir()
	xPath := filepath.Join(dir, "x.csv")
	writeMatrix(t, xPath, X)
	got := testenv.RunPython(t, `
import sys, mlflow, mlflow.xgboost, mlflow.pyfunc, numpy as np, pandas as pd
run_id, x_path = sys.argv[1], sys.argv[2]
X = np.loadtxt(x_path, delimiter=",", ndmin=2)
m = mlflow.xgboost.load_model(f"runs:/{run_id}/model")
p1 = m.predict_proba(X)[:, 1]
py = mlflow.pyfunc.load_model(f"runs:/{run_id}/model")
labels = np.asarray(py.predict(pd.DataFrame(X)))  # pyfunc gives XGBClassifier.predict: labels
alias = mlflow.xgboost.load_model(f"models:/{sys.argv[3]}@champion").predict_proba(X)[:, 1]
for a, b, c in zip(p1, alias, labels):
    print(repr(float(a)), repr(float(b)), int(c))
`, []string{rep.RunID, xPath, exp}, srv.Env()...)
	lines := strings.Split(strings.TrimSpace(string(got)), "\n")
	if len(lines) != len(want) {
		t.Fatalf("python returned %d predictions, want %d", len(lines), len(want))
	}
	var maxDiff float64
	labelMismatch := 0
	for i, line := range lines {
		f := strings.Fields(line)
		for _, s := range f[:2] {
			v, err := strconv.ParseFloat(s, 64)
			if err != nil {
				t.Fatal(err)
			}
			maxDiff = math.Max(maxDiff, math.Abs(v-want[i]))
		}
		if wantLabel := strconv.FormatBool(want[i] > 0.5); strconv.FormatBool(f[2] == "1") != wantLabel {
			labelMismatch++
		}
	}
	if maxDiff > 1e-6 {
		t.Errorf("Python (xgboost flavour, registry alias) vs Go: max |diff| = %g, want <= 1e-6", maxDiff)
	}
	if labelMismatch > 0 {
		t.Errorf("pyfunc labels differ from Go's p > 0.5 on %d of %d rows", labelMismatch, len(want))
	}
	t.Logf("max |Python - Go| over %d rows × 2 loaders = %.3g; pyfunc label mismatches: %d", len(want), maxDiff, labelMismatch)
}

// goPredictions cleans the diabetes sample with the run's fitted pipeline
// (pipeline.json) and predicts with the run's model.json.
func goPredictions(t *testing.T, out string) (*mat.Dense, []float64) {
	t.Helper()
	ctx := context.Background()
	f, err := experiment.LoadData(ctx, experiment.DataConfig{Source: "sample:diabetes"})
	if err != nil {
		t.Fatal(err)
	}
	var pipe clean.Pipeline
	readJSON(t, filepath.Join(out, "pipeline.json"), &pipe)
	var schema frame.Schema
	readJSON(t, filepath.Join(out, "schema.json"), &schema)
	cleaned, err := pipe.Transform(f)
	if err != nil {
		t.Fatal(err)
	}
	X, err := schema.Matrix(cleaned)
	if err != nil {
		t.Fatal(err)
	}
	mf, err := os.Open(filepath.Join(out, "model", "model.json"))
	if err != nil {
		t.Fatal(err)
	}
	defer mf.Close()
	m, err := boost.ReadXGBoostJSON(mf)
	if err != nil {
		t.Fatal(err)
	}
	p, err := m.Predict(X)
	if err != nil {
		t.Fatal(err)
	}
	return X, p
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

func readJSON(t *testing.T, path string, v any) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatalf("%s: %v", path, err)
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
