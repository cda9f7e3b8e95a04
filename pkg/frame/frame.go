package frame

import (
	"cmp"
	"fmt"
	"slices"
	"strconv"
)

// Frame is a table of named, typed columns of equal length. A Frame is
// immutable: methods that change the shape or the content return a new
// Frame, which may share column storage with the receiver.
type Frame struct {
	name  string
	cols  []*Column
	index map[string]int
	n     int
}

// New returns a frame of the given columns. Column names must be unique
// and all columns must have the same length; otherwise New returns a
// *ColumnError wrapping ErrDuplicateColumn or ErrLength.
func New(cols ...*Column) (*Frame, error) {
	f := &Frame{cols: cols, index: make(map[string]int, len(cols))}
	for j, c := range cols {
		if _, dup := f.index[c.name]; dup {
			return nil, &ColumnError{Column: c.name, Err: ErrDuplicateColumn}
		}
		f.index[c.name] = j
		if j == 0 {
			f.n = c.Len()
		} else if c.Len() != f.n {
			return nil, &ColumnError{Column: c.name, Err: fmt.Errorf("%w: %d values, want %d", ErrLength, c.Len(), f.n)}
		}
	}
	return f, nil
}

// Name returns the source name of the frame (ReadOptions.Name), used in
// error messages.
func (f *Frame) Name() string { return f.name }

// WithName returns a copy of f with source name name.
func (f *Frame) WithName(name string) *Frame {
	g := *f
	g.name = name
	return &g
}

// Len returns the number of rows.
func (f *Frame) Len() int { return f.n }

// Shape returns the number of rows and columns.
func (f *Frame) Shape() (rows, cols int) { return f.n, len(f.cols) }

// Names returns the column names in order.
func (f *Frame) Names() []string {
	s := make([]string, len(f.cols))
	for j, c := range f.cols {
		s[j] = c.name
	}
	return s
}

// Columns returns the columns in order. The slice is a copy; the columns
// are shared (and immutable).
func (f *Frame) Columns() []*Column { return slices.Clone(f.cols) }

// Has reports whether f has a column called name.
func (f *Frame) Has(name string) bool {
	_, ok := f.index[name]
	return ok
}

// Column returns the column called name, or a *ColumnError wrapping
// ErrNoColumn that lists the available columns.
func (f *Frame) Column(name string) (*Column, error) {
	j, ok := f.index[name]
	if !ok {
		return nil, f.noColumn(name)
	}
	return f.cols[j], nil
}

// ColumnAt returns column j. It panics if j is out of range.
func (f *Frame) ColumnAt(j int) *Column { return f.cols[j] }

func (f *Frame) noColumn(name string) error {
	return &ColumnError{Column: name, Have: f.Names(), Err: ErrNoColumn}
}

func (f *Frame) derive(cols []*Column) *Frame {
	g := &Frame{name: f.name, cols: cols, index: make(map[string]int, len(cols)), n: f.n}
	for j, c := range cols {
		g.index[c.name] = j
	}
	if len(cols) > 0 {
		g.n = cols[0].Len()
	}
	return g
}

// Select returns a frame of the named columns, in the order given.
func (f *Frame) Select(names ...string) (*Frame, error) {
	cols := make([]*Column, 0, len(names))
	seen := make(map[string]bool, len(names))
	for _, n := range names {
		c, err := f.Column(n)
		if err != nil {
			return nil, err
		}
		if seen[n] {
			return nil, &ColumnError{Column: n, Err: ErrDuplicateColumn}
		}
		seen[n] = true
		cols = append(cols, c)
	}
	g := f.derive(cols)
	g.n = f.n
	return g, nil
}

// Drop returns a frame without the named columns. Every name must exist.
func (f *Frame) Drop(names ...string) (*Frame, error) {
	drop := make(map[string]bool, len(names))
	for _, n := range names {
		if !f.Has(n) {
			return nil, f.noColumn(n)
		}
		drop[n] = true
	}
	var cols []*Column
	for _, c := range f.cols {
		if !drop[c.name] {
			cols = append(cols, c)
		}
	}
	g := f.derive(cols)
	g.n = f.n
	return g, nil
}

// Rename returns a frame whose columns are renamed by the map old → new.
// Every old name must exist and the new names must be unique.
func (f *Frame) Rename(names map[string]string) (*Frame, error) {
	for old := range names {
		if !f.Has(old) {
			return nil, f.noColumn(old)
		}
	}
	cols := make([]*Column, len(f.cols))
	for j, c := range f.cols {
		cols[j] = c
		if n, ok := names[c.name]; ok {
			cols[j] = c.Renamed(n)
		}
	}
	g, err := New(cols...)
	if err != nil {
		return nil, err
	}
	g.name, g.n = f.name, f.n
	return g, nil
}

// With returns a frame where each given column replaces the column of the
// same name, or is appended if there is none. The columns must have
// f.Len() values.
func (f *Frame) With(cols ...*Column) (*Frame, error) {
	all := slices.Clone(f.cols)
	for _, c := range cols {
		if len(all) > 0 && c.Len() != f.n {
			return nil, &ColumnError{Column: c.name, Err: fmt.Errorf("%w: %d values, want %d", ErrLength, c.Len(), f.n)}
		}
		if j, ok := f.index[c.name]; ok {
			all[j] = c
		} else {
			all = append(all, c)
		}
	}
	g, err := New(all...)
	if err != nil {
		return nil, err
	}
	g.name = f.name
	return g, nil
}

// Take returns a frame of rows idx (in that order; repeats allowed). It
// panics if an index is out of range.
//
// The new frame shares the storage of f's columns when it holds at least
// half as many values (it then keeps f's storage alive); a smaller one
// gets storage of its own.
func (f *Frame) Take(idx []int) *Frame {
	for _, i := range idx {
		if i < 0 || i >= f.n {
			panic(fmt.Sprintf("frame: Take: row %d out of range [0, %d)", i, f.n))
		}
	}
	// Columns that hold the same rows of their storage (all columns of a
	// frame read or taken) share the rows of the new frame too.
	type rowsOf struct {
		first *int
		n     int
	}
	shared := make(map[rowsOf][]int)
	cols := make([]*Column, len(f.cols))
	for j, c := range f.cols {
		rows := idx
		if len(c.rows) > 0 {
			key := rowsOf{&c.rows[0], len(c.rows)}
			if rows = shared[key]; rows == nil {
				rows = make([]int, len(idx))
				for k, i := range idx {
					rows[k] = c.rows[i]
				}
				shared[key] = rows
			}
		}
		view := 2*len(idx) >= storageLen(c)
		if view && c.rows == nil {
			key := rowsOf{}
			if rows = shared[key]; rows == nil {
				rows = slices.Clone(idx) // the caller may change idx
				shared[key] = rows
			}
		}
		cols[j] = c.take(rows, view)
	}
	g := f.derive(cols)
	g.n = len(idx)
	return g
}

// Head returns the first n rows (all of them if there are fewer).
func (f *Frame) Head(n int) *Frame {
	n = max(0, min(n, f.n))
	idx := make([]int, n)
	for i := range idx {
		idx[i] = i
	}
	return f.Take(idx)
}

// Row is a view of one row, passed to Filter predicates. Its accessors
// take a column name and panic if f has no such column (a bug in the
// predicate, not in the data).
type Row struct {
	f *Frame
	i int
}

// Index returns the row number in the frame being filtered.
func (r Row) Index() int { return r.i }

func (r Row) col(name string) *Column {
	j, ok := r.f.index[name]
	if !ok {
		panic("frame: Row: no column " + strconv.Quote(name))
	}
	return r.f.cols[j]
}

// Float returns the value of a numeric or boolean column (NaN if
// missing); it panics for a categorical column.
func (r Row) Float(name string) float64 { return r.col(name).Float(r.i) }

// String returns the value of a column as text ("" if missing).
func (r Row) String(name string) string { return r.col(name).String(r.i) }

// IsNA reports whether the value of a column is missing.
func (r Row) IsNA(name string) bool { return r.col(name).IsNA(r.i) }

// Filter returns the rows for which keep returns true.
func (f *Frame) Filter(keep func(r Row) bool) *Frame {
	var idx []int
	for i := range f.n {
		if keep(Row{f, i}) {
			idx = append(idx, i)
		}
	}
	return f.Take(idx)
}

// ValueCount is a distinct value and how many rows hold it.
type ValueCount struct {
	Value string
	Count int
}

// ValueCounts returns the distinct non-missing values of a column (as
// text, see Column.String) with their counts, most frequent first; ties
// keep the order of first appearance. Like pandas' value_counts, missing
// values are not counted.
func (f *Frame) ValueCounts(name string) ([]ValueCount, error) {
	c, err := f.Column(name)
	if err != nil {
		return nil, err
	}
	return valueCounts(c), nil
}

func valueCounts(c *Column) []ValueCount {
	pos := make(map[string]int)
	var vc []ValueCount
	for i := range c.Len() {
		if c.IsNA(i) {
			continue
		}
		s := c.String(i)
		if k, ok := pos[s]; ok {
			vc[k].Count++
			continue
		}
		pos[s] = len(vc)
		vc = append(vc, ValueCount{s, 1})
	}
	slices.SortStableFunc(vc, func(a, b ValueCount) int { return cmp.Compare(b.Count, a.Count) })
	return vc
}

// maxPrintRows is the number of rows String and HTML show.
const maxPrintRows = 10

// String returns the first rows of f as an aligned text table followed
// by its shape.
func (f *Frame) String() string {
	return f.table().text() + fmt.Sprintf("[%d rows x %d columns]\n", f.n, len(f.cols))
}

// HTML returns the first rows of f as an HTML table, for notebooks.
func (f *Frame) HTML() string {
	return f.table().html() + fmt.Sprintf("<p>%d rows × %d columns</p>\n", f.n, len(f.cols))
}

func (f *Frame) table() *table {
	t := &table{header: append([]string{""}, f.Names()...)}
	t.right = make([]bool, len(t.header))
	t.right[0] = true
	for j, c := range f.cols {
		t.right[j+1] = c.kind == Numeric
	}
	for i := range min(f.n, maxPrintRows) {
		row := []string{strconv.Itoa(i)}
		for _, c := range f.cols {
			s := c.String(i)
			if c.IsNA(i) {
				s = "NaN"
			}
			row = append(row, s)
		}
		t.rows = append(t.rows, row)
	}
	if f.n > maxPrintRows {
		row := make([]string, len(t.header))
		for j := range row {
			row[j] = "..."
		}
		t.rows = append(t.rows, row)
	}
	return t
}
