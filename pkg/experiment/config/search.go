package config

import (
	"cmp"
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/mlstack/mlstack/pkg/tune"
)

var (
	searchAlgorithms = []string{"tpe", "random", "grid"}
	searchPruners    = []string{"median", "none"}
	searchTypes      = []string{"float", "int", "categorical", "fixed"}
)

// MaxGridPoints bounds a grid search's number of combinations.
const MaxGridPoints = 100_000

// checkSearch checks the search section: its choices, bounds, the
// objective against metrics.names and every parameter's distribution
// (tune's rules, Optuna's).
func (p *Parsed) checkSearch(*Options) error {
	s := p.Config.Search
	if s == nil {
		return nil
	}
	if s.Algorithm != "" && !slices.Contains(searchAlgorithms, s.Algorithm) {
		return p.ErrAt("search.algorithm", "unknown algorithm %q; expected one of %s", s.Algorithm, strings.Join(searchAlgorithms, ", "))
	}
	if s.NTrials != nil && *s.NTrials < 1 {
		return p.ErrAt("search.n_trials", "must be at least 1, got %d", *s.NTrials)
	}
	if s.Timeout != "" {
		if d, err := time.ParseDuration(s.Timeout); err != nil || d <= 0 {
			return p.ErrAt("search.timeout", "want a positive duration such as 30m or 2h, got %q", s.Timeout)
		}
	}
	if s.NTrials == nil && s.Timeout == "" && s.Algorithm != "grid" {
		return p.ErrAt("search", "give n_trials or timeout (or both): a %s search has no end of its own", cmp.Or(s.Algorithm, "tpe"))
	}
	if s.Objective == "" {
		return p.ErrAt("search", "missing objective: a metric's mean to optimise, e.g. roc_auc_mean")
	}
	if names := p.Config.Metrics.Names; len(names) > 0 {
		base := strings.TrimSuffix(s.Objective, "_mean")
		if !slices.Contains(names, base) {
			return p.ErrAt("search.objective", "%q is not one of metrics.names (%s); write NAME_mean, e.g. %s_mean", s.Objective, strings.Join(names, ", "), names[0])
		}
	}
	if s.Direction != "" && s.Direction != "maximize" && s.Direction != "minimize" {
		return p.ErrAt("search.direction", "want maximize or minimize, got %q", s.Direction)
	}
	if s.Pruner != "" && !slices.Contains(searchPruners, s.Pruner) {
		return p.ErrAt("search.pruner", "unknown pruner %q; expected one of %s", s.Pruner, strings.Join(searchPruners, ", "))
	}
	if s.Parallelism < 0 {
		return p.ErrAt("search.parallelism", "must be 0 (all cores) or more, got %d", s.Parallelism)
	}
	space, err := s.Space()
	if err != nil {
		var fe *FieldError
		if errors.As(err, &fe) {
			return p.ErrAt(fe.Path, "%s", fe.Msg)
		}
		return err
	}
	if s.Algorithm == "grid" {
		if _, err := tune.NewGrid(space, 0, MaxGridPoints); err != nil {
			return p.spaceErr(err)
		}
	}
	return nil
}

// spaceErr locates a tune.SpaceError at its parameter.
func (p *Parsed) spaceErr(err error) error {
	var se *tune.SpaceError
	if errors.As(err, &se) {
		path := "search.params"
		if se.Param != "" {
			path += "." + se.Param
		}
		return p.ErrAt(path, "%v", se.Err)
	}
	return err
}

// Space is the search space of the section: its parameters in name
// order (as Optuna orders a search space). An unusable parameter is a
// *FieldError at its key.
func (s *SearchConfig) Space() (tune.Space, error) {
	if len(s.Params) == 0 {
		return nil, &FieldError{Path: "search.params", Msg: "no parameters to search: list model.params names with a type (float, int, categorical or fixed)"}
	}
	names := make([]string, 0, len(s.Params))
	for n := range s.Params {
		names = append(names, n)
	}
	slices.Sort(names)
	space := make(tune.Space, 0, len(names))
	for _, n := range names {
		d, err := s.Params[n].dist("search.params." + n)
		if err != nil {
			return nil, err
		}
		space = append(space, tune.Param{Name: n, Dist: d})
	}
	if err := space.Validate(); err != nil {
		var se *tune.SpaceError
		if errors.As(err, &se) {
			return nil, &FieldError{Path: "search.params." + se.Param, Msg: se.Err.Error()}
		}
		return nil, err
	}
	return space, nil
}

func (sp SearchParam) dist(path string) (tune.Distribution, error) {
	bad := func(key, format string, args ...any) error {
		return &FieldError{Path: path + key, Msg: fmt.Sprintf(format, args...)}
	}
	switch sp.Type {
	case "float", "int":
		if sp.Low == nil || sp.High == nil {
			return nil, bad("", "a %s parameter needs low and high", sp.Type)
		}
		if len(sp.Choices) > 0 || sp.Value != nil {
			return nil, bad("", "a %s parameter takes low, high, log and step, not choices or value", sp.Type)
		}
		if sp.Type == "float" {
			d := tune.Float{Low: *sp.Low, High: *sp.High, Log: sp.Log}
			if sp.Step != nil {
				d.Step = *sp.Step
			}
			return d, nil
		}
		lo, hi := *sp.Low, *sp.High
		if lo != math.Trunc(lo) || hi != math.Trunc(hi) || math.Abs(lo) > 1<<40 || math.Abs(hi) > 1<<40 {
			return nil, bad("", "an int parameter needs whole low and high, got %v and %v", lo, hi)
		}
		d := tune.Int{Low: int(lo), High: int(hi), Log: sp.Log}
		if sp.Step != nil {
			if *sp.Step != math.Trunc(*sp.Step) || *sp.Step < 1 {
				return nil, bad(".step", "an int parameter's step must be a whole number ≥ 1, got %v", *sp.Step)
			}
			d.Step = int(*sp.Step)
		}
		return d, nil
	case "categorical":
		if len(sp.Choices) == 0 {
			return nil, bad("", "a categorical parameter needs at least one choice (choices: [a, b])")
		}
		choices := make([]any, len(sp.Choices))
		for i, c := range sp.Choices {
			choices[i] = normalChoice(c)
		}
		return tune.Categorical{Choices: choices}, nil
	case "fixed":
		if sp.Value == nil {
			return nil, bad("", "a fixed parameter needs value")
		}
		return tune.Categorical{Choices: []any{normalChoice(sp.Value)}}, nil
	case "":
		return nil, bad("", "missing type: one of %s", strings.Join(searchTypes, ", "))
	}
	return nil, bad(".type", "unknown type %q; expected one of %s", sp.Type, strings.Join(searchTypes, ", "))
}

// normalChoice gives a YAML value the types tune takes.
func normalChoice(v any) any {
	switch x := v.(type) {
	case int64:
		return int(x)
	case uint64:
		return int(x)
	case float32:
		return float64(x)
	}
	return v
}

// Overrides are a trial's parameters as --set overrides of model.params.
func Overrides(p tune.Params) []string {
	names := make([]string, 0, len(p))
	for n := range p {
		names = append(names, n)
	}
	slices.Sort(names)
	out := make([]string, len(names))
	for i, n := range names {
		var v string
		switch x := p[n].(type) {
		case float64:
			v = strconv.FormatFloat(x, 'g', -1, 64)
		default:
			v = fmt.Sprint(x)
		}
		out[i] = "model.params." + n + "=" + v
	}
	return out
}
