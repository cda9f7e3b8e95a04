package boost

import (
	"errors"
	"fmt"
)

// Sentinel errors. Errors returned by this package wrap one of them, so
// callers branch with errors.Is.
var (
	// ErrInvalidParam: a parameter of the wrong type or out of range.
	ErrInvalidParam = errors.New("boost: invalid parameter")
	// ErrInvalidLabel: a label that the objective cannot use (NaN, Inf,
	// not 0/1 for binary:logistic, not an integer in [0, num_class) for
	// multi:softprob).
	ErrInvalidLabel = errors.New("boost: invalid label")
	// ErrInvalidWeight: a negative, NaN or infinite sample weight.
	ErrInvalidWeight = errors.New("boost: invalid weight")
	// ErrShape: lengths or dimensions that do not agree (labels vs rows,
	// weights vs rows, features vs the model's).
	ErrShape = errors.New("boost: shape mismatch")
	// ErrEmpty: a matrix with zero rows or zero columns.
	ErrEmpty = errors.New("boost: empty data")
	// ErrModelFormat: a model file that cannot be read.
	ErrModelFormat = errors.New("boost: bad model file")
)

// ParamError reports a bad parameter value. It unwraps to ErrInvalidParam.
// (Unknown parameter names are the config decoder's to report: the
// parameters are a typed struct.)
type ParamError struct {
	Name   string // xgboost name, e.g. "learning_rate"
	Value  any    // the offending value
	Reason string // what is wrong
	Err    error  // ErrInvalidParam
}

func (e *ParamError) Error() string {
	return fmt.Sprintf("boost: invalid parameter %s=%v: %s", e.Name, e.Value, e.Reason)
}

func (e *ParamError) Unwrap() error { return e.Err }

func invalid(name string, v any, format string, args ...any) error {
	return &ParamError{Name: name, Value: v, Reason: fmt.Sprintf(format, args...), Err: ErrInvalidParam}
}

// ErrInvalidFeature: an infinite feature value (NaN is a missing value
// and allowed).
var ErrInvalidFeature = errors.New("boost: invalid feature value")
