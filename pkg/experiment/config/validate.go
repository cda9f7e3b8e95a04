package config

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"

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

// ErrAt returns a *ConfigError at the node of path (a.b[2].c), or of its
// closest parent in the file.
func (p *Parsed) ErrAt(path, format string, args ...any) error {
	at := path
	if w, ok := p.Config.Model.Params.written[path]; ok { // given by an alias
		at = w
	}
	n := p.locate(at)
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

// validate checks what decoding cannot: required keys, choices and
// ranges, section by section. The trainer's own rules are its Validate's
// (see package experiment).
func (p *Parsed) validate(o *Options) error {
	for _, check := range []func(*Options) error{p.checkRequired, p.checkResample, p.checkValidation, p.checkMetrics, p.checkArtifacts, p.checkClean, p.checkModel, p.checkSearch} {
		if err := check(o); err != nil {
			return err
		}
	}
	return nil
}

func (p *Parsed) checkRequired(o *Options) error {
	c := &p.Config
	if c.Name == "" {
		return p.ErrAt("name", "missing: name the experiment (also the MLflow experiment unless tracking.experiment is set)")
	}
	if c.Data.Source == "" {
		return p.ErrAt("data.source", "missing: give sample:NAME, a path, s3://bucket/key, https://... or kaggle:owner/dataset")
	}
	if c.Model.Trainer == "" {
		return p.ErrAt("model.trainer", "missing: one of %s", strings.Join(o.Trainers, ", "))
	}
	if o.Trainers != nil && !slices.Contains(o.Trainers, c.Model.Trainer) {
		return p.ErrAt("model.trainer", "unknown trainer %q; registered: %s", c.Model.Trainer, strings.Join(o.Trainers, ", "))
	}
	return nil
}

func (p *Parsed) checkResample(*Options) error {
	r := p.Config.Resample
	if !slices.Contains(resampleMethods, r.Method) {
		return p.ErrAt("resample.method", "unknown method %q; expected one of %s", r.Method, strings.Join(resampleMethods, ", "))
	}
	if r.KNeighbors < 1 {
		return p.ErrAt("resample.k_neighbors", "must be at least 1, got %d", r.KNeighbors)
	}
	if _, err := SamplingStrategy(r.SamplingStrategy); err != nil {
		return p.ErrAt("resample.sampling_strategy", "%v", err)
	}
	return nil
}

func (p *Parsed) checkValidation(*Options) error {
	v := p.Config.Validation
	if !slices.Contains(validationMethods, v.Method) {
		return p.ErrAt("validation.method", "unknown method %q; expected one of %s", v.Method, strings.Join(validationMethods, ", "))
	}
	if v.NSplits < 2 {
		return p.ErrAt("validation.n_splits", "must be at least 2, got %d", v.NSplits)
	}
	if v.NRepeats < 0 {
		return p.ErrAt("validation.n_repeats", "must be at least 1, got %d", v.NRepeats)
	}
	if v.Workers < 0 {
		return p.ErrAt("validation.workers", "must be 0 (all cores) or more, got %d", v.Workers)
	}
	if !(v.Threshold > 0 && v.Threshold < 1) {
		return p.ErrAt("validation.threshold", "must be in (0, 1), got %v", v.Threshold)
	}
	return nil
}

func (p *Parsed) checkMetrics(*Options) error {
	m := p.Config.Metrics
	if !(m.Confidence > 0 && m.Confidence < 1) {
		return p.ErrAt("metrics.confidence", "must be in (0, 1), e.g. 0.95; got %v", m.Confidence)
	}
	if !slices.Contains(intervals, m.Interval) {
		return p.ErrAt("metrics.interval", "unknown interval %q; expected one of %s", m.Interval, strings.Join(intervals, ", "))
	}
	return nil
}

func (p *Parsed) checkArtifacts(*Options) error {
	if n := p.Config.Artifacts.SHAP; n != nil && *n < 0 {
		return p.ErrAt("artifacts.shap", "must be 0 (no SHAP charts) or a number of rows, got %d", *n)
	}
	return nil
}

func (p *Parsed) checkClean(*Options) error {
	if _, err := p.Preparation(); err != nil {
		return err
	}
	for i, m := range p.Config.Clean {
		if m["step"] == "drop_duplicates" {
			return p.ErrAt(fmt.Sprintf("clean[%d].step", i), "drop_duplicates is a dataset-level step: move it to prepare: (- step: drop_duplicates), "+
				"which runs once on the whole table before the split, as pandas' df.drop_duplicates(); in clean it would drop duplicates "+
				"from each fold's training rows only and leave their copies in the test rows, which makes the scores optimistic")
		}
	}
	_, err := p.Pipeline()
	return err
}

// Preparation builds the dataset-level steps of the config (prepare:),
// errors located at the step.
func (p *Parsed) Preparation() (*clean.Preparation, error) {
	specs := make([]clean.StepSpec, len(p.Config.Prepare))
	for i, m := range p.Config.Prepare {
		s, err := clean.SpecOf(m)
		if err != nil {
			return nil, p.ErrAt(fmt.Sprintf("prepare[%d]", i), "missing step: give `- step: NAME`, one of %s", strings.Join(clean.PrepNames(), ", "))
		}
		specs[i] = s
	}
	prep, err := clean.PrepareFromSpec(specs)
	if err != nil {
		var se *clean.StepError
		if errors.As(err, &se) {
			return nil, p.ErrAt(fmt.Sprintf("prepare[%d]", se.Index), "%v", se.Err)
		}
		return nil, p.ErrAt("prepare", "%v", err)
	}
	prep.Target = p.Config.Data.Target
	return prep, nil
}

// checkModel bounds model.params.n_estimators, whatever the trainer: each
// round keeps a tree in memory.
func (p *Parsed) checkModel(o *Options) error {
	var rounds float64
	switch n := p.Config.Model.Params.value("n_estimators").(type) {
	case int:
		rounds = float64(n)
	case float64:
		rounds = n
	}
	if rounds > MaxEstimators && !o.AllowLarge {
		return p.ErrAt("model.params.n_estimators", "%v rounds is more than %d: each round keeps a tree in memory; pass --allow-large if you mean it", rounds, MaxEstimators)
	}
	return nil
}

// Locate turns err into a *ConfigError at its key when it is a
// *FieldError (a trainer's finding), and returns any other error as is.
func (p *Parsed) Locate(err error) error {
	var fe *FieldError
	if errors.As(err, &fe) {
		return p.ErrAt(fe.Path, "%s", fe.Msg)
	}
	return err
}

// Pipeline builds the (unfitted) cleaning pipeline of the config, errors
// located at the clean step.
func (p *Parsed) Pipeline() (*clean.Pipeline, error) {
	specs := make([]clean.StepSpec, len(p.Config.Clean))
	for i, m := range p.Config.Clean {
		s, err := clean.SpecOf(m)
		if err != nil {
			return nil, p.ErrAt(fmt.Sprintf("clean[%d]", i), "%v", err)
		}
		specs[i] = s
	}
	pipe, err := clean.FromSpec(specs)
	if err != nil {
		var se *clean.StepError
		if errors.As(err, &se) {
			return nil, p.ErrAt(fmt.Sprintf("clean[%d]", se.Index), "%v", se.Err)
		}
		return nil, p.ErrAt("clean", "%v", err)
	}
	pipe.Target = p.Config.Data.Target
	if err := pipe.Validate(); err != nil {
		var se *clean.StepError
		if errors.As(err, &se) {
			return nil, p.ErrAt(fmt.Sprintf("clean[%d]", se.Index), "%v", se.Err)
		}
		return nil, p.ErrAt("clean", "%v", err)
	}
	return pipe, nil
}
