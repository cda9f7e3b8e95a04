package frame

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"io"
	"math"
	"runtime"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/mlstack/mlstack/pkg/frame/internal/synth"
)

// readCases are inputs for comparing ReadCSV with readReference: every
// rule of kind inference, missing values, quoting and errors.
var readCases = []string{
	// kinds
	"a,b\n1,x\n2.5,y\n",
	"a\n0\n1\n1\n",
	"a,b\nNA,\n,null\n",
	"a\nYes\nNo\nYes\n",
	"a\ntrue\nfalse\nNA\n",
	"a\nTRUE\nTRUE\n",
	"a\nNo\n",
	"a\nYes\nno\n",
	"a\nyes\nfalse\n",
	"a\nM\nB\nB\n",
	"a\n1\nx\n",
	"a\n1.50\n-0\n-0.0\n3.\n.5\n+7\n007\n1e5\n1E-5\ninf\n-Infinity\nnan\n1_000\n0x1p3\n1e400\n1e-400\nx\n",
	"a\n1.50\n-0\n-0.0\n3.\n.5\n+7\n007\n1e5\n1E-5\ninf\n-Infinity\nnan\n1_000\n0x1p3\n1e400\n1e-400\n",
	"a\n123456789012345\n1234567890123456\n12345678901234567890123\n0.000000000000001\n0.1234567890123456789\n-99999999999999.9\n",
	"a\n123456789012345\n1234567890123456\n0.1234567890123456789\n-99999999999999.9\n0.30000000000000004\nz\n",
	"a,b\nYes,1\nNo,2\nNo phone service,x\n",
	"a\n1\n2\nNA\nx\n",
	"a\nNA\n2\nx\nNA\ny\n2\n",
	"a\n" + strings.Repeat("1.25\n", 40) + "Yes\n" + strings.Repeat("2\n", 40),
	"a\n" + strings.Repeat("Yes\nNo\n", 40) + "maybe\n",
	"a\n" + strings.Repeat("NA\n", 40) + "No\n",
	// missing values and trimming
	"a, b ,c,,e\n1, x ,Yes,1,?\n NA ,\"y, z\",No,2,\n3,N/A,,3,4\n\n",
	"\ufeffa,b\n1,2\n",
	"\ufeff\"a\",b\n1,2\n",
	"a,b\n \t1\u00a0, x\u2003\n2,\u0085y\n",
	"a,b\n1\u2003,x\u00a0\n\u20032,\u0085y\n3\u3000,z\u2028\n",
	"a\n\"\"\n\" \"\nNA\n",
	// blank lines and line ends
	"a,b\r\n1,2\r\n\r\n3,4",
	"a,b\n1,2\n   \n3,4\n",
	"a\n1\n  \n2\n",
	"a\n1\n\r\n2\n\n\n3",
	"\n\na,b\n1,2\n",
	"a,b\n1,2\r",
	"a,b\n1,\"\"\n\"\",\n\"\"\n",
	// quoting
	"a,b\n1,\"x\ny\"\n3,4\n",
	"a,b\n1,\"x\"\"y\"\n3,4\n",
	"a,b\n\"1\",\"2.5\"\n\" 3 \",\"4\"\n",
	"\"a\nb\",c\n1,2\n",
	// errors
	"a,b\n1,2\n3\n",
	"a,b\n1,2\n3,4,5\n",
	"a,b\n1,x\"y\n3,4\n",
	"a,b\n1,\"x\"y\n3,4\n",
	"a,b\n1,\"unterminated\n3,4\n",
	"a,b\n\"multi\nline\",1\n2\n",
	"a,a\n1,2\n",
	"a, a \n1,2\n",
	",\n1,2\n",
	"",
	"\n\n",
	"a,\"b\n",
	"a\n",
	"a,b,c\n" + strings.Repeat("10,200,3\n123456,7,8\n", 50) + "1,2\n",
	"a,b\n" + strings.Repeat("1,2\n", 30) + "1,\"x\n" + strings.Repeat("1,2\n", 30),
}

// readVariants are the options readCases are read with.
var readVariants = []*ReadOptions{
	nil,
	{Name: "v.csv", Missing: []string{}},
	{Missing: []string{"-", " x ", "1", "Yes"}},
	{Comma: ';'},
	{Comma: '¬'},
	{Comma: '"'},
	{Types: map[string]Kind{"a": Numeric}},
	{Types: map[string]Kind{"a": Boolean}},
	{Types: map[string]Kind{"a": Categorical}},
	{Types: map[string]Kind{"a": Boolean, "b": Numeric}},
	{Types: map[string]Kind{"b": Boolean, "a": Numeric}},
	{Types: map[string]Kind{"z": Numeric}},
}

// sameAsReference checks that ReadCSV reads input as readReference does,
// in one block and in blocks of a few bytes (read in parallel), from a
// reader that says its size and from one that does not.
func sameAsReference(t *testing.T, input string, opts *ReadOptions) {
	t.Helper()
	want, werr := readReference(context.Background(), strings.NewReader(input), opts)
	defer func(n int) { blockSize = n }(blockSize)
	for _, size := range []int{1 << 20, 16, 100} {
		blockSize = size
		got, err := ReadCSV(context.Background(), strings.NewReader(input), opts)
		if d := differ(got, err, want, werr); d != "" {
			t.Errorf("%q with %+v, blocks of %d: %s", input, opts, size, d)
			return
		}
		got, err = ReadCSV(context.Background(), iotest.HalfReader(strings.NewReader(input)), opts)
		if d := differ(got, err, want, werr); d != "" {
			t.Errorf("%q with %+v, blocks of %d, size unknown: %s", input, opts, size, d)
			return
		}
	}
}

func TestReadMatchesReference(t *testing.T) {
	for _, in := range readCases {
		for _, opts := range readVariants {
			sameAsReference(t, in, opts)
		}
	}
	for _, name := range sampleNames {
		sameAsReference(t, string(sampleBytes(t, name)), nil)
	}
	sameAsReference(t, string(syntheticCSV(3000)), nil)
}

// FuzzReadCSV compares ReadCSV with readReference (encoding/csv and a
// string per value) on any input, with each set of options.
func FuzzReadCSV(f *testing.F) {
	for _, in := range readCases {
		f.Add(in, uint8(0))
	}
	f.Add("a,b\n1,Yes\n2,No\n", uint8(7))
	f.Fuzz(func(t *testing.T, input string, variant uint8) {
		sameAsReference(t, input, readVariants[int(variant)%len(readVariants)])
	})
}

func TestParseNumber(t *testing.T) {
	tests := []struct {
		in   string
		desc uint8
	}{
		{"0", 0}, {"-0", 0}, {"12", 0}, {"1.5", 1}, {"-1.50", 2}, {"0.001", 3},
		{"123456789012345", 0}, {"12345678901234.5", 1}, {"0.00000000000001", 14},
		{"3.", descText}, {".5", descText}, {"-.5", descText}, {"007", descText}, {"+1", descText},
		{"1e5", descText}, {"1234567890123456", descText}, {"Inf", descText}, {"nan", descText},
		{"1_0", descText}, {"1e400", descText},
	}
	for _, tt := range tests {
		for _, v := range inStorage(tt.in) {
			x, d, ok := parseNumber(v)
			want, err := parseFloatRef(tt.in)
			if !ok || err != nil || d != tt.desc || math.Float64bits(x) != math.Float64bits(want) {
				t.Errorf("parseNumber(%q, cap %d) = %v, %d, %v; want %v, %d (ParseFloat error %v)", tt.in, cap(v), x, d, ok, want, tt.desc, err)
			}
		}
	}
	for _, s := range []string{"", "-", ".", "-.", "x", "1x", "1.2.3", "1e", "--1", "1__0", " 1", "1.-2", "1.2-"} {
		for _, v := range inStorage(s) {
			if _, _, ok := parseNumber(v); ok {
				t.Errorf("parseNumber(%q, cap %d) ok, want not a number", s, cap(v))
			}
		}
	}
}

// FuzzParseNumber checks parseNumber against strconv.ParseFloat, bit for
// bit, and that FormatFloat writes back a number described by digits.
func FuzzParseNumber(f *testing.F) {
	for _, s := range []string{"0", "-1.25", "0.1", "123456789012345", "9007199254740993", "1e22", "4.9e-324", ".5", "x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, v := range inStorage(s) {
			x, d, ok := parseNumber(v)
			want, err := parseFloatRef(s)
			if ok != (err == nil) || ok && math.Float64bits(x) != math.Float64bits(want) && !(math.IsNaN(x) && math.IsNaN(want)) {
				t.Fatalf("parseNumber(%q, cap %d) = %v, %v; ParseFloat %v, %v", s, cap(v), x, ok, want, err)
			}
			if ok && d != descText {
				if back := formatFixed(x, d); back != s {
					t.Fatalf("parseNumber(%q): digits %d write back %q", s, d, back)
				}
			}
		}
	})
}

// inStorage returns s as a slice of its own, and as slices of longer
// storage followed by digits, a point and other bytes (parseNumber reads
// eight bytes at a time where the storage allows it).
func inStorage(s string) [][]byte {
	out := [][]byte{[]byte(s)}
	for _, after := range []string{"0123456789012345", ".5.5.5.5.5.5.5.5", "-9-9-9-9-9-9-9-9", "\xff\x00 ,\n\r\"e\xff\x00 ,\n\r\"e"} {
		out = append(out, []byte(s + after)[:len(s)])
	}
	return out
}

func formatFixed(x float64, d uint8) string {
	return strconv.FormatFloat(x, 'f', int(d), 64)
}

// parseFloatRef is strconv.ParseFloat, where a value out of range is a
// number (±Inf or 0), as ReadCSV reads it.
func parseFloatRef(s string) (float64, error) {
	x, err := strconv.ParseFloat(s, 64)
	if err != nil && isRangeErr(err) {
		err = nil
	}
	return x, err
}

// TestReadErrorsAfterData checks errors that reading finds after the
// data: a read error, a cancelled context.
func TestReadErrorsAfterData(t *testing.T) {
	defer func(n int) { blockSize = n }(blockSize)
	blockSize = 64
	boom := errors.New("boom")
	in := "a,b\n" + strings.Repeat("1,2\n", 100)
	_, err := ReadCSV(context.Background(), io.MultiReader(strings.NewReader(in), iotest.ErrReader(boom)), &ReadOptions{Name: "r"})
	if !errors.Is(err, boom) || !strings.Contains(err.Error(), "frame: reading r:") {
		t.Errorf("read error: %v, want it wrapped", err)
	}
	// A data error before the read error comes first.
	_, err = ReadCSV(context.Background(), io.MultiReader(strings.NewReader(in+"3\n"+in), iotest.ErrReader(boom)), nil)
	var pe *ParseError
	if !errors.As(err, &pe) || pe.Line != 102 || !errors.Is(err, ErrRaggedRow) {
		t.Errorf("ragged row before a read error: %v, want it at line 102", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	r := &cancelAfter{r: strings.NewReader(in + in + in), n: 3, cancel: cancel}
	if _, err := ReadCSV(ctx, r, nil); !errors.Is(err, context.Canceled) {
		t.Errorf("context cancelled while reading: %v", err)
	}
}

// cancelAfter cancels a context after n reads.
type cancelAfter struct {
	r      io.Reader
	n      int
	cancel func()
}

func (c *cancelAfter) Read(p []byte) (int, error) {
	if c.n--; c.n == 0 {
		c.cancel()
	}
	return c.r.Read(p[:min(len(p), 16)])
}

// TestReadBounded checks that a line of many delimiters costs no memory
// for each: a ragged row's fields past the header's are counted, and a
// header may have at most MaxColumns.
func TestReadBounded(t *testing.T) {
	const n = 2_000_000
	in := "a,b\n1,2\n" + strings.Repeat(",", n) + "\n"
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	_, err := ReadCSV(context.Background(), strings.NewReader(in), nil)
	runtime.ReadMemStats(&after)
	var pe *ParseError
	if !errors.As(err, &pe) || !errors.Is(err, ErrRaggedRow) || pe.Line != 3 || !strings.Contains(err.Error(), "2000001 fields, header has 2") {
		t.Errorf("ragged row of %d delimiters: %v", n, err)
	}
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 8*uint64(len(in)) && !raceEnabled {
		t.Errorf("reading %d bytes allocated %d", len(in), alloc)
	}

	in = strings.Repeat(",", MaxColumns) + "\n1\n"
	_, err = ReadCSV(context.Background(), strings.NewReader(in), &ReadOptions{Name: "wide.csv"})
	if !errors.Is(err, ErrTooManyColumns) || !errors.As(err, &pe) || pe.Line != 1 || !strings.Contains(err.Error(), "wide.csv:1: too many columns: 1048577, at most 1048576") {
		t.Errorf("header of MaxColumns+1 fields: %v", err)
	}
}

// TestReadValuesExactly checks the values of columns whose kind is decided
// late: a column of numbers that meets text keeps each value's text as
// written ("1.50", not 1.5), in one block or across many, and the kinds
// and values of columns read in blocks of a few bytes.
func TestReadValuesExactly(t *testing.T) {
	tests := []struct {
		in   string
		kind []Kind
		want [][]string // per column, String(i) with "<NA>" for missing
	}{
		{"a\n1.50\n-0\n2\n.5\n1e3\n+7\nNA\n007\n0.1234567890123456\nx\n",
			[]Kind{Categorical},
			[][]string{{"1.50", "-0", "2", ".5", "1e3", "+7", "<NA>", "007", "0.1234567890123456", "x"}}},
		{"a,b\r\n1,Yes\r\n\r\n2.5,No\r\n,\r\n",
			[]Kind{Numeric, Boolean},
			[][]string{{"1", "2.5", "<NA>"}, {"Yes", "No", "<NA>"}}},
		{"\ufeffa,b\n\"1\",\" x \"\n\"2\n\",\"y\"\"z\"\n",
			[]Kind{Numeric, Categorical},
			[][]string{{"1", "2"}, {"x", "y\"z"}}},
		{"a,b\n1,0\n2,1\n,NA\n",
			[]Kind{Numeric, Numeric},
			[][]string{{"1", "2", "<NA>"}, {"0", "1", "<NA>"}}},
	}
	defer func(n int) { blockSize = n }(blockSize)
	for _, size := range []int{1 << 20, 16} {
		blockSize = size
		for i, tt := range tests {
			f, err := ReadCSV(context.Background(), strings.NewReader(tt.in), nil)
			if err != nil {
				t.Errorf("case %d (blocks of %d): %v", i, size, err)
				continue
			}
			for j, c := range f.Columns() {
				var got []string
				for r := range c.Len() {
					s := c.String(r)
					if c.IsNA(r) {
						s = "<NA>"
					}
					got = append(got, s)
				}
				if c.Kind() != tt.kind[j] || !slices.Equal(got, tt.want[j]) {
					t.Errorf("case %d (blocks of %d) column %q: %v %q, want %v %q", i, size, c.Name(), c.Kind(), got, tt.kind[j], tt.want[j])
				}
			}
		}
	}
}

// TestReadErrorLines checks the line of each kind of error where records
// span lines and the error lies many blocks into the input.
func TestReadErrorLines(t *testing.T) {
	body := strings.Repeat("1,\"two\nlines\"\n", 40) // 80 lines
	tests := []struct {
		in   string
		opts *ReadOptions
		is   error
		line int
		col  string
		val  string
	}{
		{"a,b\n" + body + "1,2,3\n", nil, ErrRaggedRow, 82, "", ""},
		{"a,b\n" + body + "1,x\"y\n", nil, csv.ErrBareQuote, 82, "", ""},
		{"a,b\n" + body + "1,\"x\ny\"z\n", nil, csv.ErrQuote, 83, "", ""},
		{"a,b\n" + body + "1,\"x\ny\n", nil, csv.ErrQuote, 83, "", ""},
		{"a,b\n" + body + "x,2\n", &ReadOptions{Types: map[string]Kind{"a": Numeric}}, ErrNotNumeric, 82, "a", "x"},
		{"a,b\n" + body + "1,\"no\nway\"\n", &ReadOptions{Types: map[string]Kind{"b": Boolean}}, ErrNotBoolean, 2, "b", "two\nlines"},
		{"a,b\n1,\"two\nlines\"\n1,\"No\"\n", &ReadOptions{Types: map[string]Kind{"b": Boolean}}, ErrNotBoolean, 2, "b", "two\nlines"},
		{"a,b\n1,No\n" + body, &ReadOptions{Types: map[string]Kind{"b": Boolean}}, ErrNotBoolean, 3, "b", "two\nlines"},
		{"a,b\n1,No\n\n\n1,  Yes \n1,yes\n" + body, &ReadOptions{Types: map[string]Kind{"b": Boolean}}, ErrNotBoolean, 6, "b", "yes"},
	}
	defer func(n int) { blockSize = n }(blockSize)
	for _, size := range []int{1 << 20, 64} {
		blockSize = size
		for i, tt := range tests {
			_, err := ReadCSV(context.Background(), strings.NewReader(tt.in), tt.opts)
			var pe *ParseError
			if !errors.As(err, &pe) || !errors.Is(err, tt.is) || pe.Line != tt.line || pe.Column != tt.col || pe.Value != tt.val {
				t.Errorf("case %d (blocks of %d): %v, want %v at line %d, column %q, value %q", i, size, err, tt.is, tt.line, tt.col, tt.val)
			}
		}
	}
}

// TestReadMemory reads a numeric table of 20 MB and checks that the heap
// never holds more than three times the input. The collector runs at
// GOGC=10 so that the heap is what reading keeps, not garbage waiting for
// a collection. (The process's peak for the 200 MB table is in
// docs/BENCHMARKS.md: scripts/bench-read.sh.)
func TestReadMemory(t *testing.T) {
	if testing.Short() {
		t.Skip("reads 20 MB")
	}
	var buf bytes.Buffer
	if err := synth.Numeric(&buf, 220_000); err != nil {
		t.Fatal(err)
	}
	data := buf.Bytes()
	defer debug.SetGCPercent(debug.SetGCPercent(10))
	runtime.GC()
	stop := watchHeap()
	f, err := ReadCSV(context.Background(), bytes.NewReader(data), nil)
	peak := stop()
	if err != nil {
		t.Fatal(err)
	}
	if r, c := f.Shape(); r != 220_000 || c != synth.NumericColumns {
		t.Fatalf("shape %d x %d", r, c)
	}
	if ratio := float64(peak) / float64(len(data)); ratio > 3 {
		t.Errorf("reading %d bytes: live heap peaked at %d, %.2f times the input (want at most 3)", len(data), peak, ratio)
	} else {
		t.Logf("reading %d bytes: live heap peaked at %.2f times the input", len(data), ratio)
	}
}
