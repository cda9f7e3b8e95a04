package frame

import (
	"fmt"
	"math"
	"slices"
	"strconv"
)

// Kind is the type of a column.
type Kind uint8

const (
	// Numeric columns hold float64 values; NaN is missing.
	Numeric Kind = iota + 1
	// Categorical columns hold strings from a finite set of levels.
	Categorical
	// Boolean columns hold false (0) or true (1) and remember the two
	// tokens they were read from (for example "No" and "Yes").
	Boolean
)

var kindNames = [...]string{Numeric: "numeric", Categorical: "categorical", Boolean: "boolean"}

func (k Kind) String() string {
	if int(k) < len(kindNames) && kindNames[k] != "" {
		return kindNames[k]
	}
	return "Kind(" + strconv.Itoa(int(k)) + ")"
}

// MarshalText encodes k as its name.
func (k Kind) MarshalText() ([]byte, error) {
	if int(k) >= len(kindNames) || kindNames[k] == "" {
		return nil, fmt.Errorf("frame: invalid kind %d", k)
	}
	return []byte(kindNames[k]), nil
}

// UnmarshalText decodes a kind name ("numeric", "categorical", "boolean").
func (k *Kind) UnmarshalText(b []byte) error {
	for i, n := range kindNames {
		if n != "" && n == string(b) {
			*k = Kind(i)
			return nil
		}
	}
	return fmt.Errorf("frame: unknown kind %q (want numeric, categorical or boolean)", b)
}

// Column is a named, typed column. Columns are immutable once built; the
// accessors that return slices return copies.
type Column struct {
	name  string
	kind  Kind
	num   []float64 // Numeric
	bools []uint8   // Boolean: 0 false, 1 true, boolNA missing
	// Categorical: value i is dict[codes[i]], or missing if codes[i] < 0.
	// dict holds each value once, in no order, and may hold values that no
	// row has (after take); columns derived from one another share it.
	codes  []int32
	dict   []string
	tokens [2]string // Boolean: false and true tokens
	// rows, if not nil, are the rows of num or codes the column holds, in
	// order: a column taken from another (Frame.Take) shares its storage.
	rows []int
}

// at returns the index in the storage of value i.
func (c *Column) at(i int) int {
	if c.rows != nil {
		return c.rows[i]
	}
	return i
}

// boolNA marks a missing value of a boolean column.
const boolNA = 2

// boolFloat is the float64 of each byte of a boolean column.
var boolFloat = [3]float64{0, 1, math.NaN()}

// values returns the values of a numeric or boolean column, in order: the
// storage itself (not to be modified) or a copy.
func (c *Column) values() []float64 {
	if c.kind == Boolean {
		v := make([]float64, c.Len())
		for i := range v {
			v[i] = boolFloat[c.bools[c.at(i)]]
		}
		return v
	}
	if c.rows == nil {
		return c.num
	}
	v := make([]float64, len(c.rows))
	for k, i := range c.rows {
		v[k] = c.num[i]
	}
	return v
}

// NewNumeric returns a numeric column that uses v as its storage (the
// caller must not modify v afterwards). NaN marks a missing value.
func NewNumeric(name string, v []float64) *Column {
	return &Column{name: name, kind: Numeric, num: v}
}

// NewCategorical returns a categorical column of the values v. If na is
// not nil, na[i] marks v[i] as missing; NewCategorical panics if na is not
// nil and len(na) != len(v).
func NewCategorical(name string, v []string, na []bool) *Column {
	if na != nil && len(na) != len(v) {
		panic("frame: slice length mismatch")
	}
	c := &Column{name: name, kind: Categorical, codes: make([]int32, len(v))}
	index := make(map[string]int32)
	for i, s := range v {
		if na != nil && na[i] {
			c.codes[i] = -1
			continue
		}
		k, ok := index[s]
		if !ok {
			k = int32(len(c.dict))
			index[s] = k
			c.dict = append(c.dict, s)
		}
		c.codes[i] = k
	}
	return c
}

// NewBoolean returns a boolean column of the values v: 0 is false, 1 is
// true and NaN is missing. It keeps a byte a value, not v. falseTok and
// trueTok are the text of the two values ("false" and "true" if empty).
// NewBoolean panics if v holds any other value.
func NewBoolean(name string, v []float64, falseTok, trueTok string) *Column {
	b := make([]uint8, len(v))
	for i, x := range v {
		switch {
		case x == 1:
			b[i] = 1
		case math.IsNaN(x):
			b[i] = boolNA
		case x != 0:
			panic("frame: boolean value not 0, 1 or NaN")
		}
	}
	if falseTok == "" && trueTok == "" {
		falseTok, trueTok = "false", "true"
	}
	return &Column{name: name, kind: Boolean, bools: b, tokens: [2]string{falseTok, trueTok}}
}

// Name returns the column name.
func (c *Column) Name() string { return c.name }

// Kind returns the column type.
func (c *Column) Kind() Kind { return c.kind }

// Len returns the number of values.
func (c *Column) Len() int {
	if c.rows != nil {
		return len(c.rows)
	}
	return storageLen(c)
}

// storageLen returns the number of values c's storage holds.
func storageLen(c *Column) int {
	switch c.kind {
	case Categorical:
		return len(c.codes)
	case Boolean:
		return len(c.bools)
	}
	return len(c.num)
}

// Renamed returns a copy of c called name; the copy shares storage.
func (c *Column) Renamed(name string) *Column {
	d := *c
	d.name = name
	return &d
}

// IsNA reports whether value i is missing. It panics if i is out of range.
func (c *Column) IsNA(i int) bool {
	switch c.kind {
	case Categorical:
		return c.codes[c.at(i)] < 0
	case Boolean:
		return c.bools[c.at(i)] == boolNA
	}
	return math.IsNaN(c.num[c.at(i)])
}

// Missing returns the number of missing values.
func (c *Column) Missing() int {
	n := 0
	for i := range c.Len() {
		if c.IsNA(i) {
			n++
		}
	}
	return n
}

// Float returns value i of a numeric or boolean column (0 or 1), NaN if
// missing. It panics for a categorical column: check Kind first.
func (c *Column) Float(i int) float64 {
	if c.kind == Categorical {
		panic("frame: Float of categorical column " + strconv.Quote(c.name))
	}
	if c.kind == Boolean {
		return boolFloat[c.bools[c.at(i)]]
	}
	return c.num[c.at(i)]
}

// Floats returns a copy of the values of a numeric or boolean column (0
// or 1), NaN for missing. It panics for a categorical column: check Kind
// first.
func (c *Column) Floats() []float64 {
	if c.kind == Categorical {
		panic("frame: Floats of categorical column " + strconv.Quote(c.name))
	}
	if c.rows != nil || c.kind == Boolean {
		return c.values()
	}
	return slices.Clone(c.num)
}

// String returns value i as text: the level of a categorical value, the
// token of a boolean value, the shortest exact decimal of a number, and
// "" for a missing value.
func (c *Column) String(i int) string {
	i = c.at(i)
	switch c.kind {
	case Categorical:
		if k := c.codes[i]; k >= 0 {
			return c.dict[k]
		}
		return ""
	case Boolean:
		if b := c.bools[i]; b != boolNA {
			return c.tokens[b]
		}
		return ""
	}
	if math.IsNaN(c.num[i]) {
		return ""
	}
	return strconv.FormatFloat(c.num[i], 'g', -1, 64)
}

// Strings returns all values as text, as String does.
func (c *Column) Strings() []string {
	s := make([]string, c.Len())
	for i := range s {
		s[i] = c.String(i)
	}
	return s
}

// Tokens returns the false and true tokens of a boolean column, and two
// empty strings for other kinds.
func (c *Column) Tokens() (falseTok, trueTok string) { return c.tokens[0], c.tokens[1] }

// Levels returns the distinct non-missing values of a categorical column
// in sorted (byte-wise) order, the two tokens (false first) of a boolean
// column, and nil for a numeric column.
func (c *Column) Levels() []string {
	switch c.kind {
	case Boolean:
		return []string{c.tokens[0], c.tokens[1]}
	case Categorical:
		seen := make([]bool, len(c.dict))
		for i := range c.Len() {
			if k := c.codes[c.at(i)]; k >= 0 {
				seen[k] = true
			}
		}
		var lv []string
		for k, s := range c.dict {
			if seen[k] {
				lv = append(lv, s)
			}
		}
		slices.Sort(lv)
		return lv
	}
	return nil
}

// take returns a new column holding the rows idx of c, which are rows of
// the storage of c if c has taken rows (see Frame.Take). If view, the new
// column shares c's storage and holds idx, else it copies the values.
func (c *Column) take(idx []int, view bool) *Column {
	d := *c
	if view {
		d.rows = idx
		return &d
	}
	d.rows = nil
	switch c.kind {
	case Categorical:
		d.codes = make([]int32, len(idx))
		for k, i := range idx {
			d.codes[k] = c.codes[i]
		}
		return &d
	case Boolean:
		d.bools = make([]uint8, len(idx))
		for k, i := range idx {
			d.bools[k] = c.bools[i]
		}
		return &d
	}
	d.num = make([]float64, len(idx))
	for k, i := range idx {
		d.num[k] = c.num[i]
	}
	return &d
}

