package csvscan

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"testing"
	"testing/iotest"
)

// parsed is what a reader made of an input: its records, the line of each,
// and the error that stopped it (its line and encoding/csv sentinel).
type parsed struct {
	records [][]string
	lines   []int
	errLine int
	err     error
}

func (p parsed) String() string {
	return fmt.Sprintf("records %q lines %v err %v at line %d", p.records, p.lines, p.err, p.errLine)
}

// reference reads input with encoding/csv, as pkg/frame used to.
func reference(input string, comma rune) parsed {
	cr := csv.NewReader(strings.NewReader(input))
	cr.Comma = comma
	cr.FieldsPerRecord = -1
	var p parsed
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			return p
		}
		if err != nil {
			var pe *csv.ParseError
			if !errors.As(err, &pe) {
				p.err = err
				return p
			}
			p.errLine, p.err = pe.Line, pe.Err
			return p
		}
		line, _ := cr.FieldPos(0)
		p.records = append(p.records, rec)
		p.lines = append(p.lines, line)
	}
}

// scan reads input in blocks of about size bytes with Records.Next, or with
// Skip(want) before each Next when want > 0 (records Skip passes are
// recorded as nil). With a limit, Next keeps that many fields of a record
// and scan records the count of the others as one more field "+n".
func scan(t testing.TB, r io.Reader, size int, comma rune, want int, limit ...int) parsed {
	delim, err := Delim(comma)
	if err != nil {
		t.Fatal(err)
	}
	bl := NewBlocks(r, size)
	var p parsed
	var rec Records
	var buf []byte
	line := 1
	for {
		b, err := bl.Next(buf)
		if err == io.EOF {
			return p
		}
		if err != nil {
			p.err = err
			return p
		}
		if b.Line != line {
			t.Fatalf("block at line %d, want %d", b.Line, line)
		}
		line += bytes.Count(b.Data, []byte{'\n'})
		if q := bytes.IndexByte(b.Data, '"') >= 0; q != b.Quote {
			t.Fatalf("block Quote %v, data holds a quote: %v", b.Quote, q)
		}
		buf = b.Data
		rec.Reset(b.Data, b.Line, b.Last, b.Quote, delim)
		if len(limit) > 0 {
			rec.SetLimit(limit[0])
		}
		for {
			if want > 0 {
				for range rec.Skip(want) {
					p.records = append(p.records, nil)
					p.lines = append(p.lines, 0)
				}
			}
			f, err := rec.Next()
			var se *SyntaxError
			if errors.As(err, &se) {
				p.errLine, p.err = se.Line, se.Err
				return p
			}
			if f == nil {
				break
			}
			s := make([]string, len(f))
			for i, v := range f {
				s[i] = string(v)
			}
			if n := rec.NumFields(); n > len(f) {
				s = append(s, "+"+strconv.Itoa(n-len(f)))
			}
			p.records = append(p.records, s)
			p.lines = append(p.lines, rec.Line())
		}
		if _, l := rec.Rest(); l != line && (!b.Last || bytes.HasSuffix(b.Data, []byte{'\n'})) {
			t.Fatalf("records end at line %d, block at %d", l, line)
		}
	}
}

// agree checks that Records reads input as encoding/csv does, whole and in
// small blocks, and that Skip passes exactly the records of want fields.
func agree(t *testing.T, input string, comma rune) {
	t.Helper()
	want := reference(input, comma)
	for _, size := range []int{1 << 16, 64} {
		got := scan(t, strings.NewReader(input), size, comma, 0)
		if !equal(got, want) {
			t.Errorf("%q (blocks of %d):\n got %v\nwant %v", input, size, got, want)
			return
		}
		got = scan(t, strings.NewReader(input), size, comma, 0, 2)
		if exp := limited(want, 2); !equal(got, exp) {
			t.Errorf("%q (blocks of %d, limit 2):\n got %v\nwant %v", input, size, got, exp)
			return
		}
		for n := 1; n <= 3; n++ {
			skipped := scan(t, iotest.HalfReader(strings.NewReader(input)), size, comma, n)
			skipped, exp := passed(skipped, n), passed(want, n)
			if !equal(skipped, exp) {
				t.Errorf("%q (blocks of %d, Skip(%d)):\n got %v\nwant %v", input, size, n, skipped, exp)
				return
			}
		}
	}
}

// limited returns p with records of more than n fields cut to n, and the
// count of the others as a field "+k", as scan records them with a limit.
func limited(p parsed, n int) parsed {
	q := p
	q.records = nil
	for _, r := range p.records {
		if len(r) > n {
			r = append(slices.Clip(r[:n]), "+"+strconv.Itoa(len(r)-n))
		}
		q.records = append(q.records, r)
	}
	return q
}

// passed returns p with its records of n fields as Skip passes them: nil,
// at line 0. (Skip leaves some to Next.)
func passed(p parsed, n int) parsed {
	q := p
	q.records, q.lines = nil, nil
	for i, r := range p.records {
		if r == nil || len(r) == n {
			q.records = append(q.records, nil)
			q.lines = append(q.lines, 0)
			continue
		}
		q.records = append(q.records, r)
		q.lines = append(q.lines, p.lines[i])
	}
	return q
}

func equal(a, b parsed) bool {
	return a.errLine == b.errLine && a.err == b.err && slices.Equal(a.lines, b.lines) &&
		slices.EqualFunc(a.records, b.records, slices.Equal)
}

var cases = []string{
	"",
	"\n\n",
	"a,b\n1,2\n3,4\n",
	"a,b\r\n1,2\r\n\r\n3,4",
	"a,b\n1,2\n3\n4,5\n",
	"a,b\n1,\"x\ny\"\n3,4\n5\n",
	"a,b\n1,\"x\r\ny\"\r\n3,4\r\n",
	"a,b\n1,\"x\"\"y\"\n3,4\n",
	"a,b\n1,x\"y\n3,4\n",
	"a,b\n1,\"x\"y\n3,4\n",
	"a,b\n1,\"x\" \n",
	"a,b\n1,2\n   \n3,4\n",
	"a,b\n1,\"unterminated\n3,4\n",
	"a,b\n1,\"unterminated\n3,4",
	"a,b\n1,\"unterminated\n\r",
	"a,b\n1,\"unterminated\n\n\n",
	"a,\"b\n",
	"\"",
	"\"\"",
	"\"\"\"\"\n",
	"a\n1\n  \n2\n",
	"a\n1\n\r\n2\n\n\n3",
	"a\n1\r",
	"a\n1\r\r",
	"a\n1\r\r\n2\r\n\r",
	"a\n\r\n\r",
	"a,b\n,\n,,\n\"\",\"\"\n\",\",\n",
	"a,b\n\"x\"\r\r\n",
	"a,b\n1,\"a\nb\"\"\nc\",3\n\"\n\",\"\"\n",
	"a;b\n1;2\n3,4;5\n",
	"\ufeffa,b\n1,2\n",
	"a,b\n" + strings.Repeat("1,2\n", 100) + "1,2,3\n",
	"a,b,c\n" + strings.Repeat("10,200,3\n123456,7,8\n", 50) + "1,2\n",
	"a,b\n" + strings.Repeat("x", 300) + "," + strings.Repeat("y", 13) + "\n1\n",
	"a,b\n\"" + strings.Repeat("x\n", 100) + "\",1\n2,3\n",
	"a,b\n\"" + strings.Repeat("x\n", 100) + "\"y,1\n2,3\n",
}

func TestRecords(t *testing.T) {
	for _, c := range cases {
		agree(t, c, ',')
	}
	agree(t, "a;b\n1;\"x;y\"\n3,4;5\n", ';')
	agree(t, "a¬b\n1¬\"x¬y\"\n3¬4¬5\n\"z\"¬\n\"q\"x\n", '¬')
	agree(t, "a\tb\n1\t2\n", '\t')
	// Every line length and position of a bad line relative to Skip's
	// eight-byte words.
	for width := 1; width <= 20; width++ {
		for bad := 1; bad <= 9; bad++ {
			var b strings.Builder
			b.WriteString("a,b\n")
			for i := range 12 {
				v := strings.Repeat("7", width)
				if i == bad {
					b.WriteString(v + "\n")
					continue
				}
				b.WriteString(v + "," + strconv.Itoa(i) + "\n")
			}
			agree(t, b.String(), ',')
		}
	}
}

func TestDelim(t *testing.T) {
	for _, c := range []rune{'"', '\r', '\n', -1, 0xD800, 0x110000, 0xFFFD} {
		if _, err := Delim(c); !errors.Is(err, ErrInvalidDelim) {
			t.Errorf("Delim(%q) = %v, want ErrInvalidDelim", c, err)
		}
		cr := csv.NewReader(strings.NewReader("a\n"))
		cr.Comma = c
		if _, err := cr.Read(); err == nil || err.Error() != ErrInvalidDelim.Error() {
			t.Errorf("encoding/csv with Comma %q: %v, want %v", c, err, ErrInvalidDelim)
		}
	}
	if d, err := Delim(0); err != nil || string(d) != "," {
		t.Errorf("Delim(0) = %q, %v; want \",\"", d, err)
	}
}

// TestBlocksReadError checks that a read error comes after the blocks of
// the data read before it.
func TestBlocksReadError(t *testing.T) {
	boom := errors.New("boom")
	r := io.MultiReader(strings.NewReader("a,b\n1,2\n3,"), iotest.ErrReader(boom))
	bl := NewBlocks(r, 64)
	b, err := bl.Next(nil)
	if err != nil || string(b.Data) != "a,b\n1,2\n" {
		t.Fatalf("first block %q, %v; want the whole records", b.Data, err)
	}
	if _, err := bl.Next(nil); !errors.Is(err, boom) {
		t.Fatalf("second Next: %v, want the read error", err)
	}
}

// TestBlocksLongRecord checks that a record longer than the block size
// makes a block of its own, whole.
func TestBlocksLongRecord(t *testing.T) {
	long := "\"" + strings.Repeat("x\n", 1000) + "\",1\n"
	bl := NewBlocks(strings.NewReader("a,b\n"+long+"2,3\n"), 64)
	var got []string
	for {
		b, err := bl.Next(nil)
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, string(b.Data))
	}
	if !slices.ContainsFunc(got, func(b string) bool { return strings.HasPrefix(b, long) }) {
		t.Errorf("blocks %q: none starts with the long record", got)
	}
}

// FuzzRecords compares Records with encoding/csv.
func FuzzRecords(f *testing.F) {
	for _, c := range cases {
		f.Add(c)
	}
	f.Fuzz(func(t *testing.T, input string) {
		agree(t, input, ',')
	})
}

func benchData(n int) []byte {
	var buf bytes.Buffer
	for i := 0; buf.Len() < n; i++ {
		buf.WriteString(strconv.Itoa(i) + "," + strconv.Itoa(18+i%60) + "," + strconv.Itoa(20000+i*7919%90000) + ",0." + strconv.Itoa(i%1000) + ",north," + strconv.Itoa(i%2) + "\n")
	}
	return buf.Bytes()
}

// BenchmarkSkip measures the quote-free path of Skip alone, in memory.
func BenchmarkSkip(b *testing.B) {
	data := benchData(16 << 20)
	b.SetBytes(int64(len(data)))
	var r Records
	for b.Loop() {
		r.Reset(data, 1, true, false, []byte{','})
		if r.Skip(6) == 0 || r.off != len(data) {
			b.Fatal("Skip stopped early")
		}
	}
}

// BenchmarkNext measures splitting quote-free records into fields.
func BenchmarkNext(b *testing.B) {
	data := benchData(16 << 20)
	b.SetBytes(int64(len(data)))
	var r Records
	for b.Loop() {
		r.Reset(data, 1, true, false, []byte{','})
		for {
			f, _ := r.Next()
			if f == nil {
				break
			}
		}
	}
}
