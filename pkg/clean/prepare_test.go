package clean

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/mlstack/mlstack/internal/testenv"
	"github.com/mlstack/mlstack/pkg/frame"
)

// prepTable has exact duplicates, rows equal but for the label, missing
// values (equal to each other, as pandas compares them) and -0.
const prepTable = `a,b,c,y
1,x,2.5,0
1,x,2.5,0
2,y,,1
2,y,,1
1,x,2.5,1
3,,4,0
3,,4,0
-0,z,1,1
0,z,1,1
5,w,NA,0
,w,NA,0
7,q,9,1
`

// The prepare steps keep the rows pandas keeps, in the same order: the
// indices of df.drop_duplicates(...), df.dropna(...) and
// df[~df[c].isin(...)] on the same table.
func TestPrepareParityPandas(t *testing.T) {
	tests := []struct {
		name   string
		spec   map[string]any
		pandas string
	}{
		{"dedup", map[string]any{"step": "drop_duplicates"}, `df.drop_duplicates()`},
		{"dedup last", map[string]any{"step": "drop_duplicates", "keep": "last"}, `df.drop_duplicates(keep="last")`},
		{"dedup none", map[string]any{"step": "drop_duplicates", "keep": false}, `df.drop_duplicates(keep=False)`},
		{"dedup subset", map[string]any{"step": "drop_duplicates", "subset": []any{"a", "b"}}, `df.drop_duplicates(subset=["a", "b"])`},
		{"dedup without target", map[string]any{"step": "drop_duplicates", "exclude_target": true}, `df.drop_duplicates(subset=df.columns.drop("y"))`},
		{"dropna", map[string]any{"step": "dropna"}, `df.dropna()`},
		{"dropna subset", map[string]any{"step": "dropna", "subset": []any{"c"}}, `df.dropna(subset=["c"])`},
		{"dropna all", map[string]any{"step": "dropna", "subset": []any{"a", "c"}, "how": "all"}, `df.dropna(subset=["a", "c"], how="all")`},
		{"drop rows number", map[string]any{"step": "drop_rows", "column": "a", "equals": 1.0}, `df[~df["a"].isin([1])]`},
		{"drop rows text", map[string]any{"step": "drop_rows", "column": "b", "in": []any{"x", "w"}}, `df[~df["b"].isin(["x", "w"])]`},
	}
	dir := t.TempDir()
	csv := filepath.Join(dir, "t.csv")
	if err := os.WriteFile(csv, []byte(prepTable), 0o644); err != nil {
		t.Fatal(err)
	}
	var code strings.Builder
	code.WriteString("import sys, json\nimport pandas as pd\ndf = pd.read_csv(sys.argv[1])\nout = []\n")
	for _, tt := range tests {
		code.WriteString("out.append([int(i) for i in (" + tt.pandas + ").index])\n")
	}
	code.WriteString("print(json.dumps(out))\n")
	var want [][]int
	if err := json.Unmarshal(testenv.RunPython(t, code.String(), []string{csv}), &want); err != nil {
		t.Fatal(err)
	}
	f := read(t, prepTable)
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			spec, err := SpecOf(tt.spec)
			if err != nil {
				t.Fatal(err)
			}
			p, err := PrepareFromSpec([]StepSpec{spec})
			if err != nil {
				t.Fatal(err)
			}
			p.Target = "y"
			g, rows, err := p.Apply(f)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(rows, want[i]) || g.Len() != len(want[i]) {
				t.Errorf("kept rows %v (%d), pandas %s keeps %v", rows, g.Len(), tt.pandas, want[i])
			}
		})
	}
}

// Steps compose: the rows returned index the input table.
func TestPrepareRowsCompose(t *testing.T) {
	p := &Preparation{Target: "y", Steps: []Prep{
		&DropRows{Column: "a", In: []any{2.0}},
		&DropDuplicateRows{},
		&DropColumnsPrep{Names: []string{"c"}},
		&AsType{Types: map[string]string{"a": "category"}},
	}}
	g, rows, err := p.Apply(read(t, prepTable))
	if err != nil {
		t.Fatal(err)
	}
	if want := []int{0, 4, 5, 7, 9, 10, 11}; !reflect.DeepEqual(rows, want) {
		t.Errorf("rows %v, want %v", rows, want)
	}
	if g.Has("c") {
		t.Error("c not dropped")
	}
	if c, _ := g.Column("a"); c.Kind() != frame.Categorical || c.String(1) != "1" {
		t.Errorf("a: %v %q, want categorical \"1\"", c.Kind(), c.String(1))
	}
}

func TestPrepareErrors(t *testing.T) {
	f := read(t, prepTable)
	tests := []struct {
		spec map[string]any
		is   error
		msg  string
	}{
		{map[string]any{"step": "dedupe"}, ErrUnknownStep, `unknown step "dedupe" (have astype, drop_columns, drop_duplicates, drop_rows, dropna)`},
		{map[string]any{"step": "drop_duplicates", "keep": "middle"}, ErrBadOption, "keep: middle (want first, last or false, as pandas)"},
		{map[string]any{"step": "drop_duplicates", "keep": true}, ErrBadOption, "keep: true"},
		{map[string]any{"step": "drop_duplicates", "subset": []any{"a"}, "exclude_target": true}, ErrBadOption, "subset or exclude_target"},
		{map[string]any{"step": "dropna", "how": "some"}, ErrBadOption, `how "some"`},
		{map[string]any{"step": "drop_rows", "column": "a"}, ErrBadOption, "give equals (one value) or in (a list)"},
		{map[string]any{"step": "drop_rows", "column": "a", "equals": 1.0, "in": []any{2.0}}, ErrBadOption, "one of them"},
		{map[string]any{"step": "drop_columns", "columns": []any{"y"}}, ErrTarget, `column "y"`},
		{map[string]any{"step": "drop_columns", "columns": []any{"zz"}}, frame.ErrNoColumn, `column "zz"`},
		{map[string]any{"step": "astype", "columns": map[string]any{"a": "decimal"}}, ErrBadOption, `dtype "decimal"`},
		{map[string]any{"step": "astype", "columns": map[string]any{"b": "float"}}, nil, `column "b": row 0: "x" is not a number`},
		{map[string]any{"step": "dropna", "columns": []any{"a"}}, ErrUnknownOption, "(dropna takes: subset, how)"},
	}
	for _, tt := range tests {
		spec, err := SpecOf(tt.spec)
		if err != nil {
			t.Fatal(err)
		}
		p, err := PrepareFromSpec([]StepSpec{spec})
		if err == nil {
			p.Target = "y"
			_, _, err = p.Apply(f)
		}
		var se *StepError
		if err == nil || !errors.As(err, &se) || (tt.is != nil && !errors.Is(err, tt.is)) || !strings.Contains(err.Error(), tt.msg) {
			t.Errorf("%v: err = %v, want %v saying %q", tt.spec, err, tt.is, tt.msg)
		}
	}
}

// A row error names the data file's line once SetLines knows it, through
// the rows a frame was taken from.
func TestSetLines(t *testing.T) {
	p := New(&Encode{Columns: []string{"c"}, Unknown: UnknownError})
	if _, err := p.FitTransform(read(t, "c\nu\nv\n")); err != nil {
		t.Fatal(err)
	}
	_, err := p.Transform(read(t, "c\nu\nw\n"))
	if !errors.Is(err, ErrUnknownCategory) || !strings.Contains(err.Error(), "row 1:") {
		t.Fatalf("err = %v", err)
	}
	rows, lines := []int{5, 9}, []int{2, 3, 4, 5, 6, 7, 8, 9, 10, 11}
	if !SetLines(err, rows, lines) {
		t.Fatal("SetLines found no row")
	}
	if want := `clean: step 0 (encode): column "c": data line 11: unknown category "w"`; !strings.Contains(err.Error(), want) {
		t.Errorf("err = %v, want %q", err, want)
	}
}
