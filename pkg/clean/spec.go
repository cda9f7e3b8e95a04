package clean

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"
)

// steps maps step names to constructors and the options each step takes.
var steps = map[string]struct {
	new     func() Step
	options []string
	python  string // the scikit-learn or pandas equivalent, for the config reference
}{
	"drop_duplicates": {func() Step { return &DropDuplicates{} }, nil, "train.drop_duplicates() on the training rows only"},
	"drop_columns":    {func() Step { return &DropColumns{} }, []string{"columns"}, "df.drop(columns=...)"},
	"zero_as_missing": {func() Step { return &ZeroAsMissing{} }, []string{"columns"}, "df[columns].replace(0, np.nan)"},
	"impute":          {func() Step { return &Impute{} }, []string{"strategy", "columns", "fill_value"}, "SimpleImputer(strategy=..., fill_value=...)"},
	"encode":          {func() Step { return &Encode{} }, []string{"method", "columns", "unknown"}, "OneHotEncoder(handle_unknown=...) / OrdinalEncoder"},
	"clip":            {func() Step { return &Clip{} }, []string{"columns", "factor"}, "clip to [Q1 - factor·IQR, Q3 + factor·IQR] (np.percentile)"},
	"standardize":     {func() Step { return &Standardize{} }, []string{"columns"}, "StandardScaler()"},
}

// StepNames returns the names of the available steps, sorted.
func StepNames() []string { return slices.Sorted(maps.Keys(steps)) }

func newStep(name string) (Step, error) {
	s, ok := steps[name]
	if !ok {
		return nil, fmt.Errorf("%w %q (have %s)", ErrUnknownStep, name, strings.Join(StepNames(), ", "))
	}
	return s.new(), nil
}

// StepSpec is the configuration form of a step: its name and options, as
// written in a config file:
//
//   - {step: impute, strategy: median, columns: [Glucose, BMI]}
//
// In JSON (and YAML, with the inline tag) the options sit beside "step"
// in one flat object. Option values are what a JSON or YAML decoder
// produces: strings, numbers, booleans and lists.
type StepSpec struct {
	Step    string         `json:"step" yaml:"step"`
	Options map[string]any `json:"-" yaml:",inline"`
}

// SpecOf splits a decoded config object into its "step" name and options.
func SpecOf(m map[string]any) (StepSpec, error) {
	name, ok := m["step"].(string)
	if !ok || name == "" {
		return StepSpec{}, fmt.Errorf("clean: step spec without a \"step\" name: %v", m)
	}
	opts := maps.Clone(m)
	delete(opts, "step")
	return StepSpec{Step: name, Options: opts}, nil
}

// UnmarshalJSON decodes the flat form {"step": name, option: value, …}.
func (s *StepSpec) UnmarshalJSON(b []byte) error {
	var m map[string]any
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber()
	if err := d.Decode(&m); err != nil {
		return err
	}
	spec, err := SpecOf(m)
	if err != nil {
		return err
	}
	*s = spec
	return nil
}

// MarshalJSON encodes the flat form.
func (s StepSpec) MarshalJSON() ([]byte, error) {
	m := maps.Clone(s.Options)
	if m == nil {
		m = map[string]any{}
	}
	m["step"] = s.Step
	return json.Marshal(m)
}

// FromSpec builds an unfitted pipeline from step specs, checking step
// names, option names and option values. Errors are *StepError values
// wrapping ErrUnknownStep, ErrUnknownOption or ErrBadOption, and list
// what is available.
func FromSpec(specs []StepSpec) (*Pipeline, error) {
	steps, err := fromSpecs(specs, stepFromSpec)
	if err != nil {
		return nil, err
	}
	return &Pipeline{Steps: steps}, nil
}

// fromSpecs builds a step from each spec, an error being a *StepError
// at the spec's index.
func fromSpecs[S any](specs []StepSpec, build func(StepSpec) (S, error)) ([]S, error) {
	var steps []S
	for i, sp := range specs {
		s, err := build(sp)
		if err != nil {
			return nil, &StepError{Index: i, Step: sp.Step, Err: err}
		}
		steps = append(steps, s)
	}
	return steps, nil
}

func stepFromSpec(sp StepSpec) (Step, error) {
	s, err := newStep(sp.Step)
	if err != nil {
		return nil, err
	}
	known := steps[sp.Step].options
	for _, k := range slices.Sorted(maps.Keys(sp.Options)) {
		if !slices.Contains(known, k) {
			have := "none"
			if len(known) > 0 {
				have = strings.Join(known, ", ")
			}
			return nil, fmt.Errorf("%w %q (%s takes: %s)", ErrUnknownOption, k, sp.Step, have)
		}
	}
	for _, k := range known {
		v, ok := sp.Options[k]
		if !ok {
			continue
		}
		b, err := json.Marshal(map[string]any{k: v})
		if err != nil {
			return nil, fmt.Errorf("%w: %s: %v", ErrBadOption, k, err)
		}
		if err := json.Unmarshal(b, s); err != nil {
			return nil, fmt.Errorf("%w: %s: %v is %T, want %s", ErrBadOption, k, v, v, optionType(k))
		}
	}
	if err := s.validate(); err != nil {
		return nil, err
	}
	return s, nil
}

func optionType(k string) string {
	switch k {
	case "columns":
		return "a list of column names"
	case "factor":
		return "a number"
	case "fill_value":
		return "a string, number or boolean"
	}
	return "a string"
}
