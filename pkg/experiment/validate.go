package experiment

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/mlstack/mlstack/internal/redact"
	"github.com/mlstack/mlstack/pkg/clean"
)

// locate returns the node at a key path (a.b[2].c), or the closest parent.
func (p *Parsed) locate(path string) *yaml.Node {
	n := p.root
	if path == "" {
		return n
	}
	for _, part := range strings.Split(path, ".") {
		key, idx := part, -1
		if i := strings.IndexByte(part, '['); i >= 0 && strings.HasSuffix(part, "]") {
			key = part[:i]
			idx, _ = strconv.Atoi(part[i+1 : len(part)-1])
		}
		next := child(n, key)
		if next == nil {
			return n
		}
		n = next
		if idx >= 0 {
			if n.Kind != yaml.SequenceNode || idx >= len(n.Content) {
				return n
			}
			n = n.Content[idx]
		}
	}
	return n
}

func child(n *yaml.Node, key string) *yaml.Node {
	if n == nil || n.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key {
			return n.Content[i+1]
		}
	}
	return nil
}

// errAt returns a *ConfigError at the node of path.
func (p *Parsed) errAt(path, format string, args ...any) error {
	n := p.locate(path)
	e := &ConfigError{File: p.File, Path: path, Msg: fmt.Sprintf(format, args...)}
	if n != nil && n.Line > 0 {
		e.Line, e.Column = n.Line, n.Column
	} else if n != nil && n.Line == 0 {
		e.File = "--set"
	}
	return e
}

var (
	resampleMethods   = []string{"none", "smote", "smotenc"}
	validationMethods = []string{"repeated_stratified_kfold", "stratified_kfold", "repeated_kfold", "kfold"}
	intervals         = []string{"student_t", "bootstrap"}
)

// validate checks what decoding cannot: required keys, choices, ranges, and
// the trainer's own rules.
func (p *Parsed) validate() error {
	c := &p.Config
	if c.Name == "" {
		return p.errAt("name", "missing: name the experiment (also the MLflow experiment unless tracking.experiment is set)")
	}
	if c.Data.Source == "" {
		return p.errAt("data.source", "missing: give sample:NAME, a path, s3://bucket/key, https://... or kaggle:owner/dataset")
	}
	if c.Model.Trainer == "" {
		return p.errAt("model.trainer", "missing: one of %s", strings.Join(Trainers(), ", "))
	}
	if _, ok := lookup(c.Model.Trainer); !ok {
		return p.errAt("model.trainer", "unknown trainer %q; registered: %s", c.Model.Trainer, strings.Join(Trainers(), ", "))
	}
	if !slices.Contains(resampleMethods, c.Resample.Method) {
		return p.errAt("resample.method", "unknown method %q; expected one of %s", c.Resample.Method, strings.Join(resampleMethods, ", "))
	}
	if c.Resample.KNeighbors < 1 {
		return p.errAt("resample.k_neighbors", "must be at least 1, got %d", c.Resample.KNeighbors)
	}
	if _, err := samplingStrategy(c.Resample.SamplingStrategy); err != nil {
		return p.errAt("resample.sampling_strategy", "%v", err)
	}
	if n := c.Artifacts.SHAP; n != nil && *n < 0 {
		return p.errAt("artifacts.shap", "must be 0 (no SHAP charts) or a number of rows, got %d", *n)
	}
	v := c.Validation
	if !slices.Contains(validationMethods, v.Method) {
		return p.errAt("validation.method", "unknown method %q; expected one of %s", v.Method, strings.Join(validationMethods, ", "))
	}
	if v.NSplits < 2 {
		return p.errAt("validation.n_splits", "must be at least 2, got %d", v.NSplits)
	}
	if v.NRepeats < 0 {
		return p.errAt("validation.n_repeats", "must be at least 1, got %d", v.NRepeats)
	}
	if v.Workers < 0 {
		return p.errAt("validation.workers", "must be 0 (all cores) or more, got %d", v.Workers)
	}
	if !(v.Threshold > 0 && v.Threshold < 1) {
		return p.errAt("validation.threshold", "must be in (0, 1), got %v", v.Threshold)
	}
	if !(c.Metrics.Confidence > 0 && c.Metrics.Confidence < 1) {
		return p.errAt("metrics.confidence", "must be in (0, 1), e.g. 0.95; got %v", c.Metrics.Confidence)
	}
	if !slices.Contains(intervals, c.Metrics.Interval) {
		return p.errAt("metrics.interval", "unknown interval %q; expected one of %s", c.Metrics.Interval, strings.Join(intervals, ", "))
	}
	if _, err := p.pipeline(); err != nil {
		return err
	}
	var rounds float64
	switch n := c.Model.Params["n_estimators"].(type) {
	case int:
		rounds = float64(n)
	case float64:
		rounds = n
	}
	if rounds > MaxEstimators && !p.allowLarge {
		return p.errAt("model.params.n_estimators", "%v rounds is more than %d: each round keeps a tree in memory; pass --allow-large if you mean it", rounds, MaxEstimators)
	}
	t, _ := lookup(c.Model.Trainer)
	if err := t.Validate(c); err != nil {
		var fe *FieldError
		if errors.As(err, &fe) {
			return p.errAt(fe.Path, "%s", fe.Msg)
		}
		return p.errAt("model", "%v", err)
	}
	return nil
}

// MaxEstimators bounds model.params.n_estimators unless the run allows
// large models (Options.AllowLarge, train --allow-large).
const MaxEstimators = 1_000_000

// FieldError is what a trainer's Validate (or Train, when the data
// contradicts the config) returns to point at a config key.
type FieldError struct {
	Path string // key path, e.g. model.params.max_depth
	Msg  string
}

func (e *FieldError) Error() string { return e.Path + ": " + e.Msg }

// pipeline builds the (unfitted) cleaning pipeline of the config.
func (p *Parsed) pipeline() (*clean.Pipeline, error) {
	specs := make([]clean.StepSpec, len(p.Config.Clean))
	for i, m := range p.Config.Clean {
		s, err := clean.SpecOf(m)
		if err != nil {
			return nil, p.errAt(fmt.Sprintf("clean[%d]", i), "%v", err)
		}
		specs[i] = s
	}
	pipe, err := clean.FromSpec(specs)
	if err != nil {
		var se *clean.StepError
		if errors.As(err, &se) {
			return nil, p.errAt(fmt.Sprintf("clean[%d]", se.Index), "%v", se.Err)
		}
		return nil, p.errAt("clean", "%v", err)
	}
	pipe.Target = p.Config.Data.Target
	if err := pipe.Validate(); err != nil {
		var se *clean.StepError
		if errors.As(err, &se) {
			return nil, p.errAt(fmt.Sprintf("clean[%d]", se.Index), "%v", se.Err)
		}
		return nil, p.errAt("clean", "%v", err)
	}
	return pipe, nil
}

// Redacted is the value that replaces secrets in outputs.
const Redacted = redact.Mask

// ResolvedYAML returns the config with defaults filled in and secrets
// redacted, as written to config.resolved.yaml.
func (p *Parsed) ResolvedYAML() ([]byte, error) {
	n, err := p.redactedNode()
	if err != nil {
		return nil, err
	}
	return yaml.Marshal(n)
}

func (p *Parsed) redactedNode() (*yaml.Node, error) {
	var n yaml.Node
	if err := n.Encode(p.Config); err != nil {
		return nil, err
	}
	walk(&n, "", func(path string, v *yaml.Node) {
		if slices.Contains(p.secrets, path) {
			v.Kind, v.Tag, v.Value, v.Style = yaml.ScalarNode, "!!str", Redacted, 0
		} else if red := redact.String(v.Value); red != v.Value {
			// Credentials in URLs, secret query parameters, the value
			// of a secret environment variable under another key.
			v.Tag, v.Value, v.Style = "!!str", red, 0
		}
	})
	return &n, nil
}

// walk calls fn for every scalar node with its key path. A list of scalars
// is passed whole (as one flow-style node) when flowLists is set.
func walk(n *yaml.Node, path string, fn func(string, *yaml.Node)) {
	walkLists(n, path, false, fn)
}

func walkLists(n *yaml.Node, path string, flowLists bool, fn func(string, *yaml.Node)) {
	if flowLists && n.Kind == yaml.SequenceNode && !slices.ContainsFunc(n.Content, func(c *yaml.Node) bool { return c.Kind != yaml.ScalarNode }) {
		vals := make([]string, len(n.Content))
		for i, c := range n.Content {
			vals[i] = c.Value
		}
		fn(path, &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: "[" + strings.Join(vals, ", ") + "]"})
		return
	}
	switch n.Kind {
	case yaml.DocumentNode:
		for _, c := range n.Content {
			walkLists(c, path, flowLists, fn)
		}
	case yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			walkLists(n.Content[i+1], join(path, n.Content[i].Value), flowLists, fn)
		}
	case yaml.SequenceNode:
		for i, c := range n.Content {
			walkLists(c, fmt.Sprintf("%s[%d]", path, i), flowLists, fn)
		}
	case yaml.ScalarNode:
		fn(path, n)
	}
}

// Params returns the resolved config flattened to MLflow params
// (model.params.max_depth = 6), secrets redacted. Lists of scalars are
// written inline ([a, b]); list items that are mappings are numbered
// (clean.0.step).
func (p *Parsed) Params() (map[string]string, error) {
	n, err := p.redactedNode()
	if err != nil {
		return nil, err
	}
	out := map[string]string{}
	walkLists(n, "", true, func(path string, v *yaml.Node) {
		if v.Tag == "!!null" {
			return
		}
		out[paramKey(path)] = v.Value
	})
	return out, nil
}

// paramKey turns clean[0].step into clean.0.step (MLflow keys allow no brackets).
func paramKey(path string) string {
	r := strings.NewReplacer("[", ".", "]", "")
	return r.Replace(path)
}
