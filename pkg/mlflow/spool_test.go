package mlflow_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/mlstack/mlstack/internal/testenv"
	"github.com/mlstack/mlstack/pkg/mlflow"
)

// offlineRun writes a parent run with a nested child, params, 1500 metric
// points, an artifact and a model to the spool.
func offlineRun(t *testing.T, spool, exp string, model []byte) {
	t.Helper()
	ctx := context.Background()
	run, err := mlflow.Open(ctx, mlflow.Config{Offline: true, SpoolDir: spool, ExperimentName: exp, RunName: "offline-parent"})
	if err != nil {
		t.Fatal(err)
	}
	run.LogParams(map[string]any{"depth": 3, "eta": 0.3})
	for i := range 1500 {
		run.LogMetric("loss", 1/float64(i+1), int64(i))
	}
	run.LogMetric("odd", math.NaN(), 0)
	run.SetTag("phase", "offline")
	if err := run.LogArtifactBytes(ctx, "reports/summary.txt", []byte("ok")); err != nil {
		t.Fatal(err)
	}
	if _, err := run.LogModel(ctx, mlflow.XGBoostModel{JSON: []byte(`{"learner":{},"version":[3,2,0]}`)}, mlflow.LogModelOptions{RegisteredModelName: "x", Alias: "latest"}); !errors.Is(err, mlflow.ErrInvalid) {
		t.Errorf("reserved alias: %v", err)
	}
	if model != nil {
		if _, err := run.LogModel(ctx, mlflow.XGBoostModel{JSON: model}, mlflow.LogModelOptions{RegisteredModelName: exp + "-reg", Alias: "prod"}); err != nil {
			t.Fatal(err)
		}
	}
	child, err := run.Child(ctx, "offline-child")
	if err != nil {
		t.Fatal(err)
	}
	child.LogMetric("fold_auc", 0.8, 0)
	if err := child.End(ctx, mlflow.StatusFinished); err != nil {
		t.Fatal(err)
	}
	if err := run.Close(); err != nil {
		t.Fatal(err)
	}
}

// serverCounts returns what the server holds for the synced experiment.
func serverCounts(t *testing.T, c *mlflow.Client, exp string) string {
	t.Helper()
	ctx := context.Background()
	e, err := c.GetExperimentByName(ctx, exp)
	if err != nil {
		t.Fatal(err)
	}
	runs, err := c.SearchRuns(ctx, []string{e.ID}, mlflow.SearchRunsOptions{OrderBy: []string{"attributes.start_time ASC"}})
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	for _, r := range runs {
		h, err := c.GetMetricHistory(ctx, r.Info.RunID, "loss")
		if err != nil {
			t.Fatal(err)
		}
		parent, _ := r.Tag(mlflow.TagParentRun)
		arts, err := c.ListArtifacts(ctx, r.Info.RunID, "reports")
		if err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(&b, "%s status=%s params=%d loss=%d nested=%v artifacts=%d outputs=%d; ", r.Info.RunName, r.Info.Status,
			len(r.Data.Params), len(h), parent != "", len(arts), len(r.Outputs.ModelOutputs))
	}
	models, err := c.SearchLoggedModels(ctx, e.ID, "")
	if err != nil {
		t.Fatal(err)
	}
	fmt.Fprintf(&b, "logged models=%d", len(models))
	if vs, err := c.SearchModelVersions(ctx, "name = '"+exp+"-reg'"); err == nil {
		fmt.Fprintf(&b, " versions=%d", len(vs))
	}
	return b.String()
}

func TestSpoolSyncExactlyOnce(t *testing.T) {
	for _, be := range backends {
		t.Run(be.name, func(t *testing.T) {
			s := be.start(t)
			ctx := context.Background()
			var model []byte
			var tr trained
			if be.name == "sqlite" {
				tr = trainInPython(t)
				model = tr.JSON
			}
			spool, exp := t.TempDir(), testenv.Name("spool")
			offlineRun(t, spool, exp, model)
			c := newClient(t, s)

			res, err := mlflow.Sync(ctx, c, spool)
			if err != nil {
				t.Fatal(err)
			}
			if len(res) != 2 || !res[0].Done || !res[1].Done || res[0].RunID == "" {
				t.Fatalf("first sync = %+v", res)
			}
			want := serverCounts(t, c, exp)
			nModels := 0
			if model != nil {
				nModels = 1
			}
			wantStr := fmt.Sprintf("offline-parent status=FINISHED params=2 loss=1500 nested=false artifacts=1 outputs=%d; "+
				"offline-child status=FINISHED params=0 loss=0 nested=true artifacts=0 outputs=0; logged models=%d", nModels, nModels)
			if !strings.HasPrefix(want, wantStr) {
				t.Fatalf("after sync:\n got %s\nwant %s", want, wantStr)
			}
			t.Logf("after first sync: %s", want)
			if model != nil { // the spooled model loads in Python once synced
				checkInPython(t, s, tr, res[0].RunID, exp+"-reg", "prod")
			}

			// Running sync again sends nothing.
			res, err = mlflow.Sync(ctx, c, spool)
			if err != nil || len(res) != 0 {
				t.Fatalf("second sync = %+v, %v", res, err)
			}
			// A crash after the server got everything but before state.json
			// was saved: roll the state back to "run created" and replay.
			for _, r := range mustInspect(t, spool) {
				stPath := filepath.Join(spool, r.LocalID, "state.json")
				b, _ := os.ReadFile(stPath)
				b = []byte(strings.Replace(strings.Replace(string(b), fmt.Sprintf(`"acked": %d`, r.Acked), `"acked": 1`, 1), `"done": true`, `"done": false`, 1))
				os.WriteFile(stPath, b, 0o644)
			}
			// And one before even the run id was saved.
			first := mustInspect(t, spool)[0]
			os.WriteFile(filepath.Join(spool, first.LocalID, "state.json"), []byte(`{"acked": 0}`), 0o644)
			res, err = mlflow.Sync(ctx, c, spool)
			if err != nil || len(res) != 2 || res[0].Applied == 0 {
				t.Fatalf("replay after simulated crash = %+v, %v", res, err)
			}
			if got := serverCounts(t, c, exp); got != want {
				t.Errorf("replay duplicated data:\n got %s\nwant %s", got, want)
			}
		})
	}
}

func mustInspect(t *testing.T, spool string) []mlflow.SpoolRun {
	t.Helper()
	rs, err := mlflow.InspectSpool(spool)
	if err != nil {
		t.Fatal(err)
	}
	return rs
}

func TestFallbackToSpool(t *testing.T) {
	ctx := context.Background()
	spool := t.TempDir()
	// Nothing listens on this port: Open falls back to the spool.
	run, err := mlflow.Open(ctx, mlflow.Config{TrackingURI: "http://127.0.0.1:1", SpoolDir: spool, ExperimentName: testenv.Name("fb"),
		ConnectTimeout: time.Second, Options: &mlflow.Options{MaxRetries: 1, RetryBaseDelay: 10 * time.Millisecond}})
	if err != nil {
		t.Fatal(err)
	}
	if run.Online() {
		t.Fatal("run is online with no server")
	}
	run.LogParam("a", 1)
	run.LogMetric("m", 1, 0)
	err = run.Close()
	if !errors.Is(err, mlflow.ErrSpooled) {
		t.Errorf("Close = %v, want ErrSpooled", err)
	}
	rs := mustInspect(t, spool)
	if len(rs) != 1 || rs[0].Params != 1 || rs[0].Metrics != 1 || !rs[0].Ended {
		t.Errorf("spool = %+v", rs)
	}
	// Errors that waiting would not fix are returned, not spooled.
	for _, uri := range []string{"ftp://127.0.0.1/x", "sqlite:///mlflow.db"} {
		if _, err := mlflow.Open(ctx, mlflow.Config{TrackingURI: uri, SpoolDir: spool}); !errors.Is(err, mlflow.ErrUnsupportedURI) {
			t.Errorf("Open(%s) = %v, want ErrUnsupportedURI", uri, err)
		}
	}
}

// TestKilledProcessLosesAtMostOneSecond runs a child process that logs
// metrics, waits 1.5 s (more than the flush interval), logs more and is
// SIGKILLed at once. The journal must hold everything logged before the
// wait; Sync then sends it and ends the run as KILLED (no process can end
// it any more), at the time the journal was last written.
func TestKilledProcessLosesAtMostOneSecond(t *testing.T) {
	if dir := os.Getenv("MLFLOW_TEST_KILL_SPOOL"); dir != "" {
		run, err := mlflow.Open(context.Background(), mlflow.Config{Offline: true, SpoolDir: dir, ExperimentName: os.Getenv("MLFLOW_TEST_KILL_EXP")})
		if err != nil {
			panic(err)
		}
		run.LogParam("p", "v")
		for i := range 500 {
			run.LogMetric("m", float64(i), int64(i))
		}
		time.Sleep(1500 * time.Millisecond)
		run.LogMetric("late", 1, 0) // may be lost
		syscall.Kill(os.Getpid(), syscall.SIGKILL)
		select {}
	}
	spool, exp := t.TempDir(), testenv.Name("kill")
	cmd := exec.Command(os.Args[0], "-test.run=^TestKilledProcessLosesAtMostOneSecond$")
	cmd.Env = append(os.Environ(), "MLFLOW_TEST_KILL_SPOOL="+spool, "MLFLOW_TEST_KILL_EXP="+exp)
	err := cmd.Run()
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.Sys().(syscall.WaitStatus).Signal() != syscall.SIGKILL {
		t.Fatalf("child: %v", err)
	}
	rs := mustInspect(t, spool)
	if len(rs) != 1 || rs[0].Params != 1 || rs[0].Metrics < 500 || rs[0].Ended {
		t.Fatalf("spool after kill = %+v", rs)
	}
	s := testenv.MLflow(t)
	c := newClient(t, s)
	res, err := mlflow.Sync(context.Background(), c, spool)
	if err != nil || len(res) != 1 || !res[0].Done || !res[0].Killed || res[0].Points < 500 {
		t.Fatalf("sync = %+v, %v (want the run sent and ended as KILLED)", res, err)
	}
	h, err := c.GetMetricHistory(context.Background(), res[0].RunID, "m")
	if err != nil || len(h) != 500 {
		t.Errorf("server has %d points of m, want 500 (%v)", len(h), err)
	}
	r, err := c.GetRun(context.Background(), res[0].RunID)
	if err != nil {
		t.Fatal(err)
	}
	fi, _ := os.Stat(filepath.Join(spool, res[0].LocalID, "journal.jsonl"))
	if v, _ := r.Param("p"); r.Info.Status != mlflow.StatusKilled || v != "v" || r.Info.EndTime != fi.ModTime().UnixMilli() {
		t.Errorf("run after sync: status %s, param p=%q, end %d (journal written at %d)", r.Info.Status, v, r.Info.EndTime, fi.ModTime().UnixMilli())
	}
	if res, err := mlflow.Sync(context.Background(), c, spool); err != nil || len(res) != 0 {
		t.Errorf("second sync = %+v, %v; want nothing left", res, err)
	}
}

// TestOnlineRun logs through a live Run: params, 3000 metrics, tags, an
// artifact and a nested run, and checks the server and the journal agree.
func TestOnlineRun(t *testing.T) {
	s := testenv.MLflowPostgres(t)
	ctx := context.Background()
	spool := t.TempDir()
	run, err := mlflow.Open(ctx, mlflow.Config{TrackingURI: s.URL, ExperimentName: testenv.Name("online"), RunName: "live",
		SpoolDir: spool, Tags: map[string]string{"kind": "test"}})
	if err != nil {
		t.Fatal(err)
	}
	for i := range 3000 {
		run.LogMetric("loss", float64(i), int64(i))
	}
	run.LogParam("n", 3000)
	if err := run.LogParam("n", 1); !errors.Is(err, mlflow.ErrInvalid) {
		t.Errorf("changing a param: %v", err)
	}
	if err := run.LogArtifactBytes(ctx, "a/b.txt", []byte("b")); err != nil {
		t.Fatal(err)
	}
	child, err := run.Child(ctx, "fold-1")
	if err != nil {
		t.Fatal(err)
	}
	child.LogMetric("auc", 0.7, 0)
	if err := child.Close(); err != nil {
		t.Fatal(err)
	}
	if err := run.End(ctx, mlflow.StatusFailed); err != nil {
		t.Fatal(err)
	}
	if err := run.LogMetric("x", 1, 0); !errors.Is(err, mlflow.ErrClosed) {
		t.Errorf("log after End: %v", err)
	}
	c := run.Client()
	r, err := c.GetRun(ctx, run.ID())
	if err != nil {
		t.Fatal(err)
	}
	h, _ := c.GetMetricHistory(ctx, run.ID(), "loss")
	if r.Info.Status != mlflow.StatusFailed || len(h) != 3000 || len(r.Data.Params) != 1 {
		t.Errorf("server run: status %s, %d loss points, %d params", r.Info.Status, len(h), len(r.Data.Params))
	}
	if v, _ := r.Tag("kind"); v != "test" {
		t.Errorf("tag kind = %q", v)
	}
	// The server confirmed everything: neither run keeps its journal.
	if rs := mustInspect(t, spool); len(rs) != 0 {
		t.Errorf("online runs left their journals in the spool: %+v", rs)
	}
	if res, err := mlflow.Sync(ctx, c, spool); err != nil || len(res) != 0 {
		t.Errorf("sync after a clean online run = %+v, %v", res, err)
	}
}

// TestLogArtifactStreams logs a 96 MiB file through a Run, online and
// spooled, then synced: the file is streamed, never read whole (the heap
// grows by much less than its size), and arrives intact.
func TestLogArtifactStreams(t *testing.T) {
	s := testenv.MLflow(t)
	ctx := context.Background()
	const size = 96 << 20
	src := filepath.Join(t.TempDir(), "weights.bin")
	f, err := os.Create(src)
	if err != nil {
		t.Fatal(err)
	}
	for i := range size / (1 << 20) {
		if _, err := f.Write(bytes.Repeat([]byte{byte(i)}, 1<<20)); err != nil {
			t.Fatal(err)
		}
	}
	f.Close()
	allocated := func(fn func() error) uint64 {
		t.Helper()
		var a, b runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&a)
		if err := fn(); err != nil {
			t.Fatal(err)
		}
		runtime.ReadMemStats(&b)
		return b.TotalAlloc - a.TotalAlloc
	}
	for _, online := range []bool{true, false} {
		t.Run(fmt.Sprintf("online=%v", online), func(t *testing.T) {
			spool := t.TempDir()
			uri := s.URL
			if !online {
				uri = "http://127.0.0.1:1"
			}
			run, err := mlflow.Open(ctx, mlflow.Config{TrackingURI: uri, SpoolDir: spool, ExperimentName: testenv.Name("stream"),
				ConnectTimeout: time.Second, Options: &mlflow.Options{MaxRetries: 1, RetryBaseDelay: 10 * time.Millisecond}})
			if err != nil {
				t.Fatal(err)
			}
			if run.Online() != online {
				t.Fatalf("run.Online() = %v", run.Online())
			}
			n := allocated(func() error { return run.LogArtifact(ctx, src, "model") })
			if n > size/4 {
				t.Errorf("LogArtifact of %d MiB allocated %d MiB: the file was read whole", size>>20, n>>20)
			}
			if err := run.Close(); online && err != nil || !online && !errors.Is(err, mlflow.ErrSpooled) {
				t.Fatalf("Close: %v", err)
			}
			c, err := mlflow.New(s.URL, nil)
			if err != nil {
				t.Fatal(err)
			}
			if !online {
				var res []mlflow.SyncedRun
				n := allocated(func() (err error) { res, err = mlflow.Sync(ctx, c, spool); return err })
				if len(res) != 1 || n > size/4 {
					t.Errorf("Sync = %+v, allocated %d MiB", res, n>>20)
				}
			}
			runID := run.ID()
			rs := mustInspect(t, spool)
			switch {
			case online && len(rs) != 0:
				t.Errorf("the online run left its journal: %+v", rs)
			case !online && (len(rs) != 1 || rs[0].RunID == ""):
				t.Fatalf("spool = %+v", rs)
			case !online:
				runID = rs[0].RunID
			}
			dst := t.TempDir()
			got, err := c.DownloadArtifacts(ctx, runID, "model/weights.bin", dst)
			if err != nil {
				t.Fatal(err)
			}
			a, _ := os.ReadFile(src)
			b, _ := os.ReadFile(got)
			if !bytes.Equal(a, b) {
				t.Errorf("downloaded artifact: %d bytes, differs from the %d logged", len(b), len(a))
			}
		})
	}
}
