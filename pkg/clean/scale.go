package clean

import (
	"fmt"
	"math"
	"slices"

	"github.com/mlstack/mlstack/pkg/frame"
	"gonum.org/v1/gonum/stat"
)

// DefaultFactor is the IQR factor of Clip when Factor is 0.
const DefaultFactor = 1.5

// Clip limits outliers: with Q1 and Q3 the quartiles of a column in the
// training data (linear interpolation, numpy's default) and IQR = Q3-Q1,
// values below Q1-Factor·IQR or above Q3+Factor·IQR are set to those
// bounds. Missing values stay missing.
type Clip struct {
	// Columns to clip; empty means every numeric column.
	Columns []string `json:"columns,omitempty"`
	// Factor defaults to DefaultFactor (1.5); it must not be negative.
	Factor float64 `json:"factor,omitempty"`

	// Fitted holds the bounds, set by FitTransform.
	Fitted *ClipState `json:"fitted,omitempty"`
}

// ClipState is the fitted state of Clip.
type ClipState struct {
	Bounds []Bound `json:"bounds"`
}

// Bound is the clipping range of one column.
type Bound struct {
	Column string  `json:"column"`
	Lower  float64 `json:"lower"`
	Upper  float64 `json:"upper"`
}

// Name returns "clip".
func (*Clip) Name() string { return "clip" }

func (s *Clip) factor() float64 {
	if s.Factor == 0 {
		return DefaultFactor
	}
	return s.Factor
}

func (s *Clip) validate() error {
	if s.Factor < 0 || math.IsNaN(s.Factor) || math.IsInf(s.Factor, 0) {
		return fmt.Errorf("%w: factor %v (want a finite value ≥ 0)", ErrBadOption, s.Factor)
	}
	return distinct(s.Columns)
}

func (s *Clip) fitted() bool { return s.Fitted != nil }

func (s *Clip) checkState() error {
	names := make([]string, len(s.Fitted.Bounds))
	for i, b := range s.Fitted.Bounds {
		names[i] = b.Column
	}
	if err := stateColumns(names, nil); err != nil {
		return err
	}
	for _, b := range s.Fitted.Bounds {
		if err := finite(b.Column, "bound", b.Lower, b.Upper); err != nil {
			return err
		}
		if b.Lower > b.Upper {
			return columnErr(b.Column, fmt.Errorf("lower bound %v above the upper bound %v", b.Lower, b.Upper))
		}
	}
	return nil
}

// FitTransform computes the bounds on f and clips f.
func (s *Clip) FitTransform(f *frame.Frame, env *Env) (*frame.Frame, error) {
	s.Fitted = nil
	if err := s.validate(); err != nil {
		return nil, err
	}
	cols, err := columnsOrDefault(f, env, s.Columns, frame.Numeric)
	if err != nil {
		return nil, err
	}
	state := &ClipState{}
	for _, name := range cols {
		c, err := needKind(f, name, frame.Numeric)
		if err != nil {
			return nil, err
		}
		x := nonMissing(c)
		if len(x) == 0 {
			return nil, columnErr(name, ErrNoValues)
		}
		slices.Sort(x)
		q1, q3 := frame.Quantile(x, 0.25), frame.Quantile(x, 0.75)
		k := s.factor()
		b := Bound{Column: name, Lower: q1 - k*(q3-q1), Upper: q3 + k*(q3-q1)}
		if err := finite(name, "bound", b.Lower, b.Upper); err != nil {
			return nil, err
		}
		state.Bounds = append(state.Bounds, b)
	}
	s.Fitted = state
	return s.Transform(f, env)
}

// Transform clips the fitted columns of f.
func (s *Clip) Transform(f *frame.Frame, _ *Env) (*frame.Frame, error) {
	if err := checkFitted(s.Fitted != nil); err != nil {
		return nil, err
	}
	out := make([]*frame.Column, 0, len(s.Fitted.Bounds))
	for _, b := range s.Fitted.Bounds {
		c, err := needKind(f, b.Column, frame.Numeric)
		if err != nil {
			return nil, err
		}
		out = append(out, mapNumeric(c, func(x float64) float64 {
			switch {
			case x < b.Lower:
				return b.Lower
			case x > b.Upper:
				return b.Upper
			}
			return x
		}))
	}
	return f.With(out...)
}

// Standardize centres and scales columns to z-scores, (x - mean) / scale,
// with the mean and the population standard deviation (ddof=0) of the
// training data, as scikit-learn's StandardScaler: missing values are
// ignored when fitting and stay missing, and a constant column gets scale
// 1.
type Standardize struct {
	// Columns to standardize; empty means every numeric column (boolean
	// columns, including one-hot indicators, are left alone).
	Columns []string `json:"columns,omitempty"`

	// Fitted holds means and scales, set by FitTransform.
	Fitted *StandardizeState `json:"fitted,omitempty"`
}

// StandardizeState is the fitted state of Standardize.
type StandardizeState struct {
	Scales []Scale `json:"scales"`
}

// Scale is the centre and scale of one column.
type Scale struct {
	Column string  `json:"column"`
	Mean   float64 `json:"mean"`
	Scale  float64 `json:"scale"`
}

// Name returns "standardize".
func (*Standardize) Name() string { return "standardize" }

func (s *Standardize) validate() error { return distinct(s.Columns) }
func (s *Standardize) fitted() bool    { return s.Fitted != nil }

func (s *Standardize) checkState() error {
	names := make([]string, len(s.Fitted.Scales))
	for i, sc := range s.Fitted.Scales {
		names[i] = sc.Column
	}
	if err := stateColumns(names, nil); err != nil {
		return err
	}
	for _, sc := range s.Fitted.Scales {
		if err := finite(sc.Column, "mean or scale", sc.Mean, sc.Scale); err != nil {
			return err
		}
		if sc.Scale <= 0 {
			return columnErr(sc.Column, fmt.Errorf("scale %v is not positive", sc.Scale))
		}
	}
	return nil
}

// FitTransform computes means and scales on f and standardizes f.
func (s *Standardize) FitTransform(f *frame.Frame, env *Env) (*frame.Frame, error) {
	s.Fitted = nil
	cols, err := columnsOrDefault(f, env, s.Columns, frame.Numeric)
	if err != nil {
		return nil, err
	}
	state := &StandardizeState{}
	for _, name := range cols {
		c, err := needKind(f, name, frame.Numeric)
		if err != nil {
			return nil, err
		}
		x := nonMissing(c)
		if len(x) == 0 {
			return nil, columnErr(name, ErrNoValues)
		}
		m := stat.Mean(x, nil)
		var ss float64
		for _, v := range x {
			ss += (v - m) * (v - m)
		}
		n := float64(len(x))
		variance := ss / n
		scale := math.Sqrt(variance)
		// scikit-learn's _is_constant_feature: the variance is within
		// rounding error of zero.
		const eps = 0x1p-52
		if variance <= n*eps*variance+(n*m*eps)*(n*m*eps) {
			scale = 1
		}
		if err := finite(name, "mean or scale", m, scale); err != nil {
			return nil, err
		}
		state.Scales = append(state.Scales, Scale{Column: name, Mean: m, Scale: scale})
	}
	s.Fitted = state
	return s.Transform(f, env)
}

// Transform standardizes the fitted columns of f.
func (s *Standardize) Transform(f *frame.Frame, _ *Env) (*frame.Frame, error) {
	if err := checkFitted(s.Fitted != nil); err != nil {
		return nil, err
	}
	out := make([]*frame.Column, 0, len(s.Fitted.Scales))
	for _, sc := range s.Fitted.Scales {
		c, err := needKind(f, sc.Column, frame.Numeric)
		if err != nil {
			return nil, err
		}
		out = append(out, mapNumeric(c, func(x float64) float64 { return (x - sc.Mean) / sc.Scale }))
	}
	return f.With(out...)
}
