package tune

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"math"
	"sync"
	"time"

	"github.com/mlstack/mlstack/internal/crash"
)

// ErrPruned is what an Objective returns when report told it to stop.
var ErrPruned = errors.New("tune: trial pruned")

// A Report sends a trial's intermediate value at step (for a
// cross-validated score: the running mean after fold step) and says
// whether the pruner stops the trial; the objective then returns
// ErrPruned.
type Report func(step int, value float64) (prune bool)

// A Result is what an objective measured: the value the study optimises
// and any other metrics to keep with the trial.
type Result struct {
	Value   float64
	Metrics map[string]float64
}

// An Objective evaluates one trial. An error other than ErrPruned fails
// the trial and the search goes on; a cancelled ctx means the search is
// stopping.
type Objective func(ctx context.Context, t Trial, report Report) (Result, error)

// Options bound a search.
type Options struct {
	NTrials     int           // trials to run in all, restored ones included; 0: until Timeout or the grid ends
	Timeout     time.Duration // no new trial starts after it; 0: none
	Parallelism int           // trials at once; < 1 means 1
	// OnTrial is called once per finished trial, one call at a time, in
	// the order trials finish (to log them).
	OnTrial func(Trial)
}

// OutcomeOf turns an objective's return into the trial's outcome.
func OutcomeOf(r Result, err error) Outcome {
	switch {
	case errors.Is(err, ErrPruned):
		return Outcome{State: Pruned, Metrics: r.Metrics}
	case err != nil:
		return Outcome{State: Fail, Err: err.Error(), Metrics: r.Metrics}
	}
	return Outcome{State: Complete, Value: r.Value, Metrics: r.Metrics}
}

// Optimize runs the study's trials on goroutines in this process (the
// local executor), at most Parallelism at once, until NTrials have been
// asked, Timeout has passed, the sampler has no more points (a grid) or
// ctx ends. Running trials are waited for. It returns ctx's error if ctx
// ended the search, else nil; failed trials are in the study, not errors.
func Optimize(ctx context.Context, study *Study, objective Objective, o Options) error {
	if o.NTrials <= 0 && o.Timeout <= 0 {
		if _, grid := study.sampler.(*Grid); !grid {
			return errors.New("tune: a search needs n_trials or a timeout")
		}
	}
	var deadline time.Time
	if o.Timeout > 0 {
		deadline = time.Now().Add(o.Timeout)
	}
	par := max(o.Parallelism, 1)
	var (
		logMu   sync.Mutex
		g       crash.Group
		slots   = make(chan struct{}, par)
		errMu   sync.Mutex
		tellErr error
	)
	asked := len(study.Trials())
	var askErr error
	for {
		if o.NTrials > 0 && asked >= o.NTrials {
			break
		}
		select {
		case slots <- struct{}{}:
		case <-ctx.Done():
		}
		if ctx.Err() != nil || (!deadline.IsZero() && time.Now().After(deadline)) {
			break
		}
		t, err := study.Ask()
		if err != nil {
			<-slots
			if !errors.Is(err, ErrGridExhausted) {
				askErr = err
			}
			break
		}
		asked++
		g.Go("tune: trial", func() {
			report := func(step int, v float64) bool {
				prune, err := study.Report(t.Number, step, v)
				return err == nil && prune
			}
			r, err := objective(ctx, t, report)
			if err != nil && ctx.Err() != nil {
				err = fmt.Errorf("search stopped: %w", ctx.Err())
			}
			done, terr := study.Tell(t.Number, OutcomeOf(r, err))
			// The slot is free once the study knows the result: the next
			// trial starts while this one is logged (OnTrial may wait on
			// the network or on an fsync).
			<-slots
			if terr != nil {
				errMu.Lock()
				tellErr = cmp.Or(tellErr, terr)
				errMu.Unlock()
				return
			}
			if o.OnTrial != nil {
				logMu.Lock()
				defer logMu.Unlock()
				o.OnTrial(done)
			}
		})
	}
	if err := g.Wait(); err != nil {
		return err
	}
	return cmp.Or(tellErr, askErr, ctx.Err())
}

// BestValue is the best Complete trial's value, or NaN when none completed.
func (s *Study) BestValue() float64 {
	if b, ok := s.Best(); ok {
		return b.Value
	}
	return math.NaN()
}
