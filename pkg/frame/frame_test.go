package frame

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"testing"

	"gonum.org/v1/gonum/mat"
)

func panics(fn func()) (b bool) {
	defer func() { b = recover() != nil }()
	fn()
	return false
}

func small(t *testing.T) *Frame {
	return readString(t, "x,c,b\n1,u,Yes\n2,v,No\nNA,u,Yes\n4,,No\n5,u,\n", &ReadOptions{Name: "small.csv"})
}

func TestReshape(t *testing.T) {
	f := small(t)
	g, err := f.Select("b", "x")
	if err != nil || strings.Join(g.Names(), ",") != "b,x" || g.Len() != 5 || g.Name() != "small.csv" {
		t.Errorf("Select(b, x) = %v, %v", g, err)
	}
	g, err = f.Drop("c")
	if err != nil || strings.Join(g.Names(), ",") != "x,b" || g.Len() != 5 {
		t.Errorf("Drop(c) = %v, %v", g, err)
	}
	g, err = f.Rename(map[string]string{"x": "y"})
	if err != nil || strings.Join(g.Names(), ",") != "y,c,b" || g.Has("x") {
		t.Errorf("Rename(x→y) = %v, %v", g, err)
	}
	if _, err := f.Rename(map[string]string{"x": "c"}); !errors.Is(err, ErrDuplicateColumn) {
		t.Errorf("Rename(x→c) err = %v, want ErrDuplicateColumn", err)
	}
	if _, err := f.Select("x", "x"); !errors.Is(err, ErrDuplicateColumn) {
		t.Errorf("Select(x, x) err = %v, want ErrDuplicateColumn", err)
	}
	for _, fn := range []func() error{
		func() error { _, err := f.Select("nope"); return err },
		func() error { _, err := f.Drop("nope"); return err },
		func() error { _, err := f.Rename(map[string]string{"nope": "a"}); return err },
		func() error { _, err := f.Column("nope"); return err },
		func() error { _, err := f.ValueCounts("nope"); return err },
	} {
		err := fn()
		var ce *ColumnError
		if !errors.As(err, &ce) || !errors.Is(err, ErrNoColumn) || ce.Column != "nope" ||
			!strings.Contains(err.Error(), `(have "x", "c", "b")`) {
			t.Errorf("absent column err = %v, want ColumnError listing columns", err)
		}
	}

	g = f.Filter(func(r Row) bool { return r.Float("x") > 1 && r.String("b") == "No" })
	if x := g.ColumnAt(0).Floats(); fmt.Sprint(x) != "[2 4]" {
		t.Errorf("Filter(x>1 && b==No).x = %v, want [2 4]", x)
	}
	g = f.Filter(func(r Row) bool { return r.IsNA("c") || r.Index() == 0 })
	if g.Len() != 2 || g.ColumnAt(1).IsNA(0) || !g.ColumnAt(1).IsNA(1) {
		t.Errorf("Filter(IsNA(c) || row 0) = %v", g)
	}
	if !panics(func() { f.Filter(func(r Row) bool { return r.IsNA("nope") }) }) {
		t.Error("Row accessor of absent column did not panic")
	}
	if !panics(func() { f.ColumnAt(1).Float(0) }) {
		t.Error("Float of categorical column did not panic")
	}

	if h := f.Head(2); h.Len() != 2 || h.ColumnAt(0).Float(1) != 2 {
		t.Errorf("Head(2) = %v", h)
	}
	if h := f.Head(10); h.Len() != 5 {
		t.Errorf("Head(10).Len() = %d, want 5", h.Len())
	}
	if h := f.Head(0); h.Len() != 0 {
		t.Errorf("Head(0).Len() = %d, want 0", h.Len())
	}

	g, err = f.With(NewNumeric("x", []float64{9, 9, 9, 9, 9}), NewCategorical("z", []string{"a", "b", "c", "d", "e"}, nil))
	if err != nil || strings.Join(g.Names(), ",") != "x,c,b,z" || g.ColumnAt(0).Float(0) != 9 {
		t.Errorf("With(x, z) = %v, %v", g, err)
	}
	if _, err := f.With(NewNumeric("y", []float64{1})); !errors.Is(err, ErrLength) {
		t.Errorf("With(short column) err = %v, want ErrLength", err)
	}
	if _, err := New(NewNumeric("a", []float64{1}), NewNumeric("a", []float64{1})); !errors.Is(err, ErrDuplicateColumn) {
		t.Errorf("New(a, a) err = %v, want ErrDuplicateColumn", err)
	}
}

func TestColumns(t *testing.T) {
	if !panics(func() { NewBoolean("b", []float64{2}, "", "") }) {
		t.Error("NewBoolean with 2 did not panic")
	}
	if !panics(func() { NewCategorical("c", []string{"a"}, []bool{true, false}) }) {
		t.Error("NewCategorical with mismatched na did not panic")
	}
	b := NewBoolean("b", []float64{1, 0, math.NaN()}, "", "")
	if got := fmt.Sprint(b.Strings(), b.Levels(), b.Missing()); got != "[true false ] [false true] 1" {
		t.Errorf("boolean column: %s", got)
	}
	c := NewCategorical("c", []string{"b", "a", "", "b"}, []bool{false, false, true, false})
	if got := fmt.Sprint(c.Levels(), c.Missing(), c.Len()); got != "[a b] 1 4" {
		t.Errorf("categorical column: %s", got)
	}
	var k Kind
	for _, want := range []Kind{Numeric, Categorical, Boolean} {
		b, err := want.MarshalText()
		if err != nil || k.UnmarshalText(b) != nil || k != want {
			t.Errorf("Kind %v text round trip: %q, %v → %v", want, b, err, k)
		}
	}
	if err := k.UnmarshalText([]byte("text")); err == nil {
		t.Error("UnmarshalText(text) succeeded")
	}
}

func TestValueCounts(t *testing.T) {
	f := small(t)
	for _, tt := range []struct{ col, want string }{
		{"c", "[{u 3} {v 1}]"},
		{"b", "[{Yes 2} {No 2}]"}, // tie: order of first appearance
		{"x", "[{1 1} {2 1} {4 1} {5 1}]"},
	} {
		vc, err := f.ValueCounts(tt.col)
		if got := fmt.Sprint(vc); err != nil || got != tt.want {
			t.Errorf("ValueCounts(%s) = %s, %v; want %s", tt.col, got, err, tt.want)
		}
	}
}

func TestPrint(t *testing.T) {
	f := small(t)
	s := f.String()
	lines := strings.Split(strings.TrimSuffix(s, "\n"), "\n")
	if len(lines) != 7 || lines[6] != "[5 rows x 3 columns]" {
		t.Fatalf("String() =\n%s", s)
	}
	// Numeric column right-aligned: the x values end in the same position.
	end := strings.Index(lines[0], "x") + 1
	for _, l := range lines[1:6] {
		if l[end-1] == ' ' || l[end] != ' ' {
			t.Errorf("x not right-aligned at %d in %q", end, l)
		}
	}
	h := f.HTML()
	for _, sub := range []string{"<th>x</th>", "<td>Yes</td>", "<td style=\"text-align:right\">NaN</td>", "5 rows × 3 columns"} {
		if !strings.Contains(h, sub) {
			t.Errorf("HTML() lacks %q:\n%s", sub, h)
		}
	}
	big := readString(t, "a\n"+strings.Repeat("1\n", 20), nil)
	if s := big.String(); strings.Count(s, "\n") != maxPrintRows+3 || !strings.Contains(s, "...") {
		t.Errorf("String() of 20 rows =\n%s", s)
	}
	g, _ := New(NewCategorical("<b>", []string{"&"}, nil))
	if s := g.HTML(); !strings.Contains(s, "&lt;b&gt;") || !strings.Contains(s, "&amp;") {
		t.Errorf("HTML() not escaped: %s", s)
	}
}

// TestTake checks that Take gives the rows asked for, whether the new
// frame shares storage (at least half the rows) or copies it, from a
// frame read or taken before, and that it does not depend on idx after.
func TestTake(t *testing.T) {
	f := readString(t, "x,b,c\n1,Yes,red\n2,No,\nNA,Yes,blue\n4,,red\n5,No,green\n6,Yes,red\n", nil)
	rows := func(g *Frame) []string {
		var out []string
		for i := range g.Len() {
			var r []string
			for _, c := range g.cols {
				r = append(r, fmt.Sprintf("%s/%v", c.String(i), c.IsNA(i)))
			}
			out = append(out, strings.Join(r, ","))
		}
		return out
	}
	all := rows(f)
	tests := [][]int{
		{0, 1, 2, 3, 4, 5},
		{5, 4, 3, 2, 1, 0},
		{1, 1, 1, 3},
		{2},
		{},
		{0, 2, 4, 5, 5, 5, 3},
	}
	for _, idx := range tests {
		var want []string
		for _, i := range idx {
			want = append(want, all[i])
		}
		in := slices.Clone(idx)
		g := f.Take(in)
		for i := range in {
			in[i] = 0 // Take must not keep the caller's slice
		}
		if got := rows(g); !slices.Equal(got, want) {
			t.Errorf("Take(%v) = %q, want %q", idx, got, want)
		}
		// Taking from the taken frame: every row once, backwards.
		back := make([]int, g.Len())
		for i := range back {
			back[i] = g.Len() - 1 - i
		}
		slices.Reverse(want)
		if got := rows(g.Take(back)); !slices.Equal(got, want) {
			t.Errorf("Take(%v).Take(%v) = %q, want %q", idx, back, got, want)
		}
		if h := g.Take(back[:len(back)/3]); h.Len() != len(back)/3 || !slices.Equal(rows(h), want[:len(back)/3]) {
			t.Errorf("Take(%v).Take(%v) = %q", idx, back[:len(back)/3], rows(h))
		}
	}
	g := f.Take([]int{5, 0, 3, 3})
	if x := g.ColumnAt(0).Floats(); !slices.Equal(x, []float64{6, 1, 4, 4}) {
		t.Errorf("Take: Floats = %v", x)
	}
	if lv := g.ColumnAt(2).Levels(); !slices.Equal(lv, []string{"red"}) {
		t.Errorf("Take: Levels = %q, want [red]", lv)
	}
	X, y, _, err := g.XY("x", &ExportOptions{Ordinal: true})
	if err != nil || !slices.Equal(y, []float64{6, 1, 4, 4}) || X.At(0, 0) != 1 || X.At(3, 1) != 0 || !math.IsNaN(X.At(2, 0)) {
		t.Errorf("XY of taken rows: %v, %v, %v", mat.Formatted(X), y, err)
	}
	for _, bad := range [][]int{{6}, {-1}, {0, 7}} {
		if !panics(func() { f.Take(bad) }) {
			t.Errorf("Take(%v) did not panic", bad)
		}
	}
}
