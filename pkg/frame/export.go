package frame

import (
	"fmt"
	"math"
	"slices"
	"strconv"

	"gonum.org/v1/gonum/mat"
)

// ExportOptions configures Matrix and XY. A nil *ExportOptions means the
// zero value.
type ExportOptions struct {
	// Ordinal exports categorical features as the index of their value in
	// the sorted list of levels (recorded in the Schema). When false, a
	// categorical feature is an error wrapping ErrCategorical: encode it
	// first (pkg/clean) or ask for ordinal codes.
	Ordinal bool
	// Positive names the positive class of a binary target: its rows get
	// label 1 and the other class 0. Empty means the default mapping (see
	// XY).
	Positive string
}

// Schema records how a frame was turned into a feature matrix, so that
// new data can be exported the same way (Schema.Matrix) and the mapping
// logged with a model. It is JSON-serialisable.
type Schema struct {
	Features []Feature `json:"features"`
	Target   *Target   `json:"target,omitempty"`
}

// Feature is one column of the feature matrix.
type Feature struct {
	Name string `json:"name"`
	Kind Kind   `json:"kind"`
	// Levels are the categories of an ordinal-coded categorical feature
	// (code i is Levels[i]) or the false and true tokens of a boolean one.
	Levels []string `json:"levels,omitempty"`
}

// Target describes the label vector.
type Target struct {
	Name string `json:"name"`
	Kind Kind   `json:"kind"`
	// Classes maps labels to values: label i is Classes[i]. It is nil for
	// a numeric target exported as is.
	Classes []string `json:"classes,omitempty"`
	// Positive is the class given label 1 when ExportOptions.Positive was
	// set.
	Positive string `json:"positive,omitempty"`
}

// Matrix exports every column of f as a feature: numeric values as they
// are, boolean as 0/1, categorical as ordinal codes if opts.Ordinal (else
// an error naming the column). Missing values are NaN. A frame with no
// rows or no columns is an error wrapping ErrEmpty.
func (f *Frame) Matrix(opts *ExportOptions) (*mat.Dense, *Schema, error) {
	if opts == nil {
		opts = &ExportOptions{}
	}
	s := &Schema{}
	for _, c := range f.cols {
		ft := Feature{Name: c.name, Kind: c.kind}
		switch c.kind {
		case Categorical:
			if !opts.Ordinal {
				return nil, nil, &ColumnError{Column: c.name, Err: ErrCategorical}
			}
			ft.Levels = c.Levels()
		case Boolean:
			ft.Levels = c.Levels()
		}
		s.Features = append(s.Features, ft)
	}
	X, err := s.Matrix(f)
	if err != nil {
		return nil, nil, err
	}
	return X, s, nil
}

// XY exports the column target as the label vector y and the other
// columns as the feature matrix X (see Matrix).
//
// Labels: a numeric target is used as is (Classes nil). A categorical or
// boolean target is mapped to 0..k-1 by Classes: the sorted (byte-wise)
// distinct values for a categorical target, [false token, true token] for
// a boolean one (so "No"→0, "Yes"→1, and "B"→0, "M"→1). With
// opts.Positive, the target must have exactly two distinct values, the
// positive one is labelled 1 and Classes is [other, positive]; for a
// numeric target Positive is parsed as a number.
//
// Errors: a missing target column (*ColumnError wrapping ErrNoColumn,
// listing the columns), a missing target value (ErrMissingTarget, with the
// row), fewer than two distinct target values (ErrOneClass), an unknown
// positive class or a non-binary target with Positive set (ErrNoClass).
func (f *Frame) XY(target string, opts *ExportOptions) (X *mat.Dense, y []float64, s *Schema, err error) {
	if opts == nil {
		opts = &ExportOptions{}
	}
	if _, err := f.Column(target); err != nil {
		return nil, nil, nil, err
	}
	feats, err := f.Drop(target)
	if err != nil {
		return nil, nil, nil, err
	}
	X, s, err = feats.Matrix(opts)
	if err != nil {
		return nil, nil, nil, err
	}
	y, s.Target, err = f.Labels(target, opts)
	if err != nil {
		return nil, nil, nil, err
	}
	return X, y, s, nil
}

// Labels exports the column target as the label vector, as XY does,
// without the feature matrix; the Target says how labels map to values.
// Only opts.Positive is used. Errors are those of XY about the target.
func (f *Frame) Labels(target string, opts *ExportOptions) ([]float64, *Target, error) {
	if opts == nil {
		opts = &ExportOptions{}
	}
	tc, err := f.Column(target)
	if err != nil {
		return nil, nil, err
	}
	t, err := targetOf(tc, opts.Positive)
	if err != nil {
		return nil, nil, err
	}
	y, err := (&Schema{Target: t}).Labels(f)
	if err != nil {
		return nil, nil, err
	}
	return y, t, nil
}

func targetOf(c *Column, positive string) (*Target, error) {
	t := &Target{Name: c.name, Kind: c.kind}
	var distinct []string
	switch c.kind {
	case Numeric:
		seen := make(map[float64]bool)
		for _, v := range c.values() {
			if !math.IsNaN(v) && !seen[v] {
				seen[v] = true
				distinct = append(distinct, strconv.FormatFloat(v, 'g', -1, 64))
			}
		}
		slices.SortFunc(distinct, func(a, b string) int {
			x, _ := strconv.ParseFloat(a, 64)
			y, _ := strconv.ParseFloat(b, 64)
			return cmpFloat(x, y)
		})
	case Boolean:
		seen := [3]bool{}
		for i := range c.Len() {
			seen[c.bools[c.at(i)]] = true
		}
		for k := range 2 {
			if seen[k] {
				distinct = append(distinct, c.tokens[k])
			}
		}
	default:
		distinct = c.Levels()
	}
	if len(distinct) < 2 {
		one := ""
		if len(distinct) == 1 {
			one = distinct[0]
		}
		return nil, &ColumnError{Column: c.name, Err: fmt.Errorf("%w %q", ErrOneClass, one)}
	}
	if positive != "" {
		if len(distinct) != 2 {
			return nil, &ColumnError{Column: c.name, Err: fmt.Errorf("%w: positive class %q needs a binary target, have %d classes", ErrNoClass, positive, len(distinct))}
		}
		k := slices.Index(distinct, positive)
		if c.kind == Numeric {
			p, err := strconv.ParseFloat(positive, 64)
			if err == nil {
				k = slices.IndexFunc(distinct, func(s string) bool { v, _ := strconv.ParseFloat(s, 64); return v == p })
			}
		}
		if k < 0 {
			return nil, &ColumnError{Column: c.name, Err: fmt.Errorf("%w %q (have %s)", ErrNoClass, positive, quoteList(distinct))}
		}
		t.Positive = distinct[k]
		t.Classes = []string{distinct[1-k], distinct[k]}
		return t, nil
	}
	switch c.kind {
	case Boolean:
		t.Classes = c.Levels()
	case Categorical:
		t.Classes = distinct
	}
	return t, nil
}

func cmpFloat(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// Matrix exports the features of new data g as s records them: columns
// are found by name (extra columns are ignored), categorical values are
// coded by the recorded levels and a value not among them becomes NaN,
// like a missing value. A feature column that is absent or of another
// kind is an error.
func (s *Schema) Matrix(g *Frame) (*mat.Dense, error) {
	if g.n == 0 || len(s.Features) == 0 {
		return nil, fmt.Errorf("frame: %d rows x %d features: %w", g.n, len(s.Features), ErrEmpty)
	}
	data := make([]float64, g.n*len(s.Features))
	p := len(s.Features)
	for j, ft := range s.Features {
		c, err := g.Column(ft.Name)
		if err != nil {
			return nil, err
		}
		if c.kind != ft.Kind {
			return nil, &ColumnError{Column: ft.Name, Err: fmt.Errorf("is %v, schema says %v", c.kind, ft.Kind)}
		}
		if c.kind == Boolean {
			for i := range g.n {
				data[i*p+j] = boolFloat[c.bools[c.at(i)]]
			}
			continue
		}
		if c.kind == Numeric {
			if c.rows == nil {
				for i, v := range c.num {
					data[i*p+j] = v
				}
			} else {
				for i, r := range c.rows {
					data[i*p+j] = c.num[r]
				}
			}
			continue
		}
		code := make(map[string]float64, len(ft.Levels))
		for k, l := range ft.Levels {
			code[l] = float64(k)
		}
		// The code of each value of the column's dictionary, then of
		// each row.
		dict := make([]float64, len(c.dict))
		for k, v := range c.dict {
			x, ok := code[v]
			if !ok {
				x = math.NaN()
			}
			dict[k] = x
		}
		for i := range g.n {
			x := math.NaN()
			if k := c.codes[c.at(i)]; k >= 0 {
				x = dict[k]
			}
			data[i*p+j] = x
		}
	}
	return mat.NewDense(g.n, p, data), nil
}

// Labels exports the target column of g as s.Target records it. A value
// that is missing or (for a class-mapped target) not a recorded class is
// an error naming the row.
func (s *Schema) Labels(g *Frame) ([]float64, error) {
	if s.Target == nil {
		return nil, fmt.Errorf("frame: schema has no target")
	}
	t := s.Target
	c, err := g.Column(t.Name)
	if err != nil {
		return nil, err
	}
	y := make([]float64, c.Len())
	var code map[string]float64
	if t.Classes != nil {
		code = make(map[string]float64, len(t.Classes))
		for k, cl := range t.Classes {
			code[cl] = float64(k)
		}
	}
	for i := range y {
		if c.IsNA(i) {
			return nil, &ColumnError{Column: t.Name, Err: fmt.Errorf("row %d: %w", i, ErrMissingTarget)}
		}
		if code == nil {
			if c.kind == Categorical {
				return nil, &ColumnError{Column: t.Name, Err: fmt.Errorf("schema records no classes for a categorical target")}
			}
			y[i] = c.Float(i)
			continue
		}
		v := c.String(i)
		k, ok := code[v]
		if !ok {
			if c.kind == Numeric { // classes written by FormatFloat
				k, ok = code[strconv.FormatFloat(c.num[c.at(i)], 'g', -1, 64)]
			}
			if !ok {
				return nil, &ColumnError{Column: t.Name, Err: fmt.Errorf("row %d: %w %q (have %s)", i, ErrNoClass, v, quoteList(t.Classes))}
			}
		}
		y[i] = k
	}
	return y, nil
}
