package tune

import (
	"errors"
	"fmt"
	"math"
	"strconv"
)

// A Distribution is the range of one parameter: Float, Int or
// Categorical, with Optuna's rules (FloatDistribution, IntDistribution,
// CategoricalDistribution).
type Distribution interface {
	// validate reports what makes the distribution unusable.
	validate() error
	// single reports whether the distribution holds one value only; such
	// a parameter is fixed and not modelled by a sampler.
	single() bool
	// internal maps a value to the sampler's float representation: the
	// number itself (not its log) or the index of a choice.
	internal(v any) (float64, bool)
	// external maps the representation back to the value a trial sees.
	external(x float64) any
}

// Float is a real parameter in [Low, High]; Log samples it uniformly in
// log space (log-uniform, Low > 0), Step > 0 restricts it to Low + k·Step.
// Log and Step are exclusive, as in Optuna.
type Float struct {
	Low, High float64
	Log       bool
	Step      float64
}

// Int is an integer parameter in [Low, High] with Step (default 1); Log
// samples it log-uniformly (Low ≥ 1, Step 1), as Optuna's
// suggest_int(log=True).
type Int struct {
	Low, High int
	Log       bool
	Step      int
}

// Categorical is a choice among values (strings, numbers, booleans).
// Samplers treat choices as unordered.
type Categorical struct {
	Choices []any
}

func (d Float) validate() error {
	switch {
	case math.IsNaN(d.Low) || math.IsNaN(d.High) || math.IsInf(d.Low, 0) || math.IsInf(d.High, 0):
		return errors.New("low and high must be finite numbers")
	case d.Low > d.High:
		return fmt.Errorf("low (%v) is greater than high (%v)", d.Low, d.High)
	case d.Log && d.Low <= 0:
		return fmt.Errorf("a log-uniform range needs low > 0, got low %v", d.Low)
	case d.Log && d.Step != 0:
		return errors.New("log and step cannot be used together")
	case d.Step < 0 || math.IsNaN(d.Step):
		return fmt.Errorf("step must be positive, got %v", d.Step)
	}
	return nil
}

func (d Float) single() bool {
	if d.Step > 0 {
		return d.High-d.Low < d.Step
	}
	return d.Low == d.High
}

func (d Float) internal(v any) (float64, bool) {
	x, ok := toFloat(v)
	return x, ok && x >= d.Low && x <= d.High
}

func (d Float) external(x float64) any { return x }

// high is the largest value on the step grid.
func (d Float) high() float64 {
	if d.Step > 0 {
		return d.Low + math.Floor((d.High-d.Low)/d.Step)*d.Step
	}
	return d.High
}

func (d Int) step() int {
	if d.Step == 0 {
		return 1
	}
	return d.Step
}

func (d Int) validate() error {
	switch {
	case d.Low > d.High:
		return fmt.Errorf("low (%d) is greater than high (%d)", d.Low, d.High)
	case d.Step < 0:
		return fmt.Errorf("step must be positive, got %d", d.Step)
	case d.Log && d.Low < 1:
		return fmt.Errorf("a log-uniform range needs low ≥ 1, got low %d", d.Low)
	case d.Log && d.step() != 1:
		return fmt.Errorf("a log-uniform integer range needs step 1, got %d", d.Step)
	}
	return nil
}

func (d Int) single() bool { return d.High-d.Low < d.step() }

func (d Int) internal(v any) (float64, bool) {
	x, ok := toFloat(v)
	return x, ok && x == math.Trunc(x) && x >= float64(d.Low) && x <= float64(d.High)
}

func (d Int) external(x float64) any { return int(math.Round(x)) }

// high is the largest value on the step grid.
func (d Int) high() int { return d.Low + (d.High-d.Low)/d.step()*d.step() }

func (d Categorical) validate() error {
	if len(d.Choices) == 0 {
		return errors.New("a categorical parameter needs at least one choice")
	}
	seen := make(map[string]bool, len(d.Choices))
	for _, c := range d.Choices {
		switch c.(type) {
		case string, bool, int, float64:
		default:
			return fmt.Errorf("choice %v: only strings, numbers and booleans can be choices", c)
		}
		k := fmt.Sprintf("%T:%v", c, c)
		if seen[k] {
			return fmt.Errorf("choice %v appears twice", c)
		}
		seen[k] = true
	}
	return nil
}

func (d Categorical) single() bool { return len(d.Choices) == 1 }

func (d Categorical) internal(v any) (float64, bool) {
	for i, c := range d.Choices {
		if c == v {
			return float64(i), true
		}
	}
	return 0, false
}

func (d Categorical) external(x float64) any { return d.Choices[int(x)] }

func toFloat(v any) (float64, bool) {
	switch x := v.(type) {
	case float64:
		return x, true
	case int:
		return float64(x), true
	case int64:
		return float64(x), true
	}
	return 0, false
}

// A Param is one named dimension of a search space.
type Param struct {
	Name string
	Dist Distribution
}

// A Space is an ordered list of parameters. The order is the order the
// config lists them in; samplers draw in that order, so a seeded search
// is reproducible.
type Space []Param

// A SpaceError names the parameter of a search space that cannot be
// searched and why. Param is empty for an error about the whole space.
type SpaceError struct {
	Param string
	Err   error
}

func (e *SpaceError) Error() string {
	if e.Param == "" {
		return "search space: " + e.Err.Error()
	}
	return fmt.Sprintf("search space: parameter %q: %v", e.Param, e.Err)
}

func (e *SpaceError) Unwrap() error { return e.Err }

// Validate checks that the space has parameters, that names are unique
// and that every distribution is usable.
func (s Space) Validate() error {
	if len(s) == 0 {
		return &SpaceError{Err: errors.New("no parameters to search")}
	}
	seen := make(map[string]bool, len(s))
	for _, p := range s {
		if p.Name == "" {
			return &SpaceError{Err: errors.New("a parameter has no name")}
		}
		if seen[p.Name] {
			return &SpaceError{Param: p.Name, Err: errors.New("listed twice")}
		}
		seen[p.Name] = true
		if p.Dist == nil {
			return &SpaceError{Param: p.Name, Err: errors.New("no distribution")}
		}
		if err := p.Dist.validate(); err != nil {
			return &SpaceError{Param: p.Name, Err: err}
		}
	}
	return nil
}

// Params are one trial's parameter values by name: float64 for a Float,
// int for an Int, the choice itself for a Categorical.
type Params map[string]any

// Strings formats the values as MLflow params: shortest round-trip form
// for numbers, as Optuna's integration logs them.
func (p Params) Strings() map[string]string {
	out := make(map[string]string, len(p))
	for k, v := range p {
		switch x := v.(type) {
		case float64:
			out[k] = strconv.FormatFloat(x, 'g', -1, 64)
		default:
			out[k] = fmt.Sprint(x)
		}
	}
	return out
}
