package experiment

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"gonum.org/v1/gonum/mat"

	"github.com/mlstack/mlstack/pkg/boost"
	"github.com/mlstack/mlstack/pkg/charts"
	"github.com/mlstack/mlstack/pkg/cv"
	"github.com/mlstack/mlstack/pkg/frame"
	"github.com/mlstack/mlstack/pkg/metrics"
	"github.com/mlstack/mlstack/pkg/model"
	"github.com/mlstack/mlstack/pkg/resample"
)

func init() { Register("classification", func() Trainer { return classification{} }) }

// ClassificationMetrics are the metric names the classification trainer
// reports (binary; multiclass reports those metrics.MulticlassScores gives).
var ClassificationMetrics = []string{"accuracy", "balanced_accuracy", "precision", "recall", "f1", "roc_auc", "average_precision", "log_loss", "mcc"}

// classification cross-validates gradient-boosted trees (pkg/boost) with the
// cleaning pipeline and the resampler fitted inside every fold, then fits
// the final model on all the data.
type classification struct{}

func (classification) Validate(c *Config) error {
	if c.Data.Target == "" {
		return &FieldError{Path: "data.target", Msg: "missing: name the label column"}
	}
	if _, err := boostParams(c); err != nil {
		return err
	}
	switch c.Validation.Method {
	case "repeated_stratified_kfold", "stratified_kfold":
	default:
		return &FieldError{Path: "validation.method", Msg: fmt.Sprintf("classification needs stratified folds: repeated_stratified_kfold or stratified_kfold, got %q", c.Validation.Method)}
	}
	for i, name := range c.Metrics.Names {
		if !slices.Contains(ClassificationMetrics, name) {
			return &FieldError{Path: fmt.Sprintf("metrics.names[%d]", i), Msg: fmt.Sprintf("unknown metric %q; classification reports %s", name, strings.Join(ClassificationMetrics, ", "))}
		}
	}
	return nil
}

// boostParams turns model.params into boost.Params, pointing errors at the key.
func boostParams(c *Config) (*boost.Params, error) {
	var p boost.Params
	if err := p.Set(c.Model.Params); err != nil {
		var pe *boost.ParamError
		if errors.As(err, &pe) {
			msg := pe.Reason
			if errors.Is(err, boost.ErrUnknownParam) {
				msg = fmt.Sprintf("unknown parameter; known: %s", strings.Join(boost.ParamNames(), ", "))
			}
			return nil, &FieldError{Path: "model.params." + pe.Name, Msg: msg}
		}
		return nil, &FieldError{Path: "model.params", Msg: err.Error()}
	}
	if err := p.Validate(); err != nil {
		var pe *boost.ParamError
		if errors.As(err, &pe) {
			return nil, &FieldError{Path: "model.params." + pe.Name, Msg: pe.Reason}
		}
		return nil, &FieldError{Path: "model.params", Msg: err.Error()}
	}
	return &p, nil
}

// splitter returns the validation splitter of a config.
func splitter(c *Config) cv.Splitter {
	v := c.Validation
	if v.Method == "stratified_kfold" && v.repeats() == 1 {
		return cv.StratifiedKFold{NSplits: v.NSplits, Shuffle: true, Seed: c.Seed}
	}
	return cv.RepeatedStratifiedKFold{NSplits: v.NSplits, NRepeats: v.repeats(), Seed: c.Seed}
}

func (classification) Train(ctx context.Context, job *Job) (*Outcome, error) {
	c := job.Config
	base, err := boostParams(c)
	if err != nil {
		return nil, err
	}
	// Labels of all rows, for stratification (features are exported per fold).
	y, target, err := job.Data.Labels(c.Data.Target, &frame.ExportOptions{Positive: c.Data.Positive})
	if err != nil {
		return nil, err
	}
	classes, err := classCount(target, y)
	if err != nil {
		return nil, err
	}
	if err := checkSampling(c, target, classes, len(y)); err != nil {
		return nil, err
	}
	if base.Objective == "" {
		base.Objective = boost.BinaryLogistic
		if classes > 2 {
			base.Objective, base.NumClass = boost.MultiSoftprob, classes
		}
	}
	splits, err := splitter(c).Split(y)
	if err != nil {
		return nil, err
	}
	oc, err := trainBoosted(ctx, job, base, y, splits)
	if err != nil {
		return nil, err
	}
	oc.Params["classes"] = strings.Join(oc.Bundle.Schema.Target.Classes, ",")
	if on(c.Artifacts.Charts) {
		oc.ChartsDir = filepath.Join(job.Out, "charts")
		if err := classificationCharts(oc.ChartsDir, c, oc); err != nil {
			return nil, fmt.Errorf("charts: %w", err)
		}
	}
	return oc, nil
}

// classificationCharts writes the run's charts (HTML and PNG): metric box
// plots over folds, the out-of-fold confusion matrix, ROC and
// precision-recall curves, feature importance and the class balance before
// and after resampling.
func classificationCharts(dir string, c *Config, oc *Outcome) error {
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

// modelSpec is how the boosted-tree trainers fit a model on some rows:
// the config's cleaning pipeline, export, resampler and booster parameters.
// Seed and Params.NJobs are set per fit.
func modelSpec(job *Job, p *boost.Params) *model.Spec {
	c := job.Config
	s := &model.Spec{
		Target: c.Data.Target, Positive: c.Data.Positive, Pipeline: job.NewPipeline(),
		Ordinal: c.Resample.Method == "smotenc", Params: *p, Threshold: c.Validation.Threshold,
		Missing: readOptions(c.Data).Missing,
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
func resampleRows(ctx context.Context, c *Config, X *mat.Dense, y []float64, schema *frame.Schema, rnd *rand.Rand, workers int) (*mat.Dense, []float64, error) {
	strategy, err := samplingStrategy(c.Resample.SamplingStrategy)
	if err != nil {
		return nil, nil, err
	}
	if t, ok := strategy.(classTargets); ok {
		if strategy, err = t.resolve(schema.Target); err != nil {
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

// classTargets is sampling_strategy given as class label → count, resolved
// to class ids once the labels are known.
type classTargets map[string]int

func (t classTargets) NewSamples(counts []int) ([]int, error) {
	panic("experiment: classTargets used before resolve")
}

func (t classTargets) resolve(target *frame.Target) (resample.Strategy, error) {
	out := resample.Targets{}
	for label, n := range t {
		id := -1
		if target.Classes == nil {
			if v, err := strconv.Atoi(label); err == nil {
				id = v
			}
		} else {
			id = slices.Index(target.Classes, label)
		}
		if id < 0 {
			return nil, fmt.Errorf("sampling_strategy: class %q is not a class of %s (classes: %s)", label, target.Name, strings.Join(target.Classes, ", "))
		}
		out[id] = n
	}
	return out, nil
}

// samplingStrategy parses resample.sampling_strategy: "auto", a ratio in
// (0, 1], or a mapping of class label to count.
func samplingStrategy(v any) (resample.Strategy, error) {
	switch x := v.(type) {
	case nil:
		return resample.Auto{}, nil
	case string:
		if x == "auto" || x == "not majority" {
			return resample.Auto{}, nil
		}
		if f, err := strconv.ParseFloat(x, 64); err == nil {
			return samplingStrategy(f)
		}
		return nil, fmt.Errorf("expected auto, a ratio in (0, 1] or a mapping of class to count, got %q", x)
	case int:
		return samplingStrategy(float64(x))
	case float64:
		if !(x > 0 && x <= 1) {
			return nil, fmt.Errorf("a ratio must be in (0, 1], got %v", x)
		}
		return resample.Ratio(x), nil
	case map[string]any:
		t := classTargets{}
		for k, n := range x {
			count, ok := n.(int)
			if !ok || count < 0 {
				return nil, fmt.Errorf("class %q: expected a row count, got %v", k, n)
			}
			t[k] = count
		}
		return t, nil
	}
	return nil, fmt.Errorf("expected auto, a ratio in (0, 1] or a mapping of class to count, got %v", v)
}

func aggregateOptions(c *Config) *metrics.AggregateOptions {
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
