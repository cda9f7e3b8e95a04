package config

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/mlstack/mlstack/pkg/frame"
	"github.com/mlstack/mlstack/pkg/resample"
)

// ClassTargets is resample.sampling_strategy given as class label → row
// count; Resolve maps the labels to class ids once the target is known.
type ClassTargets map[string]int

// NewSamples panics: ClassTargets must be resolved first (a programmer
// error).
func (t ClassTargets) NewSamples(counts []int) ([]int, error) {
	panic("config: ClassTargets used before Resolve")
}

// Resolve maps the class labels to the target's class ids.
func (t ClassTargets) Resolve(target *frame.Target) (resample.Strategy, error) {
	out := resample.Targets{}
	for label, n := range t {
		id := -1
		if target.Classes == nil {
			if v, err := strconv.Atoi(label); err == nil {
				id = v
			}
		} else {
			id = slices.Index(target.Classes, label)
		}
		if id < 0 {
			return nil, fmt.Errorf("sampling_strategy: class %q is not a class of %s (classes: %s)", label, target.Name, strings.Join(target.Classes, ", "))
		}
		out[id] = n
	}
	return out, nil
}

// SamplingStrategy parses resample.sampling_strategy: "auto", a ratio in
// (0, 1], or a mapping of class label to count (ClassTargets).
func SamplingStrategy(v any) (resample.Strategy, error) {
	switch x := v.(type) {
	case nil:
		return resample.Auto{}, nil
	case string:
		if x == "auto" || x == "not majority" {
			return resample.Auto{}, nil
		}
		if f, err := strconv.ParseFloat(x, 64); err == nil {
			return SamplingStrategy(f)
		}
		return nil, fmt.Errorf("expected auto, a ratio in (0, 1] or a mapping of class to count, got %q", x)
	case int:
		return SamplingStrategy(float64(x))
	case float64:
		if !(x > 0 && x <= 1) {
			return nil, fmt.Errorf("a ratio must be in (0, 1], got %v", x)
		}
		return resample.Ratio(x), nil
	case map[string]any:
		t := ClassTargets{}
		for k, n := range x {
			count, ok := n.(int)
			if !ok || count < 0 {
				return nil, fmt.Errorf("class %q: expected a row count, got %v", k, n)
			}
			t[k] = count
		}
		return t, nil
	}
	return nil, fmt.Errorf("expected auto, a ratio in (0, 1] or a mapping of class to count, got %v", v)
}
