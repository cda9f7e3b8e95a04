package dataset

import (
	"bufio"
	"bytes"
	"context"
	"encoding/binary"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math/bits"
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
		if end == 0 && !eof { // one line longer than the buffer
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

// fast checks complete lines without quotes. It reads eight bytes at a
// time: masks of the comma and newline bytes of a word (bytesEqual) give
// the commas between newlines by a population count.
func (s *scanner) fast(chunk []byte) error {
	s.off += int64(len(chunk))
	want := s.fields - 1
	commas, start := 0, 0
	// Lines with the header's comma count are counted in good; any other
	// line goes to endLine, which needs s.line and s.records current.
	good := 0
	i := 0
	for ; i+8 <= len(chunk); i += 8 {
		w := binary.LittleEndian.Uint64(chunk[i:])
		cm, nl := bytesEqual(w, ','), bytesEqual(w, '\n')
		for nl != 0 {
			bit := bits.TrailingZeros64(nl)
			below := uint64(1)<<bit - 1
			commas += bits.OnesCount64(cm & below)
			cm &^= below
			end := i + bit>>3
			if commas == want && want > 0 {
				good++
			} else {
				s.line += good
				s.records += good
				good = 0
				if err := s.endLine(chunk[start:end], commas, want); err != nil {
					return err
				}
			}
			commas, start = 0, end+1
			nl &= nl - 1
		}
		commas += bits.OnesCount64(cm)
	}
	s.line += good
	s.records += good
	for ; i < len(chunk); i++ { // the last few bytes
		switch chunk[i] {
		case ',':
			commas++
		case '\n':
			if err := s.endLine(chunk[start:i], commas, want); err != nil {
				return err
			}
			commas, start = 0, i+1
		}
	}
	if start < len(chunk) { // last line without a newline
		s.line++
		if commas == want && want > 0 {
			s.records++
		} else if err := s.slowLine(chunk[start:], commas); err != nil {
			return err
		}
	}
	return nil
}

// endLine counts a quote-free line (without its newline) that has commas
// commas, when the header has want+1 fields.
func (s *scanner) endLine(line []byte, commas, want int) error {
	s.line++
	if commas == want && (want > 0 || len(line) > 0 && !(len(line) == 1 && line[0] == '\r')) {
		s.records++
		return nil
	}
	return s.slowLine(line, commas)
}

// bytesEqual returns a word whose bytes are 0x80 where w's bytes equal c
// and 0 elsewhere. It is exact: no carry crosses from one byte to the next.
func bytesEqual(w uint64, c byte) uint64 {
	const lo7 = 0x7f7f7f7f7f7f7f7f
	x := w ^ (0x0101010101010101 * uint64(c)) // zero bytes where w == c
	return ^((x&lo7 + lo7) | x | lo7)
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
