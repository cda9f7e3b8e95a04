package regression

import (
	"fmt"
	"path/filepath"
	"slices"
	"strings"

	"github.com/mlstack/mlstack/pkg/boost"
	"github.com/mlstack/mlstack/pkg/charts"
	"github.com/mlstack/mlstack/pkg/cv"
	"github.com/mlstack/mlstack/pkg/experiment"
	"github.com/mlstack/mlstack/pkg/experiment/boosted"
	"github.com/mlstack/mlstack/pkg/experiment/config"
	"github.com/mlstack/mlstack/pkg/frame"
)

func init() {
	experiment.Register("regression", func() experiment.Trainer {
		return regression{boosted.Trainer{Setup: setup, Finish: finish}}
	})
}

// Metrics are the metric names the regression trainer reports.
var Metrics = []string{"rmse", "mae", "r2"}

// regression cross-validates gradient-boosted regression trees
// (reg:squarederror) with the cleaning pipeline fitted inside every fold.
type regression struct{ boosted.Trainer }

func (regression) Validate(c *config.Config) error {
	if c.Data.Target == "" {
		return &config.FieldError{Path: "data.target", Msg: "missing: name the column to predict"}
	}
	if c.Resample.Method != "none" {
		return &config.FieldError{Path: "resample.method", Msg: fmt.Sprintf("regression cannot resample classes; use none, got %q", c.Resample.Method)}
	}
	switch c.Validation.Method {
	case "kfold", "repeated_kfold":
	default:
		return &config.FieldError{Path: "validation.method", Msg: fmt.Sprintf("regression needs kfold or repeated_kfold, got %q", c.Validation.Method)}
	}
	p, err := boosted.Params(c)
	if err != nil {
		return err
	}
	if p.Objective != "" && p.Objective != boost.RegSquaredError {
		return &config.FieldError{Path: "model.params.objective", Msg: fmt.Sprintf("regression trains %s, got %q", boost.RegSquaredError, p.Objective)}
	}
	for i, name := range c.Metrics.Names {
		if !slices.Contains(Metrics, name) {
			return &config.FieldError{Path: fmt.Sprintf("metrics.names[%d]", i), Msg: fmt.Sprintf("unknown metric %q; regression reports %s", name, strings.Join(Metrics, ", "))}
		}
	}
	return nil
}

// setup decodes the parameters, reads the target and splits the rows.
func setup(job *experiment.Job) (*boost.Params, []float64, []cv.Split, error) {
	c := job.Config
	base, err := boosted.Params(c)
	if err != nil {
		return nil, nil, nil, err
	}
	base.Objective = boost.RegSquaredError
	target, err := job.Data.Column(c.Data.Target)
	if err != nil {
		return nil, nil, nil, err
	}
	if target.Kind() != frame.Numeric {
		return nil, nil, nil, fmt.Errorf("regression target %s is %s, want numeric (use the classification trainer for classes)", c.Data.Target, target.Kind())
	}
	// Labels reports missing target values with their row.
	y, _, err := job.Data.Labels(c.Data.Target, nil)
	if err != nil {
		return nil, nil, nil, err
	}
	splits, err := cv.KFold{NSplits: c.Validation.NSplits, NRepeats: c.Validation.Repeats(), Shuffle: true, Seed: c.Seed}.Split(y)
	if err != nil {
		return nil, nil, nil, err
	}
	return base, y, splits, nil
}

// finish draws the charts.
func finish(job *experiment.Job, oc *experiment.Outcome) error {
	c := job.Config
	if config.On(c.Artifacts.Charts) {
		oc.ChartsDir = filepath.Join(job.Out, "charts")
		if err := regressionCharts(oc.ChartsDir, c, oc); err != nil {
			return fmt.Errorf("charts: %w", err)
		}
	}
	return nil
}

// regressionCharts writes the R² box plot over folds, the feature
// importance and the learning curves of the first fold.
func regressionCharts(dir string, c *config.Config, oc *experiment.Outcome) error {
	s, final := oc.Summary, oc.Bundle
	names := make([]string, len(final.Schema.Features))
	for i, f := range final.Schema.Features {
		names[i] = f.Name
	}
	gain, err := final.Booster.Importance(boost.Gain)
	if err != nil {
		return err
	}
	imp, err := charts.FeatureImportance(names, gain, boost.Gain, 20)
	if err != nil {
		return err
	}
	curves, err := charts.LearningCurves(oc.Curves)
	if err != nil {
		return err
	}
	all := []*charts.Chart{imp, curves}
	if _, ok := s.Aggregate["r2"]; ok {
		box, err := charts.CVBoxPlot(s, "r2")
		if err != nil {
			return err
		}
		all = append(all, box)
	}
	_, err = charts.WriteDir(dir, c.Name+" — charts", all...)
	return err
}
