package frame

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/url"
	"os"
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
	return readCSV(ctx, r, opts, sizeOf(r))
}

// sizeOf returns how many bytes r holds, if it says, else 0.
func sizeOf(r io.Reader) int64 {
	switch v := r.(type) {
	case interface{ Len() int }: // bytes.Reader, strings.Reader, bytes.Buffer
		return int64(v.Len())
	case *os.File:
		fi, err := v.Stat()
		if err != nil || !fi.Mode().IsRegular() {
			return 0
		}
		off, err := v.Seek(0, io.SeekCurrent)
		if err != nil {
			return 0
		}
		return fi.Size() - off
	}
	return 0
}

// ReadFile reads the CSV file at path; opts.Name defaults to path.
func ReadFile(ctx context.Context, path string, opts *ReadOptions) (*Frame, error) {
	o := withName(opts, path)
	fh, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("frame: %w", err)
	}
	defer fh.Close()
	return readCSV(ctx, fh, o, sizeOf(fh))
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
