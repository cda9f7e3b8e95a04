package clean

import (
	"errors"
	"fmt"
)

// Sentinel errors, for errors.Is. Errors about a step are *StepError
// values wrapping them (or an error of pkg/frame such as
// frame.ErrNoColumn).
var (
	// ErrNotFitted: Transform was called before FitTransform, or a loaded
	// pipeline marked fitted lacks a step's fitted state.
	ErrNotFitted = errors.New("not fitted")
	// ErrUnknownStep: a spec names a step that does not exist.
	ErrUnknownStep = errors.New("unknown step")
	// ErrUnknownOption: a spec has an option the step does not take.
	ErrUnknownOption = errors.New("unknown option")
	// ErrBadOption: an option has an invalid value.
	ErrBadOption = errors.New("invalid option")
	// ErrKind: a column has a kind the step cannot handle, or a different
	// kind than at fit time.
	ErrKind = errors.New("wrong column kind")
	// ErrNoValues: a column has no non-missing value to fit a statistic.
	ErrNoValues = errors.New("no values to fit")
	// ErrUnknownCategory: an encode step with unknown: error met a value
	// not seen at fit time.
	ErrUnknownCategory = errors.New("unknown category")
	// ErrTarget: a step lists the pipeline's target column.
	ErrTarget = errors.New("step would transform the target column")
	// ErrBadState: fitted statistics read from JSON that no fit gives (a
	// non-finite fill value, repeated or unsorted levels, a column listed
	// twice, a scale that is not positive).
	ErrBadState = errors.New("invalid fitted state")
)

// StepError reports a failure of step Index (0-based) of a pipeline.
type StepError struct {
	Index int
	Step  string // step name, such as "impute"
	Err   error
}

func (e *StepError) Error() string {
	return fmt.Sprintf("clean: step %d (%s): %v", e.Index, e.Step, e.Err)
}

func (e *StepError) Unwrap() error { return e.Err }

// columnErr reports a problem with a column inside a step.
func columnErr(col string, err error) error {
	return &columnError{col, err}
}

// columnError formats its text when printed (not when made, as
// fmt.Errorf does), so that SetLines can still give its row a line.
type columnError struct {
	col string
	err error
}

func (e *columnError) Error() string { return fmt.Sprintf("column %q: %v", e.col, e.err) }

func (e *columnError) Unwrap() error { return e.err }
