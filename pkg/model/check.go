package model

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/mlstack/mlstack/pkg/boost"
	"github.com/mlstack/mlstack/pkg/clean"
	"github.com/mlstack/mlstack/pkg/frame"
)

// Bounds on a bundle, checked by Load (and by Fit and Save) besides the
// booster's own (boost.MaxFeatures features, boost.MaxClasses classes,
// boost.MaxTrees trees). Every list of a bundle costs memory in proportion
// to the bytes that spell it; these bound what a list makes the model
// allocate when it scores (a one-hot level is a column for every row).
const (
	// MaxInputs bounds the raw input columns (mlstack.json).
	MaxInputs = boost.MaxFeatures
	// MaxSteps bounds the steps of the cleaning pipeline (pipeline.json).
	MaxSteps = 1000
	// MaxLevels bounds the categories of one column: the levels of an
	// encode step (pipeline.json), of an ordinal feature (schema.json).
	MaxLevels = boost.MaxFeatures
	// MaxExampleRows bounds the rows of input_example.json (Save writes
	// five).
	MaxExampleRows = 1000
)

// validate checks that the parts of a bundle are sound and agree with each
// other: every count within its bound, the threshold in (0, 1), the inputs
// named once and typed, the classes as many as the booster's outputs (and
// numbers for a numeric target), and the pipeline, run on one row of
// missing inputs, giving exactly the schema's features, which the booster
// scores. Errors wrap ErrFormat.
func (m *Model) validate() error {
	bad := func(format string, args ...any) error {
		return fmt.Errorf("%w: %s", ErrFormat, fmt.Sprintf(format, args...))
	}
	switch {
	case m.Pipeline == nil || !m.Pipeline.Fitted():
		return bad("the cleaning pipeline is missing or not fitted")
	case m.Schema == nil || m.Schema.Target == nil:
		return bad("the feature schema or its target is missing")
	case m.Booster == nil:
		return bad("the booster is missing")
	case len(m.Inputs) == 0:
		return bad("no input columns")
	case len(m.Inputs) > MaxInputs:
		return bad("%s: %d input columns, at most %d", ManifestFile, len(m.Inputs), MaxInputs)
	case len(m.Pipeline.Steps) > MaxSteps:
		return bad("%s: %d steps, at most %d", PipelineFile, len(m.Pipeline.Steps), MaxSteps)
	case len(m.Schema.Features) != m.Booster.NumFeature:
		return bad("the schema has %d features, the booster %d", len(m.Schema.Features), m.Booster.NumFeature)
	case math.IsNaN(m.Threshold) || m.Threshold <= 0 || m.Threshold >= 1:
		return bad("threshold %v is not in (0, 1)", m.Threshold)
	}
	target := m.Schema.Target
	if target.Name == "" || !knownKind(target.Kind) {
		return bad("%s: the target has no name or no known kind", SchemaFile)
	}
	if m.Pipeline.Target != target.Name {
		return bad("the pipeline's target %q is not the schema's %q", m.Pipeline.Target, target.Name)
	}
	seen := make(map[string]bool, len(m.Inputs))
	for _, in := range m.Inputs {
		switch {
		case in.Name == "" || seen[in.Name] || !knownKind(in.Kind):
			return bad("input %q: empty, repeated or of no known kind", in.Name)
		case in.Name == target.Name:
			return bad("input %q is the target", in.Name)
		case in.Kind == frame.Boolean && (len(in.Tokens) != 2 || in.Tokens[0] == in.Tokens[1]):
			return bad("boolean input %q: want 2 distinct tokens, have %q", in.Name, in.Tokens)
		}
		seen[in.Name] = true
	}
	want := Regression
	if m.Booster.Objective != boost.RegSquaredError {
		want = Classification
	}
	if m.Task != want {
		return bad("task %q, but the booster's objective %s is %s", m.Task, m.Booster.Objective, want)
	}
	if err := m.checkClasses(); err != nil {
		return bad("%s: %v", SchemaFile, err)
	}
	if err := m.checkLevels(); err != nil {
		return bad("%v", err)
	}
	return m.probe()
}

func knownKind(k frame.Kind) bool {
	return k == frame.Numeric || k == frame.Categorical || k == frame.Boolean
}

// checkClasses checks the target's classes against the booster: as many
// as it has outputs, distinct, and finite decimal numbers for a numeric
// target (Predict parses them; JSON would carry a NaN as the text "NaN").
func (m *Model) checkClasses() error {
	cl := m.Schema.Target.Classes
	if m.Task != Classification || cl == nil {
		return nil
	}
	if len(cl) != max(2, m.Booster.NumClass) {
		return fmt.Errorf("%d classes, but the booster has %d outputs", len(cl), m.Booster.NumClass)
	}
	seen := make(map[string]bool, len(cl))
	for _, c := range cl {
		if seen[c] {
			return fmt.Errorf("class %q is listed twice", c)
		}
		seen[c] = true
		if m.Schema.Target.Kind != frame.Numeric {
			continue
		}
		if v, err := strconv.ParseFloat(c, 64); err != nil || math.IsNaN(v) || math.IsInf(v, 0) || strings.ContainsAny(c, "xX") {
			return fmt.Errorf("class %q of the numeric target %q is not a finite number", c, m.Schema.Target.Name)
		}
	}
	return nil
}

// checkLevels checks the features of the schema (named once, of a known
// kind) and bounds the categories of every column.
func (m *Model) checkLevels() error {
	names := make(map[string]bool, len(m.Schema.Features))
	for j, ft := range m.Schema.Features {
		switch {
		case ft.Name == "" || names[ft.Name] || !knownKind(ft.Kind):
			return fmt.Errorf("%s: feature %d %q: empty, repeated or of no known kind", SchemaFile, j, ft.Name)
		case len(ft.Levels) > MaxLevels:
			return fmt.Errorf("%s: feature %q: %d levels, at most %d", SchemaFile, ft.Name, len(ft.Levels), MaxLevels)
		}
		names[ft.Name] = true
	}
	for i, s := range m.Pipeline.Steps {
		e, ok := s.(*clean.Encode)
		if !ok || e.Fitted == nil {
			continue
		}
		for _, lv := range e.Fitted.Columns {
			if len(lv.Levels) > MaxLevels {
				return fmt.Errorf("%s: step %d (encode): column %q: %d levels, at most %d", PipelineFile, i, lv.Column, len(lv.Levels), MaxLevels)
			}
		}
	}
	return nil
}

// probe cleans one row of missing inputs and checks that the pipeline
// gives exactly the schema's features (names and kinds, in order), which
// the booster then scores: the files of the bundle describe one model.
func (m *Model) probe() error {
	cols := make([]*frame.Column, len(m.Inputs))
	for j, in := range m.Inputs {
		switch in.Kind {
		case frame.Numeric:
			cols[j] = frame.NewNumeric(in.Name, []float64{math.NaN()})
		case frame.Boolean:
			cols[j] = frame.NewBoolean(in.Name, []float64{math.NaN()}, in.Tokens[0], in.Tokens[1])
		default:
			cols[j] = frame.NewCategorical(in.Name, []string{""}, []bool{true})
		}
	}
	in, err := frame.New(cols...)
	if err == nil {
		in, err = m.Pipeline.Transform(in)
	}
	if err != nil {
		return fmt.Errorf("%w: the pipeline does not apply to the inputs: %w", ErrFormat, err)
	}
	got := in.Columns()
	same := len(got) == len(m.Schema.Features)
	for j := 0; same && j < len(got); j++ {
		same = got[j].Name() == m.Schema.Features[j].Name && got[j].Kind() == m.Schema.Features[j].Kind
	}
	if !same {
		return fmt.Errorf("%w: the pipeline gives the columns %s, the schema has the features %s", ErrFormat,
			describe(len(got), func(j int) (string, frame.Kind) { return got[j].Name(), got[j].Kind() }),
			describe(len(m.Schema.Features), func(j int) (string, frame.Kind) { return m.Schema.Features[j].Name, m.Schema.Features[j].Kind }))
	}
	X, err := m.Schema.Matrix(in)
	if err == nil {
		_, err = m.Booster.Predict(X)
	}
	if err != nil {
		return fmt.Errorf("%w: the booster does not score the features: %w", ErrFormat, err)
	}
	return nil
}

// describe lists up to ten columns as "name (kind)", for errors.
func describe(n int, col func(j int) (string, frame.Kind)) string {
	var b strings.Builder
	for j := range min(n, 10) {
		if j > 0 {
			b.WriteString(", ")
		}
		name, kind := col(j)
		fmt.Fprintf(&b, "%q (%v)", name, kind)
	}
	if n > 10 {
		fmt.Fprintf(&b, " and %d more", n-10)
	}
	return "[" + b.String() + "]"
}
