package mlflow_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/mlstack/mlstack/internal/testenv"
	"github.com/mlstack/mlstack/pkg/mlflow"
)

// TestHangWatch: a request that a server is slow to answer, while its
// /health answers, is waited for past HangTimeout; one that a server
// accepts and never answers, /health included, is abandoned after
// HangTimeout plus the 5 s a /health ask gets at least, as unavailable.
func TestHangWatch(t *testing.T) {
	var hung atomic.Bool
	var asks atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if hung.Load() {
			<-r.Context().Done() // accepted, never answered
			return
		}
		if r.URL.Path == "/health" {
			asks.Add(1)
			w.Write([]byte("OK"))
			return
		}
		time.Sleep(1500 * time.Millisecond)
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(`{"experiment":{"experiment_id":"7","name":"slow"}}`))
	}))
	defer srv.Close()
	c, err := mlflow.New(srv.URL, &mlflow.Options{HangTimeout: 300 * time.Millisecond, MaxRetries: -1})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	start := time.Now()
	exp, err := c.GetExperiment(ctx, "7")
	if err != nil || exp.Name != "slow" {
		t.Fatalf("slow server: %+v, %v", exp, err)
	}
	if took := time.Since(start); took < 1500*time.Millisecond || asks.Load() < 3 {
		t.Errorf("slow server: answered in %v after %d /health asks; want it waited for, /health asked every 300 ms", took, asks.Load())
	}

	hung.Store(true)
	start = time.Now()
	_, err = c.GetExperiment(ctx, "7")
	took := time.Since(start)
	if !mlflow.IsUnavailable(err) || !strings.Contains(err.Error(), "none to GET /health within 5s") {
		t.Errorf("hung server: %v; want it unavailable, saying /health got no answer", err)
	}
	if took < 5300*time.Millisecond || took > 8*time.Second {
		t.Errorf("hung server: gave up after %v, want 0.3 s + 5 s", took)
	}
	t.Logf("hung server: %v after %v", err, took.Round(time.Millisecond))
}

// hangingProxy is a reverse proxy in front of the real server that can
// hang (accept every connection and answer nothing, /health included, as a
// stopped or deadlocked server does) or be slow (hold every answer but
// /health's for a while, as a loaded server does).
type hangingProxy struct {
	*httptest.Server
	hung   atomic.Bool
	slow   atomic.Int64 // delay of every answer but /health's, in ns
	health atomic.Int32 // /health requests seen
}

func newHangingProxy(t *testing.T, s *testenv.MLflowServer) *hangingProxy {
	target, err := url.Parse(s.URL)
	if err != nil {
		t.Fatal(err)
	}
	rp := httputil.NewSingleHostReverseProxy(target)
	p := &hangingProxy{}
	p.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if p.hung.Load() {
			// Until the client gives up; nothing reaches the server. The
			// body is read first: net/http notices a client that hung up
			// only once a request's body is consumed.
			io.Copy(io.Discard, r.Body)
			<-r.Context().Done()
			return
		}
		if r.URL.Path == "/health" {
			p.health.Add(1)
		} else if d := time.Duration(p.slow.Load()); d > 0 {
			time.Sleep(d)
		}
		rp.ServeHTTP(w, r)
	}))
	t.Cleanup(p.Close)
	return p
}

// TestMLflowHungMidRun hangs the tracking server (it accepts connections
// and never answers, /health included) while a run trains, with the
// defaults train uses. The run must not wait on it for more than 30 s in
// all, print one warning naming the server and saying it hangs, and lose
// nothing: Sync, once the server answers again, completes the run with
// every point, the artifact and one READY model.
func TestMLflowHungMidRun(t *testing.T) {
	s := testenv.MLflow(t)
	p := newHangingProxy(t, s)
	ctx := context.Background()
	spool := t.TempDir()
	var note notices
	run, err := mlflow.Open(ctx, mlflow.Config{TrackingURI: p.URL, ExperimentName: testenv.Name("hung"), RunName: "hung", SpoolDir: spool, Logf: note.logf})
	if err != nil {
		t.Fatal(err)
	}
	loseServerMidRun(t, ctx, run, "the hang", func() { p.hung.Store(true) })
	msgs := note.all()
	if len(msgs) != 1 || !strings.Contains(msgs[0], p.URL) || !strings.Contains(msgs[0], "serves none") {
		t.Errorf("notices = %q, want one naming %s and saying it hangs", msgs, p.URL)
	}

	p.hung.Store(false)
	c, err := mlflow.New(p.URL, nil)
	if err != nil {
		t.Fatal(err)
	}
	syncComplete(t, ctx, c, spool, run.ID(), "the hang")
}

// TestMLflowSlowServer: a server that takes 20 s to answer (past
// HangTimeout, within Timeout) but answers /health is slow, not dead: the
// run waits for it and stays online, and nothing goes to the spool.
func TestMLflowSlowServer(t *testing.T) {
	s := testenv.MLflow(t)
	p := newHangingProxy(t, s)
	ctx := context.Background()
	var note notices
	run, err := mlflow.Open(ctx, mlflow.Config{TrackingURI: p.URL, ExperimentName: testenv.Name("slow"), SpoolDir: t.TempDir(), Logf: note.logf})
	if err != nil {
		t.Fatal(err)
	}
	run.LogParam("depth", 4)
	for i := range 100 {
		run.LogMetric("loss", float64(i), int64(i))
	}
	p.slow.Store(int64(20 * time.Second))
	start := time.Now()
	err = run.Flush(ctx)
	took := time.Since(start)
	p.slow.Store(0)
	if err != nil || !run.Online() || len(note.all()) > 0 {
		t.Fatalf("Flush to a slow server = %v (online %v, notices %q); want it waited for", err, run.Online(), note.all())
	}
	if took < 20*time.Second || p.health.Load() == 0 {
		t.Errorf("Flush took %v with %d /health asks; want the 20 s answer waited for, /health asked meanwhile", took, p.health.Load())
	}
	if err := run.End(ctx, ""); err != nil {
		t.Fatalf("End = %v", err)
	}
	c := newClient(t, s)
	if h, err := c.GetMetricHistory(ctx, run.ID(), "loss"); err != nil || len(h) != 100 {
		t.Errorf("the server has %d points, want 100 (%v)", len(h), err)
	}
}
