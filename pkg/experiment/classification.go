package experiment

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"gonum.org/v1/gonum/mat"

	"github.com/mlstack/mlstack/pkg/boost"
	"github.com/mlstack/mlstack/pkg/charts"
	"github.com/mlstack/mlstack/pkg/clean"
	"github.com/mlstack/mlstack/pkg/cv"
	"github.com/mlstack/mlstack/pkg/frame"
	"github.com/mlstack/mlstack/pkg/metrics"
	"github.com/mlstack/mlstack/pkg/mlflow"
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
	_, y, schema, err := job.Data.XY(c.Data.Target, &frame.ExportOptions{Ordinal: true, Positive: c.Data.Positive})
	if err != nil {
		return nil, err
	}
	classes, err := classCount(schema.Target, y)
	if err != nil {
		return nil, err
	}
	if err := checkSampling(c, schema.Target, classes, len(y)); err != nil {
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
	oc, final, err := trainBoosted(ctx, job, base, y, splits, classes, "xgboost.sklearn.XGBClassifier")
	if err != nil {
		return nil, err
	}
	oc.Params["classes"] = strings.Join(final.schema.Target.Classes, ",")
	res, summary := oc.CV, oc.Summary
	if on(c.Artifacts.Charts) {
		oc.ChartsDir = filepath.Join(job.Out, "charts")
		if err := classificationCharts(oc.ChartsDir, c, res, summary, final); err != nil {
			return nil, fmt.Errorf("charts: %w", err)
		}
	}
	return oc, nil
}

// classificationCharts writes the run's charts (HTML and PNG): metric box
// plots over folds, the out-of-fold confusion matrix, ROC and
// precision-recall curves, feature importance and the class balance before
// and after resampling.
func classificationCharts(dir string, c *Config, res *cv.Result, s *metrics.Summary, final *fitted) error {
	classes := final.schema.Target.Classes
	if classes == nil {
		for k := 0; k < res.Classes; k++ {
			classes = append(classes, strconv.Itoa(k))
		}
	}
	var yTrue, yPred []float64
	for _, p := range res.Predictions {
		yTrue, yPred = append(yTrue, p.YTrue), append(yPred, p.YPred)
	}
	names := make([]string, len(final.schema.Features))
	for i, f := range final.schema.Features {
		names[i] = f.Name
	}
	gain, err := final.model.Importance(boost.Gain)
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
	if c.Resample.Method != "none" {
		if err := add(charts.ClassBalance(final.y, final.yFit, classes)); err != nil {
			return err
		}
	}
	_, err = charts.WriteDir(dir, all...)
	return err
}

// fitted is a cleaning pipeline and a model fitted on the same rows.
type fitted struct {
	pipe       *clean.Pipeline
	model      *boost.Model
	schema     *frame.Schema // cleaned columns → model features
	nResampled int           // training rows after resampling
	y, yFit    []float64     // training labels before and after resampling
}

// fit fits a fresh cleaning pipeline, resampler and model on train.
func fit(ctx context.Context, job *Job, train *frame.Frame, p *boost.Params, seed uint64) (*fitted, error) {
	pipe := job.NewPipeline()
	cleaned, err := pipe.FitTransform(train)
	if err != nil {
		return nil, fmt.Errorf("clean: %w", err)
	}
	c := job.Config
	smotenc := c.Resample.Method == "smotenc"
	X, y0, schema, err := cleaned.XY(c.Data.Target, &frame.ExportOptions{Ordinal: smotenc, Positive: c.Data.Positive})
	if err != nil {
		if errors.Is(err, frame.ErrCategorical) {
			return nil, fmt.Errorf("%w: add an encode step to clean (one-hot or ordinal), or use resample.method: smotenc", err)
		}
		return nil, err
	}
	y := y0
	if c.Resample.Method != "none" {
		X, y, err = resampleRows(ctx, c, X, y0, schema, rand.New(rand.NewPCG(seed, 0x736d6f7465))) // "smote"
		if err != nil {
			return nil, fmt.Errorf("resample: %w", err)
		}
	}
	params := *p
	params.RandomState = seed
	m, err := boost.Train(ctx, X, y, nil, &params)
	if err != nil {
		return nil, fmt.Errorf("train: %w", err)
	}
	return &fitted{pipe: pipe, model: m, schema: schema, nResampled: len(y), y: y0, yFit: y}, nil
}

// features cleans new rows and exports them like the training rows.
func (f *fitted) features(rows *frame.Frame) (*mat.Dense, error) {
	cleaned, err := f.pipe.Transform(rows)
	if err != nil {
		return nil, fmt.Errorf("clean: %w", err)
	}
	return f.schema.Matrix(cleaned)
}

// predict scores X: values for regression (classes 0), P(class 1) for
// binary, class probabilities otherwise.
func predict(f *fitted, X *mat.Dense, classes int) (*cv.FoldOutput, error) {
	p, err := f.model.Predict(X)
	if err != nil {
		return nil, fmt.Errorf("predict: %w", err)
	}
	out := &cv.FoldOutput{NResampled: f.nResampled}
	if classes == 0 || classes == 2 { // a value (regression) or P(class 1)
		out.Score = p
		return out, nil
	}
	n, _ := X.Dims()
	out.Proba = mat.NewDense(n, classes, p)
	return out, nil
}

// resampleRows applies the configured resampler.
func resampleRows(ctx context.Context, c *Config, X *mat.Dense, y []float64, schema *frame.Schema, rnd *rand.Rand) (*mat.Dense, []float64, error) {
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
		r = resample.SMOTE{K: c.Resample.KNeighbors, Strategy: strategy, Workers: 1, Columns: names}
	case "smotenc":
		if len(categorical) == 0 {
			return nil, nil, errors.New("smotenc needs categorical features; none are left after cleaning (use smote)")
		}
		r = resample.SMOTENC{Categorical: categorical, K: c.Resample.KNeighbors, Strategy: strategy, Workers: 1, Columns: names}
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

// writeModel writes the MLflow model directory (MLmodel, model.json and the
// environment files) plus model.txt, the LightGBM text form leaves loads.
func writeModel(dir string, m *boost.Model, class string) (*mlflow.XGBoostModel, error) {
	var js bytes.Buffer
	if err := m.WriteXGBoostJSON(&js); err != nil {
		return nil, err
	}
	xm := &mlflow.XGBoostModel{JSON: js.Bytes(), ModelClass: class}
	if err := mlflow.WriteXGBoostModel(dir, *xm); err != nil {
		return nil, err
	}
	var lgb bytes.Buffer
	if err := m.WriteLightGBM(&lgb); err != nil {
		return nil, err
	}
	if err := os.WriteFile(filepath.Join(dir, "model.txt"), lgb.Bytes(), 0o644); err != nil {
		return nil, err
	}
	return xm, nil
}
