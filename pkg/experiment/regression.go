package experiment

import (
	"context"
	"fmt"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"

	"github.com/mlstack/mlstack/pkg/boost"
	"github.com/mlstack/mlstack/pkg/charts"
	"github.com/mlstack/mlstack/pkg/cv"
	"github.com/mlstack/mlstack/pkg/frame"
	"github.com/mlstack/mlstack/pkg/metrics"
)

func init() { Register("regression", func() Trainer { return regression{} }) }

// RegressionMetrics are the metric names the regression trainer reports.
var RegressionMetrics = []string{"rmse", "mae", "r2"}

// regression cross-validates gradient-boosted regression trees
// (reg:squarederror) with the cleaning pipeline fitted inside every fold.
type regression struct{}

func (regression) Validate(c *Config) error {
	if c.Data.Target == "" {
		return &FieldError{Path: "data.target", Msg: "missing: name the column to predict"}
	}
	if c.Resample.Method != "none" {
		return &FieldError{Path: "resample.method", Msg: fmt.Sprintf("regression cannot resample classes; use none, got %q", c.Resample.Method)}
	}
	switch c.Validation.Method {
	case "kfold", "repeated_kfold":
	default:
		return &FieldError{Path: "validation.method", Msg: fmt.Sprintf("regression needs kfold or repeated_kfold, got %q", c.Validation.Method)}
	}
	p, err := boostParams(c)
	if err != nil {
		return err
	}
	if p.Objective != "" && p.Objective != boost.RegSquaredError {
		return &FieldError{Path: "model.params.objective", Msg: fmt.Sprintf("regression trains %s, got %q", boost.RegSquaredError, p.Objective)}
	}
	for i, name := range c.Metrics.Names {
		if !slices.Contains(RegressionMetrics, name) {
			return &FieldError{Path: fmt.Sprintf("metrics.names[%d]", i), Msg: fmt.Sprintf("unknown metric %q; regression reports %s", name, strings.Join(RegressionMetrics, ", "))}
		}
	}
	return nil
}

func (regression) Train(ctx context.Context, job *Job) (*Outcome, error) {
	c := job.Config
	base, err := boostParams(c)
	if err != nil {
		return nil, err
	}
	base.Objective = boost.RegSquaredError
	target, err := job.Data.Column(c.Data.Target)
	if err != nil {
		return nil, err
	}
	if target.Kind() != frame.Numeric {
		return nil, fmt.Errorf("regression target %s is %s, want numeric (use the classification trainer for classes)", c.Data.Target, target.Kind())
	}
	y := target.Floats()
	splits, err := cv.KFold{NSplits: c.Validation.NSplits, NRepeats: c.Validation.repeats(), Shuffle: true, Seed: c.Seed}.Split(y)
	if err != nil {
		return nil, err
	}
	workers := c.Validation.Workers
	if workers == 0 {
		workers = runtime.GOMAXPROCS(0)
	}
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
		p, err := f.model.Predict(X)
		if err != nil {
			return nil, fmt.Errorf("predict: %w", err)
		}
		return &cv.FoldOutput{Score: p}, nil
	}
	res, err := cv.RunFolds(ctx, y, splits, fold, &cv.Options{Workers: workers, Seed: c.Seed, Progress: job.Progress, Regression: true})
	if err != nil {
		return nil, err
	}
	summary := res.Summary(aggregateOptions(c))
	keepMetrics(summary, c.Metrics.Names)

	final, err := fit(ctx, job, job.Data, base, c.Seed)
	if err != nil {
		return nil, fmt.Errorf("final model: %w", err)
	}
	modelDir := filepath.Join(job.Out, "model")
	xm, err := writeModel(modelDir, final.model, "xgboost.sklearn.XGBRegressor")
	if err != nil {
		return nil, err
	}
	oc := &Outcome{
		Summary: summary, CV: res, Pipeline: final.pipe, Schema: final.schema, Model: xm, ModelDir: modelDir,
		Params: map[string]string{"n_features": strconv.Itoa(final.model.NumFeature), "n_rows": strconv.Itoa(job.Data.Len()), "objective": final.model.Objective},
	}
	if on(c.Artifacts.Charts) {
		oc.ChartsDir = filepath.Join(job.Out, "charts")
		if err := regressionCharts(oc.ChartsDir, summary, final); err != nil {
			return nil, fmt.Errorf("charts: %w", err)
		}
	}
	return oc, nil
}

// regressionCharts writes the R² box plot over folds and the feature importance.
func regressionCharts(dir string, s *metrics.Summary, final *fitted) error {
	names := make([]string, len(final.schema.Features))
	for i, f := range final.schema.Features {
		names[i] = f.Name
	}
	gain, err := final.model.Importance(boost.Gain)
	if err != nil {
		return err
	}
	imp, err := charts.FeatureImportance(names, gain, boost.Gain, 20)
	if err != nil {
		return err
	}
	all := []*charts.Chart{imp}
	if _, ok := s.Aggregate["r2"]; ok {
		box, err := charts.CVBoxPlot(s, "r2")
		if err != nil {
			return err
		}
		all = append(all, box)
	}
	_, err = charts.WriteDir(dir, all...)
	return err
}
