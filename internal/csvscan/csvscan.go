// Package csvscan splits CSV input into records and fields exactly as
// encoding/csv's Reader does with FieldsPerRecord -1 and its other options
// at their defaults (strict quotes, no comment character, no trimming),
// without a string per field. It is the one CSV scanner of the module:
// pkg/frame builds typed columns with it and pkg/dataset checks files with
// it.
//
// Blocks cuts a stream into blocks of whole records, so that blocks can be
// parsed independently (in parallel). Records parses one block: Next returns
// the fields of the next record as byte slices into the block (or into a
// buffer of the Records, for quoted fields), Skip passes over records with
// an expected number of fields without splitting them.
//
// The rules are encoding/csv's: a line ends at '\n' ("\r\n" counts as "\n",
// and a '\r' ending the input is dropped); an empty line is not a record; a
// field that begins with '"' is quoted ("" is a quote, and it may span
// lines, whose ends become "\n"); a '"' anywhere else is an error
// (csv.ErrBareQuote), as is a quoted field followed by anything but the
// delimiter or the line end, or not closed before the input ends
// (csv.ErrQuote). Errors are *SyntaxError with the line encoding/csv
// reports.
//
// Memory is bounded by the input: a block holds whole records, so a record
// longer than the block size makes the block grow to hold it.
package csvscan

import (
	"bytes"
	"encoding/binary"
	"encoding/csv"
	"errors"
	"io"
	"math"
	"math/bits"
	"strconv"
	"unicode/utf8"
)

// ErrInvalidDelim is returned for a delimiter encoding/csv does not accept:
// 0, '"', '\r', '\n', an invalid rune or utf8.RuneError.
var ErrInvalidDelim = errors.New("csv: invalid field or comment delimiter")

// Delim returns the UTF-8 encoding of a field delimiter (',' if comma is 0),
// or ErrInvalidDelim.
func Delim(comma rune) ([]byte, error) {
	if comma == 0 {
		comma = ','
	}
	if comma == '"' || comma == '\r' || comma == '\n' || !utf8.ValidRune(comma) || comma == utf8.RuneError {
		return nil, ErrInvalidDelim
	}
	return utf8.AppendRune(nil, comma), nil
}

// SyntaxError is a quoting error in the input. Err is csv.ErrBareQuote or
// csv.ErrQuote; Line is the 1-based line encoding/csv's ParseError.Line
// reports.
type SyntaxError struct {
	Line int
	Err  error
}

func (e *SyntaxError) Error() string { return "line " + strconv.Itoa(e.Line) + ": " + e.Err.Error() }

func (e *SyntaxError) Unwrap() error { return e.Err }

// Block is a run of whole records of the input.
type Block struct {
	Data  []byte // records; the last block may end without a line end
	Line  int    // line number of Data[0], 1-based
	Quote bool   // Data holds a '"'
	Last  bool   // the input ends after Data
}

// Blocks cuts an input stream into blocks of whole records.
type Blocks struct {
	r     io.Reader
	size  int
	carry []byte // bytes read after the last cut
	line  int
	eof   bool
	err   error // read error, returned after the data before it
	done  bool
}

// NewBlocks returns a Blocks reading r in blocks of about size bytes (more
// when a record is longer).
func NewBlocks(r io.Reader, size int) *Blocks {
	return &Blocks{r: r, size: max(size, 64), line: 1}
}

// SetSize sets the size of the blocks Next returns from now on.
func (b *Blocks) SetSize(size int) { b.size = max(size, 64) }

// Next returns the next block, reusing buf's storage for its data. A block
// starts where a record starts and ends after a line end outside quotes,
// or at the end of the input. Next returns io.EOF after the last block,
// and a read error after the blocks of the data read before it.
func (b *Blocks) Next(buf []byte) (Block, error) {
	if b.done {
		if b.err != nil {
			return Block{}, b.err
		}
		return Block{}, io.EOF
	}
	buf = append(buf[:0], b.carry...)
	b.carry = b.carry[:0]
	target := b.size
	for {
		for len(buf) < target && !b.eof && b.err == nil {
			if cap(buf) < target {
				buf = append(buf[:cap(buf)], make([]byte, target-cap(buf))...)[:len(buf)]
			}
			n, err := readSome(b.r, buf[len(buf):target])
			buf = buf[:len(buf)+n]
			if err == io.EOF {
				b.eof = true
			} else if err != nil {
				b.err = err
			}
		}
		if b.eof {
			b.done = true
			if len(buf) == 0 {
				return Block{}, io.EOF
			}
			return b.block(buf, bytes.IndexByte(buf, '"') >= 0, true), nil
		}
		end, quote := cut(buf)
		if b.err != nil {
			b.done = true
			if end == 0 {
				return Block{}, b.err
			}
			return b.block(buf[:end], quote, false), nil
		}
		if end > 0 {
			b.carry = append(b.carry, buf[end:]...)
			return b.block(buf[:end], quote, false), nil
		}
		target = 2 * len(buf) // no record ends in buf: read more
	}
}

func (b *Blocks) block(data []byte, quote, last bool) Block {
	blk := Block{Data: data, Line: b.line, Quote: quote, Last: last}
	b.line += bytes.Count(data, nl)
	return blk
}

var nl = []byte{'\n'}

// readSome reads into p once, retrying reads that return nothing.
func readSome(r io.Reader, p []byte) (int, error) {
	for range 100 {
		n, err := r.Read(p)
		if n > 0 || err != nil {
			if err == io.EOF && n > 0 {
				err = nil // the next read says EOF again
			}
			return n, err
		}
	}
	return 0, io.ErrNoProgress
}

// cut returns the length of the longest prefix of p that ends with a line
// end outside quotes (0 if none), and whether that prefix holds a quote.
// p starts where a record starts. Outside quotes means after an even number
// of '"': in input that encoding/csv accepts, quotes pair up within quoted
// fields, so this finds a record end; where the input has a quoting error,
// the error lies before the cut and is found by parsing the block.
func cut(p []byte) (int, bool) {
	q := bytes.IndexByte(p, '"')
	if q < 0 {
		return bytes.LastIndexByte(p, '\n') + 1, false
	}
	end := bytes.LastIndexByte(p[:q], '\n') + 1
	in := false
	for i := q; i < len(p); i++ {
		switch p[i] {
		case '"':
			in = !in
		case '\n':
			if !in {
				end = i + 1
			}
		}
	}
	return end, end > q
}

// Records parses the records of one block. The zero value is ready for
// Reset.
type Records struct {
	data   []byte
	off    int
	line   int  // number of the line at data[off]
	last   bool // data ends the input
	quote  bool // data may hold quotes
	delim  []byte
	fields [][]byte
	extra  int    // fields of the last record past limit
	limit  int    // fields Next returns at most
	buf    []byte // text of quoted fields
	rec    int    // first line of the record Next returned last
}

// SetLimit makes Next return at most n fields of a record (NumFields
// still counts them all), so that a line of many delimiters takes no
// memory for each; n <= 0 means no limit.
func (r *Records) SetLimit(n int) {
	if n <= 0 {
		n = math.MaxInt
	}
	r.limit = n
}

// NumFields returns the number of fields of the record Next returned
// last, including those past the limit.
func (r *Records) NumFields() int { return len(r.fields) + r.extra }

// add adds a field to the record.
func (r *Records) add(f []byte) {
	if len(r.fields) < r.limit {
		r.fields = append(r.fields, f)
	} else {
		r.extra++
	}
}

// Reset makes r parse the records of data, whose first line is line. last
// says the input ends after data; quote that data may hold a '"' (false
// allows a faster path); delim is the field delimiter (see Delim).
func (r *Records) Reset(data []byte, line int, last, quote bool, delim []byte) {
	r.data, r.off, r.line, r.last, r.quote, r.delim = data, 0, line, last, quote, delim
	if r.limit == 0 {
		r.limit = math.MaxInt
	}
}

// Rest returns the data not parsed yet and the number of its first line.
func (r *Records) Rest() ([]byte, int) { return r.data[r.off:], r.line }

// Line returns the line where the record Next returned last starts (as
// encoding/csv's FieldPos(0) reports it).
func (r *Records) Line() int { return r.rec }

// readLine returns the next line without its end ("\n", "\r\n", or a '\r'
// that ends the input), whether it had a '\n', and false at the end of the
// data.
func (r *Records) readLine() (line []byte, hasNL, ok bool) {
	if r.off >= len(r.data) {
		return nil, false, false
	}
	rest := r.data[r.off:]
	r.line++
	if i := bytes.IndexByte(rest, '\n'); i >= 0 {
		r.off += i + 1
		line, hasNL = rest[:i], true
	} else {
		r.off = len(r.data)
		line = rest
	}
	if n := len(line); n > 0 && line[n-1] == '\r' {
		line = line[:n-1]
	}
	return line, hasNL, true
}

// Next returns the fields of the next record, or nil at the end of the
// data. The fields are valid until the next call of Next, Skip or Reset.
func (r *Records) Next() ([][]byte, error) {
	r.fields, r.extra = r.fields[:0], 0
	if !r.quote && len(r.delim) == 1 {
		return r.nextPlain(), nil
	}
	for {
		line, hasNL, ok := r.readLine()
		if !ok {
			return nil, nil
		}
		if len(line) == 0 {
			continue // an empty line is no record
		}
		r.rec = r.line - 1
		if !r.quote || bytes.IndexByte(line, '"') < 0 {
			return r.split(line), nil
		}
		return r.parse(line, hasNL)
	}
}

// nextPlain is Next for data without quotes and a one-byte delimiter. It
// reads eight bytes at a time: the delimiter and newline bytes of a word
// (bytesEqual) mark where fields end.
func (r *Records) nextPlain() [][]byte {
	c, data, fields, limit := r.delim[0], r.data, r.fields[:0], r.limit
	delims := repeat(c)
	for r.off < len(data) {
		start, i := r.off, r.off
		end := -1 // the newline ending the line
	words:
		for ; i+8 <= len(data); i += 8 {
			w := binary.LittleEndian.Uint64(data[i:])
			nm := bytesEqual(w, newlines)
			m := bytesEqual(w, delims) | nm
			for m != 0 {
				bit := bits.TrailingZeros64(m)
				p := i + bit>>3
				if nm>>bit&1 != 0 {
					end = p
					break words
				}
				if len(fields) < limit {
					fields = append(fields, data[start:p])
				} else {
					r.extra++
				}
				start = p + 1
				m &= m - 1
			}
		}
		if end < 0 {
			for end = i; end < len(data); end++ { // the last few bytes
				if b := data[end]; b == c {
					if len(fields) < limit {
						fields = append(fields, data[start:end])
					} else {
						r.extra++
					}
					start = end + 1
				} else if b == '\n' {
					break
				}
			}
		}
		r.off = min(end+1, len(data))
		r.line++
		if end > start && data[end-1] == '\r' {
			end--
		}
		if len(fields) == 0 && end == start {
			continue // an empty line
		}
		r.rec = r.line - 1
		r.fields = fields
		r.add(data[start:end])
		return r.fields
	}
	r.fields = fields
	return nil
}

// split splits a line without quotes at the delimiters.
func (r *Records) split(line []byte) [][]byte {
	for {
		i := bytes.Index(line, r.delim)
		if i < 0 {
			r.add(line)
			return r.fields
		}
		r.add(line[:i])
		line = line[i+len(r.delim):]
	}
}

// parse parses a record whose first line holds a quote, as encoding/csv's
// readRecord does.
func (r *Records) parse(line []byte, hasNL bool) ([][]byte, error) {
	r.buf = r.buf[:0]
	last := r.rec // the last line of the record with any text
	for {
		if len(line) == 0 || line[0] != '"' {
			i := bytes.Index(line, r.delim)
			field := line
			if i >= 0 {
				field = line[:i]
			}
			if bytes.IndexByte(field, '"') >= 0 {
				return nil, &SyntaxError{Line: r.line - 1, Err: csv.ErrBareQuote}
			}
			r.add(field)
			if i < 0 {
				return r.fields, nil
			}
			line = line[i+len(r.delim):]
			continue
		}
		// A quoted field. Its text is appended to r.buf; a field sliced from
		// r.buf stays valid when a later append moves r.buf.
		start := len(r.buf)
		line = line[1:]
		for {
			i := bytes.IndexByte(line, '"')
			if i < 0 {
				if len(line) == 0 && !hasNL {
					return nil, &SyntaxError{Line: last, Err: csv.ErrQuote} // the input ended
				}
				r.buf = append(r.buf, line...)
				if hasNL {
					r.buf = append(r.buf, '\n')
				}
				var ok bool
				if line, hasNL, ok = r.readLine(); ok && (len(line) > 0 || hasNL) {
					last++
				}
				continue
			}
			r.buf = append(r.buf, line[:i]...)
			line = line[i+1:]
			if len(line) > 0 && line[0] == '"' {
				r.buf = append(r.buf, '"')
				line = line[1:]
				continue
			}
			field := r.buf[start:len(r.buf):len(r.buf)]
			switch {
			case bytes.HasPrefix(line, r.delim):
				r.add(field)
				line = line[len(r.delim):]
			case len(line) == 0:
				r.add(field)
				return r.fields, nil
			default:
				return nil, &SyntaxError{Line: r.line - 1, Err: csv.ErrQuote}
			}
			break
		}
	}
}

// Skip passes over the records that follow, and empty lines, while each
// record has exactly want fields, and returns how many records it passed.
// It stops before a record with another number of fields or one whose
// first line holds a quote; Next parses that one.
func (r *Records) Skip(want int) int {
	if !r.quote && len(r.delim) == 1 {
		return r.skipPlain(want)
	}
	n := 0
	for r.off < len(r.data) {
		rest := r.data[r.off:]
		i := bytes.IndexByte(rest, '\n')
		line := rest
		if i >= 0 {
			line = rest[:i]
		}
		if bytes.IndexByte(line, '"') >= 0 {
			return n
		}
		if !r.skipLine(line, bytes.Count(line, r.delim), want) {
			return n
		}
		if !isEmpty(line) {
			n++
		}
		r.off += len(line) + 1
		r.off = min(r.off, len(r.data))
	}
	return n
}

// isEmpty reports whether a line (without its '\n') holds no record.
func isEmpty(line []byte) bool { return len(line) == 0 || len(line) == 1 && line[0] == '\r' }

// skipLine reports whether Skip passes over a line (without its '\n' and
// without quotes) that holds delims delimiters, counting the line if so.
func (r *Records) skipLine(line []byte, delims, want int) bool {
	if delims == want-1 && (want > 1 || !isEmpty(line)) || delims == 0 && isEmpty(line) {
		r.line++
		return true
	}
	return false
}

// skipPlain is Skip for data without quotes and a one-byte delimiter. It
// reads eight bytes at a time: masks of the delimiter and newline bytes of
// a word (bytesEqual) give the delimiters between newlines by a population
// count.
func (r *Records) skipPlain(want int) int {
	c, data := r.delim[0], r.data
	pat := repeat(c)
	n, delims, start := 0, 0, r.off
	i := r.off
	// Lines with want-1 delimiters (want > 1) are counted in good and
	// passed without a look at their bytes; others go to skipLine.
	good, goodDelims := 0, want-1
	if want <= 1 {
		goodDelims = -1
	}
	for ; i+8 <= len(data); i += 8 {
		w := binary.LittleEndian.Uint64(data[i:])
		dm, nm := bytesEqual(w, pat), bytesEqual(w, newlines)
		for nm != 0 {
			bit := bits.TrailingZeros64(nm)
			below := uint64(1)<<bit - 1
			delims += bits.OnesCount64(dm & below)
			dm &^= below
			end := i + bit>>3
			if delims == goodDelims {
				good++
			} else {
				r.line += good
				n += good
				good = 0
				if !r.skipLine(data[start:end], delims, want) {
					r.off = start
					return n
				}
				if !isEmpty(data[start:end]) {
					n++
				}
			}
			delims, start = 0, end+1
			nm &= nm - 1
		}
		delims += bits.OnesCount64(dm)
	}
	r.line += good
	n += good
	for ; i < len(data); i++ { // the last few bytes
		switch data[i] {
		case c:
			delims++
		case '\n':
			if !r.skipLine(data[start:i], delims, want) {
				r.off = start
				return n
			}
			if !isEmpty(data[start:i]) {
				n++
			}
			delims, start = 0, i+1
		}
	}
	if start < len(data) { // the last line, without a newline
		if !r.skipLine(data[start:], delims, want) {
			r.off = start
			return n
		}
		if !isEmpty(data[start:]) {
			n++
		}
	}
	r.off = len(data)
	return n
}

// bytesEqual returns a word whose bytes are 0x80 where w's bytes equal
// those of pat, which is a byte repeated (see repeat), and 0 elsewhere. It
// is exact: no carry crosses from one byte to the next.
func bytesEqual(w, pat uint64) uint64 {
	const lo7 = 0x7f7f7f7f7f7f7f7f
	x := w ^ pat // zero bytes where w == pat
	return ^((x&lo7 + lo7) | x | lo7)
}

// repeat returns a word of eight bytes c.
func repeat(c byte) uint64 { return 0x0101010101010101 * uint64(c) }

const newlines = 0x0a0a0a0a0a0a0a0a // repeat('\n')
