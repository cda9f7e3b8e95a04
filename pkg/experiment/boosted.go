package experiment

import (
	"context"
	"fmt"
	"path/filepath"
	"runtime"
	"strconv"

	"github.com/mlstack/mlstack/pkg/boost"
	"github.com/mlstack/mlstack/pkg/cv"
)

// trainBoosted is what the boosted-tree trainers share: cross-validate
// clean → resample → boost fitted inside every fold over splits, then fit
// the same steps on all rows and write the model files. classes is 0 for
// regression. The outcome has no charts yet.
func trainBoosted(ctx context.Context, job *Job, base *boost.Params, y []float64, splits []cv.Split, classes int, modelClass string) (*Outcome, *fitted, error) {
	c := job.Config
	workers := c.Validation.Workers
	if workers == 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	// Folds run in parallel; split the cores between them.
	foldParams := *base
	foldParams.NJobs = max(1, runtime.GOMAXPROCS(0)/workers)
	fold := func(ctx context.Context, sp cv.Split, seed uint64) (*cv.FoldOutput, error) {
		f, err := fit(ctx, job, job.Data.Take(sp.Train), &foldParams, seed)
		if err != nil {
			return nil, err
		}
		X, err := f.features(job.Data.Take(sp.Test))
		if err != nil {
			return nil, err
		}
		return predict(f, X, classes)
	}
	res, err := cv.RunFolds(ctx, y, splits, fold, &cv.Options{
		Workers: workers, Seed: c.Seed, Threshold: c.Validation.Threshold,
		Progress: job.Progress, Regression: classes == 0,
	})
	if err != nil {
		return nil, nil, err
	}
	summary := res.Summary(aggregateOptions(c))
	keepMetrics(summary, c.Metrics.Names)

	// The final model: every step fitted on all the data.
	final, err := fit(ctx, job, job.Data, base, c.Seed)
	if err != nil {
		return nil, nil, fmt.Errorf("final model: %w", err)
	}
	modelDir := filepath.Join(job.Out, "model")
	xm, err := writeModel(modelDir, final.model, modelClass)
	if err != nil {
		return nil, nil, err
	}
	return &Outcome{
		Summary: summary, CV: res, Pipeline: final.pipe, Schema: final.schema, Model: xm, ModelDir: modelDir,
		Params: map[string]string{
			"n_features": strconv.Itoa(final.model.NumFeature), "n_rows": strconv.Itoa(job.Data.Len()),
			"objective": final.model.Objective,
		},
	}, final, nil
}
