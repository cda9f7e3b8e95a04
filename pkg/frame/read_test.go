package frame

import (
	"context"
	"errors"
	"io"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func readString(t *testing.T, s string, opts *ReadOptions) *Frame {
	t.Helper()
	f, err := ReadCSV(context.Background(), strings.NewReader(s), opts)
	if err != nil {
		t.Fatalf("ReadCSV(%q): %v", s, err)
	}
	return f
}

// sampleNames are the built-in samples of pkg/dataset. Internal tests read
// the files directly: importing pkg/dataset, which imports frame, would be
// a cycle.
var sampleNames = []string{"breast_cancer", "diabetes", "telco_churn"}

// sampleBytes returns a built-in sample's CSV.
func sampleBytes(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "dataset", "samples", name+".csv"))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func sample(t testing.TB, name string) *Frame {
	t.Helper()
	b := sampleBytes(t, name)
	f, err := ReadBytes(context.Background(), b, &ReadOptions{Name: name + ".csv"})
	if err != nil {
		t.Fatalf("reading sample %s: %v", name, err)
	}
	return f
}

func TestInferKinds(t *testing.T) {
	tests := []struct {
		values string // one value per line
		want   Kind
	}{
		{"1\n2.5\n-3e2", Numeric},
		{"0\n1\n1", Numeric}, // 0/1 stays numeric, like pandas
		{"NA\n\nnull", Numeric},
		{"1\nNA\n3", Numeric},
		{"Yes\nNo\nYes", Boolean},
		{"true\nfalse\nNA", Boolean},
		{"TRUE\nTRUE", Boolean},
		{"No", Boolean},
		{"Yes\nno", Categorical}, // case differs within the column
		{"yes\nfalse", Categorical},
		{"M\nB\nB", Categorical},
		{"1\nx", Categorical},
		{"Yes\nNo\nNo phone service", Categorical},
	}
	for i, tt := range tests {
		f := readString(t, "c\n"+tt.values+"\n", nil)
		if got := f.ColumnAt(0).Kind(); got != tt.want {
			t.Errorf("case %d: values %q inferred %v, want %v", i, tt.values, got, tt.want)
		}
	}
}

func TestReadValues(t *testing.T) {
	in := "\ufeffa, b ,c,,e\n1, x ,Yes,1,?\n NA ,\"y, z\",No,2,\n3,N/A,,3,4\n\n"
	f := readString(t, in, &ReadOptions{Name: "t.csv"})
	if got, want := strings.Join(f.Names(), "|"), "a|b|c|Unnamed: 3|e"; got != want {
		t.Fatalf("Names() = %q, want %q", got, want)
	}
	if r, c := f.Shape(); r != 3 || c != 5 {
		t.Fatalf("Shape() = %d, %d; want 3, 5", r, c)
	}
	a, _ := f.Column("a")
	if got := a.Floats(); got[0] != 1 || !math.IsNaN(got[1]) || got[2] != 3 {
		t.Errorf("a = %v, want [1 NaN 3]", got)
	}
	b, _ := f.Column("b")
	if b.Kind() != Categorical || b.String(0) != "x" || b.String(1) != "y, z" || !b.IsNA(2) || b.Missing() != 1 {
		t.Errorf("b = %q kind %v missing %d, want [x, y, z, NA] categorical", b.Strings(), b.Kind(), b.Missing())
	}
	c, _ := f.Column("c")
	if c.Kind() != Boolean || c.Float(0) != 1 || c.Float(1) != 0 || !c.IsNA(2) || c.String(0) != "Yes" {
		t.Errorf("c = %v %q, want boolean [1 0 NaN]", c.Floats(), c.Strings())
	}
	e, _ := f.Column("e")
	if e.Kind() != Numeric || e.Missing() != 2 || e.Float(2) != 4 {
		t.Errorf("e = %v, want [NaN NaN 4]", e.Floats())
	}
}

func TestReadOptions(t *testing.T) {
	in := "a;b;c\n1;x;0\n-;y;1\n"
	f := readString(t, in, &ReadOptions{
		Comma:   ';',
		Missing: []string{"-"},
		Types:   map[string]Kind{"a": Categorical, "c": Boolean},
	})
	a, _ := f.Column("a")
	if a.Kind() != Categorical || !a.IsNA(1) || a.String(0) != "1" {
		t.Errorf("a forced categorical = %q (%v)", a.Strings(), a.Kind())
	}
	c, _ := f.Column("c")
	if c.Kind() != Boolean || c.Float(1) != 1 {
		t.Errorf("c forced boolean = %v (%v)", c.Floats(), c.Kind())
	}
	// An empty, non-nil Missing list keeps "" and NA as values.
	f = readString(t, "a\nNA\n\"\"\n", &ReadOptions{Missing: []string{}})
	if a := f.ColumnAt(0); a.Kind() != Categorical || a.Missing() != 0 {
		t.Errorf("no missing tokens: kind %v, %d missing; want categorical, 0", a.Kind(), a.Missing())
	}
}

func TestReadErrors(t *testing.T) {
	tests := []struct {
		in     string
		opts   *ReadOptions
		is     error
		line   int
		column string
		msg    string // substring of the message
	}{
		{"a,b\n1,2\n3\n", &ReadOptions{Name: "r.csv"}, ErrRaggedRow, 3, "", "r.csv:3: wrong number of fields: 1 fields, header has 2"},
		{"a,b\n1,2\n3,4,5\n", nil, ErrRaggedRow, 3, "", "<input>:3"},
		{"a,b\n1,2\n3,x\n", &ReadOptions{Name: "n.csv", Types: map[string]Kind{"b": Numeric}}, ErrNotNumeric, 3, "b", `n.csv:3: column "b": value "x": not a number`},
		{"a\n\"multi\nline\"\nYes\nmaybe\n", &ReadOptions{Types: map[string]Kind{"a": Boolean}}, ErrNotBoolean, 2, "a", `value "multi\nline"`},
		{"a,a\n1,2\n", nil, ErrDuplicateColumn, 1, "a", "duplicate column"},
		{"", &ReadOptions{Name: "empty.csv"}, ErrNoHeader, 0, "", "empty.csv: no header row"},
		{"a,b\n1,\"x\n", nil, nil, 2, "", "extraneous or missing"},
	}
	for i, tt := range tests {
		_, err := ReadCSV(context.Background(), strings.NewReader(tt.in), tt.opts)
		var pe *ParseError
		if !errors.As(err, &pe) {
			t.Errorf("case %d: err = %v, want *ParseError", i, err)
			continue
		}
		if tt.is != nil && !errors.Is(err, tt.is) {
			t.Errorf("case %d: err = %v, want errors.Is %v", i, err, tt.is)
		}
		if pe.Line != tt.line || pe.Column != tt.column {
			t.Errorf("case %d: line %d column %q, want %d %q", i, pe.Line, pe.Column, tt.line, tt.column)
		}
		if !strings.Contains(err.Error(), tt.msg) {
			t.Errorf("case %d: message %q lacks %q", i, err, tt.msg)
		}
	}

	_, err := ReadCSV(context.Background(), strings.NewReader("a\n1\n"), &ReadOptions{Types: map[string]Kind{"z": Numeric}})
	var ce *ColumnError
	if !errors.As(err, &ce) || !errors.Is(err, ErrNoColumn) || ce.Column != "z" {
		t.Errorf("Types on absent column: err = %v, want *ColumnError for z", err)
	}

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := ReadCSV(ctx, strings.NewReader("a\n1\n"), nil); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled context: err = %v, want context.Canceled", err)
	}
}

func TestReadFileAndOpen(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "d.csv")
	if err := os.WriteFile(path, []byte("a,b\n1,2\n3\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	_, err := ReadFile(ctx, path, nil)
	var pe *ParseError
	if !errors.As(err, &pe) || pe.File != path || pe.Line != 3 {
		t.Errorf("ReadFile error = %v, want ParseError naming %s line 3", err, path)
	}
	if _, err := Open(ctx, "file://"+path, nil); !errors.As(err, &pe) || pe.File != "file://"+path {
		t.Errorf("Open(file://) error = %v, want ParseError naming the URI", err)
	}
	if _, err := ReadFile(ctx, filepath.Join(dir, "absent.csv"), nil); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("ReadFile(absent) = %v, want os.ErrNotExist", err)
	}
	if _, err := Open(ctx, "s3://bucket/d.csv", nil); !errors.Is(err, ErrNoOpener) {
		t.Errorf("Open(s3://) without opener = %v, want ErrNoOpener", err)
	}
	var opened string
	opener := func(_ context.Context, uri string) (io.ReadCloser, error) {
		opened = uri
		return io.NopCloser(strings.NewReader("x,y\n1,2\n")), nil
	}
	f, err := Open(ctx, "s3://bucket/d.csv", &ReadOptions{Opener: opener})
	if err != nil || opened != "s3://bucket/d.csv" || f.Name() != "s3://bucket/d.csv" || f.Len() != 1 {
		t.Errorf("Open(s3://) with opener: %v, opened %q, frame %v", err, opened, f)
	}
}

func TestReadSamples(t *testing.T) {
	tests := []struct {
		name       string
		rows, cols int
		kinds      map[string]Kind
		missing    map[string]int
	}{
		{"diabetes", 768, 9, map[string]Kind{"Glucose": Numeric, "Outcome": Numeric}, nil},
		{"breast_cancer", 569, 31, map[string]Kind{"diagnosis": Categorical, "radius_mean": Numeric}, nil},
		{"telco_churn", 7043, 20,
			map[string]Kind{"churn": Boolean, "female": Numeric, "contract": Categorical, "multiple_lines": Categorical, "total_charges": Numeric},
			map[string]int{"total_charges": 11}}, // 11 NA per the dataset notes
	}
	for _, tt := range tests {
		f := sample(t, tt.name)
		if r, c := f.Shape(); r != tt.rows || c != tt.cols {
			t.Errorf("%s: shape %dx%d, want %dx%d", tt.name, r, c, tt.rows, tt.cols)
		}
		for col, k := range tt.kinds {
			c, err := f.Column(col)
			if err != nil {
				t.Fatalf("%s: %v", tt.name, err)
			}
			if c.Kind() != k {
				t.Errorf("%s.%s: kind %v, want %v", tt.name, col, c.Kind(), k)
			}
			if want := tt.missing[col]; c.Missing() != want {
				t.Errorf("%s.%s: %d missing, want %d", tt.name, col, c.Missing(), want)
			}
		}
	}
}
