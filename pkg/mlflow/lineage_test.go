package mlflow_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"os"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/mlstack/mlstack/internal/testenv"
	"github.com/mlstack/mlstack/pkg/mlflow"
)

// tinyBooster passes LogModel's checks; these tests do not load it.
var tinyBooster = []byte(`{"learner":{},"version":[3,2,0]}`)

func testDataset(t *testing.T) mlflow.Dataset {
	t.Helper()
	sum := sha256.Sum256([]byte("a,b\n1,x\n2,y\n"))
	d, err := mlflow.NewTableDataset(mlflow.TableDataset{
		URI: "s3://data-bucket/raw/tiny.csv", SHA256: hex.EncodeToString(sum[:]), Rows: 2,
		Columns: []mlflow.DatasetColumn{{Name: "a", Type: "long", Required: true}, {Name: "b", Type: "string", Required: true}},
	})
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// TestLineageAndSource logs a run the way train does, online and through
// the spool, and reads it back over REST as the UI does: the dataset is a
// run input with its context, the logged model's metrics carry its name
// and digest ("Datasets used" of the model), the experiment is in "Model
// training" mode, "Logged from" is the given source on the run and the
// model, and system metrics were sampled. Both backends: PostgreSQL
// enforces the column sizes SQLite ignores.
func TestLineageAndSource(t *testing.T) {
	for _, be := range backends {
		for _, offline := range []bool{false, true} {
			name := be.name + "/online"
			if offline {
				name = be.name + "/spooled"
			}
			t.Run(name, func(t *testing.T) {
				s := be.start(t)
				testLineage(t, s, offline)
			})
		}
	}
}

func testLineage(t *testing.T, s *testenv.MLflowServer, offline bool) {
	ctx := context.Background()
	c := newClient(t, s)
	spool := t.TempDir()
	ds := testDataset(t)
	exp := testenv.Name("lineage")
	run, err := mlflow.Open(ctx, mlflow.Config{TrackingURI: s.URL, Offline: offline, ExperimentName: exp, RunName: "lineage",
		SpoolDir: spool, SourceName: "/work/configs/churn.yaml", SystemMetrics: true, SystemMetricsInterval: 150 * time.Millisecond,
		Options: &mlflow.Options{MaxRetries: 2, RetryBaseDelay: 100 * time.Millisecond}})
	if err != nil {
		t.Fatal(err)
	}
	if err := run.LogInput(ds, "train", map[string]string{"origin": "ingest"}); err != nil {
		t.Fatal(err)
	}
	run.LogParam("depth", 3)
	run.LogMetric("auc_mean", 0.8, 0)
	run.LogMetric("fold_auc", 0.7, 1)
	time.Sleep(700 * time.Millisecond) // a few system samples
	if _, err := run.LogModel(ctx, mlflow.XGBoostModel{JSON: tinyBooster}, mlflow.LogModelOptions{Dataset: &ds}); err != nil {
		t.Fatal(err)
	}
	if err := run.End(ctx, ""); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 1<<20)
	if st := string(buf[:runtime.Stack(buf, true)]); strings.Contains(st, "sampleSystem") {
		t.Errorf("the system metrics sampler outlived End:\n%s", st)
	}
	runID := run.ID()
	if offline {
		res, err := mlflow.Sync(ctx, c, spool)
		if err != nil || len(res) != 1 || !res[0].Done {
			t.Fatalf("sync = %+v, %v", res, err)
		}
		runID = res[0].RunID
		// A second sync sends nothing again.
		if res, err := mlflow.Sync(ctx, c, spool); err != nil || len(res) != 0 {
			t.Fatalf("second sync = %+v, %v", res, err)
		}
	}

	r, err := c.GetRun(ctx, runID)
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Inputs.DatasetInputs) != 1 {
		t.Fatalf("run inputs = %+v, want the one dataset", r.Inputs)
	}
	in := r.Inputs.DatasetInputs[0]
	if in.Dataset != ds {
		t.Errorf("dataset on the server = %+v\nwant %+v", in.Dataset, ds)
	}
	tags := map[string]string{}
	for _, tg := range in.Tags {
		tags[tg.Key] = tg.Value
	}
	if tags[mlflow.TagDatasetContext] != "train" || tags["origin"] != "ingest" {
		t.Errorf("input tags = %v", tags)
	}
	if v, _ := r.Tag(mlflow.TagSourceName); v != "/work/configs/churn.yaml" {
		t.Errorf("mlflow.source.name = %q", v)
	}
	if v, _ := r.Tag(mlflow.TagSourceType); v != mlflow.SourceLocal {
		t.Errorf("mlflow.source.type = %q", v)
	}
	for _, k := range []string{"cpu_utilization_percentage", "system_memory_usage_megabytes", "system_memory_usage_percentage",
		"disk_usage_percentage", "network_receive_megabytes"} {
		h, err := c.GetMetricHistory(ctx, runID, mlflow.SystemMetricPrefix+k)
		if err != nil || len(h) < 2 {
			t.Errorf("system metric %s: %d points, %v", k, len(h), err)
			continue
		}
		for i, p := range h {
			if p.Step != int64(i) {
				t.Errorf("%s point %d has step %d", k, i, p.Step)
				break
			}
		}
	}
	e, err := c.GetExperiment(ctx, r.Info.ExperimentID)
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
		t.Errorf("experiment kind = %q, want %q", kind, mlflow.ExperimentKindModelTraining)
	}

	if len(r.Outputs.ModelOutputs) != 1 {
		t.Fatalf("model outputs = %+v", r.Outputs.ModelOutputs)
	}
	m, err := c.GetLoggedModel(ctx, r.Outputs.ModelOutputs[0].ModelID)
	if err != nil {
		t.Fatal(err)
	}
	var linked []string
	for _, p := range m.Metrics {
		linked = append(linked, p.Key)
		if p.DatasetName != ds.Name || p.DatasetDigest != ds.Digest {
			t.Errorf("model metric %s: dataset %q %q, want %q %q", p.Key, p.DatasetName, p.DatasetDigest, ds.Name, ds.Digest)
		}
	}
	if strings.Join(linked, ",") != "auc_mean" {
		t.Errorf("metrics linked to the model = %v, want [auc_mean] (step 0, no system metrics)", linked)
	}
	mtags := map[string]string{}
	for _, tg := range m.Tags {
		mtags[tg.Key] = tg.Value
	}
	if mtags[mlflow.TagSourceName] != "/work/configs/churn.yaml" || mtags[mlflow.TagSourceType] != mlflow.SourceLocal {
		t.Errorf("logged model's source tags = %q %q", mtags[mlflow.TagSourceName], mtags[mlflow.TagSourceType])
	}
}

func TestNewTableDataset(t *testing.T) {
	d := testDataset(t)
	if d.Name != "tiny.csv" || d.SourceType != "s3" || d.Source != `{"uri":"s3://data-bucket/raw/tiny.csv"}` || len(d.Digest) != 32 {
		t.Errorf("dataset = %+v", d)
	}
	var prof struct {
		Rows     int    `json:"num_rows"`
		Elements int    `json:"num_elements"`
		SHA256   string `json:"sha256"`
	}
	if err := json.Unmarshal([]byte(d.Profile), &prof); err != nil || prof.Rows != 2 || prof.Elements != 4 || !strings.HasPrefix(prof.SHA256, d.Digest) || len(prof.SHA256) != 64 {
		t.Errorf("profile %s: %+v %v", d.Profile, prof, err)
	}
	if _, err := mlflow.NewTableDataset(mlflow.TableDataset{URI: "x.csv", SHA256: "abc"}); err == nil {
		t.Error("a short SHA-256 was accepted")
	}
	for _, tc := range []struct{ uri, typ, src string }{
		{"s3://b/k.csv", "s3", `{"uri":"s3://b/k.csv"}`},
		{"https://u:pw@example.com/d.csv?token=T&sep=,", "http", `{"url":"https://u:[REDACTED]@example.com/d.csv?token=[REDACTED]\u0026sep=,"}`},
		{"file:///data/x.csv", "local", `{"uri":"/data/x.csv"}`},
		{"/data/x.csv", "local", `{"uri":"/data/x.csv"}`},
		{"kaggle:blastchar/telco-customer-churn/WA.csv", "external", `{"url":"https://www.kaggle.com/datasets/blastchar/telco-customer-churn"}`},
		{"sample:diabetes", "code", `{"uri":"sample:diabetes"}`},
	} {
		typ, src := mlflow.DatasetSource(tc.uri)
		if typ != tc.typ || src != tc.src {
			t.Errorf("DatasetSource(%q) = %s %s, want %s %s", tc.uri, typ, src, tc.typ, tc.src)
		}
	}
}

// TestDefaultSource: a GoNB cell (GONB_DIR set; its binary is a temporary
// gonb_<hex> build) is logged from its notebook, named by Jupyter's
// JPY_SESSION_NAME when the server gives it, else by its directory.
func TestDefaultSource(t *testing.T) {
	for _, tc := range []struct {
		gonbDir, session, name, typ string
	}{
		{"/work/notebooks", "/work/notebooks/02_train_xgboost.ipynb", "/work/notebooks/02_train_xgboost.ipynb", mlflow.SourceNotebook},
		{"/work/notebooks", "02_train_xgboost.ipynb", "/work/notebooks/02_train_xgboost.ipynb", mlflow.SourceNotebook},
		{"/work/notebooks", "", "/work/notebooks", mlflow.SourceNotebook},
		{"", "ignored.ipynb", "", mlflow.SourceLocal},
	} {
		t.Setenv("GONB_DIR", tc.gonbDir)
		t.Setenv("JPY_SESSION_NAME", tc.session)
		name, typ := mlflow.DefaultSource()
		want := tc.name
		if want == "" {
			want, _ = os.Executable()
		}
		if name != want || typ != tc.typ {
			t.Errorf("GONB_DIR=%q JPY_SESSION_NAME=%q: source %q %s, want %q %s", tc.gonbDir, tc.session, name, typ, want, tc.typ)
		}
	}
}
