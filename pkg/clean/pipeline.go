package clean

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"

	"github.com/mlstack/mlstack/pkg/frame"
)

// Step is one stage of a Pipeline. The steps of this package are
// DropDuplicates, DropColumns, ZeroAsMissing, Impute, Encode, Clip and
// Standardize; the interface is sealed so that every step can be
// serialised.
type Step interface {
	// Name returns the step's name in specs and JSON, such as "impute".
	Name() string
	// FitTransform fits the step on the training frame f and returns f
	// transformed.
	FitTransform(f *frame.Frame, env *Env) (*frame.Frame, error)
	// Transform applies the fitted step to new data.
	Transform(f *frame.Frame, env *Env) (*frame.Frame, error)

	validate() error
	fitted() bool
	// checkState checks fitted statistics read from JSON: what FitTransform
	// cannot produce (a NaN smuggled in as text, a repeated level or
	// column, an empty set of levels, a scale of 0) is an error.
	checkState() error
}

// Env is what a step knows of the pipeline it runs in.
type Env struct {
	// Target is the pipeline's target column (see Pipeline.Target).
	Target string
}

// Pipeline is an ordered list of steps, fitted on training data and then
// applied to new data. Its JSON form (json.Marshal) holds the options and
// the fitted statistics of every step; json.Unmarshal restores a pipeline
// that transforms data identically.
type Pipeline struct {
	// Target names the label column. It is left out of the columns a step
	// picks by default, a step may not list it, and new data need not
	// have it.
	Target string
	// Steps run in order.
	Steps []Step

	isFitted bool
}

// New returns an unfitted pipeline of the given steps. It panics if a
// step is nil; the steps' options are checked by FitTransform.
func New(steps ...Step) *Pipeline {
	for _, s := range steps {
		if s == nil {
			panic("clean: nil step")
		}
	}
	return &Pipeline{Steps: steps}
}

// Fitted reports whether FitTransform has succeeded (or a fitted pipeline
// was loaded).
func (p *Pipeline) Fitted() bool { return p.isFitted }

// Validate checks the options of every step.
func (p *Pipeline) Validate() error {
	for i, s := range p.Steps {
		if err := s.validate(); err != nil {
			return &StepError{Index: i, Step: s.Name(), Err: err}
		}
	}
	return nil
}

// FitTransform fits the steps in order on the training frame f, each on
// the output of the previous one, and returns the transformed training
// frame. On error the pipeline is left unfitted.
func (p *Pipeline) FitTransform(f *frame.Frame) (*frame.Frame, error) {
	p.isFitted = false
	if err := p.Validate(); err != nil {
		return nil, err
	}
	env := &Env{Target: p.Target}
	for i, s := range p.Steps {
		g, err := s.FitTransform(f, env)
		if err != nil {
			return nil, &StepError{Index: i, Step: s.Name(), Err: err}
		}
		f = g
	}
	p.isFitted = true
	return f, nil
}

// Transform applies the fitted pipeline to new data f. It never drops
// rows: a frame being scored keeps one row per input row.
func (p *Pipeline) Transform(f *frame.Frame) (*frame.Frame, error) {
	if !p.isFitted {
		return nil, fmt.Errorf("clean: Transform: pipeline %w", ErrNotFitted)
	}
	env := &Env{Target: p.Target}
	for i, s := range p.Steps {
		g, err := s.Transform(f, env)
		if err != nil {
			return nil, &StepError{Index: i, Step: s.Name(), Err: err}
		}
		f = g
	}
	return f, nil
}

// jsonVersion is the version of the pipeline's JSON form.
const jsonVersion = 1

type pipelineJSON struct {
	Version int               `json:"version"`
	Target  string            `json:"target,omitempty"`
	Fitted  bool              `json:"fitted"`
	Steps   []json.RawMessage `json:"steps"`
}

// MarshalJSON encodes the pipeline: its target, whether it is fitted, and
// each step as {"step": name, options…, "fitted": {statistics}}.
func (p *Pipeline) MarshalJSON() ([]byte, error) {
	out := pipelineJSON{Version: jsonVersion, Target: p.Target, Fitted: p.isFitted, Steps: []json.RawMessage{}}
	for _, s := range p.Steps {
		b, err := marshalStep(s)
		if err != nil {
			return nil, err
		}
		out.Steps = append(out.Steps, b)
	}
	return json.Marshal(out)
}

func marshalStep(s Step) ([]byte, error) {
	body, err := json.Marshal(s)
	if err != nil {
		return nil, fmt.Errorf("clean: encoding step %s: %w", s.Name(), err)
	}
	name, _ := json.Marshal(s.Name())
	b := []byte(`{"step":` + string(name))
	if len(body) > 2 {
		b = append(b, ',')
		b = append(b, body[1:]...)
	} else {
		b = append(b, '}')
	}
	return b, nil
}

// UnmarshalJSON decodes a pipeline written by MarshalJSON. Unknown steps
// or fields, and a fitted pipeline lacking a step's statistics, are
// errors.
func (p *Pipeline) UnmarshalJSON(b []byte) error {
	var in pipelineJSON
	if err := strictDecode(b, &in); err != nil {
		return fmt.Errorf("clean: decoding pipeline: %w", err)
	}
	if in.Version != jsonVersion {
		return fmt.Errorf("clean: pipeline JSON version %d, want %d", in.Version, jsonVersion)
	}
	q := Pipeline{Target: in.Target, isFitted: in.Fitted}
	for i, raw := range in.Steps {
		var fields map[string]json.RawMessage
		if err := json.Unmarshal(raw, &fields); err != nil {
			return fmt.Errorf("clean: decoding step %d: %w", i, err)
		}
		var name string
		if err := json.Unmarshal(fields["step"], &name); err != nil || name == "" {
			return fmt.Errorf("clean: decoding step %d: missing \"step\" name", i)
		}
		s, err := newStep(name)
		if err != nil {
			return &StepError{Index: i, Step: name, Err: err}
		}
		delete(fields, "step")
		rest, _ := json.Marshal(fields)
		if err := strictDecode(rest, s); err != nil {
			return &StepError{Index: i, Step: name, Err: err}
		}
		if err := s.validate(); err != nil {
			return &StepError{Index: i, Step: name, Err: err}
		}
		if in.Fitted && !s.fitted() {
			return &StepError{Index: i, Step: name, Err: fmt.Errorf("pipeline marked fitted but step has no fitted state: %w", ErrNotFitted)}
		}
		if s.fitted() {
			if err := s.checkState(); err != nil {
				return &StepError{Index: i, Step: name, Err: fmt.Errorf("%w: %w", ErrBadState, err)}
			}
		}
		q.Steps = append(q.Steps, s)
	}
	*p = q
	return nil
}

func strictDecode(b []byte, v any) error {
	d := json.NewDecoder(bytes.NewReader(b))
	d.DisallowUnknownFields()
	return d.Decode(v)
}

// columnsOrDefault returns cols if given, else the columns of f of the
// given kinds in frame order, leaving out the target.
func columnsOrDefault(f *frame.Frame, env *Env, cols []string, kinds ...frame.Kind) ([]string, error) {
	if len(cols) > 0 {
		for _, c := range cols {
			if env != nil && env.Target != "" && c == env.Target {
				return nil, columnErr(c, ErrTarget)
			}
			if _, err := f.Column(c); err != nil {
				return nil, err
			}
		}
		return slices.Clone(cols), nil
	}
	var out []string
	for _, c := range f.Columns() {
		if env != nil && c.Name() == env.Target {
			continue
		}
		if slices.Contains(kinds, c.Kind()) {
			out = append(out, c.Name())
		}
	}
	return out, nil
}

// needKind returns column name of f, checking its kind is one of kinds.
func needKind(f *frame.Frame, name string, kinds ...frame.Kind) (*frame.Column, error) {
	c, err := f.Column(name)
	if err != nil {
		return nil, err
	}
	if !slices.Contains(kinds, c.Kind()) {
		return nil, columnErr(name, fmt.Errorf("%w: %v, want %v", ErrKind, c.Kind(), kindList(kinds)))
	}
	return c, nil
}

func kindList(kinds []frame.Kind) string {
	s := ""
	for i, k := range kinds {
		if i > 0 {
			s += " or "
		}
		s += k.String()
	}
	return s
}
