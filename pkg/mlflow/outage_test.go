package mlflow_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strings"
	"sync"
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

// notices collects a Run's Logf messages.
type notices struct {
	mu   sync.Mutex
	msgs []string
}

func (n *notices) logf(format string, args ...any) {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.msgs = append(n.msgs, fmt.Sprintf(format, args...))
}

func (n *notices) all() []string {
	n.mu.Lock()
	defer n.mu.Unlock()
	return append([]string(nil), n.msgs...)
}

// TestMLflowKilledMidRun kills the tracking server (SIGKILL, its workers
// too) while a run trains, with the defaults train uses. The run must not
// wait on the dead server for more than 30 s in all, print one warning
// naming the server and the error, and lose nothing: once the server is
// back, Sync completes the run with every point, the artifact and one
// READY model.
func TestMLflowKilledMidRun(t *testing.T) {
	s := testenv.NewMLflow(t)
	ctx := context.Background()
	spool := t.TempDir()
	var note notices
	exp := testenv.Name("killed")
	run, err := mlflow.Open(ctx, mlflow.Config{TrackingURI: s.URL, ExperimentName: exp, RunName: "killed", SpoolDir: spool, Logf: note.logf})
	if err != nil {
		t.Fatal(err)
	}
	loseServerMidRun(t, ctx, run, "the kill", func() { s.Kill(t) })
	msgs := note.all()
	if len(msgs) != 1 || !strings.Contains(msgs[0], s.URL) || !strings.Contains(msgs[0], "connection refused") {
		t.Errorf("notices = %q, want one naming %s and the error", msgs, s.URL)
	}
	if run.Online() || run.ServerError() == nil {
		t.Errorf("after the kill: online %v, ServerError %v", run.Online(), run.ServerError())
	}

	s.Restart(t)
	c := newClient(t, s)
	syncComplete(t, ctx, c, spool, run.ID(), "the kill")
}

// loseServerMidRun logs to run as train does while lose takes its server
// away: a parameter and 1000 loss points delivered, then lose, then 2000
// more points (one every 2 ms), an artifact, a model and End, which must
// all go to the spool. It fails t if losing the server cost the run more
// than 30 s beyond that training. what names the loss in messages and in
// the artifact ("the kill").
func loseServerMidRun(t *testing.T, ctx context.Context, run *mlflow.Run, what string, lose func()) {
	t.Helper()
	train := func(from, to int) {
		for i := from; i < to; i++ {
			run.LogMetric("loss", 1/float64(i+1), int64(i))
			time.Sleep(2 * time.Millisecond)
		}
	}
	run.LogParam("depth", 4)
	train(0, 1000)
	if err := run.Flush(ctx); err != nil || !run.Online() {
		t.Fatalf("before %s: Flush = %v, online %v", what, err, run.Online())
	}
	lose()
	lost := time.Now()
	train(1000, 3000)
	trained := time.Now()
	if err := run.LogArtifactBytes(ctx, "report.txt", []byte("after "+what)); err != nil {
		t.Fatalf("LogArtifact after %s: %v", what, err)
	}
	info, err := run.LogModel(ctx, mlflow.XGBoostModel{JSON: tinyBooster}, mlflow.LogModelOptions{})
	if err != nil || info.ModelID != "" {
		t.Fatalf("LogModel after %s = %+v, %v; want it spooled", what, info, err)
	}
	if err := run.End(ctx, ""); !errors.Is(err, mlflow.ErrSpooled) {
		t.Fatalf("End = %v, want ErrSpooled", err)
	}
	waited := time.Since(lost) - trained.Sub(lost)
	t.Logf("training went on for %v after %s; the run waited %v more for the server", trained.Sub(lost).Round(time.Millisecond), what, waited.Round(time.Millisecond))
	if waited > 30*time.Second {
		t.Errorf("%s cost the run %v, want at most 30 s", what, waited)
	}
}

// syncComplete sends the spool of a run that lost its server
// (loseServerMidRun) to c and checks that nothing was lost: the run done
// with its 3000 points, its artifact and its one READY model.
func syncComplete(t *testing.T, ctx context.Context, c *mlflow.Client, spool, runID, what string) {
	t.Helper()
	res, err := mlflow.Sync(ctx, c, spool)
	if err != nil || len(res) != 1 || !res[0].Done || res[0].RunID != runID || res[0].Artifacts != 1 || res[0].Models != 1 {
		t.Fatalf("sync = %+v, %v", res, err)
	}
	checkComplete(t, c, runID, 3000)
	st, err := c.RunArtifacts(ctx, runID)
	if err != nil {
		t.Fatal(err)
	}
	if b, err := st.ReadFile(ctx, "report.txt"); err != nil || string(b) != "after "+what {
		t.Errorf("artifact after sync = %q, %v", b, err)
	}
}

// checkComplete checks a synced run: FINISHED, n loss points, the param,
// and exactly one logged model, READY.
func checkComplete(t *testing.T, c *mlflow.Client, runID string, n int) {
	t.Helper()
	ctx := context.Background()
	r, err := c.GetRun(ctx, runID)
	if err != nil {
		t.Fatal(err)
	}
	h, err := c.GetMetricHistory(ctx, runID, "loss")
	if v, _ := r.Param("depth"); err != nil || len(h) != n || v != "4" || r.Info.Status != mlflow.StatusFinished {
		t.Errorf("run: %d loss points (want %d), depth=%q, status %s, %v", len(h), n, v, r.Info.Status, err)
	}
	models, err := c.SearchLoggedModels(ctx, r.Info.ExperimentID, "name = 'model'")
	if err != nil {
		t.Fatal(err)
	}
	var mine []string
	for _, m := range models {
		if m.SourceRunID == runID {
			mine = append(mine, m.ModelID+" "+m.Status)
		}
	}
	if len(mine) != 1 || !strings.HasSuffix(mine[0], mlflow.ModelReady) {
		t.Errorf("logged models of the run = %v, want one READY", mine)
	}
}

// TestLostLoggedModelResponse puts a fault-injecting proxy in front of
// the real server: it forwards the run's POST logged-models, then drops
// the answer (the model exists on the server, PENDING, but the client
// never hears of it). Whether the sender retries when the server answers
// again during the run, or Sync after the run, the run ends with exactly
// one logged model, READY.
func TestLostLoggedModelResponse(t *testing.T) {
	s := testenv.MLflow(t)
	target, _ := url.Parse(s.URL)
	rp := httputil.NewSingleHostReverseProxy(target)
	for _, tc := range []struct {
		name     string
		stayDown bool // the server stays unreachable until after End
	}{{"sync", true}, {"live", false}} {
		t.Run(tc.name, func(t *testing.T) {
			var lost, down atomic.Bool
			proxy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				drop := func() {
					conn, _, err := w.(http.Hijacker).Hijack()
					if err == nil {
						conn.Close()
					}
				}
				if down.Load() {
					drop()
					return
				}
				if r.Method == "POST" && r.URL.Path == "/api/2.0/mlflow/logged-models" && lost.CompareAndSwap(false, true) {
					rp.ServeHTTP(httptest.NewRecorder(), r) // the server creates the model...
					down.Store(tc.stayDown)
					drop() // ...and its answer is lost
					return
				}
				rp.ServeHTTP(w, r)
			}))
			defer proxy.Close()
			ctx := context.Background()
			spool := t.TempDir()
			var note notices
			run, err := mlflow.Open(ctx, mlflow.Config{TrackingURI: proxy.URL, ExperimentName: testenv.Name("lost"), SpoolDir: spool,
				Logf: note.logf})
			if err != nil {
				t.Fatal(err)
			}
			run.LogParam("depth", 4)
			for i := range 100 {
				run.LogMetric("loss", float64(i), int64(i))
			}
			info, err := run.LogModel(ctx, mlflow.XGBoostModel{JSON: tinyBooster}, mlflow.LogModelOptions{})
			if err != nil || info.ModelID != "" || !lost.Load() {
				t.Fatalf("LogModel with a lost answer = %+v, %v (lost %v); want it spooled", info, err, lost.Load())
			}
			c := newClient(t, s)
			// The lost answer left a model on the server; while the
			// server is unreachable it stays PENDING (live, the sender
			// may already be finishing it).
			pending, err := c.SearchLoggedModels(ctx, run.ExperimentID(), "name = 'model'")
			if err != nil || len(pending) != 1 || (tc.stayDown && pending[0].Status != mlflow.ModelPending) {
				t.Fatalf("after the lost answer the server has %+v, %v; want one PENDING model", pending, err)
			}
			if !tc.stayDown {
				time.Sleep(1500 * time.Millisecond) // the probe finds the server again
			}
			err = run.End(ctx, "")
			if tc.stayDown {
				if !errors.Is(err, mlflow.ErrSpooled) {
					t.Fatalf("End = %v, want ErrSpooled", err)
				}
				down.Store(false)
				pc, err := mlflow.New(proxy.URL, &mlflow.Options{MaxRetries: 2, RetryBaseDelay: 100 * time.Millisecond})
				if err != nil {
					t.Fatal(err)
				}
				res, err := mlflow.Sync(ctx, pc, spool)
				if err != nil || len(res) != 1 || !res[0].Done || res[0].Models != 1 {
					t.Fatalf("sync = %+v, %v", res, err)
				}
			} else if err != nil {
				t.Fatalf("End after the server came back = %v", err)
			} else if ms := run.LoggedModels(); len(ms) != 1 || ms[0].ModelID == "" || ms[0].PageURL == "" {
				t.Errorf("LoggedModels after End = %+v, want the delivered model", ms)
			}
			checkComplete(t, c, run.ID(), 100)
			if msgs := note.all(); len(msgs) == 0 || !strings.Contains(msgs[0], proxy.URL) {
				t.Errorf("notices = %q", msgs)
			}
		})
	}
}
