package experiment

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync/atomic"
	"time"

	"github.com/mlstack/mlstack/pkg/charts"
	"github.com/mlstack/mlstack/pkg/clean"
	"github.com/mlstack/mlstack/pkg/experiment/config"
	"github.com/mlstack/mlstack/pkg/frame"
	"github.com/mlstack/mlstack/pkg/metrics"
	"github.com/mlstack/mlstack/pkg/mlflow"
	"github.com/mlstack/mlstack/pkg/tune"
)

// A search run (the config has a search section) is one MLflow parent
// run, as with Optuna's MLflow integration: its params are the config and
// the search space, each trial is a child run (tag mlflow.parentRunId)
// with the trial's parameters, its cross-validated metrics and its state
// (FINISHED for COMPLETE, KILLED for PRUNED, FAILED for FAIL; tag
// tune.state), and the parent gets the best trial (params best.NAME,
// metric best_value, tags best_trial and best_run_id, the trial counts)
// and the search charts under search/. The best parameters are then
// cross-validated and fitted on all rows as a run without a search would
// be, and logged on the parent: its model is the search's model.

// search runs the trials on this machine (the local executor).
func search(ctx context.Context, o Options, st *state, rep *Report) error {
	c := &st.p.Config
	sc := c.Search
	scorer, ok := st.trainer.(Scorer)
	if !ok || st.data == nil {
		return st.p.ErrAt("search", "the %s trainer cannot be searched", c.Model.Trainer)
	}
	study, err := newStudy(c)
	if err != nil {
		return err
	}
	if _, err := logInputs(st, rep.Out); err != nil {
		return err
	}
	par := sc.Parallelism
	if par == 0 {
		par = runtime.GOMAXPROCS(0)
	}
	threads := max(1, runtime.GOMAXPROCS(0)/par)
	objective := sc.Objective
	total := 0
	if sc.NTrials != nil {
		total = *sc.NTrials
	}
	var done atomic.Int32
	run := func(ctx context.Context, t tune.Trial, report tune.Report) (tune.Result, error) {
		p, err := st.search.parse(t.Params)
		if err != nil {
			return tune.Result{}, err
		}
		return scoreTrial(ctx, p, st.data, st.lines, scorer, threads, report)
	}
	opts := tune.Options{Parallelism: par, NTrials: total, OnTrial: func(t tune.Trial) {
		n := int(done.Add(1))
		o.Progress(Progress{Label: "search", Done: n, Total: total})
		best := study.BestValue()
		o.Notes(Note{Kind: Info, Text: trialLine(t, objective, best)})
		if err := logTrial(ctx, o, st, t, objective); err != nil {
			o.Notes(Note{Kind: Warning, Text: fmt.Sprintf("trial %d: not logged: %v", t.Number, err)})
		}
	}}
	if sc.Timeout != "" {
		opts.Timeout, _ = time.ParseDuration(sc.Timeout)
	}
	if strings.HasPrefix(o.Executor, "nats://") {
		err = searchRemote(ctx, o, st.search, study, opts)
	} else {
		err = tune.Optimize(ctx, study, run, opts)
	}
	if err != nil {
		return err
	}
	best, ok := study.Best()
	if !ok {
		return fmt.Errorf("search: no trial completed (%s)", countsText(study.Counts()))
	}
	rep.Search = &SearchResult{Objective: objective, Direction: study.Direction(), Space: study.Space(), Trials: study.Trials(), Best: best}
	if err := logSearch(st, rep.Out, study, best); err != nil {
		return err
	}
	// The best parameters, as a run without a search: full CV, the final
	// model, charts, all logged on the parent run.
	o.Notes(Note{Kind: Info, Text: fmt.Sprintf("best trial %d: %s = %.6g with %s; fitting it on all rows", best.Number, objective, best.Value, strings.Join(config.Overrides(best.Params), " "))})
	p, err := st.search.parse(best.Params)
	if err != nil {
		return err
	}
	final := *st
	final.p = p
	outcome, err := train(ctx, o, &final, rep.Out)
	if err != nil {
		return err
	}
	rep.Outcome = outcome
	rep.Model, err = logOutcome(ctx, &final, rep.Out, outcome, nil)
	return err
}

// readSpec reads the config file once more (prepare has checked it), for
// a search's trials: each is the config with its parameters set.
func readSpec(o Options) (*trialSpec, error) {
	src, err := os.ReadFile(o.ConfigPath)
	if err != nil {
		return nil, err
	}
	return &trialSpec{File: o.ConfigPath, Config: src, Overrides: o.Overrides, AllowLarge: o.AllowLarge}, nil
}

// parse parses the config with params set as model.params overrides,
// after the spec's own overrides, and checks it as LoadFile does.
func (s *trialSpec) parse(params tune.Params) (*config.Parsed, error) {
	set := append(slices.Clone(s.Overrides), config.Overrides(params)...)
	return Parse(s.File, s.Config, &config.Options{Overrides: set, AllowLarge: s.AllowLarge})
}

// checkSearchParams checks, before a search starts, that the trainer
// takes every searched parameter at both ends of its range: the config
// with each parameter set to its lowest and to its highest value (first
// and last choice) must pass the trainer's checks.
func checkSearchParams(spec *trialSpec, p *config.Parsed) error {
	space, err := p.Config.Search.Space()
	if err != nil {
		return p.Locate(err)
	}
	for _, q := range space {
		for _, v := range tune.Ends(q.Dist) {
			if _, err := spec.parse(tune.Params{q.Name: v}); err != nil {
				var ce *config.ConfigError
				if errors.As(err, &ce) {
					err = errors.New(ce.Msg)
				}
				return p.ErrAt("search.params."+q.Name, "with model.params.%s = %v: %v", q.Name, v, err)
			}
		}
	}
	return nil
}

// scoreTrial cross-validates one trial's config p (the search's config
// with the trial's parameters set) on data, reporting the objective's
// running value after each fold.
func scoreTrial(ctx context.Context, p *config.Parsed, data *frame.Frame, lines []int, scorer Scorer, threads int, report tune.Report) (tune.Result, error) {
	metric := strings.TrimSuffix(p.Config.Search.Objective, "_mean") // the summary's key
	job := &Job{Config: &p.Config, Data: data, Lines: lines,
		NewPipeline: func() *clean.Pipeline {
			pipe, err := p.Pipeline()
			if err != nil {
				panic("experiment: pipeline validated earlier fails: " + err.Error())
			}
			return pipe
		},
		Progress: func(int, int) {},
		Notef:    func(string, ...any) {},
	}
	fold := 0
	s, err := scorer.Score(ctx, job, threads, func(s *metrics.Summary) bool {
		v, ok := s.Aggregate[metric]
		stop := ok && report(fold, v.Mean)
		fold++
		return stop
	})
	r := tune.Result{Metrics: means(s)}
	if err != nil {
		return r, p.Locate(err)
	}
	v, ok := s.Aggregate[metric]
	if !ok {
		return r, fmt.Errorf("the trainer reports no %s; it reports %s", metric, strings.Join(slices.Sorted(maps.Keys(s.Aggregate)), ", "))
	}
	r.Value = v.Mean
	return r, nil
}

// newStudy makes the study the search section describes.
func newStudy(c *config.Config) (*tune.Study, error) {
	sc := c.Search
	space, err := sc.Space()
	if err != nil {
		return nil, err
	}
	seed := c.Seed
	if sc.Seed != nil {
		seed = *sc.Seed
	}
	var sampler tune.Sampler
	switch sc.Algorithm {
	case "random":
		sampler = tune.NewRandom(seed)
	case "grid":
		if sampler, err = tune.NewGrid(space, seed, config.MaxGridPoints); err != nil {
			return nil, err
		}
	default:
		sampler = tune.NewTPE(seed)
	}
	var pruner tune.Pruner
	if sc.Pruner != "none" {
		pruner = tune.NewMedian()
	}
	return tune.NewStudy(space, direction(sc), sampler, pruner)
}

func direction(sc *config.SearchConfig) tune.Direction {
	if sc.Direction == "minimize" {
		return tune.Minimize
	}
	return tune.Maximize
}

// means are the summary's metric means, as a trial's metrics.
func means(s *metrics.Summary) map[string]float64 {
	if s == nil {
		return nil
	}
	out := make(map[string]float64, len(s.Aggregate))
	for k, v := range s.Aggregate {
		out[k+"_mean"] = v.Mean
	}
	return out
}

func trialLine(t tune.Trial, objective string, best float64) string {
	s := fmt.Sprintf("trial %d %s", t.Number, t.State)
	switch t.State {
	case tune.Complete:
		s += fmt.Sprintf(" %s=%.6g", objective, t.Value)
	case tune.Pruned:
		s += fmt.Sprintf(" after %d folds (%.6g)", len(t.Intermediate), t.Value)
	case tune.Fail:
		s += ": " + t.Err
	}
	if !math.IsNaN(best) {
		s += fmt.Sprintf(" · best %.6g", best)
	}
	return s + " · " + strings.Join(config.Overrides(t.Params), " ")
}

func countsText(c map[tune.State]int) string {
	return fmt.Sprintf("%d complete, %d pruned, %d failed", c[tune.Complete], c[tune.Pruned], c[tune.Fail])
}

var trialStatus = map[tune.State]string{
	tune.Complete: mlflow.StatusFinished, tune.Pruned: mlflow.StatusKilled, tune.Fail: mlflow.StatusFailed,
}

// logTrial records a finished trial as a child run of the search's run.
func logTrial(ctx context.Context, o Options, st *state, t tune.Trial, objective string) error {
	tc := trackingConfig(o, st.p)
	tc.RunName = fmt.Sprintf("%s-trial-%d", st.p.Config.Name, t.Number)
	tc.ParentRunID = st.run.ID()
	tc.SystemMetrics = false
	tc.Tags = map[string]string{"tune.state": t.State.String(), "tune.trial": fmt.Sprint(t.Number)}
	if t.Err != "" {
		tc.Tags["tune.error"] = t.Err
	}
	run, err := mlflow.Open(ctx, tc)
	if err != nil {
		return err
	}
	for k, v := range t.Params.Strings() {
		if err := run.LogParam(k, v); err != nil {
			return err
		}
	}
	for k, v := range t.Metrics {
		if !math.IsNaN(v) {
			if err := run.LogMetric(k, v, 0); err != nil {
				return err
			}
		}
	}
	for step, v := range t.Intermediate {
		if !math.IsNaN(v) {
			if err := run.LogMetric(objective+"_running", v, int64(step+1)); err != nil {
				return err
			}
		}
	}
	endErr := run.End(context.WithoutCancel(ctx), trialStatus[t.State])
	if err := errors.Join(endErr, run.Close()); err != nil && !errors.Is(err, mlflow.ErrSpooled) {
		return err
	}
	return nil
}

// logSearch logs the search's result and charts on the parent run.
func logSearch(st *state, out string, study *tune.Study, best tune.Trial) error {
	run, sc := st.run, st.p.Config.Search
	for k, v := range best.Params.Strings() {
		if err := run.LogParam("best."+k, v); err != nil {
			return err
		}
	}
	counts := study.Counts()
	for k, v := range map[string]float64{
		"best_value": best.Value, "n_trials_complete": float64(counts[tune.Complete]),
		"n_trials_pruned": float64(counts[tune.Pruned]), "n_trials_failed": float64(counts[tune.Fail]),
	} {
		if err := run.LogMetric(k, v, 0); err != nil {
			return err
		}
	}
	if err := run.SetTag("best_trial", fmt.Sprint(best.Number)); err != nil {
		return err
	}
	trials, space, dir := study.Trials(), study.Space(), study.Direction()
	var cs []*charts.Chart
	add := func(c *charts.Chart, err error) {
		if err == nil {
			cs = append(cs, c)
		}
	}
	add(charts.OptimizationHistory(trials, dir, sc.Objective))
	add(charts.ParallelCoordinates(trials, space, dir, sc.Objective))
	add(charts.ParamImportance(trials, space, sc.Objective))
	if slices, err := charts.Slices(trials, space, sc.Objective); err == nil {
		cs = append(cs, slices...)
	}
	if len(cs) == 0 || !config.On(st.p.Config.Artifacts.Charts) {
		return nil
	}
	// Written under out/search, logged with the run's other files.
	if _, err := charts.WriteDir(filepath.Join(out, "search"), "Search: "+st.p.Config.Name, cs...); err != nil {
		return fmt.Errorf("search charts: %w", err)
	}
	return nil
}
