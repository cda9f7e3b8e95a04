package mlflow_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"sync/atomic"
	"testing"
	"time"

	"github.com/mlstack/mlstack/internal/testenv"
	"github.com/mlstack/mlstack/pkg/mlflow"
)

// TestServerOutageMidRun puts a switchable reverse proxy in front of the
// real server: the run starts online, the server "goes away" (503) while
// metrics keep coming, Close leaves the rest in the spool (ErrSpooled),
// and Sync, once the server is back, completes the same run with no
// point missing or doubled.
func TestServerOutageMidRun(t *testing.T) {
	s := testenv.MLflow(t)
	target, _ := url.Parse(s.URL)
	var down atomic.Bool
	rp := httputil.NewSingleHostReverseProxy(target)
	proxy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if down.Load() {
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		rp.ServeHTTP(w, r)
	}))
	defer proxy.Close()

	ctx := context.Background()
	spool := t.TempDir()
	opts := &mlflow.Options{MaxRetries: 1, RetryBaseDelay: 10 * time.Millisecond}
	run, err := mlflow.Open(ctx, mlflow.Config{TrackingURI: proxy.URL, ExperimentName: testenv.Name("outage"), SpoolDir: spool,
		FlushInterval: 100 * time.Millisecond, CloseTimeout: 2 * time.Second, Options: opts})
	if err != nil {
		t.Fatal(err)
	}
	for i := range 1000 {
		run.LogMetric("m", float64(i), int64(i))
	}
	if err := run.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	down.Store(true)
	for i := 1000; i < 2500; i++ {
		run.LogMetric("m", float64(i), int64(i))
	}
	run.LogParam("late", "yes")
	if err := run.LogArtifactBytes(ctx, "during/outage.txt", []byte("spooled")); err != nil {
		t.Fatalf("artifact during outage: %v", err)
	}
	if err := run.Close(); !errors.Is(err, mlflow.ErrSpooled) {
		t.Fatalf("Close during outage = %v, want ErrSpooled", err)
	}
	down.Store(false)
	c, err := mlflow.New(proxy.URL, opts)
	if err != nil {
		t.Fatal(err)
	}
	res, err := mlflow.Sync(ctx, c, spool)
	if err != nil || len(res) != 1 || !res[0].Done || res[0].RunID != run.ID() {
		t.Fatalf("sync = %+v, %v (run %s)", res, err, run.ID())
	}
	h, err := c.GetMetricHistory(ctx, run.ID(), "m")
	if err != nil || len(h) != 2500 {
		t.Fatalf("server has %d points, want 2500 (%v)", len(h), err)
	}
	r, err := c.GetRun(ctx, run.ID())
	if err != nil {
		t.Fatal(err)
	}
	if v, _ := r.Param("late"); v != "yes" || r.Info.Status != mlflow.StatusFinished {
		t.Errorf("run after sync: param late=%q status %s", v, r.Info.Status)
	}
	b, err := c.RunArtifacts(ctx, run.ID())
	if err != nil {
		t.Fatal(err)
	}
	if data, err := b.ReadFile(ctx, "during/outage.txt"); err != nil || string(data) != "spooled" {
		t.Errorf("artifact after sync = %q, %v", data, err)
	}
}
