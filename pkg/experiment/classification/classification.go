package classification

import (
	"fmt"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/mlstack/mlstack/pkg/boost"
	"github.com/mlstack/mlstack/pkg/charts"
	"github.com/mlstack/mlstack/pkg/cv"
	"github.com/mlstack/mlstack/pkg/experiment"
	"github.com/mlstack/mlstack/pkg/experiment/boosted"
	"github.com/mlstack/mlstack/pkg/experiment/config"
	"github.com/mlstack/mlstack/pkg/frame"
	"github.com/mlstack/mlstack/pkg/metrics"
)

func init() {
	experiment.Register("classification", func() experiment.Trainer {
		return classification{boosted.Trainer{Setup: setup, Finish: finish}}
	})
}

// Metrics are the metric names the classification trainer
// reports (binary; multiclass reports those metrics.MulticlassScores gives).
var Metrics = []string{"accuracy", "balanced_accuracy", "precision", "recall", "f1", "roc_auc", "average_precision", "log_loss", "mcc"}

// classification cross-validates gradient-boosted trees (pkg/boost) with the
// cleaning pipeline and the resampler fitted inside every fold, then fits
// the final model on all the data.
type classification struct{ boosted.Trainer }

func (classification) Validate(c *config.Config) error {
	if c.Data.Target == "" {
		return &config.FieldError{Path: "data.target", Msg: "missing: name the label column"}
	}
	if _, err := boosted.Params(c); err != nil {
		return err
	}
	switch c.Validation.Method {
	case "repeated_stratified_kfold", "stratified_kfold":
	default:
		return &config.FieldError{Path: "validation.method", Msg: fmt.Sprintf("classification needs stratified folds: repeated_stratified_kfold or stratified_kfold, got %q", c.Validation.Method)}
	}
	for i, name := range c.Metrics.Names {
		if !slices.Contains(Metrics, name) {
			return &config.FieldError{Path: fmt.Sprintf("metrics.names[%d]", i), Msg: fmt.Sprintf("unknown metric %q; classification reports %s", name, strings.Join(Metrics, ", "))}
		}
	}
	return nil
}

// splitter returns the validation splitter of a config.
func splitter(c *config.Config) cv.Splitter {
	v := c.Validation
	if v.Method == "stratified_kfold" && v.Repeats() == 1 {
		return cv.StratifiedKFold{NSplits: v.NSplits, Shuffle: true, Seed: c.Seed}
	}
	return cv.RepeatedStratifiedKFold{NSplits: v.NSplits, NRepeats: v.Repeats(), Seed: c.Seed}
}

// setup decodes the parameters, reads the labels and splits the rows.
func setup(job *experiment.Job) (*boost.Params, []float64, []cv.Split, error) {
	c := job.Config
	base, err := boosted.Params(c)
	if err != nil {
		return nil, nil, nil, err
	}
	// Labels of all rows, for stratification (features are exported per fold).
	y, target, err := job.Data.Labels(c.Data.Target, &frame.ExportOptions{Positive: c.Data.Positive})
	if err != nil {
		return nil, nil, nil, err
	}
	classes, err := classCount(target, y)
	if err != nil {
		return nil, nil, nil, err
	}
	if err := checkSampling(c, target, classes, len(y)); err != nil {
		return nil, nil, nil, err
	}
	if base.Objective == "" {
		base.Objective = boost.BinaryLogistic
		if classes > 2 {
			base.Objective, base.NumClass = boost.MultiSoftprob, classes
		}
	}
	splits, err := splitter(c).Split(y)
	if err != nil {
		return nil, nil, nil, err
	}
	return base, y, splits, nil
}

// finish names the classes and draws the charts.
func finish(job *experiment.Job, oc *experiment.Outcome) error {
	c := job.Config
	oc.Params["classes"] = strings.Join(oc.Bundle.Schema.Target.Classes, ",")
	if config.On(c.Artifacts.Charts) {
		oc.ChartsDir = filepath.Join(job.Out, "charts")
		if err := classificationCharts(oc.ChartsDir, c, oc); err != nil {
			return fmt.Errorf("charts: %w", err)
		}
	}
	return nil
}

// classificationCharts writes the run's charts (HTML and PNG): metric box
// plots over folds, the out-of-fold confusion matrix, ROC and
// precision-recall curves, feature importance and the class balance before
// and after resampling.
func classificationCharts(dir string, c *config.Config, oc *experiment.Outcome) error {
	res, s, final := oc.CV, oc.Summary, oc.Bundle
	classes := final.Schema.Target.Classes
	if classes == nil {
		for k := 0; k < res.Classes; k++ {
			classes = append(classes, strconv.Itoa(k))
		}
	}
	var yTrue, yPred []float64
	for _, p := range res.Predictions {
		yTrue, yPred = append(yTrue, p.YTrue), append(yPred, p.YPred)
	}
	names := make([]string, len(final.Schema.Features))
	for i, f := range final.Schema.Features {
		names[i] = f.Name
	}
	gain, err := final.Booster.Importance(boost.Gain)
	if err != nil {
		return err
	}
	var all []*charts.Chart
	add := func(ch *charts.Chart, err error) error {
		if err != nil {
			return err
		}
		all = append(all, ch)
		return nil
	}
	if err := add(charts.CVBoxPlot(s)); err != nil {
		return err
	}
	if err := add(charts.ConfusionMatrix(metrics.ConfusionMatrix(yTrue, yPred, nil), classes)); err != nil {
		return err
	}
	if res.Classes == 2 {
		if err := add(charts.ROC(res)); err != nil {
			return err
		}
		if err := add(charts.PrecisionRecall(res)); err != nil {
			return err
		}
	}
	if err := add(charts.FeatureImportance(names, gain, boost.Gain, 20)); err != nil {
		return err
	}
	if err := add(charts.LearningCurves(oc.Curves)); err != nil {
		return err
	}
	if c.Resample.Method != "none" {
		if err := add(charts.ClassBalance(final.Training.Y, final.Training.YFit, classes)); err != nil {
			return err
		}
	}
	_, err = charts.WriteDir(dir, c.Name+" — charts", all...)
	return err
}
