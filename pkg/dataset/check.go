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
	if stop >= 0 {
		return s.lines(ctx, stop)
	}
	// Whole chunks of complete lines; a chunk without any quote takes the
	// fast path (one pass counting commas and newlines).
	buf := make([]byte, 4<<20)
	carry := 0
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		n, err := io.ReadFull(s.r, buf[carry:])
		n += carry
		eof := err == io.EOF || err == io.ErrUnexpectedEOF
		if err != nil && !eof {
			return err
		}
		end := bytes.LastIndexByte(buf[:n], '\n') + 1
		if eof {
			end = n
		}
		if end == 0 { // one line longer than the buffer
			buf = append(buf[:n], make([]byte, len(buf))...)
			buf = buf[:cap(buf)]
			carry = n
			continue
		}
		chunk := buf[:end]
		if s.pend == nil && bytes.IndexByte(chunk, '"') < 0 {
			if err := s.fast(chunk); err != nil {
				return err
			}
		} else {
			for len(chunk) > 0 {
				i := bytes.IndexByte(chunk, '\n') + 1
				if i == 0 {
					i = len(chunk)
				}
				if err := s.one(chunk[:i]); err != nil {
					return err
				}
				chunk = chunk[i:]
			}
		}
		if eof {
			if s.pend != nil { // unbalanced quote at EOF: let csv judge
				return s.flush()
			}
			return nil
		}
		carry = copy(buf, buf[end:n])
	}
}

// fast checks complete lines without quotes.
func (s *scanner) fast(chunk []byte) error {
	s.off += int64(len(chunk))
	commas, start := 0, 0
	want := s.fields - 1
	for i, c := range chunk {
		switch c {
		case ',':
			commas++
		case '\n':
			s.line++
			if commas == want && (want > 0 || i > start && !(i == start+1 && chunk[start] == '\r')) {
				s.records++
			} else if err := s.slowLine(chunk[start:i], commas); err != nil {
				return err
			}
			commas, start = 0, i+1
		}
	}
	if start < len(chunk) { // last line without a newline
		s.line++
		line := chunk[start:]
		if commas == want && want > 0 {
			s.records++
		} else if err := s.slowLine(line, commas); err != nil {
			return err
		}
	}
	return nil
}

// slowLine judges a quote-free line whose comma count is unusual: empty
// and blank lines are skipped as frame does, others are ragged.
func (s *scanner) slowLine(line []byte, commas int) error {
	t := bytes.TrimRight(line, "\r\n")
	if len(t) == 0 {
		return nil
	}
	return s.record(commas+1, len(bytes.TrimSpace(t)) == 0, s.line)
}

// lines reads line by line until stop bytes are consumed at a record end.
func (s *scanner) lines(ctx context.Context, stop int64) error {
	var long []byte
	for {
		if s.off >= stop && s.pend == nil {
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
			return nil // the head is the whole file; frame judges it
		}
		if err != nil && err != io.EOF {
			return err
		}
		if err := s.one(b); err != nil {
			return err
		}
	}
}

// one handles one line (with its newline, if any).
func (s *scanner) one(b []byte) error {
	s.off += int64(len(b))
	s.line++
	q := bytes.Count(b, []byte{'"'})
	if s.pend != nil {
		s.pend = append(s.pend, b...)
		s.quotes += q
		if s.quotes%2 == 0 {
			return s.flush()
		}
		return nil
	}
	if q == 0 {
		t := bytes.TrimRight(b, "\r\n")
		if len(t) == 0 || s.fields < 0 {
			return nil // empty line: csv skips it
		}
		return s.record(bytes.Count(t, []byte{','})+1, len(bytes.TrimSpace(t)) == 0, s.line)
	}
	s.pend, s.pendAt, s.quotes = append([]byte(nil), b...), s.line, q
	if q%2 == 0 {
		return s.flush()
	}
	return nil
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
