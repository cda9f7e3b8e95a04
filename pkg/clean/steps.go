package clean

import (
	"errors"
	"fmt"
	"math"
	"slices"

	"github.com/mlstack/mlstack/pkg/frame"
)

// DropDuplicates drops repeated rows of the training data, keeping the
// first of each (all columns compared, missing values equal to each other,
// as pandas' drop_duplicates). It only acts in FitTransform: Transform
// returns new data unchanged, because rows being scored must never be
// dropped.
type DropDuplicates struct{}

// Name returns "drop_duplicates".
func (*DropDuplicates) Name() string { return "drop_duplicates" }

func (*DropDuplicates) validate() error   { return nil }
func (*DropDuplicates) fitted() bool      { return true }
func (*DropDuplicates) checkState() error { return nil }

// FitTransform returns f without repeated rows (the dataset-level
// drop_duplicates with its defaults: every column, keep the first).
func (*DropDuplicates) FitTransform(f *frame.Frame, env *Env) (*frame.Frame, error) {
	g, kept, err := (&DropDuplicateRows{}).apply(f, env)
	if err != nil || len(kept) == f.Len() {
		return f, err
	}
	return g, nil
}

// Transform returns f unchanged.
func (*DropDuplicates) Transform(f *frame.Frame, _ *Env) (*frame.Frame, error) { return f, nil }

// DropColumns removes the listed columns. At fit time every column must
// exist; at transform time absent columns are ignored (scoring data may
// already lack them).
type DropColumns struct {
	// Columns are the columns removed (required).
	Columns []string `json:"columns"`
}

// Name returns "drop_columns".
func (*DropColumns) Name() string { return "drop_columns" }

func (s *DropColumns) validate() error {
	if len(s.Columns) == 0 {
		return fmt.Errorf("%w: columns: empty", ErrBadOption)
	}
	return distinct(s.Columns)
}
func (*DropColumns) fitted() bool      { return true }
func (*DropColumns) checkState() error { return nil }

// FitTransform drops the columns from the training frame.
func (s *DropColumns) FitTransform(f *frame.Frame, env *Env) (*frame.Frame, error) {
	if _, err := columnsOrDefault(f, env, s.Columns); err != nil {
		return nil, err
	}
	return f.Drop(s.Columns...)
}

// Transform drops those of the columns that f has.
func (s *DropColumns) Transform(f *frame.Frame, _ *Env) (*frame.Frame, error) {
	var have []string
	for _, c := range s.Columns {
		if f.Has(c) {
			have = append(have, c)
		}
	}
	return f.Drop(have...)
}

// ZeroAsMissing replaces 0 by a missing value in the listed numeric
// columns, for measurements where 0 means "not measured" (Glucose,
// BloodPressure, SkinThickness, Insulin and BMI in diabetes.csv). It has
// nothing to fit.
type ZeroAsMissing struct {
	// Columns are the numeric columns where 0 means missing (required).
	Columns []string `json:"columns"`
}

// Name returns "zero_as_missing".
func (*ZeroAsMissing) Name() string { return "zero_as_missing" }

func (s *ZeroAsMissing) validate() error {
	if len(s.Columns) == 0 {
		return fmt.Errorf("%w: columns: empty", ErrBadOption)
	}
	return distinct(s.Columns)
}
func (*ZeroAsMissing) fitted() bool      { return true }
func (*ZeroAsMissing) checkState() error { return nil }

// FitTransform is Transform, after checking the columns are not the
// target.
func (s *ZeroAsMissing) FitTransform(f *frame.Frame, env *Env) (*frame.Frame, error) {
	if _, err := columnsOrDefault(f, env, s.Columns); err != nil {
		return nil, err
	}
	return s.Transform(f, env)
}

// Transform replaces zeros by NaN.
func (s *ZeroAsMissing) Transform(f *frame.Frame, _ *Env) (*frame.Frame, error) {
	out := make([]*frame.Column, 0, len(s.Columns))
	for _, name := range s.Columns {
		c, err := needKind(f, name, frame.Numeric)
		if err != nil {
			return nil, err
		}
		v := c.Floats()
		for i, x := range v {
			if x == 0 {
				v[i] = math.NaN()
			}
		}
		out = append(out, frame.NewNumeric(name, v))
	}
	return f.With(out...)
}

// mapNumeric returns a new numeric column of fn applied to every value.
func mapNumeric(c *frame.Column, fn func(float64) float64) *frame.Column {
	v := c.Floats()
	for i, x := range v {
		v[i] = fn(x)
	}
	return frame.NewNumeric(c.Name(), v)
}

// checkFitted returns ErrNotFitted unless ok.
func checkFitted(ok bool) error {
	if !ok {
		return fmt.Errorf("step %w", ErrNotFitted)
	}
	return nil
}

// finite reports whether all values are finite, else an error naming the
// statistic (JSON cannot hold NaN or infinities).
func finite(col, what string, v ...float64) error {
	for _, x := range v {
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return columnErr(col, fmt.Errorf("%s is %v: %w", what, x, errNonFinite))
		}
	}
	return nil
}

var errNonFinite = errors.New("non-finite statistic")

// distinct checks that the columns option names no column twice.
func distinct(cols []string) error {
	seen := make(map[string]bool, len(cols))
	for _, c := range cols {
		if seen[c] {
			return fmt.Errorf("%w: columns: %q is listed twice", ErrBadOption, c)
		}
		seen[c] = true
	}
	return nil
}

// stateColumns checks the columns of a fitted state: named, each once,
// of one of kinds (none given: any).
func stateColumns(names []string, kinds []frame.Kind, allowed ...frame.Kind) error {
	seen := make(map[string]bool, len(names))
	for i, c := range names {
		switch {
		case c == "":
			return fmt.Errorf("column %d has no name", i)
		case seen[c]:
			return columnErr(c, errors.New("listed twice"))
		case kinds != nil && !slices.Contains(allowed, kinds[i]):
			return columnErr(c, fmt.Errorf("%w: %v, want %v", ErrKind, kinds[i], kindList(allowed)))
		}
		seen[c] = true
	}
	return nil
}
