package frame

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"reflect"
	"strings"
	"testing"
)

func TestXYSamples(t *testing.T) {
	tests := []struct {
		sample, target, positive string
		classes                  []string
		ones                     int // rows labelled 1, from the dataset notes
	}{
		{"diabetes", "Outcome", "", nil, 268},
		{"breast_cancer", "diagnosis", "", []string{"B", "M"}, 212},
		{"breast_cancer", "diagnosis", "B", []string{"M", "B"}, 357},
		{"telco_churn", "churn", "", []string{"No", "Yes"}, 1869},
		{"diabetes", "Outcome", "0", []string{"1", "0"}, 500},
	}
	for _, tt := range tests {
		f := sample(t, tt.sample)
		if tt.sample == "telco_churn" {
			f = numericOnly(f)
		}
		X, y, s, err := f.XY(tt.target, &ExportOptions{Positive: tt.positive})
		if err != nil {
			t.Fatalf("%s XY(%s, %q): %v", tt.sample, tt.target, tt.positive, err)
		}
		r, c := X.Dims()
		if r != f.Len() || c != len(f.Names())-1 || len(y) != r || len(s.Features) != c {
			t.Errorf("%s: X %dx%d, y %d, schema %d features", tt.sample, r, c, len(y), len(s.Features))
		}
		ones := 0
		for _, v := range y {
			if v == 1 {
				ones++
			} else if v != 0 {
				t.Fatalf("%s: label %v not 0 or 1", tt.sample, v)
			}
		}
		if ones != tt.ones || !reflect.DeepEqual(s.Target.Classes, tt.classes) {
			t.Errorf("%s positive %q: %d ones, classes %q; want %d, %q", tt.sample, tt.positive, ones, s.Target.Classes, tt.ones, tt.classes)
		}
		// Labels gives XY's labels without the matrix, even where the
		// features could not be exported.
		ly, lt, err := sample(t, tt.sample).Labels(tt.target, &ExportOptions{Positive: tt.positive})
		if err != nil || !reflect.DeepEqual(ly, y) || !reflect.DeepEqual(lt, s.Target) {
			t.Errorf("%s Labels(%s, %q) = %v, %+v; want XY's %+v", tt.sample, tt.target, tt.positive, err, lt, s.Target)
		}
		// X holds the column values in order.
		for j, ft := range s.Features {
			col, _ := f.Column(ft.Name)
			for _, i := range []int{0, r / 2, r - 1} {
				if got, want := X.At(i, j), col.Float(i); got != want && !(math.IsNaN(got) && math.IsNaN(want)) {
					t.Fatalf("%s: X[%d,%d] = %v, %s[%d] = %v", tt.sample, i, j, got, ft.Name, i, want)
				}
			}
		}
	}
}

// numericOnly drops the categorical columns of f.
func numericOnly(f *Frame) *Frame {
	var cat []string
	for _, c := range f.Columns() {
		if c.Kind() == Categorical {
			cat = append(cat, c.Name())
		}
	}
	g, _ := f.Drop(cat...)
	return g
}

func TestXYErrors(t *testing.T) {
	telco := sample(t, "telco_churn")
	tests := []struct {
		f      *Frame
		target string
		opts   *ExportOptions
		is     error
		msg    string
	}{
		{telco, "Churn", nil, ErrNoColumn, `column "Churn": no such column (have "churn", "female"`},
		{telco, "churn", nil, ErrCategorical, `column "multiple_lines": categorical column must be encoded`},
		{readString(t, "a,y\n1,x\n2,x\n", nil), "y", nil, ErrOneClass, `column "y": target has a single class "x"`},
		{readString(t, "a,y\n1,1\n2,1\n", nil), "y", nil, ErrOneClass, `single class "1"`},
		{readString(t, "a,y\n1,x\n2,\n", nil), "y", nil, ErrOneClass, `single class`},
		{readString(t, "a,y\n1,x\n2,\n3,z\n", nil), "y", nil, ErrMissingTarget, `column "y": row 1: missing target value`},
		{readString(t, "a,y\n1,x\n2,y\n3,z\n", nil), "y", &ExportOptions{Positive: "x"}, ErrNoClass, "needs a binary target, have 3"},
		{readString(t, "a,y\n1,x\n2,y\n", nil), "y", &ExportOptions{Positive: "w"}, ErrNoClass, `no such class "w" (have "x", "y")`},
		{readString(t, "y\n1\n2\n", nil), "y", nil, ErrEmpty, "0 features"},
	}
	for i, tt := range tests {
		_, _, _, err := tt.f.XY(tt.target, tt.opts)
		if !errors.Is(err, tt.is) || !strings.Contains(err.Error(), tt.msg) {
			t.Errorf("case %d: XY(%s) err = %v, want %v containing %q", i, tt.target, err, tt.is, tt.msg)
		}
	}
}

func TestOrdinalAndSchema(t *testing.T) {
	f := readString(t, "c,b,x,y\nlow,Yes,1,B\nhigh,No,NA,M\n,Yes,3,B\nmid,No,4,B\n", nil)
	X, y, s, err := f.XY("y", &ExportOptions{Ordinal: true})
	if err != nil {
		t.Fatal(err)
	}
	// Levels sorted: high=0, low=1, mid=2; boolean No=0, Yes=1.
	want := "[1 1 1] [0 0 NaN] [NaN 1 3] [2 0 4]"
	got := ""
	for i := range 4 {
		got += fmt.Sprint(X.RawRowView(i)) + " "
	}
	if strings.TrimSpace(got) != want || fmt.Sprint(y) != "[0 1 0 0]" {
		t.Errorf("ordinal X = %s y = %v; want %s [0 1 0 0]", got, y, want)
	}
	b, err := json.Marshal(s)
	if err != nil {
		t.Fatal(err)
	}
	const wantJSON = `{"features":[{"name":"c","kind":"categorical","levels":["high","low","mid"]},{"name":"b","kind":"boolean","levels":["No","Yes"]},{"name":"x","kind":"numeric"}],"target":{"name":"y","kind":"categorical","classes":["B","M"]}}`
	if string(b) != wantJSON {
		t.Errorf("schema JSON =\n%s\nwant\n%s", b, wantJSON)
	}
	var s2 Schema
	if err := json.Unmarshal(b, &s2); err != nil || !reflect.DeepEqual(&s2, s) {
		t.Fatalf("schema round trip: %v\n%+v\n%+v", err, s2, s)
	}
	// New data: an unseen level becomes NaN, columns are found by name.
	g := readString(t, "y,x,b,c\nM,7,Yes,top\nB,8,No,mid\n", nil)
	X2, err := s2.Matrix(g)
	if err != nil {
		t.Fatal(err)
	}
	if got := fmt.Sprint(X2.RawRowView(0), X2.RawRowView(1)); got != "[NaN 1 7] [2 0 8]" {
		t.Errorf("Schema.Matrix(new) = %s", got)
	}
	if y2, err := s2.Labels(g); err != nil || fmt.Sprint(y2) != "[1 0]" {
		t.Errorf("Schema.Labels(new) = %v, %v", y2, err)
	}
	bad := readString(t, "y,x,b,c\nX,7,Yes,top\n", nil)
	if _, err := s2.Labels(bad); !errors.Is(err, ErrNoClass) {
		t.Errorf("Labels with unknown class: %v", err)
	}
	kind := readString(t, "y,x,b,c\nB,7,maybe,top\n", nil)
	if _, err := s2.Matrix(kind); err == nil || !strings.Contains(err.Error(), `column "b": is categorical, schema says boolean`) {
		t.Errorf("Matrix with kind change: %v", err)
	}
}
