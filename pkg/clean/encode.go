package clean

import (
	"fmt"
	"math"
	"slices"

	"github.com/mlstack/mlstack/pkg/frame"
)

// Method is how Encode turns categories into numbers.
type Method string

// Encoding methods.
const (
	// OneHot replaces a column c by one boolean indicator column per level
	// L, named "c_L" (as scikit-learn's get_feature_names_out), in place.
	// A missing value is missing (NaN) in every indicator.
	OneHot Method = "onehot"
	// Ordinal replaces a column by the index of its value in the sorted
	// levels (a numeric column); a missing value is NaN.
	Ordinal Method = "ordinal"
)

// Unknown is what Encode does with a value not seen at fit time.
type Unknown string

// Unknown-category handling.
const (
	// UnknownError makes Transform fail, naming the column, the value
	// and its row (a *RowError), as scikit-learn's
	// handle_unknown="error".
	UnknownError Unknown = "error"
	// UnknownIgnore encodes the value as all zeros (OneHot, like
	// scikit-learn's handle_unknown="ignore" and pandas' get_dummies on
	// new data) or NaN (Ordinal, like OrdinalEncoder's
	// handle_unknown="use_encoded_value", unknown_value=np.nan). It is
	// the default.
	UnknownIgnore Unknown = "ignore"
)

// Encode encodes categorical columns as numbers. Levels are the sorted
// (byte-wise) distinct values seen at fit time.
type Encode struct {
	// Method is onehot (default: one 0/1 column per category, as
	// OneHotEncoder and get_dummies) or ordinal (the category's index in
	// the sorted categories, as OrdinalEncoder).
	Method Method `json:"method,omitempty"`
	// Columns to encode; empty means every categorical column. Boolean
	// columns, which export as 0/1 already, are encoded only if listed.
	Columns []string `json:"columns,omitempty"`
	// Unknown is ignore or error; it defaults to UnknownIgnore: a category seen only in a test
	// fold, or only in the rows being scored, is no reason to stop, as
	// with pandas' get_dummies (scikit-learn's encoders default to
	// "error" instead).
	Unknown Unknown `json:"unknown,omitempty"`

	// Fitted holds the levels, set by FitTransform.
	Fitted *EncodeState `json:"fitted,omitempty"`
}

// EncodeState is the fitted state of Encode.
type EncodeState struct {
	Columns []Levels `json:"columns"`
}

// Levels are the categories of one encoded column.
type Levels struct {
	Column string     `json:"column"`
	Kind   frame.Kind `json:"kind"`
	Levels []string   `json:"levels"`
}

// Name returns "encode".
func (*Encode) Name() string { return "encode" }

func (s *Encode) method() Method {
	if s.Method == "" {
		return OneHot
	}
	return s.Method
}

func (s *Encode) unknown() Unknown {
	if s.Unknown == "" {
		return UnknownIgnore
	}
	return s.Unknown
}

func (s *Encode) validate() error {
	if m := s.method(); m != OneHot && m != Ordinal {
		return fmt.Errorf("%w: method %q (want onehot or ordinal)", ErrBadOption, s.Method)
	}
	if u := s.unknown(); u != UnknownError && u != UnknownIgnore {
		return fmt.Errorf("%w: unknown %q (want error or ignore)", ErrBadOption, s.Unknown)
	}
	return distinct(s.Columns)
}

func (s *Encode) fitted() bool { return s.Fitted != nil }

func (s *Encode) checkState() error {
	names, kinds := make([]string, len(s.Fitted.Columns)), make([]frame.Kind, len(s.Fitted.Columns))
	for i, lv := range s.Fitted.Columns {
		names[i], kinds[i] = lv.Column, lv.Kind
	}
	if err := stateColumns(names, kinds, frame.Categorical, frame.Boolean); err != nil {
		return err
	}
	for _, lv := range s.Fitted.Columns {
		if len(lv.Levels) == 0 {
			return columnErr(lv.Column, ErrNoValues)
		}
		for k := 1; k < len(lv.Levels); k++ {
			if lv.Levels[k-1] >= lv.Levels[k] {
				return columnErr(lv.Column, fmt.Errorf("levels %q and %q are not sorted and distinct", lv.Levels[k-1], lv.Levels[k]))
			}
		}
	}
	return nil
}

// FitTransform records the levels of the columns of f and encodes f.
func (s *Encode) FitTransform(f *frame.Frame, env *Env) (*frame.Frame, error) {
	s.Fitted = nil
	if err := s.validate(); err != nil {
		return nil, err
	}
	cols, err := columnsOrDefault(f, env, s.Columns, frame.Categorical)
	if err != nil {
		return nil, err
	}
	state := &EncodeState{}
	for _, name := range cols {
		c, err := needKind(f, name, frame.Categorical, frame.Boolean)
		if err != nil {
			return nil, err
		}
		lv := c.Levels()
		if c.Kind() == frame.Boolean {
			lv = observedTokens(c)
		}
		if len(lv) == 0 {
			return nil, columnErr(name, ErrNoValues)
		}
		state.Columns = append(state.Columns, Levels{Column: name, Kind: c.Kind(), Levels: lv})
	}
	s.Fitted = state
	g, err := s.Transform(f, env)
	if err != nil {
		s.Fitted = nil
	}
	return g, err
}

// observedTokens returns the tokens of a boolean column that occur, in
// sorted order.
func observedTokens(c *frame.Column) []string {
	ft, tt := c.Tokens()
	var has [2]bool
	for i := range c.Len() {
		if !c.IsNA(i) {
			has[int(c.Float(i))] = true
		}
	}
	var lv []string
	if has[0] {
		lv = append(lv, ft)
	}
	if has[1] {
		lv = append(lv, tt)
	}
	slices.Sort(lv)
	return lv
}

// Transform encodes the fitted columns of f.
func (s *Encode) Transform(f *frame.Frame, _ *Env) (*frame.Frame, error) {
	if err := checkFitted(s.Fitted != nil); err != nil {
		return nil, err
	}
	enc := make(map[string][]*frame.Column, len(s.Fitted.Columns))
	for _, lv := range s.Fitted.Columns {
		c, err := needKind(f, lv.Column, lv.Kind)
		if err != nil {
			return nil, err
		}
		out, err := s.encode(c, lv.Levels)
		if err != nil {
			return nil, err
		}
		enc[lv.Column] = out
	}
	var cols []*frame.Column
	for _, c := range f.Columns() {
		if out, ok := enc[c.Name()]; ok {
			cols = append(cols, out...)
		} else {
			cols = append(cols, c)
		}
	}
	g, err := frame.New(cols...)
	if err != nil {
		return nil, err
	}
	return g.WithName(f.Name()), nil
}

func (s *Encode) encode(c *frame.Column, levels []string) ([]*frame.Column, error) {
	code := make(map[string]int32, len(levels))
	for k, l := range levels {
		code[l] = int32(k)
	}
	n := c.Len()
	codes := make([]int32, n) // -1 missing, -2 unknown
	for i := range n {
		if c.IsNA(i) {
			codes[i] = -1
			continue
		}
		v := c.String(i)
		k, ok := code[v]
		if !ok {
			if s.unknown() == UnknownError {
				return nil, columnErr(c.Name(), &RowError{Row: i, Err: fmt.Errorf("%w %q (not among the %d categories fitted; unknown: ignore encodes it as no category)", ErrUnknownCategory, v, len(levels))})
			}
			k = -2
		}
		codes[i] = k
	}
	if s.method() == Ordinal {
		v := make([]float64, n)
		for i, k := range codes {
			v[i] = float64(k)
			if k < 0 {
				v[i] = math.NaN()
			}
		}
		return []*frame.Column{frame.NewNumeric(c.Name(), v)}, nil
	}
	out := make([]*frame.Column, len(levels))
	for k, l := range levels {
		v := make([]float64, n)
		for i, ci := range codes {
			switch {
			case ci == -1:
				v[i] = math.NaN()
			case int(ci) == k:
				v[i] = 1
			}
		}
		out[k] = frame.NewBoolean(c.Name()+"_"+l, v, "", "")
	}
	return out, nil
}
