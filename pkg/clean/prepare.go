package clean

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/mlstack/mlstack/pkg/frame"
)

// A Preparation is the dataset-level steps of an experiment (the config's
// prepare: section): they run once on the whole table before it is split
// into folds, as the pandas lines at the top of a notebook do
// (df.drop_duplicates(), df.dropna(), df.drop(columns=...),
// df[~df[c].isin(...)], df.astype(...)). They fit nothing, so running
// them before the split leaks nothing from a test fold into training;
// the fitted steps (impute, encode, clip, standardize) stay in the
// Pipeline, fitted inside each fold.
//
// drop_duplicates belongs here and not in a Pipeline of a config: a
// duplicate dropped only inside the training rows of each fold leaves its
// twin in the test rows, so the test fold scores rows the model was
// trained on and the scores come out optimistic.
type Preparation struct {
	// Target is the label column: a step may not drop or retype it (a
	// row filter may test it).
	Target string
	Steps  []Prep
}

// Prep is one dataset-level step of a Preparation.
type Prep interface {
	// Name returns the step's name in specs, such as "dropna".
	Name() string
	// Columns returns the columns the step names (checked to exist before
	// a run).
	Columns() []string
	// apply returns the kept rows of f (indices into f) and the frame
	// they make, with columns changed as the step says.
	apply(f *frame.Frame, env *Env) (*frame.Frame, []int, error)
	validate() error
}

// prepSteps maps dataset-level step names to constructors and options.
var prepSteps = map[string]struct {
	new     func() Prep
	options []string
	python  string
}{
	"drop_duplicates": {func() Prep { return &DropDuplicateRows{} }, []string{"subset", "keep", "exclude_target"}, "df.drop_duplicates(subset=..., keep=...)"},
	"dropna":          {func() Prep { return &DropNA{} }, []string{"subset", "how"}, "df.dropna(subset=..., how=...)"},
	"drop_rows":       {func() Prep { return &DropRows{} }, []string{"column", "equals", "in"}, "df[~df[column].isin(values)]"},
	"drop_columns":    {func() Prep { return &DropColumnsPrep{} }, []string{"columns"}, "df.drop(columns=...)"},
	"astype":          {func() Prep { return &AsType{} }, []string{"columns"}, "df.astype({column: dtype})"},
}

// PrepNames returns the names of the dataset-level steps, sorted.
func PrepNames() []string { return slices.Sorted(maps.Keys(prepSteps)) }

// PrepOptions returns the options of a dataset-level step and its pandas
// equivalent (for the config reference).
func PrepOptions(name string) (options []string, python string) {
	s := prepSteps[name]
	return slices.Clone(s.options), s.python
}

// StepOptions returns the options of a fitted step and its scikit-learn
// or pandas equivalent (for the config reference).
func StepOptions(name string) (options []string, python string) {
	s := steps[name]
	return slices.Clone(s.options), s.python
}

// NewStep returns the zero value of the fitted step name (its options
// unset), or nil; NewPrep that of a dataset-level step. They are for
// tools that describe the steps (the config reference).
func NewStep(name string) Step {
	if s, ok := steps[name]; ok {
		return s.new()
	}
	return nil
}

// NewPrep: see NewStep.
func NewPrep(name string) Prep {
	if s, ok := prepSteps[name]; ok {
		return s.new()
	}
	return nil
}

// PrepareFromSpec builds a Preparation from specs (the flat form of
// StepSpec), checking names, options and values. Errors are *StepError
// values (the index of the spec) wrapping ErrUnknownStep,
// ErrUnknownOption or ErrBadOption.
func PrepareFromSpec(specs []StepSpec) (*Preparation, error) {
	steps, err := fromSpecs(specs, prepFromSpec)
	if err != nil {
		return nil, err
	}
	return &Preparation{Steps: steps}, nil
}

func prepFromSpec(sp StepSpec) (Prep, error) {
	def, ok := prepSteps[sp.Step]
	if !ok {
		return nil, fmt.Errorf("%w %q (have %s)", ErrUnknownStep, sp.Step, strings.Join(PrepNames(), ", "))
	}
	s := def.new()
	if err := setOptions(s, sp, def.options); err != nil {
		return nil, err
	}
	return s, s.validate()
}

// setOptions checks the option names of sp against known and decodes
// them into s (a step struct with json tags).
func setOptions(s any, sp StepSpec, known []string) error {
	for _, k := range slices.Sorted(maps.Keys(sp.Options)) {
		if !slices.Contains(known, k) {
			have := "none"
			if len(known) > 0 {
				have = strings.Join(known, ", ")
			}
			return fmt.Errorf("%w %q (%s takes: %s)", ErrUnknownOption, k, sp.Step, have)
		}
	}
	for _, k := range known {
		v, ok := sp.Options[k]
		if !ok {
			continue
		}
		b, err := json.Marshal(map[string]any{k: v})
		if err != nil {
			return fmt.Errorf("%w: %s: %v", ErrBadOption, k, err)
		}
		if err := json.Unmarshal(b, s); err != nil {
			return fmt.Errorf("%w: %s: %v is %T, want %s", ErrBadOption, k, v, v, optionType(k))
		}
	}
	return nil
}

// Apply runs the steps in order on f. It returns the prepared frame and,
// for each of its rows, the index of the row of f it comes from.
func (p *Preparation) Apply(f *frame.Frame) (*frame.Frame, []int, error) {
	rows := make([]int, f.Len())
	for i := range rows {
		rows[i] = i
	}
	env := &Env{Target: p.Target}
	for i, s := range p.Steps {
		if err := s.validate(); err != nil {
			return nil, nil, &StepError{Index: i, Step: s.Name(), Err: err}
		}
		for _, c := range s.Columns() {
			if !f.Has(c) {
				_, err := f.Column(c)
				return nil, nil, &StepError{Index: i, Step: s.Name(), Err: err}
			}
		}
		g, kept, err := s.apply(f, env)
		if err != nil {
			return nil, nil, &StepError{Index: i, Step: s.Name(), Err: err}
		}
		if kept != nil {
			for k, j := range kept {
				kept[k] = rows[j]
			}
			rows = kept
		}
		f = g
	}
	return f, rows, nil
}

// DropDuplicateRows is pandas' df.drop_duplicates(subset, keep): rows
// equal on the subset columns (all columns when empty; all but the target
// with ExcludeTarget) are duplicates; missing values equal each other.
// Keep is "first" (default) or "last" to keep one of each group, or false
// to drop every row that has a duplicate (keep=False).
type DropDuplicateRows struct {
	// Subset are the columns compared; empty: every column.
	Subset []string `json:"subset,omitempty"`
	// Keep is "first", "last" or false.
	Keep any `json:"keep,omitempty"`
	// ExcludeTarget compares every column but the target: rows that differ
	// only by their label are duplicates too
	// (df.drop_duplicates(subset=df.columns.drop(target))).
	ExcludeTarget bool `json:"exclude_target,omitempty"`
}

// Name returns "drop_duplicates".
func (*DropDuplicateRows) Name() string { return "drop_duplicates" }

// Columns returns the subset.
func (s *DropDuplicateRows) Columns() []string { return s.Subset }

func (s *DropDuplicateRows) keep() (string, error) {
	switch k := s.Keep.(type) {
	case nil:
		return "first", nil
	case string:
		if k == "first" || k == "last" {
			return k, nil
		}
	case bool:
		if !k {
			return "none", nil
		}
	}
	return "", fmt.Errorf("%w: keep: %v (want first, last or false, as pandas)", ErrBadOption, s.Keep)
}

func (s *DropDuplicateRows) validate() error {
	if _, err := s.keep(); err != nil {
		return err
	}
	if s.ExcludeTarget && len(s.Subset) > 0 {
		return fmt.Errorf("%w: give subset or exclude_target, not both", ErrBadOption)
	}
	return distinct(s.Subset)
}

func (s *DropDuplicateRows) apply(f *frame.Frame, env *Env) (*frame.Frame, []int, error) {
	keep, _ := s.keep()
	var cols []*frame.Column
	switch {
	case len(s.Subset) > 0:
		for _, name := range s.Subset {
			c, err := f.Column(name)
			if err != nil {
				return nil, nil, err
			}
			cols = append(cols, c)
		}
	default:
		for _, c := range f.Columns() {
			if s.ExcludeTarget && c.Name() == env.Target {
				continue
			}
			cols = append(cols, c)
		}
	}
	keys := make([]string, f.Len())
	count := make(map[string]int, f.Len())
	var buf []byte
	for i := range keys {
		buf = rowKey(buf[:0], cols, i)
		keys[i] = string(buf)
		count[keys[i]]++
	}
	var kept []int
	seen := make(map[string]bool, len(count))
	switch keep {
	case "first":
		for i, k := range keys {
			if !seen[k] {
				seen[k] = true
				kept = append(kept, i)
			}
		}
	case "last":
		for i := len(keys) - 1; i >= 0; i-- {
			if !seen[keys[i]] {
				seen[keys[i]] = true
				kept = append(kept, i)
			}
		}
		slices.Reverse(kept)
	default:
		for i, k := range keys {
			if count[k] == 1 {
				kept = append(kept, i)
			}
		}
	}
	return f.Take(kept), kept, nil
}

// rowKey appends to key the bytes of row i of cols: equal keys, equal
// rows (missing equal to missing, -0 to 0), as pandas compares them.
func rowKey(key []byte, cols []*frame.Column, i int) []byte {
	for _, c := range cols {
		switch {
		case c.IsNA(i):
			key = append(key, 0)
		case c.Kind() == frame.Categorical:
			s := c.String(i)
			key = binary.LittleEndian.AppendUint32(append(key, 1), uint32(len(s)))
			key = append(key, s...)
		default:
			x := c.Float(i)
			if x == 0 {
				x = 0 // -0 equals 0
			}
			key = binary.LittleEndian.AppendUint64(append(key, 2), math.Float64bits(x))
		}
	}
	return key
}

// DropNA is pandas' df.dropna(subset, how): drop the rows with a missing
// value in any (how: any, the default) or all (how: all) of the subset
// columns (every column when empty).
type DropNA struct {
	// Subset are the columns looked at; empty: every column.
	Subset []string `json:"subset,omitempty"`
	// How is any (default: a row with a missing value in any of them is
	// dropped) or all (only a row missing all of them).
	How string `json:"how,omitempty"`
}

// Name returns "dropna".
func (*DropNA) Name() string { return "dropna" }

// Columns returns the subset.
func (s *DropNA) Columns() []string { return s.Subset }

func (s *DropNA) validate() error {
	if s.How != "" && s.How != "any" && s.How != "all" {
		return fmt.Errorf("%w: how %q (want any or all, as pandas)", ErrBadOption, s.How)
	}
	return distinct(s.Subset)
}

func (s *DropNA) apply(f *frame.Frame, _ *Env) (*frame.Frame, []int, error) {
	cols := f.Columns()
	if len(s.Subset) > 0 {
		cols = cols[:0]
		for _, name := range s.Subset {
			c, err := f.Column(name)
			if err != nil {
				return nil, nil, err
			}
			cols = append(cols, c)
		}
	}
	all := s.How == "all"
	var kept []int
	for i := range f.Len() {
		na := 0
		for _, c := range cols {
			if c.IsNA(i) {
				na++
			}
		}
		if (all && na < len(cols)) || (!all && na == 0) {
			kept = append(kept, i)
		}
	}
	return f.Take(kept), kept, nil
}

// DropRows drops the rows whose value in Column equals Equals, or is one
// of In: df[~df[column].isin(values)]. Values compare as numbers in a
// numeric column and as text otherwise; a missing value matches nothing.
type DropRows struct {
	// Column is the column tested (required).
	Column string `json:"column"`
	// Equals drops the rows holding this value (a string, number or
	// boolean).
	Equals any `json:"equals,omitempty"`
	// In drops the rows holding any of these values; give Equals or In.
	In []any `json:"in,omitempty"`
}

// Name returns "drop_rows".
func (*DropRows) Name() string { return "drop_rows" }

// Columns returns the column tested.
func (s *DropRows) Columns() []string { return []string{s.Column} }

func (s *DropRows) values() []any {
	if s.Equals != nil {
		return []any{s.Equals}
	}
	return s.In
}

func (s *DropRows) validate() error {
	if s.Column == "" {
		return fmt.Errorf("%w: column: missing", ErrBadOption)
	}
	if (s.Equals == nil) == (len(s.In) == 0) {
		return fmt.Errorf("%w: give equals (one value) or in (a list), one of them", ErrBadOption)
	}
	for _, v := range s.values() {
		switch v.(type) {
		case string, float64, bool:
		default:
			return fmt.Errorf("%w: %v is %T, want a string, number or boolean", ErrBadOption, v, v)
		}
	}
	return nil
}

func (s *DropRows) apply(f *frame.Frame, _ *Env) (*frame.Frame, []int, error) {
	c, err := f.Column(s.Column)
	if err != nil {
		return nil, nil, err
	}
	nums := map[float64]bool{}
	texts := map[string]bool{}
	for _, v := range s.values() {
		switch v := v.(type) {
		case float64:
			nums[v] = true
			texts[strconv.FormatFloat(v, 'g', -1, 64)] = true
		case bool:
			texts[strconv.FormatBool(v)] = true
			if v {
				nums[1] = true
			} else {
				nums[0] = true
			}
		case string:
			texts[v] = true
			if x, err := strconv.ParseFloat(v, 64); err == nil {
				nums[x] = true
			}
		}
	}
	var kept []int
	for i := range f.Len() {
		drop := false
		if !c.IsNA(i) {
			if c.Kind() == frame.Numeric {
				drop = nums[c.Float(i)]
			} else {
				drop = texts[c.String(i)]
			}
		}
		if !drop {
			kept = append(kept, i)
		}
	}
	return f.Take(kept), kept, nil
}

// DropColumnsPrep is pandas' df.drop(columns=...) on the whole table.
type DropColumnsPrep struct {
	// Names are the columns dropped (required; not the target).
	Names []string `json:"columns"`
}

// Name returns "drop_columns".
func (*DropColumnsPrep) Name() string { return "drop_columns" }

// Columns returns the columns dropped.
func (s *DropColumnsPrep) Columns() []string { return s.Names }

func (s *DropColumnsPrep) validate() error {
	if len(s.Names) == 0 {
		return fmt.Errorf("%w: columns: empty", ErrBadOption)
	}
	return distinct(s.Names)
}

func (s *DropColumnsPrep) apply(f *frame.Frame, env *Env) (*frame.Frame, []int, error) {
	if slices.Contains(s.Names, env.Target) {
		return nil, nil, columnErr(env.Target, ErrTarget)
	}
	g, err := f.Drop(s.Names...)
	return g, nil, err
}

// AsType sets the kind of columns, as df.astype({column: dtype}): dtype
// category (or str, object) makes a categorical column of the values as
// text; float (or float64, int, int64) a numeric one, each value parsed
// as a number (a value that is not one is an error naming its row);
// bool a boolean one from a boolean column or a numeric one of 0 and 1.
type AsType struct {
	// Types maps columns to dtypes: category, str, object, float,
	// float64, int, int64 or bool.
	Types map[string]string `json:"columns"`
}

// Name returns "astype".
func (*AsType) Name() string { return "astype" }

// Columns returns the columns retyped, sorted.
func (s *AsType) Columns() []string { return slices.Sorted(maps.Keys(s.Types)) }

var dtypes = map[string]frame.Kind{
	"category": frame.Categorical, "str": frame.Categorical, "object": frame.Categorical,
	"float": frame.Numeric, "float64": frame.Numeric, "int": frame.Numeric, "int64": frame.Numeric,
	"bool": frame.Boolean,
}

func (s *AsType) validate() error {
	if len(s.Types) == 0 {
		return fmt.Errorf("%w: columns: empty (give column: dtype pairs)", ErrBadOption)
	}
	for _, c := range s.Columns() {
		if _, ok := dtypes[s.Types[c]]; !ok {
			return fmt.Errorf("%w: columns: %s: dtype %q (want category, str, float, int or bool)", ErrBadOption, c, s.Types[c])
		}
	}
	return nil
}

func (s *AsType) apply(f *frame.Frame, env *Env) (*frame.Frame, []int, error) {
	var out []*frame.Column
	for _, name := range s.Columns() {
		if name == env.Target {
			return nil, nil, columnErr(name, ErrTarget)
		}
		c, err := f.Column(name)
		if err != nil {
			return nil, nil, err
		}
		nc, err := asKind(c, dtypes[s.Types[name]])
		if err != nil {
			return nil, nil, columnErr(name, err)
		}
		out = append(out, nc)
	}
	g, err := f.With(out...)
	return g, nil, err
}

func asKind(c *frame.Column, k frame.Kind) (*frame.Column, error) {
	n := c.Len()
	switch {
	case c.Kind() == k:
		return c, nil
	case k == frame.Categorical:
		v, na := make([]string, n), make([]bool, n)
		for i := range n {
			v[i], na[i] = c.String(i), c.IsNA(i)
		}
		return frame.NewCategorical(c.Name(), v, na), nil
	case k == frame.Numeric && c.Kind() == frame.Boolean:
		return frame.NewNumeric(c.Name(), c.Floats()), nil
	case k == frame.Numeric:
		v := make([]float64, n)
		for i := range n {
			if c.IsNA(i) {
				v[i] = math.NaN()
				continue
			}
			x, err := strconv.ParseFloat(c.String(i), 64)
			if err != nil {
				return nil, &RowError{Row: i, Err: fmt.Errorf("%q is not a number", c.String(i))}
			}
			v[i] = x
		}
		return frame.NewNumeric(c.Name(), v), nil
	case k == frame.Boolean && c.Kind() == frame.Numeric:
		v := c.Floats()
		for i, x := range v {
			if !math.IsNaN(x) && x != 0 && x != 1 {
				return nil, &RowError{Row: i, Err: fmt.Errorf("%v is not 0 or 1", x)}
			}
		}
		return frame.NewBoolean(c.Name(), v, "0", "1"), nil
	}
	return nil, fmt.Errorf("%w: cannot make a %v column boolean", ErrKind, c.Kind())
}

// RowError is a problem with one row of the data a step was given. Row
// is the row's index in that frame; a caller that knows where the row
// came from sets Line, the data file's line, which Error then names
// instead.
type RowError struct {
	Row  int
	Line int
	Err  error
}

func (e *RowError) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("data line %d: %v", e.Line, e.Err)
	}
	return fmt.Sprintf("row %d: %v", e.Row, e.Err)
}

func (e *RowError) Unwrap() error { return e.Err }

// SetLines rewrites the *RowError in err, if any, to name the data file
// line of its row (the errors of this package format their message when
// printed, so the line shows in err's text as long as the wrappers on top
// do too, as %w wrappers made after this call do): lines[row] when rows is nil, else lines[rows[row]]
// (rows maps the frame's rows to the rows lines are indexed by). It
// reports whether it found one.
func SetLines(err error, rows, lines []int) bool {
	var re *RowError
	if !errors.As(err, &re) || re.Line > 0 {
		return false
	}
	r := re.Row
	if rows != nil {
		if r < 0 || r >= len(rows) {
			return false
		}
		r = rows[r]
	}
	if r < 0 || r >= len(lines) {
		return false
	}
	re.Line = lines[r]
	return true
}
