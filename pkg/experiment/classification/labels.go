package classification

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/mlstack/mlstack/pkg/cv"
	"github.com/mlstack/mlstack/pkg/experiment/config"
	"github.com/mlstack/mlstack/pkg/frame"
)

// MaxClasses bounds the classes of a classification target: predictions
// take rows × classes floats, and more classes than this means the target
// is not a label column.
const MaxClasses = cv.MaxClasses

// MaxSamplingFactor bounds a sampling_strategy row count: at most this many
// times the rows of the data.
const MaxSamplingFactor = 100

// classCount returns the number of classes (at least 2) of a classification
// target whose labels y were exported as t. Text labels were mapped to
// 0..k-1 by frame; numeric labels must already be class ids 0..k-1 with
// none missing, as XGBClassifier requires. Errors are a *FieldError at
// data.target naming the column.
func classCount(t *frame.Target, y []float64) (int, error) {
	bad := func(format string, args ...any) error {
		return &config.FieldError{Path: "data.target", Msg: fmt.Sprintf("column %q ", t.Name) + fmt.Sprintf(format, args...)}
	}
	if len(y) == 0 {
		return 0, bad("has no rows")
	}
	if t.Classes != nil {
		if len(t.Classes) > MaxClasses {
			return 0, bad("has %d distinct values, more than %d classes: is it the label column?", len(t.Classes), MaxClasses)
		}
		return max(2, len(t.Classes)), nil
	}
	const hint = "classification needs class ids 0..K-1 or text labels (mapped to ids), or data.positive naming the positive class of a binary target"
	k := 0
	for _, v := range y {
		if !(v >= 0 && v < MaxClasses) || v != math.Trunc(v) {
			if v >= MaxClasses && v == math.Trunc(v) {
				return 0, bad("holds the label %v: more than %d classes (%s)", v, MaxClasses, hint)
			}
			return 0, bad("holds the label %v: %s", v, hint)
		}
		k = max(k, int(v)+1)
	}
	seen := make([]bool, k)
	for _, v := range y {
		seen[int(v)] = true
	}
	if missing := slices.Index(seen, false); missing >= 0 {
		var have []string
		for i, s := range seen {
			if s && len(have) < 10 {
				have = append(have, strconv.Itoa(i))
			}
		}
		return 0, bad("holds the labels %s…: class ids must be 0..%d with none missing, like XGBClassifier (no label is %d); %s",
			strings.Join(have, ", "), k-1, missing, hint)
	}
	return max(2, k), nil
}

// checkSampling checks a sampling_strategy given as class → row count
// against the data: every class must be one of the target's, and no count
// may exceed MaxSamplingFactor × rows. Errors are a *FieldError at the
// class's key.
func checkSampling(c *config.Config, t *frame.Target, classes, rows int) error {
	s, err := config.SamplingStrategy(c.Resample.SamplingStrategy)
	if err != nil {
		return &config.FieldError{Path: "resample.sampling_strategy", Msg: err.Error()}
	}
	targets, ok := s.(config.ClassTargets)
	if !ok || c.Resample.Method == "none" {
		return nil
	}
	labels := make([]string, 0, len(targets))
	for l := range targets {
		labels = append(labels, l)
	}
	slices.Sort(labels)
	for _, label := range labels {
		path := "resample.sampling_strategy." + label
		known := slices.Contains(t.Classes, label)
		if t.Classes == nil {
			id, err := strconv.Atoi(label)
			known = err == nil && id >= 0 && id < classes
		}
		if !known {
			names := t.Classes
			if names == nil {
				for i := range classes {
					names = append(names, strconv.Itoa(i))
				}
			}
			if len(names) > 10 {
				names = append(names[:10:10], "…")
			}
			return &config.FieldError{Path: path, Msg: fmt.Sprintf("%q is not a class of %s (classes: %s)", label, t.Name, strings.Join(names, ", "))}
		}
		if n := targets[label]; n > MaxSamplingFactor*rows {
			return &config.FieldError{Path: path, Msg: fmt.Sprintf("%d rows asked, more than %d× the %d rows of the data", n, MaxSamplingFactor, rows)}
		}
	}
	return nil
}

// CheckData checks the target's labels and the sampling targets before a
// run is opened (experiment.DataChecker). Problems the export itself finds
// are left to Train, which reports them.
func (classification) CheckData(c *config.Config, data *frame.Frame) error {
	y, target, err := data.Labels(c.Data.Target, &frame.ExportOptions{Positive: c.Data.Positive})
	if err != nil {
		return nil
	}
	k, err := classCount(target, y)
	if err != nil {
		return err
	}
	return checkSampling(c, target, k, len(y))
}
