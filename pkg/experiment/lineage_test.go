package experiment_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/mlstack/mlstack/internal/testenv"
	"github.com/mlstack/mlstack/pkg/dataset"
	"github.com/mlstack/mlstack/pkg/experiment"
	"github.com/mlstack/mlstack/pkg/mlflow"
)

// TestLineageThroughIngest puts the diabetes sample into MinIO with the
// real ingest program, trains on it, and reads the run back over REST:
// the dataset input carries ingest's SHA-256 and manifest, the logged
// model's metrics name the dataset, the run is named after the config,
// "Logged from" is the config file, and the experiment opens in "Model
// training" mode. The MLflow UI, in headless Chromium, shows the dataset
// on the run page and on the logged model page, and the signature on the
// registered version's page; with MLSTACK_UPDATE_SCREENSHOTS=1 the
// screenshots go to docs/img.
func TestLineageThroughIngest(t *testing.T) {
	srv := testenv.MLflow(t)
	for _, kv := range srv.Env() {
		k, v, _ := strings.Cut(kv, "=")
		t.Setenv(k, v)
	}
	t.Setenv("MLSTACK_MLFLOW_SPOOL", t.TempDir())
	ctx := context.Background()
	bucket := srv.MinIO.Bucket(t)

	bin := filepath.Join(t.TempDir(), "ingest")
	if out, err := exec.Command("go", "build", "-o", bin, "../../ingest").CombinedOutput(); err != nil {
		t.Fatalf("go build ingest: %v\n%s", err, out)
	}
	ing := exec.Command(bin, "--source", "sample:diabetes", "--bucket", bucket, "--prefix", "raw/", "--progress", "log")
	ing.Env = append(os.Environ(), srv.Env()...)
	if out, err := ing.CombinedOutput(); err != nil {
		t.Fatalf("ingest: %v\n%s", err, out)
	}
	sample, err := dataset.Sample("diabetes")
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(sample)
	want := hex.EncodeToString(sum[:])

	cfg, err := filepath.Abs("../../configs/classification.yaml")
	if err != nil {
		t.Fatal(err)
	}
	exp := testenv.Name("lineage")
	var stderr bytes.Buffer
	rep, err := experiment.Run(ctx, experiment.Options{
		ConfigPath: cfg,
		Overrides: []string{"validation.method=stratified_kfold", "validation.n_splits=3", "model.params.n_estimators=20",
			"data.source=s3://" + bucket + "/raw/diabetes.csv", "tracking.experiment=" + exp, "tracking.register_model=" + exp},
		Out: filepath.Join(t.TempDir(), "out"), Notes: notesTo(&stderr),
	})
	if err != nil {
		t.Fatalf("Run: %v\n%s", err, stderr.String())
	}
	c, err := mlflow.New(srv.URL, nil)
	if err != nil {
		t.Fatal(err)
	}
	run, err := c.GetRun(ctx, rep.RunID)
	if err != nil {
		t.Fatal(err)
	}
	if run.Info.RunName != "diabetes-xgboost" {
		t.Errorf("run name = %q, want the config's name diabetes-xgboost", run.Info.RunName)
	}
	if v, _ := run.Tag(mlflow.TagSourceName); v != cfg {
		t.Errorf("mlflow.source.name = %q, want %s", v, cfg)
	}
	if v, _ := run.Tag(mlflow.TagSourceType); v != "LOCAL" {
		t.Errorf("mlflow.source.type = %q", v)
	}
	if len(run.Inputs.DatasetInputs) != 1 {
		t.Fatalf("dataset inputs = %+v", run.Inputs.DatasetInputs)
	}
	in := run.Inputs.DatasetInputs[0]
	ds := in.Dataset
	if ds.Name != "diabetes.csv" || ds.Digest != want[:32] || ds.SourceType != "s3" || !strings.Contains(ds.Profile, want) ||
		!strings.Contains(ds.Profile, `"num_rows":768`) || !strings.Contains(ds.Schema, `{"name":"Glucose","type":"long","required":true}`) {
		t.Errorf("dataset = %+v\nwant digest %s… of diabetes.csv, 768 rows", ds, want[:32])
	}
	tags := map[string]string{}
	for _, tg := range in.Tags {
		tags[tg.Key] = tg.Value
	}
	if tags[mlflow.TagDatasetContext] != "train" || tags["mlstack.manifest"] != "s3://"+bucket+"/raw/manifest.json" {
		t.Errorf("input tags = %v", tags)
	}
	e, err := c.GetExperiment(ctx, run.Info.ExperimentID)
	if err != nil {
		t.Fatal(err)
	}
	kind := ""
	for _, tg := range e.Tags {
		if tg.Key == mlflow.TagExperimentKind {
			kind = tg.Value
		}
	}
	if kind != mlflow.ExperimentKindModelTraining {
		t.Errorf("experiment kind = %q", kind)
	}
	if rep.Model == nil {
		t.Fatal("no model logged")
	}
	m, err := c.GetLoggedModel(ctx, rep.Model.ModelID)
	if err != nil {
		t.Fatal(err)
	}
	if len(m.Metrics) == 0 {
		t.Error("the logged model has no metrics")
	}
	for _, p := range m.Metrics {
		if p.DatasetName != "diabetes.csv" || p.DatasetDigest != want[:32] {
			t.Errorf("model metric %s names dataset %q %q", p.Key, p.DatasetName, p.DatasetDigest)
		}
	}

	// What the UI shows.
	// What the UI shows, from the links train prints. In "Model training"
	// mode the side bar offers the model registry; in GenAI mode it offers
	// evaluation runs instead.
	// (cmd/train TestPrintSummary checks that the summary prints both.)
	if rep.RunURL == "" || rep.Model == nil || rep.Model.PageURL == "" {
		t.Errorf("the report does not link the run and model pages: %+v", rep)
	}
	for _, page := range []struct{ name, url string }{{"run", rep.RunURL}, {"model", rep.Model.PageURL}} {
		dom := testenv.DumpURL(t, page.url, 20*time.Second).DOM
		for _, text := range []string{">diabetes.csv", want[:32], ">Model registry<"} {
			if !strings.Contains(dom, text) {
				t.Errorf("%s page %s does not show %q", page.name, page.url, text)
			}
		}
		// The logged model has no tag naming the config: only "Logged from" can.
		if page.name == "model" && !strings.Contains(dom, "classification.yaml") {
			t.Errorf("model page %s does not show it was logged from classification.yaml", page.url)
		}
		if strings.Contains(dom, ">Evaluation runs<") {
			t.Errorf("%s page %s is in GenAI mode", page.name, page.url)
		}
		dir := t.TempDir()
		if os.Getenv("MLSTACK_UPDATE_SCREENSHOTS") != "" {
			dir = "../../docs/img"
		}
		testenv.ScreenshotURL(t, page.url, filepath.Join(dir, "mlflow-"+page.name+"-page.png"), 1400, 1000, 20*time.Second)
	}

	// The signature, on the registered version's page (the logged model
	// page does not show it), with its input and output tables opened.
	base, _, _ := strings.Cut(rep.Model.PageURL, "/#/")
	sig := base + "/#/models/" + url.PathEscape(exp) + "/versions/1?workflowType=machine_learning"
	dom := testenv.DumpURL(t, sig, 20*time.Second).DOM
	for _, text := range []string{"Inputs (8)", "Outputs (1)", ">Model registry<"} {
		if !strings.Contains(dom, text) {
			t.Errorf("model version page %s does not show %q", sig, text)
		}
	}
	dir := t.TempDir()
	if os.Getenv("MLSTACK_UPDATE_SCREENSHOTS") != "" {
		dir = "../../docs/img"
	}
	testenv.ScreenshotURLClicking(t, sig, filepath.Join(dir, "mlflow-model-signature.png"), 1400, 1250, 20*time.Second,
		"[role=row]", "Inputs (", "Outputs (")
}
