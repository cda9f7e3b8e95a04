package classification

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/mlstack/mlstack/pkg/cv"
	"github.com/mlstack/mlstack/pkg/experiment"
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

// CheckData checks the target's labels, the positive class and the
// sampling targets before a run is opened (experiment.DataChecker).
func (classification) CheckData(c *config.Config, data *frame.Frame) error {
	_, err := balance(c, data)
	return err
}

// Balance says the classes, their counts and the positive class
// (experiment.Balancer).
func (classification) Balance(c *config.Config, data *frame.Frame) (*experiment.Balance, error) {
	return balance(c, data)
}

// positive returns the positive class of a binary target and the rule
// that chose it, as scikit-learn's pos_label: data.positive when given;
// else label 1 of a target of 0 and 1, and the true token of a yes/no
// (true/false) target. A binary target of other labels (text such as
// "good" and "bad") has no default: which one is positive is the
// question the scores answer, so data.positive is required (scikit-learn
// refuses the default pos_label=1 on such labels too).
func positive(c *config.Config, data *frame.Frame) (string, string, error) {
	if c.Data.Positive != "" {
		return c.Data.Positive, "data.positive", nil
	}
	col, err := data.Column(c.Data.Target)
	if err != nil {
		return "", "", err
	}
	switch col.Kind() {
	case frame.Boolean:
		_, yes := col.Tokens()
		return yes, "default for a yes/no target: its true token (set data.positive to choose)", nil
	case frame.Categorical:
		lv := col.Levels()
		if len(lv) == 2 {
			return "", "", &config.FieldError{Path: "data.positive", Msg: fmt.Sprintf("missing: the target %q has the classes %q and %q; name the positive one (data.positive: %q or %q), the class precision, recall, F1 and the ROC curve are about (scikit-learn's pos_label)",
				c.Data.Target, lv[0], lv[1], lv[0], lv[1])}
		}
	}
	return "", "", nil
}

// balance reads the labels as training will, checks them (classCount,
// checkSampling) and counts the classes.
func balance(c *config.Config, data *frame.Frame) (*experiment.Balance, error) {
	pos, rule, err := positive(c, data)
	if err != nil {
		return nil, err
	}
	y, target, err := data.Labels(c.Data.Target, &frame.ExportOptions{Positive: c.Data.Positive})
	if errors.Is(err, frame.ErrNoClass) && c.Data.Positive != "" {
		col, _ := data.Column(c.Data.Target)
		var classes []string
		if col != nil {
			classes = targetClasses(col)
		}
		return nil, &config.FieldError{Path: "data.positive", Msg: fmt.Sprintf("%q is not a class of %s%s; classes: %s",
			c.Data.Positive, c.Data.Target, config.DidYouMean(c.Data.Positive, classes), strings.Join(classes, ", "))}
	}
	if err != nil {
		return nil, &config.FieldError{Path: "data.target", Msg: strings.TrimPrefix(err.Error(), "frame: ")}
	}
	k, err := classCount(target, y)
	if err != nil {
		return nil, err
	}
	if err := checkSampling(c, target, k, len(y)); err != nil {
		return nil, err
	}
	b := &experiment.Balance{Counts: make([]int, k)}
	for _, v := range y {
		b.Counts[int(v)]++
	}
	b.Classes = target.Classes
	if b.Classes == nil {
		for i := range k {
			b.Classes = append(b.Classes, strconv.Itoa(i))
		}
	}
	if k == 2 {
		b.Positive, b.Rule = pos, rule
		if target.Positive != "" { // as the target writes it: "1" for data.positive: 1.0
			b.Positive = target.Positive
		}
		if pos == "" { // 0 and 1
			b.Positive, b.Rule = b.Classes[1], "default for a 0/1 target: 1 (scikit-learn's pos_label=1)"
		}
	}
	if n := c.Validation.NSplits; k >= 2 {
		for i, cnt := range b.Counts {
			if cnt < n {
				return nil, &config.FieldError{Path: "validation.n_splits", Msg: fmt.Sprintf("%d folds, but class %s of %s has only %d rows: stratified folds need at least n_splits rows of each class (scikit-learn's StratifiedKFold only warns and leaves some folds without the class; lower n_splits)",
					n, b.Classes[i], c.Data.Target, cnt)}
			}
		}
	}
	return b, checkNeighbors(c, b)
}

// checkNeighbors checks that SMOTE finds k_neighbors neighbours among the
// training rows of every fold: each class it oversamples (auto or a ratio:
// every class but the largest) needs k_neighbors + 1 of them, as
// imblearn's SMOTE does. A class written in a sampling_strategy mapping is
// left to the run.
func checkNeighbors(c *config.Config, b *experiment.Balance) error {
	if c.Resample.Method == "none" || len(b.Counts) < 2 {
		return nil
	}
	if s, _ := config.SamplingStrategy(c.Resample.SamplingStrategy); s == nil {
		return nil
	} else if _, ok := s.(config.ClassTargets); ok {
		return nil
	}
	k, splits := c.Resample.KNeighbors, c.Validation.NSplits
	largest := slices.Index(b.Counts, slices.Max(b.Counts))
	for i, n := range b.Counts {
		if i == largest {
			continue
		}
		train := n - (n+splits-1)/splits // the fewest a fold trains on
		if train < k+1 {
			return &config.FieldError{Path: "resample.k_neighbors", Msg: fmt.Sprintf("%d neighbours need %d rows of class %s in each fold's training rows, and with %d rows in all and %d folds some folds train on %d; lower k_neighbors (imblearn's SMOTE refuses too)",
				k, k+1, b.Classes[i], n, splits, train)}
		}
	}
	return nil
}

// targetClasses returns the distinct values of a target column as text.
func targetClasses(col *frame.Column) []string {
	if lv := col.Levels(); lv != nil {
		return lv
	}
	seen := map[string]bool{}
	var out []string
	for i := range col.Len() {
		if s := col.String(i); s != "" && !seen[s] && len(out) < 20 {
			seen[s] = true
			out = append(out, s)
		}
	}
	slices.Sort(out)
	return out
}
