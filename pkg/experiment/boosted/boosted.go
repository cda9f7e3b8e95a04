// Package boosted is what the boosted-tree trainers (classification,
// regression) share: model.params decoded into boost.Params, and the
// cross-validation of clean → resample → boost fitted inside every fold,
// then the final model on all rows, through pkg/model.
//
// # Rules
//   - Nothing fitted sees a fold's test rows: the cleaning pipeline, the
//     resampler and the booster are fitted on the training rows of each
//     fold (model.Fit); the final model is the same steps on all rows.
//   - One fit and one predict (pkg/model) for the folds, the final model,
//     the notebooks and `train predict`.
//   - Results depend only on the config (seed included), not on the
//     number of workers: folds split the cores, and the resampler's rows
//     do not depend on them.
//   - model.params takes XGBoost's names and aliases (the yaml and alias
//     tags of boost.Params), decoded by the config decoder; boost's own
//     Validate errors are located at their key.
package boosted

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"

	"gonum.org/v1/gonum/mat"

	"github.com/mlstack/mlstack/pkg/boost"
	"github.com/mlstack/mlstack/pkg/clean"
	"github.com/mlstack/mlstack/pkg/cv"
	"github.com/mlstack/mlstack/pkg/experiment"
	"github.com/mlstack/mlstack/pkg/experiment/config"
	"github.com/mlstack/mlstack/pkg/frame"
	"github.com/mlstack/mlstack/pkg/metrics"
	"github.com/mlstack/mlstack/pkg/model"
	"github.com/mlstack/mlstack/pkg/resample"
	"github.com/mlstack/mlstack/pkg/tune"
)

// Train is what the boosted-tree trainers share: cross-validate
// clean → resample → boost fitted inside every fold over splits (with
// charts on, the first fold also scores its training and test rows after
// every round, for the learning curves), then fit the same steps on all
// rows and save the model bundle. The outcome has no charts yet.
func Train(ctx context.Context, job *experiment.Job, base *boost.Params, y []float64, splits []cv.Split) (*experiment.Outcome, error) {
	c := job.Config
	workers := c.Validation.Workers
	if workers == 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	// Folds run in parallel; split the cores between them.
	foldParams := *base
	foldParams.NJobs = max(1, runtime.GOMAXPROCS(0)/workers)
	spec := modelSpec(job, &foldParams)
	var curves *boost.Model // written by the first fold only, read after RunFolds
	fold := func(ctx context.Context, sp cv.Split, seed uint64) (*cv.FoldOutput, error) {
		train, test := job.Data.Take(sp.Train), job.Data.Take(sp.Test)
		var evals []model.Eval
		first := sp.Repeat == 0 && sp.Fold == 0 && config.On(c.Artifacts.Charts) // the curves are a chart
		if first {
			evals = []model.Eval{{Name: "train", Rows: train}, {Name: "validation", Rows: test}}
		}
		m, err := fit(ctx, train, *spec, seed, evals...)
		if err != nil {
			return nil, rowLines(err, job, sp)
		}
		if first {
			curves = m.Booster
		}
		out, err := foldOutput(m, test)
		if err != nil {
			clean.SetLines(err, sp.Test, job.Lines)
		}
		return out, err
	}
	res, err := cv.RunFolds(ctx, y, splits, fold, &cv.Options{
		Workers: workers, Seed: c.Seed, Threshold: c.Validation.Threshold,
		Progress: job.Progress, Regression: spec.Params.Objective == boost.RegSquaredError,
	})
	if err != nil {
		return nil, err
	}
	summary := res.Summary(aggregateOptions(c))
	keepMetrics(summary, c.Metrics.Names)

	// The final model: every step fitted on all the data.
	final, err := fit(ctx, job.Data, *modelSpec(job, base), c.Seed)
	if err != nil {
		clean.SetLines(err, nil, job.Lines)
		return nil, fmt.Errorf("final model: %w", err)
	}
	modelDir := filepath.Join(job.Out, "model")
	if err := final.Save(modelDir); err != nil {
		return nil, err
	}
	xm, err := final.MLflow()
	if err != nil {
		return nil, err
	}
	if err := shapCharts(job, final); err != nil {
		return nil, err
	}
	return &experiment.Outcome{
		Summary: summary, CV: res, Pipeline: final.Pipeline, Schema: final.Schema, Model: xm, ModelDir: modelDir,
		Bundle: final, Curves: curves,
		Params: map[string]string{
			"n_features": strconv.Itoa(final.Booster.NumFeature), "n_rows": strconv.Itoa(job.Data.Len()),
			"objective": final.Booster.Objective,
		},
	}, nil
}

// Setup is what a boosted-tree trainer decides before training: the
// booster's parameters (model.params and its objective), the labels of all
// rows and the folds.
type Setup func(job *experiment.Job) (*boost.Params, []float64, []cv.Split, error)

// Trainer is a boosted-tree trainer made of its Setup and Finish (what it
// adds to an outcome: its charts, params); its Train and Score are the
// same for classification and regression. A trainer package embeds it
// and adds Validate.
type Trainer struct {
	Setup  Setup
	Finish func(job *experiment.Job, oc *experiment.Outcome) error
}

// Train cross-validates and fits the final model (the package's Train),
// then calls Finish.
func (t Trainer) Train(ctx context.Context, job *experiment.Job) (*experiment.Outcome, error) {
	base, y, splits, err := t.Setup(job)
	if err != nil {
		return nil, err
	}
	oc, err := Train(ctx, job, base, y, splits)
	if err != nil {
		return nil, err
	}
	if t.Finish != nil {
		if err := t.Finish(job, oc); err != nil {
			return nil, err
		}
	}
	return oc, nil
}

// Score cross-validates one set of parameters for a search (the
// package's Score; experiment.Scorer).
func (t Trainer) Score(ctx context.Context, job *experiment.Job, threads int, report func(*metrics.Summary) bool) (*metrics.Summary, error) {
	base, y, splits, err := t.Setup(job)
	if err != nil {
		return nil, err
	}
	return Score(ctx, job, base, y, splits, threads, report)
}

// Score cross-validates like Train, but the folds one after another on
// threads cores each, calling report with the summary of the folds so far
// after every fold (each fold with the seed it has in Train, so a trial's
// folds are the ones the full run of its parameters has). report
// returning true stops it with tune.ErrPruned. No final model, no files.
func Score(ctx context.Context, job *experiment.Job, base *boost.Params, y []float64, splits []cv.Split, threads int, report func(*metrics.Summary) bool) (*metrics.Summary, error) {
	c := job.Config
	p := *base
	p.NJobs = max(1, threads)
	spec := modelSpec(job, &p)
	var (
		folds []metrics.FoldScores
		s     *metrics.Summary
	)
	for i, sp := range splits {
		seed := cv.FoldSeed(c.Seed, i)
		fold := func(ctx context.Context, sp cv.Split, _ uint64) (*cv.FoldOutput, error) {
			m, err := fit(ctx, job.Data.Take(sp.Train), *spec, seed)
			if err != nil {
				return nil, rowLines(err, job, sp)
			}
			out, err := foldOutput(m, job.Data.Take(sp.Test))
			if err != nil {
				clean.SetLines(err, sp.Test, job.Lines)
			}
			return out, err
		}
		res, err := cv.RunFolds(ctx, y, []cv.Split{sp}, fold, &cv.Options{
			Workers: 1, Seed: c.Seed, Threshold: c.Validation.Threshold, Regression: p.Objective == boost.RegSquaredError,
		})
		if err != nil {
			return nil, err
		}
		f := res.Folds[0]
		folds = append(folds, metrics.FoldScores{Repeat: f.Repeat, Fold: f.Fold, NTrain: f.NTrain, NTest: f.NTest, Scores: f.Scores})
		s = metrics.Summarize(folds, aggregateOptions(c))
		keepMetrics(s, c.Metrics.Names)
		if report(s) && i < len(splits)-1 {
			return s, tune.ErrPruned
		}
	}
	return s, nil
}

// rowLines makes a row error of a fold's fit name the data file line:
// the row counts the fold's training rows, or its test rows when the
// error is about the evaluation set of the test rows.
func rowLines(err error, job *experiment.Job, sp cv.Split) error {
	var ee *model.EvalError
	switch {
	case errors.As(err, &ee) && ee.Index == 1:
		clean.SetLines(err, sp.Test, job.Lines)
	default: // the training rows (evaluation set 0 is them)
		clean.SetLines(err, sp.Train, job.Lines)
	}
	return err
}

// Params decodes model.params into boost.Params (XGBoost's names and
// aliases) and validates them: a decoding error is a *config.ConfigError at
// the key, a parameter boost refuses a *config.FieldError at its key.
func Params(c *config.Config) (*boost.Params, error) {
	var p boost.Params
	if err := c.Model.Params.Decode(&p); err != nil {
		return nil, err
	}
	if err := p.Validate(); err != nil {
		var pe *boost.ParamError
		if errors.As(err, &pe) {
			return nil, &config.FieldError{Path: "model.params." + pe.Name, Msg: pe.Reason}
		}
		return nil, &config.FieldError{Path: "model.params", Msg: err.Error()}
	}
	return &p, nil
}

// modelSpec is how the boosted-tree trainers fit a model on some rows:
// the config's cleaning pipeline, export, resampler and booster parameters.
// Seed and Params.NJobs are set per fit.
func modelSpec(job *experiment.Job, p *boost.Params) *model.Spec {
	c := job.Config
	s := &model.Spec{
		Target: c.Data.Target, Positive: c.Data.Positive, Pipeline: job.NewPipeline(),
		Ordinal: c.Resample.Method == "smotenc", Params: *p, Threshold: c.Validation.Threshold,
		Missing: experiment.ReadOptions(c.Data).Missing,
	}
	if c.Resample.Method != "none" {
		workers := p.NJobs // the fit's share of the cores: the neighbour search runs on them too
		s.Resample = func(ctx context.Context, X *mat.Dense, y []float64, schema *frame.Schema, rnd *rand.Rand) (*mat.Dense, []float64, error) {
			return resampleRows(ctx, c, X, y, schema, rnd, workers)
		}
	}
	return s
}

// fit fits the model of spec s on rows with seed (see model.Fit), saying
// how to fix a categorical column left unencoded.
func fit(ctx context.Context, rows *frame.Frame, s model.Spec, seed uint64, evals ...model.Eval) (*model.Model, error) {
	s.Seed = seed
	m, err := model.Fit(ctx, rows, &s, evals...)
	if errors.Is(err, frame.ErrCategorical) {
		return nil, fmt.Errorf("%w: add an encode step to clean (one-hot or ordinal), or use resample.method: smotenc", err)
	}
	return m, err
}

// foldOutput scores a fold's test rows: values for regression, P(class 1)
// for binary, class probabilities otherwise.
func foldOutput(m *model.Model, test *frame.Frame) (*cv.FoldOutput, error) {
	out := &cv.FoldOutput{NResampled: len(m.Training.YFit)}
	if m.Task == model.Regression {
		v, err := m.Predict(test)
		if err != nil {
			return nil, err
		}
		out.Score = v.Floats()
		return out, nil
	}
	p, err := m.PredictProba(test)
	if err != nil {
		return nil, err
	}
	if _, k := p.Dims(); k == 2 {
		out.Score = mat.Col(nil, 1, p)
		return out, nil
	}
	out.Proba = p
	return out, nil
}

// resampleRows applies the configured resampler on workers goroutines (0:
// all cores); the rows do not depend on workers.
func resampleRows(ctx context.Context, c *config.Config, X *mat.Dense, y []float64, schema *frame.Schema, rnd *rand.Rand, workers int) (*mat.Dense, []float64, error) {
	strategy, err := config.SamplingStrategy(c.Resample.SamplingStrategy)
	if err != nil {
		return nil, nil, err
	}
	if t, ok := strategy.(config.ClassTargets); ok {
		if strategy, err = t.Resolve(schema.Target); err != nil {
			return nil, nil, err
		}
	}
	names := make([]string, len(schema.Features))
	var categorical []int
	for i, f := range schema.Features {
		names[i] = f.Name
		if f.Kind == frame.Categorical {
			categorical = append(categorical, i)
		}
	}
	var r cv.Resampler
	switch c.Resample.Method {
	case "smote":
		r = resample.SMOTE{K: c.Resample.KNeighbors, Strategy: strategy, Workers: workers, Columns: names}
	case "smotenc":
		if len(categorical) == 0 {
			return nil, nil, errors.New("smotenc needs categorical features; none are left after cleaning (use smote)")
		}
		r = resample.SMOTENC{Categorical: categorical, K: c.Resample.KNeighbors, Strategy: strategy, Workers: workers, Columns: names}
	}
	return r.Resample(ctx, X, y, rnd)
}

// aggregateOptions are the metrics section's confidence intervals.
func aggregateOptions(c *config.Config) *metrics.AggregateOptions {
	o := &metrics.AggregateOptions{Level: c.Metrics.Confidence, Seed: c.Seed}
	if c.Metrics.Interval == "bootstrap" {
		o.Method = metrics.Bootstrap
	}
	return o
}

// keepMetrics drops the metrics not asked for (all are kept when names is empty).
func keepMetrics(s *metrics.Summary, names []string) {
	if len(names) == 0 {
		return
	}
	for k := range s.Aggregate {
		if !slices.Contains(names, k) {
			delete(s.Aggregate, k)
		}
	}
	for i := range s.Folds {
		for k := range s.Folds[i].Scores {
			if !slices.Contains(names, k) {
				delete(s.Folds[i].Scores, k)
			}
		}
	}
}
