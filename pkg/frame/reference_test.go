package frame

import (
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"maps"
	"math"
	"slices"
	"strconv"
	"strings"
)

// readReference is ReadCSV as it was written first, on encoding/csv with a
// string per value: the semantics ReadCSV keeps. Tests compare the two.
// (One change: of several absent Types columns, it names the first in
// sorted order, not one at random.)
func readReference(ctx context.Context, r io.Reader, opts *ReadOptions) (*Frame, error) {
	if opts == nil {
		opts = &ReadOptions{}
	}
	missing := opts.Missing
	if missing == nil {
		missing = DefaultMissing
	}
	isNA := make(map[string]bool, len(missing))
	for _, m := range missing {
		isNA[strings.TrimSpace(m)] = true
	}

	cr := csv.NewReader(r)
	if opts.Comma != 0 {
		cr.Comma = opts.Comma
	}
	cr.FieldsPerRecord = -1
	perr := func(line int, col, val string, err error) error {
		return &ParseError{File: opts.Name, Line: line, Column: col, Value: val, Err: err}
	}
	csvErr := func(err error) error {
		var ce *csv.ParseError
		if errors.As(err, &ce) {
			return perr(ce.Line, "", "", ce.Err)
		}
		return fmt.Errorf("frame: reading %s: %w", opts.Name, err)
	}

	header, err := cr.Read()
	if err == io.EOF {
		return nil, perr(0, "", "", ErrNoHeader)
	}
	if err != nil {
		return nil, csvErr(err)
	}
	header[0] = strings.TrimPrefix(header[0], "\ufeff")
	seen := make(map[string]bool, len(header))
	for j, h := range header {
		h = strings.TrimSpace(h)
		if h == "" {
			h = "Unnamed: " + strconv.Itoa(j) // as pandas names it
		}
		if seen[h] {
			return nil, perr(1, h, "", ErrDuplicateColumn)
		}
		seen[h] = true
		header[j] = h
	}
	for _, name := range slices.Sorted(maps.Keys(opts.Types)) { // the first absent name
		if !seen[name] {
			return nil, &ColumnError{Column: name, Have: header, Err: ErrNoColumn}
		}
	}

	raw := make([][]string, len(header))
	var lines []int // line of each record, for errors found after reading
	for n := 0; ; n++ {
		if n%4096 == 0 {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
		}
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, csvErr(err)
		}
		line, _ := cr.FieldPos(0)
		if len(rec) != len(header) {
			if len(rec) == 1 && strings.TrimSpace(rec[0]) == "" && len(header) > 1 {
				continue // blank line
			}
			return nil, perr(line, "", "", fmt.Errorf("%w: %d fields, header has %d", ErrRaggedRow, len(rec), len(header)))
		}
		lines = append(lines, line)
		for j, v := range rec {
			raw[j] = append(raw[j], strings.TrimSpace(v))
		}
	}

	cols := make([]*Column, len(header))
	for j, name := range header {
		kind, forced := opts.Types[name]
		c, bad, err := referenceConvert(name, raw[j], isNA, kind, forced)
		if err != nil {
			return nil, perr(lines[bad], name, raw[j][bad], err)
		}
		cols[j] = c
		raw[j] = nil
	}
	f, err := New(cols...)
	if err != nil {
		return nil, err
	}
	f.name = opts.Name
	f.n = len(lines)
	return f, nil
}

// referenceConvert builds a column from trimmed raw values. If kind is
// forced, a value that does not fit is reported with its index.
func referenceConvert(name string, raw []string, isNA map[string]bool, kind Kind, forced bool) (c *Column, bad int, err error) {
	if !forced {
		kind = referenceInfer(raw, isNA)
	}
	switch kind {
	case Numeric:
		v := make([]float64, len(raw))
		for i, s := range raw {
			if isNA[s] {
				v[i] = math.NaN()
				continue
			}
			x, err := strconv.ParseFloat(s, 64)
			if err != nil && !isRangeErr(err) {
				return nil, i, ErrNotNumeric
			}
			v[i] = x
		}
		return NewNumeric(name, v), 0, nil
	case Boolean:
		pairs := boolPairs
		if forced {
			pairs = slices.Concat(boolPairs, [][2]string{{"0", "1"}})
		}
		pair, i := referenceBoolPair(raw, isNA, pairs)
		if i >= 0 {
			return nil, i, ErrNotBoolean
		}
		v := make([]float64, len(raw))
		for i, s := range raw {
			switch {
			case isNA[s]:
				v[i] = math.NaN()
			case s == pair[1]:
				v[i] = 1
			}
		}
		return NewBoolean(name, v, pair[0], pair[1]), 0, nil
	case Categorical:
		var na []bool
		for i, s := range raw {
			if isNA[s] {
				if na == nil {
					na = make([]bool, len(raw))
				}
				na[i] = true
			}
		}
		return NewCategorical(name, raw, na), 0, nil
	}
	return nil, 0, fmt.Errorf("invalid kind %v", kind)
}

// referenceInfer returns the kind of a column of raw values.
func referenceInfer(raw []string, isNA map[string]bool) Kind {
	numeric := true
	for _, s := range raw {
		if isNA[s] {
			continue
		}
		if _, err := strconv.ParseFloat(s, 64); err != nil && !isRangeErr(err) {
			numeric = false
			break
		}
	}
	if numeric {
		return Numeric
	}
	if _, bad := referenceBoolPair(raw, isNA, boolPairs); bad < 0 {
		return Boolean
	}
	return Categorical
}

// referenceBoolPair finds the pair all non-missing raw values belong to;
// else it returns the index of the first value that fits no pair
// consistently.
func referenceBoolPair(raw []string, isNA map[string]bool, pairs [][2]string) ([2]string, int) {
	cand := -1
	for i, s := range raw {
		if isNA[s] {
			continue
		}
		if cand >= 0 && (s == pairs[cand][0] || s == pairs[cand][1]) {
			continue
		}
		if cand >= 0 {
			return [2]string{}, i
		}
		for k, p := range pairs {
			if s == p[0] || s == p[1] {
				cand = k
				break
			}
		}
		if cand < 0 {
			return [2]string{}, i
		}
	}
	if cand < 0 {
		return [2]string{"false", "true"}, -1
	}
	return pairs[cand], -1
}

// differ describes how two read results differ, or returns "".
func differ(f *Frame, err error, g *Frame, gerr error) string {
	if (err == nil) != (gerr == nil) {
		return fmt.Sprintf("error %v, want %v", err, gerr)
	}
	if err != nil {
		var pe, gpe *ParseError
		if errors.As(err, &pe) != errors.As(gerr, &gpe) || err.Error() != gerr.Error() {
			return fmt.Sprintf("error %v, want %v", err, gerr)
		}
		if pe != nil && (pe.File != gpe.File || pe.Line != gpe.Line || pe.Column != gpe.Column || pe.Value != gpe.Value || errors.Unwrap(pe.Err) != errors.Unwrap(gpe.Err) || (errors.Unwrap(pe.Err) == nil && pe.Err != gpe.Err)) {
			return fmt.Sprintf("error %#v, want %#v", pe, gpe)
		}
		return ""
	}
	if f.Name() != g.Name() || !slices.Equal(f.Names(), g.Names()) || f.Len() != g.Len() {
		return fmt.Sprintf("frame %q %q %d rows, want %q %q %d rows", f.Name(), f.Names(), f.Len(), g.Name(), g.Names(), g.Len())
	}
	for j, c := range f.cols {
		d := g.cols[j]
		if c.Kind() != d.Kind() || c.Len() != d.Len() || c.tokens != d.tokens {
			return fmt.Sprintf("column %q: %v, %d values, tokens %q; want %v, %d, %q", c.name, c.Kind(), c.Len(), c.tokens, d.Kind(), d.Len(), d.tokens)
		}
		if c.Kind() == Categorical && !slices.Equal(c.Levels(), d.Levels()) {
			return fmt.Sprintf("column %q: levels %q, want %q", c.name, c.Levels(), d.Levels())
		}
		for i := range c.Len() {
			if c.IsNA(i) != d.IsNA(i) || c.String(i) != d.String(i) ||
				c.Kind() != Categorical && math.Float64bits(c.Float(i)) != math.Float64bits(d.Float(i)) {
				return fmt.Sprintf("column %q row %d: %q (NA %v), want %q (NA %v)", c.name, i, c.String(i), c.IsNA(i), d.String(i), d.IsNA(i))
			}
		}
	}
	return ""
}
