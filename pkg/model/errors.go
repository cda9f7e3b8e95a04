package model

import (
	"errors"
	"fmt"
)

// Sentinel errors, for errors.Is. Errors about data also wrap the error of
// pkg/frame or pkg/clean that says where the problem is (a *frame.ParseError
// with file and line, a *frame.ColumnError naming the column, a
// *clean.StepError naming the step).
var (
	// ErrFormat: a directory or URI that does not hold a model bundle, or
	// a bundle whose files are malformed or disagree with each other.
	ErrFormat = errors.New("not a valid model bundle")
	// ErrNewerFormat: a bundle written by a newer format version than
	// this package reads (FormatVersion); update mlstack to read it.
	ErrNewerFormat = errors.New("bundle format is newer than this program reads")
	// ErrInput: raw rows that do not fit the model's inputs (a column
	// missing, a value of the wrong type).
	ErrInput = errors.New("bad input rows")
	// ErrNotClassifier: class probabilities asked of a regression model.
	ErrNotClassifier = errors.New("not a classifier")
	// ErrURI: a model URI this package cannot open, or one that resolves
	// to nothing (the registry has no such model, version or alias).
	ErrURI = errors.New("cannot resolve model URI")
)

// InputError reports raw rows that do not fit the model's inputs: a
// missing column (Row -1) or a value that is not of the column's type.
// Row is the 0-based row of the frame; reading a CSV with ReadOptions
// reports type errors as *frame.ParseError with the file's line instead.
type InputError struct {
	Column string
	Row    int    // -1 when the whole column is at fault
	Value  string // the offending value, if any
	Want   string // what the column holds, e.g. "numeric"
	Err    error  // ErrInput, or a *frame.ColumnError for a missing column
}

func (e *InputError) Error() string {
	if e.Row < 0 {
		return fmt.Sprintf("model: input column %q: %v", e.Column, e.Err)
	}
	return fmt.Sprintf("model: input column %q, row %d: value %q is not %s", e.Column, e.Row, e.Value, e.Want)
}

// Unwrap returns the cause; errors.Is(err, ErrInput) holds for every
// InputError.
func (e *InputError) Unwrap() []error { return []error{ErrInput, e.Err} }
