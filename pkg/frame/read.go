package frame

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"net/url"
	"os"
	"slices"
	"strconv"
	"strings"
)

// DefaultMissing lists the tokens read as missing values when
// ReadOptions.Missing is nil. Values are compared after trimming spaces.
var DefaultMissing = []string{"", "NA", "N/A", "n/a", "NaN", "nan", "null", "NULL", "?"}

// boolPairs are the (false, true) token pairs a column may be inferred
// boolean from; the match is exact (case-sensitive) and a column must use
// a single pair.
var boolPairs = [][2]string{
	{"false", "true"}, {"False", "True"}, {"FALSE", "TRUE"},
	{"no", "yes"}, {"No", "Yes"}, {"NO", "YES"},
}

// Opener opens the data at uri for reading. pkg/storage provides one for
// s3:// URIs; the caller closes the returned reader.
type Opener func(ctx context.Context, uri string) (io.ReadCloser, error)

// ReadOptions configures CSV reading. A nil *ReadOptions means the zero
// value, which gives the defaults documented on each field.
type ReadOptions struct {
	// Name names the source in errors (for example "diabetes.csv" or an
	// s3:// URI). ReadFile and Open default it to the path or URI.
	Name string
	// Comma is the field delimiter; ',' when 0.
	Comma rune
	// Missing lists the tokens read as missing values; DefaultMissing
	// when nil. A non-nil empty slice disables missing-value detection.
	Missing []string
	// Types forces the kind of the named columns instead of inferring it.
	// A value that does not fit the forced kind is a *ParseError.
	Types map[string]Kind
	// Opener opens URIs whose scheme is not file (Open only).
	Opener Opener
}

// ReadCSV reads a CSV table with a header row from r and infers column
// kinds (see the package documentation). ctx is checked while reading.
// Errors about the data are *ParseError values naming opts.Name, the
// line and the column.
func ReadCSV(ctx context.Context, r io.Reader, opts *ReadOptions) (*Frame, error) {
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
	for name := range opts.Types {
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
		c, bad, err := convert(name, raw[j], isNA, kind, forced)
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

// convert builds a column from trimmed raw values. If kind is forced, a
// value that does not fit is reported with its index.
func convert(name string, raw []string, isNA map[string]bool, kind Kind, forced bool) (c *Column, bad int, err error) {
	if !forced {
		kind = infer(raw, isNA)
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
		pair, i := boolPair(raw, isNA, pairs)
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
		return &Column{name: name, kind: Boolean, num: v, tokens: pair}, 0, nil
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

func isRangeErr(err error) bool {
	var ne *strconv.NumError
	return errors.As(err, &ne) && errors.Is(ne.Err, strconv.ErrRange)
}

// infer returns the kind of a column of raw values: numeric if every
// non-missing value parses as a number (also when all are missing),
// boolean if they all belong to one of boolPairs, categorical otherwise.
func infer(raw []string, isNA map[string]bool) Kind {
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
	if _, bad := boolPair(raw, isNA, boolPairs); bad < 0 {
		return Boolean
	}
	return Categorical
}

// boolPair finds the pair all non-missing raw values belong to; else it
// returns the index of the first value that fits no pair consistently.
func boolPair(raw []string, isNA map[string]bool, pairs [][2]string) ([2]string, int) {
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

// ReadFile reads the CSV file at path; opts.Name defaults to path.
func ReadFile(ctx context.Context, path string, opts *ReadOptions) (*Frame, error) {
	o := withName(opts, path)
	fh, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("frame: %w", err)
	}
	defer fh.Close()
	return ReadCSV(ctx, fh, o)
}

// Open reads the CSV at uri: a local path or file:// URI is read with
// ReadFile, any other scheme (s3://, …) through opts.Opener, without which
// Open returns an error wrapping ErrNoOpener. opts.Name defaults to uri.
func Open(ctx context.Context, uri string, opts *ReadOptions) (*Frame, error) {
	o := withName(opts, uri)
	u, err := url.Parse(uri)
	if err != nil || u.Scheme == "" || len(u.Scheme) == 1 { // "C:\..." is a path
		return ReadFile(ctx, uri, o)
	}
	if u.Scheme == "file" {
		return ReadFile(ctx, u.Path, o)
	}
	if o.Opener == nil {
		return nil, fmt.Errorf("frame: open %s: %w %q", uri, ErrNoOpener, u.Scheme)
	}
	rc, err := o.Opener(ctx, uri)
	if err != nil {
		return nil, fmt.Errorf("frame: open %s: %w", uri, err)
	}
	defer rc.Close()
	return ReadCSV(ctx, rc, o)
}

func withName(opts *ReadOptions, name string) *ReadOptions {
	var o ReadOptions
	if opts != nil {
		o = *opts
	}
	if o.Name == "" {
		o.Name = name
	}
	return &o
}

// ReadBytes reads a CSV table held in memory, such as a built-in sample
// from pkg/dataset: ReadCSV(ctx, bytes.NewReader(b), opts).
func ReadBytes(ctx context.Context, b []byte, opts *ReadOptions) (*Frame, error) {
	return ReadCSV(ctx, bytes.NewReader(b), opts)
}
