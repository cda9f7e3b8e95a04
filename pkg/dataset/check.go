package dataset

import (
	"bufio"
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"

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
	// Head is how much of a larger file frame.ReadCSV reads (up to the
	// next record end); 1 MiB when 0.
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
	sc := &scanner{r: bufio.NewReaderSize(f, 1<<20), name: o.Name}
	// The head: records up to the first record end after o.Head bytes.
	if err := sc.run(ctx, -1, o.Head); err != nil {
		return Summary{}, err
	}
	fr, err := frame.ReadCSV(ctx, io.NewSectionReader(f, 0, sc.off), ro)
	if err != nil {
		return Summary{}, err
	}
	sc.fields, sc.records = len(fr.Names()), fr.Len()
	if err := sc.run(ctx, sc.fields, -1); err != nil {
		return Summary{}, err
	}
	return Summary{Rows: sc.records, Columns: fr.Names()}, nil
}

// scanner checks records the way frame.ReadCSV (encoding/csv, comma ',')
// reads them, without keeping them: a line without quotes is one record
// whose fields are its commas plus one; lines with quotes are gathered
// until the quotes balance and parsed by encoding/csv.
type scanner struct {
	r       *bufio.Reader
	name    string
	off     int64 // bytes consumed
	line    int   // lines consumed
	fields  int   // header fields; -1 while reading the head
	records int
	pend    []byte // lines of an unbalanced quoted record
	pendAt  int    // line of pend's first line
	quotes  int
}

// run scans records until stop bytes are consumed (stop < 0: EOF) and a
// record has ended. fields < 0: count nothing, check nothing (head).
func (s *scanner) run(ctx context.Context, fields int, stop int64) error {
	s.fields = fields
	var long []byte
	for n := 0; ; n++ {
		if n%65536 == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		if stop >= 0 && s.off >= stop && s.pend == nil {
			return nil
		}
		b, err := s.r.ReadSlice('\n')
		if errors.Is(err, bufio.ErrBufferFull) {
			long = append(long[:0], b...)
			for errors.Is(err, bufio.ErrBufferFull) {
				b, err = s.r.ReadSlice('\n')
				long = append(long, b...)
			}
			b = long
		}
		if len(b) == 0 && err == io.EOF {
			if s.pend != nil { // unbalanced quote at EOF: let csv judge
				return s.flush()
			}
			return nil
		}
		if err != nil && err != io.EOF {
			return err
		}
		s.off += int64(len(b))
		s.line++
		q := bytes.Count(b, []byte{'"'})
		if s.pend != nil {
			s.pend = append(s.pend, b...)
			s.quotes += q
			if s.quotes%2 == 0 {
				if err := s.flush(); err != nil {
					return err
				}
			}
			continue
		}
		if q == 0 {
			t := bytes.TrimRight(b, "\r\n")
			if len(t) == 0 {
				continue // empty line: csv skips it
			}
			if s.fields >= 0 {
				if err := s.record(bytes.Count(t, []byte{','})+1, len(bytes.TrimSpace(t)) == 0, s.line); err != nil {
					return err
				}
			}
			continue
		}
		s.pend, s.pendAt, s.quotes = append([]byte(nil), b...), s.line, q
		if q%2 == 0 {
			if err := s.flush(); err != nil {
				return err
			}
		}
	}
}

// flush parses the pending lines with encoding/csv.
func (s *scanner) flush() error {
	cr := csv.NewReader(bytes.NewReader(s.pend))
	cr.FieldsPerRecord = -1
	cr.ReuseRecord = true
	at := s.pendAt
	s.pend = nil
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			var ce *csv.ParseError
			if errors.As(err, &ce) {
				return &frame.ParseError{File: s.name, Line: at + ce.Line - 1, Err: ce.Err}
			}
			return err
		}
		if s.fields >= 0 {
			l, _ := cr.FieldPos(0)
			if err := s.record(len(rec), len(rec) == 1 && len(bytes.TrimSpace([]byte(rec[0]))) == 0, at+l-1); err != nil {
				return err
			}
		}
	}
}

func (s *scanner) record(n int, blank bool, line int) error {
	if n != s.fields {
		if n == 1 && blank && s.fields > 1 {
			return nil // blank line, as frame skips it
		}
		return &frame.ParseError{File: s.name, Line: line, Err: fmt.Errorf("%w: %d fields, header has %d", frame.ErrRaggedRow, n, s.fields)}
	}
	s.records++
	return nil
}
