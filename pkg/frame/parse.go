package frame

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"math"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"

	"github.com/mlstack/mlstack/internal/csvscan"
)

// How reading works. The input is cut into blocks of whole records
// (csvscan.Blocks), which workers parse in parallel into chunks: per
// column, float64 values while every value is a number, dictionary codes
// once one is not. Chunks are appended to the columns in input order, so
// rows, kinds and the first error are those of a sequential read. No
// string is kept per numeric value: to turn a column of numbers into
// text when a later value is not a number, each number keeps one byte
// saying how to write it back (FormatFloat with that many digits after the
// point gives the text), or its text when no such byte does.

// MaxColumns is the most columns ReadCSV reads; a header with more is an
// error wrapping ErrTooManyColumns.
const MaxColumns = 1 << 20

// blockSize is the size of the blocks the input is cut into.
var blockSize = 1 << 20 // a variable for tests

// Bytes of desc, besides the digits after the point of a number whose
// text FormatFloat(v, 'f', digits, 64) gives back.
const (
	descNA   = 0xFE // a missing value
	descText = 0xFF // a number written otherwise: its text is kept
)

// readCSV is ReadCSV, knowing the size of the input if size > 0.
func readCSV(ctx context.Context, r io.Reader, opts *ReadOptions, size int64) (*Frame, error) {
	if opts == nil {
		opts = &ReadOptions{}
	}
	missing := opts.Missing
	if missing == nil {
		missing = DefaultMissing
	}
	rd := &reader{name: opts.Name, na: newNASet(missing)}
	var err error
	if rd.delim, err = csvscan.Delim(opts.Comma); err != nil {
		return nil, fmt.Errorf("frame: reading %s: %w", opts.Name, err)
	}

	blocks := csvscan.NewBlocks(r, blockSize)
	var rec csvscan.Records
	blk, header, err := rd.readHeader(blocks, &rec, opts.Types)
	if err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}

	rd.names = header
	rd.kinds = make([]Kind, len(header))
	for j, name := range header {
		rd.kinds[j] = opts.Types[name]
	}
	rd.strs = make([]atomic.Bool, len(header))
	m := newMerger(rd, size)
	rest, line := rec.Rest()
	m.read = int64(len(blk.Data) - len(rest))
	if err := rd.body(ctx, blocks, m, blk.Data, rest, line, blk.Last); err != nil {
		return nil, err
	}
	cols := make([]*Column, len(header))
	for j, name := range header {
		cols[j] = m.cols[j].column(name)
		m.cols[j] = colBuf{} // its storage is the column's now, or garbage
	}
	f, err := New(cols...)
	if err != nil {
		return nil, err
	}
	f.name = opts.Name
	f.n = m.rows
	return f, nil
}

// readHeader reads the first record into rec, skipping blocks that have
// none, and returns its block and the column names: trimmed, without a
// byte order mark, "Unnamed: j" for an empty one (as pandas names it),
// unique. Every name of types must be among them.
func (rd *reader) readHeader(blocks *csvscan.Blocks, rec *csvscan.Records, types map[string]Kind) (csvscan.Block, []string, error) {
	var blk csvscan.Block
	var fields [][]byte
	var err error
	for fields == nil {
		if blk, err = blocks.Next(nil); err == io.EOF {
			return blk, nil, rd.perr(0, "", "", ErrNoHeader)
		} else if err != nil {
			return blk, nil, fmt.Errorf("frame: reading %s: %w", rd.name, err)
		}
		rec.Reset(blk.Data, blk.Line, blk.Last, blk.Quote, rd.delim)
		rec.SetLimit(MaxColumns)
		if fields, err = rec.Next(); err != nil {
			return blk, nil, rd.syntaxErr(err)
		}
	}
	if n := rec.NumFields(); n > MaxColumns {
		return blk, nil, rd.perr(rec.Line(), "", "", fmt.Errorf("%w: %d, at most %d", ErrTooManyColumns, n, MaxColumns))
	}
	header := make([]string, len(fields))
	seen := make(map[string]bool, len(fields))
	for j, f := range fields {
		h := string(f)
		if j == 0 {
			h = strings.TrimPrefix(h, "\ufeff")
		}
		if h = strings.TrimSpace(h); h == "" {
			h = "Unnamed: " + strconv.Itoa(j) // as pandas names it
		}
		if seen[h] {
			return blk, nil, rd.perr(1, h, "", ErrDuplicateColumn)
		}
		seen[h] = true
		header[j] = h
	}
	for _, name := range slices.Sorted(maps.Keys(types)) { // the first absent name
		if !seen[name] {
			return blk, nil, &ColumnError{Column: name, Have: header, Err: ErrNoColumn}
		}
	}
	return blk, header, nil
}

// reader holds what parsing the records needs.
type reader struct {
	name  string
	names []string // column names
	delim []byte
	na    *naSet
	kinds []Kind        // forced kind of each column, 0 if inferred
	strs  []atomic.Bool // column j has been seen to hold text: chunks may start it as text
}

func (rd *reader) perr(line int, col, val string, err error) error {
	return &ParseError{File: rd.name, Line: line, Column: col, Value: val, Err: err}
}

func (rd *reader) syntaxErr(err error) error {
	var se *csvscan.SyntaxError
	if errors.As(err, &se) {
		return rd.perr(se.Line, "", "", se.Err)
	}
	return err
}

// chunk is the columns of the records of one block.
type chunk struct {
	seq  int
	buf  []byte // the block's storage, reused for a later block
	size int    // bytes of the block
	rows int
	cols []colBuf
	err  error // the data error that ended the chunk
}

func (rd *reader) newChunk() *chunk {
	ch := &chunk{cols: make([]colBuf, len(rd.kinds))}
	ch.reset(rd)
	return ch
}

// reset empties ch for another block, keeping its storage.
func (ch *chunk) reset(rd *reader) {
	ch.rows, ch.err = 0, nil
	for j := range ch.cols {
		ch.cols[j].reset(rd.kinds[j], rd.strs[j].Load(), rd.na)
	}
}

// parse parses the records of data into ch, stopping at the first error.
func (rd *reader) parse(ch *chunk, rec *csvscan.Records, data []byte, line int, last bool) {
	ch.size = len(data)
	n := len(ch.cols)
	rec.Reset(data, line, last, bytes.IndexByte(data, '"') >= 0, rd.delim)
	rec.SetLimit(n) // a ragged record's fields past the header's are only counted
	for {
		fields, err := rec.Next()
		if err != nil {
			ch.err = rd.syntaxErr(err)
			return
		}
		if fields == nil {
			return
		}
		if m := rec.NumFields(); m != n {
			if m == 1 && len(bytes.TrimSpace(fields[0])) == 0 && n > 1 {
				continue // blank line
			}
			ch.err = rd.perr(rec.Line(), "", "", fmt.Errorf("%w: %d fields, header has %d", ErrRaggedRow, m, n))
			return
		}
		l, cols := rec.Line(), ch.cols[:len(fields)]
		for j, f := range fields {
			// Values are trimmed as strings.TrimSpace does. Bytes from '!'
			// to 0x7f (b-'!' < 0x5f) are neither space nor part of a
			// multi-byte rune: most values need no look further.
			if n := len(f); n > 0 && (f[0]-'!' >= 0x5f || f[n-1]-'!' >= 0x5f) {
				f = bytes.TrimSpace(f)
			}
			cols[j].add(f, l, rd.na)
		}
		ch.rows++
	}
}

// body reads the records after the header: rest (in the storage first)
// starting at line, then the blocks that follow unless last. Blocks are
// parsed by GOMAXPROCS workers and merged in order.
func (rd *reader) body(ctx context.Context, blocks *csvscan.Blocks, m *merger, first, rest []byte, line int, last bool) error {
	workers := runtime.GOMAXPROCS(0)
	if last {
		workers = 1
	}
	// Blocks in flight: two a worker, fewer for a table so wide that the
	// column buffers of a chunk take more than 16 MB.
	const colBufSize = 200 // bytes, about
	inflight := max(1, min(2*workers, (16<<20)/(len(rd.kinds)*colBufSize)))
	p := rd.startParsers(workers, inflight)
	defer p.stop()

	var free []*chunk
	ch := rd.newChunk()
	ch.buf = first
	p.submit(ch, rest, line, last)
	done := last
	var readErr, dataErr error
	pending := make(map[int]*chunk)
	next := 0
	for {
		for !done && p.busy+len(pending) < inflight { // parsed blocks wait in pending until merged in order
			if err := ctx.Err(); err != nil {
				readErr, done = err, true
				break
			}
			var ch *chunk
			if n := len(free); n > 0 {
				ch, free = free[n-1], free[:n-1]
				ch.reset(rd)
			} else {
				ch = rd.newChunk()
			}
			blk, err := blocks.Next(ch.buf)
			if err != nil {
				if err != io.EOF {
					readErr = fmt.Errorf("frame: reading %s: %w", rd.name, err)
				}
				done = true
				break
			}
			ch.buf = blk.Data
			p.submit(ch, blk.Data, blk.Line, blk.Last)
			done = blk.Last
		}
		if p.busy == 0 {
			break
		}
		ch := p.receive()
		pending[ch.seq] = ch
		for ch := pending[next]; ch != nil && dataErr == nil; ch = pending[next] {
			delete(pending, next)
			next++
			if ch.err != nil {
				dataErr, done = ch.err, true
				break
			}
			m.add(ch)
			free = append(free, ch)
		}
	}
	if dataErr != nil {
		return dataErr
	}
	if readErr != nil {
		return readErr
	}
	return m.finish()
}

// parsers parse chunks, numbering them in the order they are submitted:
// on worker goroutines, or, with one worker, in submit itself.
type parsers struct {
	rd      *reader
	workers int
	jobs    chan parseJob
	results chan *chunk
	queue   []*chunk // parsed chunks, when parsing in submit
	rec     csvscan.Records
	seq     int // number of the next chunk
	busy    int // chunks submitted and not yet received
}

type parseJob struct {
	ch   *chunk
	data []byte
	line int
	last bool
}

// startParsers starts the workers (none for one), with room for inflight
// chunks.
func (rd *reader) startParsers(workers, inflight int) *parsers {
	p := &parsers{rd: rd, workers: workers}
	if workers > 1 {
		p.jobs, p.results = make(chan parseJob, inflight), make(chan *chunk, inflight)
		for range workers {
			go func() {
				var rec csvscan.Records
				for j := range p.jobs {
					rd.parse(j.ch, &rec, j.data, j.line, j.last)
					p.results <- j.ch
				}
			}()
		}
	}
	return p
}

// stop ends the workers once they have done their jobs.
func (p *parsers) stop() {
	if p.workers > 1 {
		close(p.jobs)
	}
}

// submit numbers ch and parses data into it.
func (p *parsers) submit(ch *chunk, data []byte, line int, last bool) {
	ch.seq = p.seq
	p.seq++
	p.busy++
	if p.workers > 1 {
		p.jobs <- parseJob{ch, data, line, last}
		return
	}
	p.rd.parse(ch, &p.rec, data, line, last)
	p.queue = append(p.queue, ch)
}

// receive returns a parsed chunk, in any order.
func (p *parsers) receive() *chunk {
	p.busy--
	if p.workers > 1 {
		return <-p.results
	}
	ch := p.queue[0]
	p.queue = p.queue[1:]
	return ch
}

// merger appends chunks to the columns of the frame being read.
type merger struct {
	rd   *reader
	cols []colBuf
	rows int
	cap  int   // rows the columns have room for
	size int64 // bytes of the input, if known
	read int64 // bytes merged so far
}

func newMerger(rd *reader, size int64) *merger {
	m := &merger{rd: rd, cols: make([]colBuf, len(rd.kinds)), size: size}
	for j := range m.cols {
		m.cols[j].reset(rd.kinds[j], false, rd.na)
	}
	return m
}

// add appends the rows of ch. The columns grow to the number of rows
// the input is expected to hold, from its size and the bytes a row took so
// far, so that a column is seldom copied.
func (m *merger) add(ch *chunk) {
	m.read += int64(ch.size)
	need := m.rows + ch.rows
	if need > m.cap {
		c := need + need/4
		if m.size > 0 && m.read > 0 {
			est := int(float64(need) * float64(m.size) / float64(m.read) * 1.02)
			c = max(est, need+need/8)
		}
		for j := range m.cols {
			m.cols[j].reserve(c)
		}
		m.cap = c
	}
	for j := range m.cols {
		c := &m.cols[j]
		wasStrs := c.strs
		c.append(&ch.cols[j], m.cap)
		if c.strs && !wasStrs {
			m.rd.strs[j].Store(true)
		}
	}
	m.rows = need
}

// finish checks the values of columns of forced kinds, first column first.
func (m *merger) finish() error {
	for j := range m.cols {
		c := &m.cols[j]
		if c.bad == nil {
			continue
		}
		err := ErrNotNumeric
		if c.kind == Boolean {
			err = ErrNotBoolean
		}
		return m.rd.perr(c.bad.line, m.rd.names[j], c.bad.value, err)
	}
	return nil
}

// colBuf is a column being read: float64 values (numeric and boolean
// columns, and inferred ones while every value is a number) or dictionary
// codes.
type colBuf struct {
	kind Kind // forced kind, 0 when inferred
	strs bool // values are codes
	// decimals: a value that parseDecimal reads is no missing token, and
	// is stored as a number (a fast path)
	decimals bool

	num     []float64
	desc    []byte // inferred numbers: how to write each back (see descNA)
	text    []byte // inferred numbers: texts of descText values, in order
	textEnd []int  // end of each in text

	codes []int32 // -1 for a missing value
	dict  []string
	index map[string]int32

	bad   *badValue // forced kind: the first value that does not fit
	first *badValue // forced boolean: the first non-missing value
	pair  int       // forced boolean: index of first's pair in forcedPairs, -1 if none
}

// badValue is a value and its line, for errors.
type badValue struct {
	line  int
	value string
}

// forcedPairs are the token pairs of a column forced boolean.
var forcedPairs = slices.Concat(boolPairs, [][2]string{{"0", "1"}})

func (c *colBuf) reset(kind Kind, strs bool, na *naSet) {
	strs = kind == Categorical || kind == 0 && strs
	d := colBuf{kind: kind, strs: strs, pair: -1, decimals: !strs && kind != Boolean && !na.decimal}
	d.num, d.desc, d.text, d.textEnd = c.num[:0], c.desc[:0], c.text[:0], c.textEnd[:0]
	d.codes, d.dict, d.index = c.codes[:0], c.dict[:0], c.index
	clear(d.index)
	*c = d
}

// reserve makes room for n values in all.
func (c *colBuf) reserve(n int) {
	if c.strs {
		c.codes = slices.Grow(c.codes, n-len(c.codes))
		return
	}
	c.num = slices.Grow(c.num, n-len(c.num))
	if c.kind == 0 {
		c.desc = slices.Grow(c.desc, n-len(c.desc))
	}
}

// add appends the (trimmed) value v read on line.
func (c *colBuf) add(v []byte, line int, na *naSet) {
	if c.decimals {
		if x, d, ok := parseDecimal(v); ok {
			c.addNumber(x, d, v)
			return
		}
	}
	switch {
	case c.strs:
		c.addText(v, na)
	case c.kind == Boolean:
		c.addBool(v, line, na)
	case na.has(v):
		c.num = append(c.num, math.NaN())
		if c.kind == 0 {
			c.desc = append(c.desc, descNA)
		}
	default:
		x, d, ok := parseNumber(v)
		switch {
		case ok:
			c.addNumber(x, d, v)
		case c.kind == Numeric:
			if c.bad == nil {
				c.bad = &badValue{line, string(v)}
			}
			c.num = append(c.num, math.NaN())
		default:
			c.toText(cap(c.num))
			c.addText(v, na)
		}
	}
}

// addNumber appends x, read from v, which desc says how to write back.
func (c *colBuf) addNumber(x float64, desc uint8, v []byte) {
	c.num = append(c.num, x)
	if c.kind == 0 {
		c.desc = append(c.desc, desc)
		if desc == descText {
			c.text = append(c.text, v...)
			c.textEnd = append(c.textEnd, len(c.text))
		}
	}
}

func (c *colBuf) addText(v []byte, na *naSet) {
	if na.has(v) {
		c.codes = append(c.codes, -1)
		return
	}
	k, ok := c.index[string(v)]
	if !ok {
		k = c.intern(string(v))
	}
	c.codes = append(c.codes, k)
}

// intern returns the code of s, adding it to the dictionary if new.
func (c *colBuf) intern(s string) int32 {
	if k, ok := c.index[s]; ok {
		return k
	}
	if c.index == nil {
		c.index = make(map[string]int32)
	}
	k := int32(len(c.dict))
	c.index[s] = k
	c.dict = append(c.dict, s)
	return k
}

func (c *colBuf) addBool(v []byte, line int, na *naSet) {
	if na.has(v) {
		c.num = append(c.num, math.NaN())
		return
	}
	if c.first == nil {
		c.first = &badValue{line, string(v)}
		c.pair = slices.IndexFunc(forcedPairs, func(p [2]string) bool { return string(v) == p[0] || string(v) == p[1] })
		if c.pair < 0 {
			c.bad = c.first
		}
	}
	x := math.NaN()
	if c.pair >= 0 {
		switch p := forcedPairs[c.pair]; string(v) {
		case p[0]:
			x = 0
		case p[1]:
			x = 1
		default:
			if c.bad == nil {
				c.bad = &badValue{line, string(v)}
			}
		}
	}
	c.num = append(c.num, x)
}

// toText turns the numbers read so far into codes, with room for n.
func (c *colBuf) toText(n int) {
	num, desc, text, textEnd := c.num, c.desc, c.text, c.textEnd
	c.num, c.desc, c.text, c.textEnd = nil, nil, nil, nil
	c.strs, c.decimals = true, false
	c.codes = slices.Grow(c.codes[:0], n)
	c.appendNumbers(num, desc, text, textEnd)
}

// appendNumbers appends inferred numbers as codes of their texts.
func (c *colBuf) appendNumbers(num []float64, desc, text []byte, textEnd []int) {
	var b, buf []byte
	t, start := 0, 0
	for i, x := range num {
		switch d := desc[i]; d {
		case descNA:
			c.codes = append(c.codes, -1)
			continue
		case descText:
			b = text[start:textEnd[t]]
			start = textEnd[t]
			t++
		default:
			buf = strconv.AppendFloat(buf[:0], x, 'f', int(d), 64)
			b = buf
		}
		k, ok := c.index[string(b)]
		if !ok {
			k = c.intern(string(b))
		}
		c.codes = append(c.codes, k)
	}
}

// append appends the values of o, which was read with the same kind;
// room is the number of rows to make room for if c turns to codes.
func (c *colBuf) append(o *colBuf, room int) {
	switch {
	case c.kind == Boolean:
		switch {
		case c.bad != nil || o.first == nil:
		case c.first == nil:
			c.first, c.pair, c.bad = o.first, o.pair, o.bad
		case o.pair != c.pair:
			c.bad = o.first
		default:
			c.bad = o.bad
		}
		c.num = append(c.num, o.num...)
	case c.kind == Numeric:
		if c.bad == nil {
			c.bad = o.bad
		}
		c.num = append(c.num, o.num...)
	case !c.strs && !o.strs:
		c.num = append(c.num, o.num...)
		c.desc = append(c.desc, o.desc...)
		for _, e := range o.textEnd {
			c.textEnd = append(c.textEnd, len(c.text)+e)
		}
		c.text = append(c.text, o.text...)
	default:
		if !c.strs {
			c.toText(room)
		}
		if !o.strs {
			c.appendNumbers(o.num, o.desc, o.text, o.textEnd)
			return
		}
		code := make([]int32, len(o.dict))
		for k, s := range o.dict {
			code[k] = c.intern(s)
		}
		for _, k := range o.codes {
			if k >= 0 {
				k = code[k]
			}
			c.codes = append(c.codes, k)
		}
	}
}

// column returns the finished column called name.
func (c *colBuf) column(name string) *Column {
	switch {
	case c.kind == Boolean:
		tokens := [2]string{"false", "true"}
		if c.pair >= 0 {
			tokens = forcedPairs[c.pair]
		}
		return NewBoolean(name, c.num, tokens[0], tokens[1])
	case !c.strs:
		return NewNumeric(name, clip(c.num))
	case c.kind == 0:
		// Text: boolean if every value is a token of one pair.
		for _, p := range boolPairs {
			if !slices.ContainsFunc(c.dict, func(s string) bool { return s != p[0] && s != p[1] }) {
				b := make([]uint8, len(c.codes))
				for i, k := range c.codes {
					switch {
					case k < 0:
						b[i] = boolNA
					case c.dict[k] == p[1]:
						b[i] = 1
					}
				}
				return &Column{name: name, kind: Boolean, bools: b, tokens: p}
			}
		}
	}
	return &Column{name: name, kind: Categorical, codes: clip(c.codes), dict: slices.Clip(c.dict)}
}

// clip returns s without much spare capacity, copying it if it has.
func clip[S ~[]E, E any](s S) S {
	if cap(s)-len(s) <= len(s)/16+64 {
		return s[:len(s):len(s)]
	}
	return slices.Clone(s)
}

// naSet is the set of missing-value tokens.
type naSet struct {
	set     map[string]bool
	decimal bool   // a token is a decimal (parseDecimal reads it)
	lens    uint64 // bit n: a token has n bytes (bit 63: 63 or more)
	first   [256]bool
	empty   bool // "" is a token
}

func newNASet(tokens []string) *naSet {
	s := &naSet{set: make(map[string]bool, len(tokens))}
	for _, t := range tokens {
		t = strings.TrimSpace(t)
		s.set[t] = true
		if t == "" {
			s.empty = true
			continue
		}
		s.lens |= 1 << min(len(t), 63)
		s.first[t[0]] = true
		if _, _, ok := parseDecimal([]byte(t)); ok {
			s.decimal = true
		}
	}
	return s
}

func (s *naSet) has(v []byte) bool {
	if len(v) == 0 {
		return s.empty
	}
	if s.lens&(1<<min(len(v), 63)) == 0 || !s.first[v[0]] {
		return false
	}
	return s.set[string(v)]
}

// pow10 are the powers of ten a float64 holds exactly.
var pow10 = [...]float64{1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22}

// parseNumber parses v as strconv.ParseFloat(v, 64) does (a value out of
// range is ±Inf or 0, as ParseFloat returns it), and returns how to write
// it back: the digits after the point if FormatFloat(x, 'f', digits, 64)
// gives v, else descText.
func parseNumber(v []byte) (float64, uint8, bool) {
	if x, d, ok := parseDecimal(v); ok {
		return x, d, true
	}
	x, err := strconv.ParseFloat(string(v), 64)
	if err != nil && !isRangeErr(err) {
		return 0, 0, false
	}
	return x, descText, true
}

// parseDecimal is parseNumber for decimals of up to 15 digits, without
// exponent; ok is false for anything else. Their digits make an integer
// m < 10^15, exact in a float64, as is 10^k for k ≤ 22, so m / 10^k is one
// correctly rounded operation: the float64 nearest to v, which is what
// ParseFloat returns. Such a decimal is also written back exactly by
// FormatFloat with as many digits after the point, since a float64 tells
// apart all decimals of 15 significant digits.
func parseDecimal(v []byte) (x float64, desc uint8, ok bool) {
	n, i := len(v), 0
	if n > 0 && v[0] == '-' {
		i = 1
	}
	start := i
	var m uint64
	for ; i < n; i++ {
		d := v[i] - '0'
		if d > 9 {
			break
		}
		m = m*10 + uint64(d)
	}
	intDigits, fracDigits := i-start, 0
	if i < n && v[i] == '.' {
		i++
		j := i
		for ; i < n; i++ {
			d := v[i] - '0'
			if d > 9 {
				break
			}
			m = m*10 + uint64(d)
		}
		if fracDigits = i - j; fracDigits == 0 {
			desc = descText // "5.": FormatFloat writes it otherwise
		}
	}
	if i != n || uint(intDigits+fracDigits-1) >= 15 {
		return 0, 0, false
	}
	x = float64(m) / pow10[fracDigits]
	if start == 1 {
		x = -x
	}
	if desc == 0 {
		desc = uint8(fracDigits)
		if intDigits == 0 || intDigits > 1 && v[start] == '0' {
			desc = descText // ".5", "007": FormatFloat writes these otherwise
		}
	}
	return x, desc, true
}

func isRangeErr(err error) bool {
	var ne *strconv.NumError
	return errors.As(err, &ne) && errors.Is(ne.Err, strconv.ErrRange)
}
