package mlflow_test

import (
	"context"
	"errors"
	"fmt"
	"math"
	"sync"
	"testing"
	"time"

	"github.com/mlstack/mlstack/internal/testenv"
	"github.com/mlstack/mlstack/pkg/mlflow"
)

// backends lists the real servers the integration tests run against.
var backends = []struct {
	name  string
	start func(testing.TB) *testenv.MLflowServer
}{
	{"sqlite", testenv.MLflow},
	{"postgres", testenv.MLflowPostgres},
}

func newClient(t testing.TB, s *testenv.MLflowServer) *mlflow.Client {
	t.Helper()
	c, err := mlflow.New(s.URL, &mlflow.Options{MaxRetries: 2, RetryBaseDelay: 100 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestTracking(t *testing.T) {
	for _, be := range backends {
		t.Run(be.name, func(t *testing.T) {
			s := be.start(t)
			testTracking(t, s)
		})
	}
}

func testTracking(t *testing.T, s *testenv.MLflowServer) {
	ctx := context.Background()
	c := newClient(t, s)
	name := testenv.Name("exp")

	// Two processes racing to create the same experiment get the same id.
	var wg sync.WaitGroup
	ids := make([]string, 4)
	errs := make([]error, 4)
	for i := range ids {
		wg.Add(1)
		go func() {
			defer wg.Done()
			cc := newClient(t, s)
			exp, err := cc.GetOrCreateExperiment(ctx, name)
			errs[i] = err
			if err == nil {
				ids[i] = exp.ID
			}
		}()
	}
	wg.Wait()
	for i := range ids {
		if errs[i] != nil || ids[i] != ids[0] {
			t.Fatalf("racing get-or-create: ids %v errs %v", ids, errs)
		}
	}
	// A deleted experiment is restored.
	if err := c.DeleteExperiment(ctx, ids[0]); err != nil {
		t.Fatal(err)
	}
	exp, err := c.GetOrCreateExperiment(ctx, name)
	if err != nil || exp.ID != ids[0] || exp.LifecycleStage != "active" {
		t.Fatalf("restore: %+v, %v", exp, err)
	}

	run, err := c.CreateRun(ctx, exp.ID, mlflow.CreateRunOptions{RunName: "parent", Tags: map[string]string{"team": "ml"}})
	if err != nil {
		t.Fatal(err)
	}
	child, err := c.CreateRun(ctx, exp.ID, mlflow.CreateRunOptions{RunName: "child", ParentRunID: run.Info.RunID})
	if err != nil {
		t.Fatal(err)
	}
	id := run.Info.RunID

	// 2500 points of one metric (3 log-batch requests), NaN/Inf values,
	// 150 params (2 requests), tags.
	var ms []mlflow.Metric
	t0 := time.Now().UnixMilli()
	for i := range 2500 {
		ms = append(ms, mlflow.Metric{Key: "loss", Value: 1 / float64(i+1), Step: int64(i), Timestamp: t0 + int64(i)})
	}
	ms = append(ms, mlflow.Metric{Key: "odd", Value: math.NaN(), Step: 0, Timestamp: t0},
		mlflow.Metric{Key: "odd", Value: math.Inf(1), Step: 1, Timestamp: t0},
		mlflow.Metric{Key: "odd", Value: math.Inf(-1), Step: 2, Timestamp: t0})
	var ps []mlflow.Param
	for i := range 150 {
		ps = append(ps, mlflow.Param{Key: fmt.Sprintf("p%03d", i), Value: fmt.Sprint(i)})
	}
	if err := c.LogBatch(ctx, id, ms, ps, []mlflow.Tag{{Key: "stage", Value: "test"}}); err != nil {
		t.Fatal(err)
	}
	// Repeating the whole batch changes nothing (idempotent replay).
	if err := c.LogBatch(ctx, id, ms, ps, nil); err != nil {
		t.Fatalf("repeated batch: %v", err)
	}
	// Changing a param is refused by the server with a typed error.
	err = c.LogParam(ctx, id, "p001", "changed")
	var apiErr *mlflow.APIError
	if !errors.As(err, &apiErr) || apiErr.Code != mlflow.CodeInvalidParameterValue {
		t.Errorf("changing a param: err = %v, want INVALID_PARAMETER_VALUE", err)
	}

	hist, err := c.GetMetricHistory(ctx, id, "loss")
	if err != nil {
		t.Fatal(err)
	}
	if len(hist) != 2500 {
		t.Errorf("history has %d points, want 2500 (repeat must not duplicate)", len(hist))
	}
	for _, m := range hist {
		if want := 1 / float64(m.Step+1); m.Value != want || m.Timestamp != t0+m.Step {
			t.Fatalf("point %+v, want value %v timestamp %d", m, want, t0+m.Step)
		}
	}
	odd, err := c.GetMetricHistory(ctx, id, "odd")
	if err != nil {
		t.Fatal(err)
	}
	got := map[int64]float64{}
	for _, m := range odd {
		got[m.Step] = m.Value
	}
	// The SQL stores keep NaN but clamp ±Inf to ±MaxFloat64
	// (sqlalchemy_store.sanitize_metric_value), as for the Python client.
	if len(odd) != 3 || !math.IsNaN(got[0]) || got[1] != math.MaxFloat64 || got[2] != -math.MaxFloat64 {
		t.Errorf("non-finite history = %+v", odd)
	}

	if err := c.EndRun(ctx, child.Info.RunID, mlflow.StatusFailed); err != nil {
		t.Fatal(err)
	}
	if err := c.EndRun(ctx, id, ""); err != nil {
		t.Fatal(err)
	}
	r, err := c.GetRun(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if r.Info.Status != mlflow.StatusFinished || r.Info.EndTime == 0 || r.Info.RunName != "parent" {
		t.Errorf("run info = %+v", r.Info)
	}
	if len(r.Data.Params) != 150 {
		t.Errorf("%d params, want 150", len(r.Data.Params))
	}
	for _, k := range []string{mlflow.TagUser, mlflow.TagSourceName, mlflow.TagSourceType, mlflow.TagGitCommit, mlflow.TagRunName, "team", "stage"} {
		if v, ok := r.Tag(k); !ok || v == "" {
			t.Errorf("tag %s missing", k)
		}
	}
	if v, _ := r.Tag(mlflow.TagSourceType); v != "LOCAL" {
		t.Errorf("source type %q", v)
	}

	// Search: the nested child by its parent tag, and by metric filter.
	kids, err := c.SearchRuns(ctx, []string{exp.ID}, mlflow.SearchRunsOptions{Filter: "tags.mlflow.parentRunId = '" + id + "'"})
	if err != nil {
		t.Fatal(err)
	}
	if len(kids) != 1 || kids[0].Info.RunID != child.Info.RunID || kids[0].Info.Status != mlflow.StatusFailed {
		t.Errorf("children = %+v", kids)
	}
	found, err := c.SearchRuns(ctx, []string{exp.ID}, mlflow.SearchRunsOptions{Filter: "metrics.loss < 0.001 and params.p001 = '1'"})
	if err != nil {
		t.Fatal(err)
	}
	if len(found) != 1 || found[0].Info.RunID != id {
		t.Errorf("search by metric found %d runs", len(found))
	}
	// Unknown run: typed not-found error.
	if _, err := c.GetRun(ctx, "0123456789abcdef0123456789abcdef"); !errors.Is(err, mlflow.ErrNotFound) {
		t.Errorf("missing run: err = %v, want ErrNotFound", err)
	}
}

// TestOpenFromEnv: Open reads MLFLOW_TRACKING_URI and MLFLOW_EXPERIMENT_NAME
// like the Python client.
func TestOpenFromEnv(t *testing.T) {
	s := testenv.MLflow(t)
	name := testenv.Name("env")
	t.Setenv("MLFLOW_TRACKING_URI", s.URL)
	t.Setenv("MLFLOW_EXPERIMENT_NAME", name)
	t.Setenv("MLFLOW_HTTP_REQUEST_MAX_RETRIES", "2")
	t.Setenv("MLFLOW_HTTP_REQUEST_TIMEOUT", "30")
	ctx := context.Background()
	run, err := mlflow.Open(ctx, mlflow.Config{SpoolDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	if !run.Online() {
		t.Fatal("not online")
	}
	if err := run.Close(); err != nil {
		t.Fatal(err)
	}
	c, err := mlflow.NewFromEnv()
	if err != nil {
		t.Fatal(err)
	}
	exp, err := c.GetExperimentByName(ctx, name)
	if err != nil || exp.ID != run.ExperimentID() {
		t.Errorf("experiment %q: %+v, %v (run in %s)", name, exp, err, run.ExperimentID())
	}
}
