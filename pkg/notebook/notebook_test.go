package notebook_test

import (
	"context"
	"math"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mlstack/mlstack/pkg/charts"
	"github.com/mlstack/mlstack/pkg/metrics"
	"github.com/mlstack/mlstack/pkg/notebook"
	"github.com/mlstack/mlstack/pkg/storage"
)

func TestEnv(t *testing.T) {
	t.Setenv("NB_TEST_S", "x")
	t.Setenv("NB_TEST_N", " 7 ")
	t.Setenv("NB_TEST_BAD", "seven")
	if got := notebook.Env("NB_TEST_S", "d"); got != "x" {
		t.Errorf("Env set = %q", got)
	}
	if got := notebook.Env("NB_TEST_UNSET", "d"); got != "d" {
		t.Errorf("Env unset = %q", got)
	}
	if got := notebook.EnvInt("NB_TEST_N", 1); got != 7 {
		t.Errorf("EnvInt = %d", got)
	}
	if got := notebook.EnvInt("NB_TEST_UNSET", 10); got != 10 {
		t.Errorf("EnvInt default = %d", got)
	}
	defer func() {
		if r := recover(); r == nil || !strings.Contains(r.(string), "NB_TEST_BAD") {
			t.Errorf("EnvInt on a non-integer: recovered %v, want a panic naming the variable", r)
		}
	}()
	notebook.EnvInt("NB_TEST_BAD", 1)
}

func TestSaveLoad(t *testing.T) {
	t.Setenv("NOTEBOOK_WORKDIR", filepath.Join(t.TempDir(), "work"))
	type state struct {
		Scores map[string]float64
		Rows   []int
	}
	in := state{Scores: map[string]float64{"auc": 0.8, "nan": math.NaN()}, Rows: []int{1, 2}}
	if err := notebook.Save("s.gob", in); err != nil {
		t.Fatal(err)
	}
	var out state
	if err := notebook.Load("s.gob", &out); err != nil {
		t.Fatal(err)
	}
	if out.Scores["auc"] != 0.8 || !math.IsNaN(out.Scores["nan"]) || len(out.Rows) != 2 {
		t.Errorf("Load = %+v", out)
	}
	err := notebook.Load("missing.gob", &out)
	if err == nil || !strings.Contains(err.Error(), "run the cell that saves it first") {
		t.Errorf("Load of a missing file: %v", err)
	}
}

func TestMetricsTable(t *testing.T) {
	s := metrics.Summarize([]metrics.FoldScores{
		{Scores: map[string]float64{"roc_auc": 0.8, "f1": 0.6}},
		{Scores: map[string]float64{"roc_auc": 0.9, "f1": 0.7}},
	}, &metrics.AggregateOptions{Level: 0.95})
	h := notebook.MetricsTable(s, "roc_auc", "f1", "absent")
	for _, want := range []string{"2 folds, 95% confidence interval", "<th>roc_auc</th><td>0.8500</td>", "<th>f1</th><td>0.6500</td>"} {
		if !strings.Contains(h, want) {
			t.Errorf("table lacks %q:\n%s", want, h)
		}
	}
	if strings.Index(h, "roc_auc") > strings.Index(h, ">f1<") || strings.Contains(h, "absent") {
		t.Errorf("rows not in the order asked, or an absent metric shown:\n%s", h)
	}
	// One value per metric (a detector's held-out mAP): the value, no NaN spread.
	one := &metrics.Summary{Aggregate: map[string]metrics.Stat{"map50": {N: 1, Mean: 0.066, Std: math.NaN(), Lo: math.NaN(), Hi: math.NaN()}}, Level: 0.95, Interval: "none"}
	h = notebook.MetricsTable(one)
	if !strings.Contains(h, "<th>map50</th><td>0.0660</td></tr>") || strings.Contains(h, "NaN") || strings.Contains(h, "CI low") {
		t.Errorf("one-value table:\n%s", h)
	}
}

// TestDataFallback: without S3 the built-in sample is read, unless the
// local store holds the object; with S3 configured a missing object fails.
func TestDataFallback(t *testing.T) {
	ctx := context.Background()
	root := t.TempDir()
	for _, k := range []string{"AWS_ENDPOINT_URL_S3", "AWS_ENDPOINT_URL", "MLFLOW_S3_ENDPOINT_URL", "MINIO_URL"} {
		t.Setenv(k, "")
	}
	t.Setenv("STORAGE_ROOT", root)
	f, src, err := notebook.Data(ctx, "s3://data-bucket/raw/diabetes.csv", "diabetes")
	if err != nil || f.Len() != 768 || !strings.HasPrefix(src, "sample:diabetes") {
		t.Fatalf("fallback: %v rows, %q, %v", f, src, err)
	}
	st, err := storage.NewLocal(root)
	if err != nil {
		t.Fatal(err)
	}
	if err := st.EnsureBucket(ctx, "data-bucket"); err != nil {
		t.Fatal(err)
	}
	if _, err := st.Put(ctx, "data-bucket", "raw/diabetes.csv", strings.NewReader("a,Outcome\n1,0\n2,1\n"), nil); err != nil {
		t.Fatal(err)
	}
	f, src, err = notebook.Data(ctx, "s3://data-bucket/raw/diabetes.csv", "diabetes")
	if err != nil || f.Len() != 2 || src != "s3://data-bucket/raw/diabetes.csv" {
		t.Fatalf("local store: %v, %q, %v", f, src, err)
	}

	t.Setenv("MLFLOW_S3_ENDPOINT_URL", "http://127.0.0.1:1") // nothing listens there
	t.Setenv("AWS_ACCESS_KEY_ID", "k")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "s")
	ctx, cancel := context.WithTimeout(ctx, 5e9)
	defer cancel()
	if _, _, err := notebook.Data(ctx, "s3://data-bucket/raw/diabetes.csv", "diabetes"); err == nil {
		t.Error("with S3 configured and unreachable, Data fell back to the sample")
	}
}

// TestChartHTML: a chart's output is its option only, with the URL of
// the library when the Jupyter root holds the repository; otherwise the
// first chart of a kernel carries the library.
func TestChartHTML(t *testing.T) {
	c, err := charts.ClassBalance([]float64{0, 1, 1}, nil, []string{"no", "yes"})
	if err != nil {
		t.Fatal(err)
	}
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	lib := charts.LibraryHTML()
	for _, tc := range []struct {
		name, jupyterRoot, src string
		firstHasLibrary        bool
	}{
		{"jupyter serves the repository", root, `src="files/pkg/charts/assets/echarts.min.js"`, false},
		{"jupyter serves a subfolder", filepath.Join(root, "notebooks"), `src=""`, true},
		{"root unknown", "", `src=""`, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Setenv("GONB_TMP_DIR", t.TempDir())
			t.Setenv("GONB_JUPYTER_ROOT", tc.jupyterRoot)
			if got := notebook.LibrarySrc() != ""; got == tc.firstHasLibrary {
				t.Errorf("LibrarySrc() = %q", notebook.LibrarySrc())
			}
			first, second := notebook.ChartHTML(c), notebook.ChartHTML(c)
			if strings.HasPrefix(first, lib) != tc.firstHasLibrary || strings.Contains(second, "inflateRaw") || len(second) > 10_000 {
				t.Errorf("first output %d bytes (library: %v, want %v), second %d bytes (library: %v)",
					len(first), strings.HasPrefix(first, lib), tc.firstHasLibrary, len(second), strings.Contains(second, "inflateRaw"))
			}
			if !strings.Contains(second, tc.src) {
				t.Errorf("output lacks %s:\n%.600s", tc.src, second)
			}
		})
	}
	// Outside GoNB every chart carries the library.
	t.Setenv("GONB_TMP_DIR", "")
	t.Setenv("GONB_JUPYTER_ROOT", "")
	if !strings.HasPrefix(notebook.ChartHTML(c), lib) {
		t.Error("outside a kernel a chart lacks the library")
	}
}
