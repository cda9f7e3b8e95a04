package frame

import (
	"context"
	"errors"
	"io"
	"math"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"testing/iotest"
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
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 8*uint64(len(in)) {
		t.Errorf("reading %d bytes allocated %d", len(in), alloc)
	}

	in = strings.Repeat(",", MaxColumns) + "\n1\n"
	_, err = ReadCSV(context.Background(), strings.NewReader(in), &ReadOptions{Name: "wide.csv"})
	if !errors.Is(err, ErrTooManyColumns) || !errors.As(err, &pe) || pe.Line != 1 || !strings.Contains(err.Error(), "wide.csv:1: too many columns: 1048577, at most 1048576") {
		t.Errorf("header of MaxColumns+1 fields: %v", err)
	}
}
