package experiment

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/mlstack/mlstack/pkg/clean"
	"github.com/mlstack/mlstack/pkg/experiment/config"
	"github.com/mlstack/mlstack/pkg/frame"
)

// firstDataLine is the data file line of the first row: the header is
// line 1. Lines are counted as one a record: a file with blank lines or
// quoted fields over several lines has its later rows further down.
const firstDataLine = 2

// prepareRows runs the config's dataset-level steps (prepare:) once on the
// whole table, before any split, and returns the rows kept with the data
// file line of each (lines nil when the table did not come from a file).
// A step naming a column the table lacks is a config error at the step.
func prepareRows(p *config.Parsed, data *frame.Frame, fromFile bool) (*frame.Frame, []int, error) {
	prep, err := p.Preparation()
	if err != nil {
		return nil, nil, err
	}
	out, rows, err := prep.Apply(data)
	if err != nil {
		var lines []int
		if fromFile {
			lines = fileLines(data.Len())
		}
		return nil, nil, stepError(p, "prepare", err, nil, lines)
	}
	if !fromFile {
		return out, nil, nil
	}
	for i := range rows {
		rows[i] += firstDataLine
	}
	return out, rows, nil
}

func fileLines(n int) []int {
	lines := make([]int, n)
	for i := range lines {
		lines[i] = i + firstDataLine
	}
	return lines
}

// stepError turns an error of step i of section (prepare or clean) into a
// config error at the step when the config can fix it (a column that is
// not there, with the closest name; an option the data contradicts), and
// names the data file line of a row error (rows maps the frame's rows to
// lines' indices; nil: the same).
func stepError(p *config.Parsed, section string, err error, rows, lines []int) error {
	var se *clean.StepError
	if !errors.As(err, &se) {
		return err
	}
	at := fmt.Sprintf("%s[%d]", section, se.Index)
	var ce *frame.ColumnError
	if errors.As(err, &ce) && errors.Is(err, frame.ErrNoColumn) {
		return p.ErrAt(at, "%s: column %q is not in the data%s; columns: %s", se.Step, ce.Column, config.DidYouMean(ce.Column, ce.Have), strings.Join(ce.Have, ", "))
	}
	if errors.Is(err, clean.ErrKind) || errors.Is(err, clean.ErrTarget) || errors.Is(err, clean.ErrBadOption) {
		return p.ErrAt(at, "%s: %v", se.Step, se.Err)
	}
	clean.SetLines(err, rows, lines)
	return err
}

// checkFeatures fits the cleaning pipeline once on the whole (prepared)
// table and exports its features as the trainer will: what no fold could
// get past for a reason the config can fix (a column a step names that is
// not there, a categorical column no step encodes) is a config error now,
// before a run opens. It returns the number of features (a one-hot
// column counts one; no feature matrix is made: it would double the
// memory of a large table).
func checkFeatures(p *config.Parsed, data *frame.Frame, lines []int) (int, error) {
	c := &p.Config
	pipe, err := p.Pipeline()
	if err != nil {
		return 0, err
	}
	cleaned, err := pipe.FitTransform(data)
	if err != nil {
		return 0, stepError(p, "clean", err, nil, lines)
	}
	feats, err := cleaned.Drop(c.Data.Target)
	if err != nil {
		return 0, err
	}
	smotenc := c.Resample.Method == "smotenc"
	var categorical []string
	for _, col := range feats.Columns() {
		if col.Kind() == frame.Categorical {
			categorical = append(categorical, col.Name())
		}
	}
	if len(categorical) > 0 && !smotenc {
		return 0, p.ErrAt("clean", "categorical column%s %s left unencoded: the model takes numbers; add `- step: encode` to clean "+
			"(one-hot, as pandas' get_dummies, or method: ordinal), drop %s with drop_columns, or use resample.method: smotenc",
			plural(len(categorical)), quoteAll(categorical), them(len(categorical)))
	}
	if smotenc && len(categorical) == 0 {
		return 0, p.ErrAt("resample.method", "smotenc needs categorical features, and none is left after cleaning; use smote")
	}
	if smotenc && len(categorical) == len(feats.Names()) {
		return 0, p.ErrAt("resample.method", "smotenc needs continuous features too, and every feature left after cleaning is categorical; encode them and use smote")
	}
	if len(feats.Names()) == 0 {
		return 0, p.ErrAt("clean", "no feature is left after cleaning: the model needs at least one column beside the target")
	}
	if c.Resample.Method != "none" {
		for _, col := range feats.Columns() {
			if n := col.Missing(); n > 0 {
				at := firstMissing(col, lines)
				return 0, p.ErrAt("clean", "column %q has %d missing value%s after cleaning (the first at %s), and %s needs every feature filled, as imblearn's: add `- step: impute` to clean (SimpleImputer), or drop those rows with prepare: dropna",
					col.Name(), n, plural(n), at, c.Resample.Method)
			}
		}
	}
	return len(feats.Names()), nil
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

func them(n int) string {
	if n == 1 {
		return "it"
	}
	return "them"
}

func quoteAll(s []string) string {
	q := make([]string, len(s))
	for i, v := range s {
		q[i] = fmt.Sprintf("%q", v)
	}
	if len(q) > 10 {
		q = append(q[:10:10], fmt.Sprintf("… (%d in all)", len(s)))
	}
	return strings.Join(q, ", ")
}

// checkTarget refuses a target with missing values, naming the first
// one's line and the prepare step that drops such rows (as a notebook's
// df.dropna(subset=[target])).
func checkTarget(p *config.Parsed, data *frame.Frame, lines []int) error {
	t := p.Config.Data.Target
	col, err := data.Column(t)
	if err != nil || col.Missing() == 0 {
		return err
	}
	at := firstMissing(col, lines)
	return p.ErrAt("data.target", "column %q has %d missing value%s (the first at %s): a model learns from labelled rows only; drop them with prepare: - {step: dropna, subset: [%s]}",
		t, col.Missing(), plural(col.Missing()), at, t)
}

// targetError is the error for a data.target the table does not have,
// with the closest column name.
func targetError(p *config.Parsed, source string, have []string) error {
	t := p.Config.Data.Target
	return p.ErrAt("data.target", "column %q is not in %s%s; columns: %s", t, source, config.DidYouMean(t, have), strings.Join(have, ", "))
}

// kindCounts says how many columns of each kind a frame has, for the plan:
// "8 numeric, 2 categorical (gender, plan), 1 boolean (churn)".
func kindCounts(f *frame.Frame) string {
	var parts []string
	for _, k := range []frame.Kind{frame.Numeric, frame.Categorical, frame.Boolean} {
		var names []string
		for _, c := range f.Columns() {
			if c.Kind() == k {
				names = append(names, c.Name())
			}
		}
		if len(names) == 0 {
			continue
		}
		s := fmt.Sprintf("%d %v", len(names), k)
		if k != frame.Numeric {
			s += " (" + strings.Join(slices.Clip(names), ", ") + ")"
		}
		parts = append(parts, s)
	}
	return strings.Join(parts, ", ")
}

// firstMissing says where col's first missing value is: its data line,
// or its row when lines is nil. col has one.
func firstMissing(col *frame.Column, lines []int) string {
	first := 0
	for !col.IsNA(first) {
		first++
	}
	if lines != nil {
		return fmt.Sprintf("data line %d", lines[first])
	}
	return fmt.Sprintf("row %d", first)
}
