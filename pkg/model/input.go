package model

import (
	"errors"
	"math"
	"strconv"
	"strings"

	"github.com/mlstack/mlstack/pkg/clean"
	"github.com/mlstack/mlstack/pkg/frame"
)

// inputsOf returns the raw input columns of training data f: every column
// but the target and those a drop_columns step of pipe removes.
func inputsOf(f *frame.Frame, target string, pipe *clean.Pipeline) []Input {
	dropped := map[string]bool{target: true}
	if pipe != nil {
		for _, s := range pipe.Steps {
			if d, ok := s.(*clean.DropColumns); ok {
				for _, c := range d.Columns {
					dropped[c] = true
				}
			}
		}
	}
	var ins []Input
	for _, c := range f.Columns() {
		if dropped[c.Name()] {
			continue
		}
		in := Input{Name: c.Name(), Kind: c.Kind()}
		switch c.Kind() {
		case frame.Boolean:
			ft, tt := c.Tokens()
			in.Tokens = []string{ft, tt}
		case frame.Numeric:
			in.Integer = c.Len() > 0
			for i := 0; i < c.Len() && in.Integer; i++ {
				v := c.Float(i)
				in.Integer = v == math.Trunc(v) && math.Abs(v) <= 1<<53 // not NaN or ±Inf either
			}
		}
		ins = append(ins, in)
	}
	return ins
}

// conform returns the input columns of rows in training order, each of its
// input's kind: a column of another kind is converted when every value
// fits (numbers given as text, 0/1 for a boolean, the tokens of a boolean
// as categories), else the first value that does not is an *InputError.
func (m *Model) conform(rows *frame.Frame) (*frame.Frame, error) {
	cols := make([]*frame.Column, len(m.Inputs))
	for j, in := range m.Inputs {
		c, err := rows.Column(in.Name)
		if err != nil {
			return nil, &InputError{Column: in.Name, Row: -1, Err: err}
		}
		if cols[j], err = coerce(c, in); err != nil {
			return nil, err
		}
	}
	f, err := frame.New(cols...)
	if err != nil {
		return nil, err
	}
	return f.WithName(rows.Name()), nil
}

// coerce converts column c to the kind of input in.
func coerce(c *frame.Column, in Input) (*frame.Column, error) {
	n := c.Len()
	bad := func(i int, want string) error {
		return &InputError{Column: in.Name, Row: i, Value: c.String(i), Want: want, Err: ErrInput}
	}
	switch in.Kind {
	case frame.Numeric:
		switch c.Kind() {
		case frame.Numeric:
			return c, nil
		case frame.Boolean:
			return frame.NewNumeric(in.Name, c.Floats()), nil
		}
		v := make([]float64, n)
		for i := range n {
			if c.IsNA(i) {
				v[i] = math.NaN()
				continue
			}
			x, err := strconv.ParseFloat(strings.TrimSpace(c.String(i)), 64)
			if err != nil && !errors.Is(err, strconv.ErrRange) {
				return nil, bad(i, "a number")
			}
			v[i] = x
		}
		return frame.NewNumeric(in.Name, v), nil
	case frame.Categorical:
		if c.Kind() == frame.Categorical {
			return c, nil
		}
		v, na := make([]string, n), make([]bool, n)
		for i := range n {
			v[i], na[i] = c.String(i), c.IsNA(i)
		}
		return frame.NewCategorical(in.Name, v, na), nil
	}
	// Boolean: 0 for the false token, 1 for the true one.
	ft, tt := in.Tokens[0], in.Tokens[1]
	if c.Kind() == frame.Boolean {
		if a, b := c.Tokens(); a == ft && b == tt {
			return c, nil
		}
		return frame.NewBoolean(in.Name, c.Floats(), ft, tt), nil
	}
	v := make([]float64, n)
	for i := range n {
		switch {
		case c.IsNA(i):
			v[i] = math.NaN()
		case c.Kind() == frame.Numeric && (c.Float(i) == 0 || c.Float(i) == 1):
			v[i] = c.Float(i)
		case c.Kind() == frame.Categorical && c.String(i) == ft:
			v[i] = 0
		case c.Kind() == frame.Categorical && c.String(i) == tt:
			v[i] = 1
		default:
			return nil, bad(i, strconv.Quote(ft)+" or "+strconv.Quote(tt))
		}
	}
	return frame.NewBoolean(in.Name, v, ft, tt), nil
}
