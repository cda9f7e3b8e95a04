package frame

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// Sentinel errors. Errors returned by this package wrap one of them, so
// callers branch with errors.Is; the wrapping *ParseError or *ColumnError
// (errors.As) carries where the problem is.
var (
	// ErrRaggedRow: a CSV record has a different number of fields than
	// the header.
	ErrRaggedRow = errors.New("wrong number of fields")
	// ErrNotNumeric: a value in a column forced numeric is not a number.
	ErrNotNumeric = errors.New("not a number")
	// ErrNotBoolean: a value in a column forced boolean is not a boolean
	// token.
	ErrNotBoolean = errors.New("not a boolean")
	// ErrNoHeader: the CSV input is empty.
	ErrNoHeader = errors.New("no header row")
	// ErrDuplicateColumn: two columns have the same name.
	ErrDuplicateColumn = errors.New("duplicate column name")
	// ErrNoColumn: a named column does not exist.
	ErrNoColumn = errors.New("no such column")
	// ErrLength: columns of different lengths were put in one frame.
	ErrLength = errors.New("column length mismatch")
	// ErrOneClass: a target column has fewer than two distinct values.
	ErrOneClass = errors.New("target has a single class")
	// ErrMissingTarget: a target value is missing.
	ErrMissingTarget = errors.New("missing target value")
	// ErrNoClass: the requested positive class is not a value of the
	// target, or the target is not binary.
	ErrNoClass = errors.New("no such class")
	// ErrCategorical: a categorical column was exported as a feature
	// without being encoded.
	ErrCategorical = errors.New("categorical column must be encoded before export")
	// ErrEmpty: a matrix would have no rows or no columns.
	ErrEmpty = errors.New("empty matrix")
	// ErrNoOpener: Open was given a URI whose scheme needs an Opener.
	ErrNoOpener = errors.New("no opener for URI scheme")
	// ErrTooManyColumns: a CSV header has more than MaxColumns fields.
	ErrTooManyColumns = errors.New("too many columns")
)

// ParseError reports a problem reading CSV data. It wraps one of the
// sentinel errors (ErrRaggedRow, ErrNotNumeric, …) or an error of
// encoding/csv.
type ParseError struct {
	File   string // source name (ReadOptions.Name), may be empty
	Line   int    // 1-based line in the input, 0 if unknown
	Column string // column name, empty when the error is about a whole record
	Value  string // offending value, if any
	Err    error
}

func (e *ParseError) Error() string {
	var b strings.Builder
	b.WriteString("frame: ")
	file := e.File
	if file == "" {
		file = "<input>"
	}
	b.WriteString(file)
	if e.Line > 0 {
		b.WriteString(":")
		b.WriteString(strconv.Itoa(e.Line))
	}
	if e.Column != "" {
		fmt.Fprintf(&b, ": column %q", e.Column)
	}
	if e.Value != "" || errors.Is(e.Err, ErrNotNumeric) || errors.Is(e.Err, ErrNotBoolean) {
		fmt.Fprintf(&b, ": value %q", e.Value)
	}
	b.WriteString(": ")
	b.WriteString(e.Err.Error())
	return b.String()
}

func (e *ParseError) Unwrap() error { return e.Err }

// ColumnError reports a problem with a named column: it is absent
// (ErrNoColumn; Have lists the columns there are), duplicated, or of the
// wrong kind for the operation.
type ColumnError struct {
	Column string
	Have   []string // available columns, for ErrNoColumn
	Err    error
}

func (e *ColumnError) Error() string {
	if errors.Is(e.Err, ErrNoColumn) {
		return fmt.Sprintf("frame: column %q: %v (have %s)", e.Column, e.Err, quoteList(e.Have))
	}
	return fmt.Sprintf("frame: column %q: %v", e.Column, e.Err)
}

func (e *ColumnError) Unwrap() error { return e.Err }

func quoteList(s []string) string {
	q := make([]string, len(s))
	for i, v := range s {
		q[i] = strconv.Quote(v)
	}
	return strings.Join(q, ", ")
}
