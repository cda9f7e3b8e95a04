package model

import (
	"fmt"
	"slices"
	"strconv"

	"gonum.org/v1/gonum/mat"

	"github.com/mlstack/mlstack/pkg/boost"
	"github.com/mlstack/mlstack/pkg/clean"
	"github.com/mlstack/mlstack/pkg/frame"
)

// Task is what a model predicts.
type Task string

// Tasks.
const (
	Classification Task = "classification" // class labels and probabilities
	Regression     Task = "regression"     // a value
)

// Input is one raw input column: a column of the training data that the
// model reads (every column but the target and the columns a drop_columns
// step removes).
type Input struct {
	Name string     `json:"name"`
	Kind frame.Kind `json:"kind"`
	// Tokens are the false and true tokens of a boolean column (as
	// "No", "Yes").
	Tokens []string `json:"tokens,omitempty"`
	// Integer reports that every training value was a whole number and
	// none was missing: pandas reads such a column as int64, so the
	// MLflow signature declares it long rather than double.
	Integer bool `json:"integer,omitempty"`
}

// Model is a fitted model bundle: the cleaning pipeline, the feature
// schema and the booster fitted together, with what it takes to score raw
// rows (the input columns and their kinds, the missing-value tokens, the
// decision threshold). See the package documentation for its rules.
type Model struct {
	// Task is Classification or Regression (from the booster's objective).
	Task Task
	// Inputs are the raw columns the model reads, in training order.
	Inputs []Input
	// Missing are the tokens read as missing values when a CSV is read
	// with ReadOptions; nil means frame.DefaultMissing.
	Missing []string
	// Threshold turns a binary classifier's P(positive class) into a
	// label: p > Threshold gives the positive class (Classes()[1]).
	Threshold float64
	// Pipeline is the fitted cleaning pipeline.
	Pipeline *clean.Pipeline
	// Schema maps cleaned columns to the booster's features; its Target
	// names the label column and its classes.
	Schema *frame.Schema
	// Booster is the fitted gradient-boosted trees model.
	Booster *boost.Model
	// Example is a few raw input rows of the training data, logged as
	// the MLflow input example; nil when there is none.
	Example *frame.Frame
	// Training describes the fit (labels before and after resampling);
	// Fit sets it, Load leaves it nil.
	Training *Training
}

// Training is what Fit saw besides the fitted parts.
type Training struct {
	// Y are the training labels (class ids, or values for regression);
	// YFit are the labels the booster was trained on, after resampling.
	Y, YFit []float64
}

// Target returns the name of the label column.
func (m *Model) Target() string { return m.Schema.Target.Name }

// Classes returns the class labels of a classifier: label id k is
// Classes()[k], so a binary classifier's positive class is Classes()[1].
// A numeric target without recorded classes has classes "0".."k-1". It
// returns nil for a regression model.
func (m *Model) Classes() []string {
	if m.Task != Classification {
		return nil
	}
	if cl := m.Schema.Target.Classes; cl != nil {
		return slices.Clone(cl)
	}
	k := max(2, m.Booster.NumClass)
	cl := make([]string, k)
	for i := range cl {
		cl[i] = strconv.Itoa(i)
	}
	return cl
}

// Features cleans raw rows with the fitted pipeline and exports them as
// the booster's feature matrix, one row per input row. rows must hold
// every input column (in any order; other columns are ignored) with
// values of the column's type; see InputError.
func (m *Model) Features(rows *frame.Frame) (*mat.Dense, error) {
	in, err := m.conform(rows)
	if err != nil {
		return nil, err
	}
	cleaned, err := m.Pipeline.Transform(in)
	if err != nil {
		return nil, err // a *clean.StepError: "clean: step ..."
	}
	X, err := m.Schema.Matrix(cleaned)
	if err != nil {
		return nil, fmt.Errorf("model: features: %w", err)
	}
	return X, nil
}

// raw returns the booster's output for raw rows: P(class 1) (binary), k
// class probabilities per row (multiclass, row-major) or values.
func (m *Model) raw(rows *frame.Frame) ([]float64, error) {
	X, err := m.Features(rows)
	if err != nil {
		return nil, err
	}
	p, err := m.Booster.Predict(X)
	if err != nil {
		return nil, fmt.Errorf("model: predict: %w", err)
	}
	return p, nil
}

// PredictProba returns the class probabilities of raw rows: one row per
// input row and one column per class (Classes), as scikit-learn's
// predict_proba; for a binary classifier column 1 is P(positive class).
// It returns an error wrapping ErrNotClassifier for a regression model.
func (m *Model) PredictProba(rows *frame.Frame) (*mat.Dense, error) {
	if m.Task != Classification {
		return nil, fmt.Errorf("model: %w: PredictProba of a %s model", ErrNotClassifier, m.Task)
	}
	p, err := m.raw(rows)
	if err != nil {
		return nil, err
	}
	if m.Booster.NumClass > 1 {
		return mat.NewDense(len(p)/m.Booster.NumClass, m.Booster.NumClass, p), nil
	}
	out := mat.NewDense(len(p), 2, nil)
	for i, v := range p {
		out.Set(i, 0, 1-v)
		out.Set(i, 1, v)
	}
	return out, nil
}

// Predict returns the predictions for raw rows as a column named after
// the target: the class labels of a classifier (p > Threshold for a binary
// one, the most probable class otherwise; numbers for a numeric target,
// the class names otherwise) or the values of a regression model.
func (m *Model) Predict(rows *frame.Frame) (*frame.Column, error) {
	if m.Task == Regression {
		p, err := m.raw(rows)
		if err != nil {
			return nil, err
		}
		return frame.NewNumeric(m.Target(), p), nil
	}
	proba, err := m.PredictProba(rows)
	if err != nil {
		return nil, err
	}
	return m.labels(proba), nil
}

// labels turns class probabilities into the label column.
func (m *Model) labels(proba *mat.Dense) *frame.Column {
	n, k := proba.Dims()
	ids := make([]int, n)
	for i := range n {
		if k == 2 {
			if proba.At(i, 1) > m.Threshold {
				ids[i] = 1
			}
			continue
		}
		best := 0
		for j := 1; j < k; j++ {
			if proba.At(i, j) > proba.At(i, best) {
				best = j
			}
		}
		ids[i] = best
	}
	classes := m.Classes()
	if m.Schema.Target.Kind == frame.Numeric {
		v := make([]float64, n)
		for i, id := range ids {
			v[i], _ = strconv.ParseFloat(classes[id], 64)
		}
		return frame.NewNumeric(m.Target(), v)
	}
	s := make([]string, n)
	for i, id := range ids {
		s[i] = classes[id]
	}
	return frame.NewCategorical(m.Target(), s, nil)
}

// Score returns a frame of one row per input row: "prediction" (Predict)
// and, for a classifier, "probability" (binary: P(positive class)) or one
// "probability_<class>" column per class. This is what `train predict`
// writes.
func (m *Model) Score(rows *frame.Frame) (*frame.Frame, error) {
	if m.Task == Regression {
		pred, err := m.Predict(rows)
		if err != nil {
			return nil, err
		}
		return frame.New(pred.Renamed("prediction"))
	}
	proba, err := m.PredictProba(rows)
	if err != nil {
		return nil, err
	}
	cols := []*frame.Column{m.labels(proba).Renamed("prediction")}
	n, k := proba.Dims()
	if k == 2 {
		cols = append(cols, frame.NewNumeric("probability", mat.Col(nil, 1, proba)))
	} else {
		for j, c := range m.Classes() {
			cols = append(cols, frame.NewNumeric("probability_"+c, mat.Col(make([]float64, n), j, proba)))
		}
	}
	return frame.New(cols...)
}

// ReadOptions returns the options that read a CSV of raw rows the way the
// model expects them: the input columns forced to their kinds (so a value
// of the wrong type is a *frame.ParseError naming the file, line and
// column, and a missing input column a *frame.ColumnError naming it) and
// the training data's missing-value tokens. Set Name and Opener as needed.
func (m *Model) ReadOptions() *frame.ReadOptions {
	types := make(map[string]frame.Kind, len(m.Inputs))
	for _, in := range m.Inputs {
		types[in.Name] = in.Kind
	}
	return &frame.ReadOptions{Types: types, Missing: slices.Clone(m.Missing)}
}
