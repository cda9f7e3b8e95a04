package experiment

import (
	"context"
	"fmt"
)

func init() { Register("detection", func() Trainer { return detection{} }) }

// detection is the object-detection trainer. It is registered so that a
// config naming it gets a clear answer, and answers ErrNotAvailable until
// it is implemented: never a fake result.
type detection struct{}

func (detection) Validate(*Config) error {
	return &FieldError{Path: "model.trainer", Msg: fmt.Sprintf("detection: %v (use classification or regression)", ErrNotAvailable)}
}

func (detection) Train(context.Context, *Job) (*Outcome, error) {
	return nil, fmt.Errorf("detection: %w", ErrNotAvailable)
}
