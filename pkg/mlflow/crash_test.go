package mlflow_test

import (
	"context"
	"errors"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/mlstack/mlstack/internal/crash"
	"github.com/mlstack/mlstack/internal/testenv"
	"github.com/mlstack/mlstack/pkg/mlflow"
)

// wantPanic checks that err reports a panic of the named goroutine as a
// *crash.PanicError, alone: not hidden behind ErrSpooled, which train
// treats as a success.
func wantPanic(t *testing.T, what string, err error, worker string) {
	t.Helper()
	var pe *crash.PanicError
	if !errors.As(err, &pe) || !strings.Contains(err.Error(), worker+": internal error: panic:") {
		t.Errorf("%s = %v, want the panic of %s as a *crash.PanicError", what, err, worker)
	}
	if errors.Is(err, mlflow.ErrSpooled) {
		t.Errorf("%s = %v wraps ErrSpooled", what, err)
	}
}

// A panic in the run's sender (a bug) does not crash the program: Flush
// and End return it for the command to report (exit status 3), and what
// the sender did not send, End still delivers.
func TestSenderPanic(t *testing.T) {
	s := testenv.MLflow(t)
	undo := crash.PanicIn("mlflow: sender")
	defer undo()
	ctx := context.Background()
	run, err := mlflow.Open(ctx, mlflow.Config{TrackingURI: s.URL, ExperimentName: testenv.Name("panic"), SpoolDir: t.TempDir(),
		FlushInterval: 10 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	run.LogParam("depth", 4)
	for i := range 50 {
		run.LogMetric("loss", float64(i), int64(i))
	}
	wantPanic(t, "Flush", run.Flush(ctx), "mlflow: sender")
	wantPanic(t, "End", run.End(ctx, ""), "mlflow: sender")
	c := newClient(t, s)
	h, err := c.GetMetricHistory(ctx, run.ID(), "loss")
	if err != nil || len(h) != 50 {
		t.Errorf("the server has %d points, want 50 (%v)", len(h), err)
	}
}

// So does a panic in the system metrics sampler, or in the probe that
// watches a lost server.
func TestBackgroundPanics(t *testing.T) {
	ctx := context.Background()
	t.Run("system metrics", func(t *testing.T) {
		undo := crash.PanicIn("mlflow: system metrics")
		defer undo()
		run, err := mlflow.Open(ctx, mlflow.Config{Offline: true, SpoolDir: t.TempDir(), SystemMetrics: true, SystemMetricsInterval: 10 * time.Millisecond})
		if err != nil {
			t.Fatal(err)
		}
		run.LogMetric("loss", 1, 0)
		wantPanic(t, "End", run.End(ctx, ""), "mlflow: system metrics")
	})
	t.Run("probe", func(t *testing.T) {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		closed := "http://" + l.Addr().String()
		l.Close() // nothing listens there: connections are refused
		undo := crash.PanicIn("mlflow: probe")
		defer undo()
		run, err := mlflow.Open(ctx, mlflow.Config{TrackingURI: closed, SpoolDir: t.TempDir(), ConnectTimeout: 500 * time.Millisecond,
			Options: &mlflow.Options{MaxRetries: -1}})
		if err != nil {
			t.Fatal(err)
		}
		run.LogMetric("loss", 1, 0)
		wantPanic(t, "End", run.End(ctx, ""), "mlflow: probe")
	})
}

// A panic in one of the log-batch requests a big LogBatch sends in
// parallel is LogBatch's error.
func TestLogBatchPanic(t *testing.T) {
	undo := crash.PanicIn("mlflow: log-batch")
	defer undo()
	c, err := mlflow.New("http://127.0.0.1:1", nil) // never reached: every request panics first
	if err != nil {
		t.Fatal(err)
	}
	metrics := make([]mlflow.Metric, 2500)
	for i := range metrics {
		metrics[i] = mlflow.Metric{Key: "m", Value: float64(i), Step: int64(i), Timestamp: 1}
	}
	wantPanic(t, "LogBatch", c.LogBatch(context.Background(), "run", metrics, nil, nil), "mlflow: log-batch")
}
