package model

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"

	"gonum.org/v1/gonum/mat"

	"github.com/mlstack/mlstack/pkg/boost"
	"github.com/mlstack/mlstack/pkg/clean"
	"github.com/mlstack/mlstack/pkg/frame"
)

// Resampler rebalances the cleaned training rows (SMOTE, SMOTENC): X and y
// are the training features and labels, schema says which feature is which
// (categorical features are ordinal codes when Spec.Ordinal is set) and rnd
// is the fit's random source. The returned rows start with X's rows,
// unchanged and in order, followed by any new rows; y likewise.
type Resampler func(ctx context.Context, X *mat.Dense, y []float64, schema *frame.Schema, rnd *rand.Rand) (*mat.Dense, []float64, error)

// Spec says how Fit builds a model. The zero value of each optional field
// is documented.
type Spec struct {
	// Target is the label column.
	Target string
	// Positive names the positive class of a binary target (label 1);
	// "" means frame's default mapping (see frame.Frame.XY).
	Positive string
	// Pipeline holds the cleaning steps, unfitted; nil means none. Fit
	// fits a copy, so one Spec may serve concurrent fits (the folds of a
	// cross-validation).
	Pipeline *clean.Pipeline
	// Ordinal exports categorical columns left after cleaning as ordinal
	// codes (what SMOTENC resamples); when false they are an error
	// wrapping frame.ErrCategorical (encode them in the pipeline).
	Ordinal bool
	// Resample, if not nil, rebalances the training rows after cleaning.
	Resample Resampler
	// Params configure the booster. Its Objective decides the task:
	// reg:squarederror gives a regression model, anything else (the
	// default binary:logistic, multi:softprob) a classifier. RandomState
	// is replaced by Seed.
	Params boost.Params
	// Seed seeds the booster and the resampler: a fit is a function of
	// the data, the Spec and the Seed.
	Seed uint64
	// Threshold is the decision threshold of a binary classifier; 0
	// means 0.5.
	Threshold float64
	// Missing are the tokens the training data was read with as missing
	// values (ReadOptions.Missing), kept so that scoring data is read the
	// same way; nil means frame.DefaultMissing.
	Missing []string
}

// EvalError is a problem with the rows of evaluation set Index (a row
// error in it counts the rows of that set, not of the training rows).
type EvalError struct {
	Index int
	Err   error
}

func (e *EvalError) Error() string { return fmt.Sprintf("evaluation set %d: %v", e.Index, e.Err) }

func (e *EvalError) Unwrap() error { return e.Err }

// Eval is a set of raw rows (with the target column) scored after every
// boosting round, for learning curves (the booster's History).
type Eval struct {
	Name string // "" means "validation_<i>", as XGBoost
	Rows *frame.Frame
}

// resampleStream is the second word of the PCG seeding a fit's resampler.
const resampleStream = 0x736d6f7465 // "smote"

// exampleRows is the number of training rows kept as the input example.
const exampleRows = 5

// Fit fits a model on the raw training rows train: the cleaning pipeline
// (on train only), the export to a feature matrix, the resampler, then the
// booster; evals are scored after every round. Nothing fitted sees rows
// other than train's. Errors name the step that failed.
func Fit(ctx context.Context, train *frame.Frame, s *Spec, evals ...Eval) (*Model, error) {
	pipe := clean.New()
	if s.Pipeline != nil {
		b, err := json.Marshal(s.Pipeline)
		if err != nil {
			return nil, fmt.Errorf("model: pipeline: %w", err)
		}
		pipe = &clean.Pipeline{}
		if err := json.Unmarshal(b, pipe); err != nil {
			return nil, fmt.Errorf("model: pipeline: %w", err)
		}
	}
	pipe.Target = s.Target
	cleaned, err := pipe.FitTransform(train)
	if err != nil {
		return nil, err // a *clean.StepError, which says "clean: step ..."
	}
	X, y0, schema, err := cleaned.XY(s.Target, &frame.ExportOptions{Ordinal: s.Ordinal, Positive: s.Positive})
	if err != nil {
		return nil, err
	}
	X0, y := X, y0
	if s.Resample != nil {
		X, y, err = s.Resample(ctx, X0, y0, schema, rand.New(rand.NewPCG(s.Seed, resampleStream)))
		if err != nil {
			return nil, fmt.Errorf("resample: %w", err)
		}
	}
	m := &Model{
		Task: Classification, Inputs: inputsOf(train, s.Target, pipe), Missing: s.Missing,
		Threshold: s.Threshold, Pipeline: pipe, Schema: schema,
		Training: &Training{Y: y0, YFit: y},
	}
	if s.Params.Objective == boost.RegSquaredError {
		m.Task = Regression
	}
	if m.Threshold == 0 {
		m.Threshold = 0.5
	}
	names := make([]string, len(m.Inputs))
	for i, in := range m.Inputs {
		names[i] = in.Name
	}
	if ex, err := train.Select(names...); err == nil {
		m.Example = ex.Head(exampleRows)
	}
	sets := make([]boost.EvalSet, len(evals))
	for i, e := range evals {
		if sets[i].X, err = m.Features(e.Rows); err != nil {
			return nil, &EvalError{Index: i, Err: err}
		}
		if sets[i].Y, err = schema.Labels(e.Rows); err != nil {
			return nil, &EvalError{Index: i, Err: err}
		}
		sets[i].Name = e.Name
	}
	params := s.Params
	params.RandomState = s.Seed
	if m.Booster, err = boost.Train(ctx, X, y, nil, &params, sets...); err != nil {
		return nil, fmt.Errorf("train: %w", err)
	}
	if err := m.validate(); err != nil {
		return nil, fmt.Errorf("model: %w", err)
	}
	return m, nil
}
