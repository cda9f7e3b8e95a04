package tune

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"
)

// Optimize runs NTrials trials at most Parallelism at a time, prunes
// through report, records failures and calls OnTrial once per trial.
func TestOptimize(t *testing.T) {
	space := Space{{"x", Float{Low: -2, High: 2}}, {"bad", Categorical{Choices: []any{false, true}}}}
	st, _ := NewStudy(space, Minimize, NewTPE(5), NewMedian())
	var running, peak atomic.Int32
	var logged []int
	obj := func(ctx context.Context, tr Trial, report Report) (Result, error) {
		n := running.Add(1)
		defer running.Add(-1)
		for p := peak.Load(); n > p && !peak.CompareAndSwap(p, n); p = peak.Load() {
		}
		time.Sleep(time.Millisecond)
		if tr.Params["bad"].(bool) && tr.Number%3 == 0 {
			return Result{}, errors.New("cannot read s3://data/x.csv")
		}
		x := tr.Params["x"].(float64)
		for fold := range 5 {
			if report(fold, x*x+float64(fold)/10) {
				return Result{}, ErrPruned
			}
		}
		return Result{Value: x * x, Metrics: map[string]float64{"roc_auc_mean": 1 - x*x}}, nil
	}
	err := Optimize(context.Background(), st, obj, Options{NTrials: 40, Parallelism: 3, OnTrial: func(tr Trial) {
		if !tr.State.Finished() {
			t.Errorf("OnTrial with a running trial %d", tr.Number)
		}
		logged = append(logged, tr.Number)
	}})
	if err != nil {
		t.Fatal(err)
	}
	c := st.Counts()
	if len(st.Trials()) != 40 || len(logged) != 40 || c[Running] != 0 {
		t.Fatalf("%d trials, %d logged, counts %v", len(st.Trials()), len(logged), c)
	}
	if c[Fail] == 0 || c[Pruned] == 0 || c[Complete] == 0 {
		t.Errorf("counts %v: want failed, pruned and complete trials", c)
	}
	if p := peak.Load(); p > 3 || p < 2 {
		t.Errorf("peak parallelism %d, want 2..3", p)
	}
	for _, tr := range st.Trials() {
		if tr.State == Fail && tr.Err != "cannot read s3://data/x.csv" {
			t.Errorf("trial %d failed with %q", tr.Number, tr.Err)
		}
		if tr.State == Complete && tr.Metrics["roc_auc_mean"] != 1-tr.Value {
			t.Errorf("trial %d metrics %v", tr.Number, tr.Metrics)
		}
	}
}

func TestOptimizeStops(t *testing.T) {
	space := Space{{"k", Int{Low: 1, High: 4}}}
	slow := func(ctx context.Context, tr Trial, _ Report) (Result, error) {
		select {
		case <-time.After(20 * time.Millisecond):
		case <-ctx.Done():
			return Result{}, ctx.Err()
		}
		return Result{Value: float64(tr.Params["k"].(int))}, nil
	}
	t.Run("grid ends", func(t *testing.T) {
		g, _ := NewGrid(space, 1, 100)
		st, _ := NewStudy(space, Minimize, g, nil)
		if err := Optimize(context.Background(), st, slow, Options{Parallelism: 2}); err != nil {
			t.Fatal(err)
		}
		if n := len(st.Trials()); n != 4 {
			t.Errorf("%d trials, want the grid's 4", n)
		}
	})
	t.Run("timeout", func(t *testing.T) {
		st, _ := NewStudy(space, Minimize, NewRandom(1), nil)
		if err := Optimize(context.Background(), st, slow, Options{Timeout: 100 * time.Millisecond}); err != nil {
			t.Fatal(err)
		}
		if n := len(st.Trials()); n < 2 || n > 7 {
			t.Errorf("%d trials in 100 ms of 20 ms trials", n)
		}
	})
	t.Run("cancel", func(t *testing.T) {
		st, _ := NewStudy(space, Minimize, NewRandom(1), nil)
		ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
		defer cancel()
		err := Optimize(ctx, st, slow, Options{NTrials: 1000, Parallelism: 2})
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("Optimize = %v, want the context's error", err)
		}
		if c := st.Counts(); c[Running] != 0 {
			t.Errorf("running trials left: %v", c)
		}
	})
	t.Run("no bound", func(t *testing.T) {
		st, _ := NewStudy(space, Minimize, NewRandom(1), nil)
		if err := Optimize(context.Background(), st, slow, Options{}); err == nil {
			t.Fatal("a search with neither n_trials nor timeout ran")
		}
	})
}
