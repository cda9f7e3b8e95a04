package dataset

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/mlstack/mlstack/internal/csvscan"
	"github.com/mlstack/mlstack/pkg/frame"
)

// CheckOptions configures CheckCSV. A nil *CheckOptions means the zero
// value.
type CheckOptions struct {
	// Name names the file in errors; the path when empty.
	Name string
	// FullParse is the size up to which the whole file is read with
	// frame.ReadCSV; 32 MiB when 0.
	FullParse int64
	// Head is how much of a larger file frame.ReadCSV reads (the records
	// that end within it, at least one); 1 MiB when 0.
	Head int64
}

// Summary describes a checked CSV file.
type Summary struct {
	Rows    int      // records after the header (blank lines skipped)
	Columns []string // header names as frame reads them
}

// CheckCSV reports whether the CSV file at path parses (see the package
// rules) and counts its rows. Data errors are *frame.ParseError values.
func CheckCSV(ctx context.Context, path string, opts *CheckOptions) (Summary, error) {
	o := CheckOptions{}
	if opts != nil {
		o = *opts
	}
	if o.Name == "" {
		o.Name = path
	}
	if o.FullParse == 0 {
		o.FullParse = 32 << 20
	}
	if o.Head == 0 {
		o.Head = 1 << 20
	}
	f, err := os.Open(path)
	if err != nil {
		return Summary{}, err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return Summary{}, err
	}
	ro := &frame.ReadOptions{Name: o.Name}
	if fi.Size() <= o.FullParse {
		fr, err := frame.ReadCSV(ctx, bufio.NewReaderSize(f, 1<<20), ro)
		if err != nil {
			return Summary{}, err
		}
		return Summary{Rows: fr.Len(), Columns: fr.Names()}, nil
	}
	// The head: the records in the first o.Head bytes (at least one).
	blocks := csvscan.NewBlocks(f, int(o.Head))
	head, err := blocks.Next(nil)
	if err != nil && err != io.EOF {
		return Summary{}, err
	}
	fr, err := frame.ReadCSV(ctx, bytes.NewReader(head.Data), ro)
	if err != nil {
		return Summary{}, err
	}
	c := &counter{name: o.Name, fields: len(fr.Names()), records: fr.Len()}
	blocks.SetSize(4 << 20)
	for buf := head.Data; !head.Last; {
		if err := ctx.Err(); err != nil {
			return Summary{}, err
		}
		b, err := blocks.Next(buf)
		if err == io.EOF {
			break
		}
		if err != nil {
			return Summary{}, err
		}
		if err := c.count(b); err != nil {
			return Summary{}, err
		}
		buf = b.Data
	}
	return Summary{Rows: c.records, Columns: fr.Names()}, nil
}

// counter counts the records of blocks after the head and checks that
// each has the header's number of fields, as frame.ReadCSV does.
type counter struct {
	name    string
	fields  int
	records int
	rec     csvscan.Records
}

var comma = []byte{','}

func (c *counter) count(b csvscan.Block) error {
	c.rec.Reset(b.Data, b.Line, b.Last, b.Quote, comma)
	c.rec.SetLimit(c.fields)
	for {
		c.records += c.rec.Skip(c.fields)
		f, err := c.rec.Next()
		var se *csvscan.SyntaxError
		if errors.As(err, &se) {
			return &frame.ParseError{File: c.name, Line: se.Line, Err: se.Err}
		}
		if f == nil {
			return nil
		}
		if n := c.rec.NumFields(); n != c.fields {
			if n == 1 && len(bytes.TrimSpace(f[0])) == 0 && c.fields > 1 {
				continue // blank line, as frame skips it
			}
			return &frame.ParseError{File: c.name, Line: c.rec.Line(), Err: fmt.Errorf("%w: %d fields, header has %d", frame.ErrRaggedRow, n, c.fields)}
		}
		c.records++
	}
}
