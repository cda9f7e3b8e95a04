package clean

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/mlstack/mlstack/pkg/frame"
	"gonum.org/v1/gonum/stat"
)

// Strategy is how Impute computes fill values.
type Strategy string

// Impute strategies, as scikit-learn's SimpleImputer.
const (
	Mean         Strategy = "mean"          // mean of the non-missing values
	Median       Strategy = "median"        // median (average of the middle two for an even count)
	MostFrequent Strategy = "most_frequent" // most frequent value; ties go to the smallest
	Constant     Strategy = "constant"      // Impute.FillValue
)

// Scalar is a configuration value given as a string, number or boolean;
// it keeps the text (numbers in the shortest form that reads back
// exactly).
type Scalar string

// UnmarshalJSON accepts a JSON string, number or boolean.
func (s *Scalar) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if len(b) > 0 && b[0] == '"' {
		var v string
		if err := json.Unmarshal(b, &v); err != nil {
			return err
		}
		*s = Scalar(v)
		return nil
	}
	var v any
	if err := json.Unmarshal(b, &v); err != nil {
		return err
	}
	switch v := v.(type) {
	case float64:
		*s = Scalar(strconv.FormatFloat(v, 'g', -1, 64))
	case bool:
		*s = Scalar(strconv.FormatBool(v))
	default:
		return fmt.Errorf("want a string, number or boolean, got %s", b)
	}
	return nil
}

// Impute fills missing values with a statistic of the training data (or a
// constant), per column.
//
// Columns defaults to: the numeric columns for mean and median; every
// column for most_frequent; for constant, the numeric columns if
// FillValue is a number and the categorical ones otherwise. Mean and
// median need numeric columns; a boolean column takes a constant that is
// one of its tokens. A column with no value at fit time is an error (its
// statistic is undefined; scikit-learn drops such columns instead).
type Impute struct {
	// Strategy is mean (default), median, most_frequent or constant, as
	// SimpleImputer.
	Strategy Strategy `json:"strategy,omitempty"`
	// Columns to impute; empty means the default above.
	Columns []string `json:"columns,omitempty"`
	// FillValue is the constant of the Constant strategy.
	FillValue Scalar `json:"fill_value,omitempty"`

	// Fitted holds the fill values, set by FitTransform.
	Fitted *ImputeState `json:"fitted,omitempty"`
}

// ImputeState is the fitted state of Impute.
type ImputeState struct {
	Fills []Fill `json:"fills"`
}

// Fill is the value filled into one column's missing values, as text
// (see frame.Column.String).
type Fill struct {
	Column string     `json:"column"`
	Kind   frame.Kind `json:"kind"`
	Value  string     `json:"value"`
}

// Name returns "impute".
func (*Impute) Name() string { return "impute" }

func (s *Impute) strategy() Strategy {
	if s.Strategy == "" {
		return Mean
	}
	return s.Strategy
}

func (s *Impute) validate() error {
	switch s.strategy() {
	case Mean, Median, MostFrequent:
		if s.FillValue != "" {
			return fmt.Errorf("%w: fill_value is only for strategy constant", ErrBadOption)
		}
	case Constant:
		if s.FillValue == "" {
			return fmt.Errorf("%w: strategy constant needs fill_value", ErrBadOption)
		}
	default:
		return fmt.Errorf("%w: strategy %q (want mean, median, most_frequent or constant)", ErrBadOption, s.Strategy)
	}
	return distinct(s.Columns)
}

func (s *Impute) fitted() bool { return s.Fitted != nil }

func (s *Impute) checkState() error {
	names, kinds := make([]string, len(s.Fitted.Fills)), make([]frame.Kind, len(s.Fitted.Fills))
	for i, fl := range s.Fitted.Fills {
		names[i], kinds[i] = fl.Column, fl.Kind
	}
	if err := stateColumns(names, kinds, frame.Numeric, frame.Categorical, frame.Boolean); err != nil {
		return err
	}
	for _, fl := range s.Fitted.Fills {
		if fl.Kind == frame.Numeric {
			if _, err := parseFill(fl.Value); err != nil {
				return columnErr(fl.Column, err)
			}
		}
	}
	return nil
}

// parseFill reads the fill value of a numeric column: a finite decimal
// number (strconv.ParseFloat also reads "NaN" and "Inf", which fill
// nothing, and hexadecimal, which no fit writes and the Python loader
// does not read).
func parseFill(text string) (float64, error) {
	v, err := strconv.ParseFloat(text, 64)
	switch {
	case err != nil || strings.ContainsAny(text, "xX"):
		return 0, fmt.Errorf("%w: fill_value %q is not a number", ErrBadOption, text)
	case math.IsNaN(v) || math.IsInf(v, 0):
		return 0, fmt.Errorf("%w: fill_value %q is not a finite number", ErrBadOption, text)
	}
	return v, nil
}

// FitTransform computes the fill values on f and fills f.
func (s *Impute) FitTransform(f *frame.Frame, env *Env) (*frame.Frame, error) {
	s.Fitted = nil
	if err := s.validate(); err != nil {
		return nil, err
	}
	var kinds []frame.Kind
	_, numErr := strconv.ParseFloat(string(s.FillValue), 64)
	switch st := s.strategy(); {
	case st == Mean || st == Median:
		kinds = []frame.Kind{frame.Numeric}
	case st == MostFrequent:
		kinds = []frame.Kind{frame.Numeric, frame.Categorical, frame.Boolean}
	case numErr == nil:
		kinds = []frame.Kind{frame.Numeric}
	default:
		kinds = []frame.Kind{frame.Categorical}
	}
	cols, err := columnsOrDefault(f, env, s.Columns, kinds...)
	if err != nil {
		return nil, err
	}
	state := &ImputeState{}
	for _, name := range cols {
		c, err := f.Column(name)
		if err != nil {
			return nil, err
		}
		fill, err := s.fit(c)
		if err != nil {
			return nil, columnErr(name, err)
		}
		state.Fills = append(state.Fills, Fill{Column: name, Kind: c.Kind(), Value: fill})
	}
	s.Fitted = state
	g, err := s.Transform(f, env)
	if err != nil {
		s.Fitted = nil
	}
	return g, err
}

func (s *Impute) fit(c *frame.Column) (string, error) {
	st := s.strategy()
	if st == Constant {
		if err := checkFill(c, string(s.FillValue)); err != nil {
			return "", err
		}
		return string(s.FillValue), nil
	}
	if c.Missing() == c.Len() {
		return "", ErrNoValues
	}
	if c.Kind() != frame.Numeric && st != MostFrequent {
		return "", fmt.Errorf("%w: %v, strategy %s needs numeric", ErrKind, c.Kind(), st)
	}
	if c.Kind() == frame.Categorical {
		return mostFrequent(c), nil
	}
	x := nonMissing(c)
	var v float64
	switch st {
	case Mean:
		v = stat.Mean(x, nil)
	case Median:
		v = frame.Median(x) // x is nonMissing's copy: reordering it is fine
	case MostFrequent:
		v = mostFrequentFloat(x)
		if c.Kind() == frame.Boolean {
			f, t := c.Tokens()
			return []string{f, t}[int(v)], nil
		}
	}
	if err := finite(c.Name(), string(st), v); err != nil {
		return "", err
	}
	return strconv.FormatFloat(v, 'g', -1, 64), nil
}

// checkFill checks that text can fill column c.
func checkFill(c *frame.Column, text string) error {
	switch c.Kind() {
	case frame.Numeric:
		if _, err := parseFill(text); err != nil {
			return err
		}
	case frame.Boolean:
		f, t := c.Tokens()
		if text != f && text != t {
			return fmt.Errorf("%w: fill_value %q is not %q or %q", ErrBadOption, text, f, t)
		}
	}
	return nil
}

// Transform fills missing values with the fitted values.
func (s *Impute) Transform(f *frame.Frame, _ *Env) (*frame.Frame, error) {
	if err := checkFitted(s.Fitted != nil); err != nil {
		return nil, err
	}
	out := make([]*frame.Column, 0, len(s.Fitted.Fills))
	for _, fl := range s.Fitted.Fills {
		c, err := needKind(f, fl.Column, fl.Kind)
		if err != nil {
			return nil, err
		}
		if c.Missing() == 0 {
			continue
		}
		if err := checkFill(c, fl.Value); err != nil {
			return nil, columnErr(fl.Column, err)
		}
		switch c.Kind() {
		case frame.Categorical:
			v := c.Strings()
			for i := range v {
				if c.IsNA(i) {
					v[i] = fl.Value
				}
			}
			out = append(out, frame.NewCategorical(c.Name(), v, nil))
		case frame.Boolean:
			ft, tt := c.Tokens()
			fill := 0.0
			if fl.Value == tt {
				fill = 1
			}
			v := c.Floats()
			for i := range v {
				if math.IsNaN(v[i]) {
					v[i] = fill
				}
			}
			out = append(out, frame.NewBoolean(c.Name(), v, ft, tt))
		default:
			fill, _ := parseFill(fl.Value) // checked by checkFill
			out = append(out, mapNumeric(c, func(x float64) float64 {
				if math.IsNaN(x) {
					return fill
				}
				return x
			}))
		}
	}
	return f.With(out...)
}

// nonMissing returns the non-missing values of c, in a slice of its own.
func nonMissing(c *frame.Column) []float64 {
	x := c.Floats()
	n := 0
	for _, v := range x {
		if !math.IsNaN(v) {
			x[n] = v
			n++
		}
	}
	return x[:n]
}

// mostFrequentFloat returns the most frequent value, the smallest among
// ties (as scikit-learn).
func mostFrequentFloat(x []float64) float64 {
	n := make(map[float64]int)
	for _, v := range x {
		n[v]++
	}
	best, bestN := math.Inf(1), 0
	for v, k := range n {
		if k > bestN || k == bestN && v < best {
			best, bestN = v, k
		}
	}
	return best
}

// mostFrequent returns the most frequent non-missing level, the smallest
// (byte-wise) among ties.
func mostFrequent(c *frame.Column) string {
	n := make(map[string]int)
	for i, v := range c.Strings() {
		if !c.IsNA(i) {
			n[v]++
		}
	}
	best, bestN := "", 0
	for v, k := range n {
		if k > bestN || k == bestN && v < best {
			best, bestN = v, k
		}
	}
	return best
}
