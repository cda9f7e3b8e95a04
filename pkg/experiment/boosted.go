package experiment

import (
	"context"
	"fmt"
	"path/filepath"
	"runtime"
	"strconv"

	"github.com/mlstack/mlstack/pkg/boost"
	"github.com/mlstack/mlstack/pkg/cv"
	"github.com/mlstack/mlstack/pkg/model"
)

// trainBoosted is what the boosted-tree trainers share: cross-validate
// clean → resample → boost fitted inside every fold over splits (with
// charts on, the first fold also scores its training and test rows after
// every round, for the learning curves), then fit the same steps on all
// rows and save the model bundle. The outcome has no charts yet.
func trainBoosted(ctx context.Context, job *Job, base *boost.Params, y []float64, splits []cv.Split) (*Outcome, error) {
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
		first := sp.Repeat == 0 && sp.Fold == 0 && on(c.Artifacts.Charts) // the curves are a chart
		if first {
			evals = []model.Eval{{Name: "train", Rows: train}, {Name: "validation", Rows: test}}
		}
		m, err := fit(ctx, train, *spec, seed, evals...)
		if err != nil {
			return nil, err
		}
		if first {
			curves = m.Booster
		}
		return foldOutput(m, test)
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
	return &Outcome{
		Summary: summary, CV: res, Pipeline: final.Pipeline, Schema: final.Schema, Model: xm, ModelDir: modelDir,
		Bundle: final, Curves: curves,
		Params: map[string]string{
			"n_features": strconv.Itoa(final.Booster.NumFeature), "n_rows": strconv.Itoa(job.Data.Len()),
			"objective": final.Booster.Objective,
		},
	}, nil
}
