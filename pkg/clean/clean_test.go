package clean

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/mlstack/mlstack/pkg/frame"
	"github.com/mlstack/mlstack/pkg/internal/sampletest"
)

func read(t testing.TB, s string) *frame.Frame {
	t.Helper()
	f, err := frame.ReadCSV(context.Background(), strings.NewReader(s), &frame.ReadOptions{Name: "test.csv"})
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func sample(t testing.TB, name string) *frame.Frame { return sampletest.Frame(t, name) }

// dump renders a frame as "name:kind=v1|v2|…" per column, NaN for missing.
func dump(f *frame.Frame) string {
	var b strings.Builder
	for _, c := range f.Columns() {
		fmt.Fprintf(&b, "%s:%v=", c.Name(), c.Kind())
		for i := range c.Len() {
			if i > 0 {
				b.WriteString("|")
			}
			if c.IsNA(i) {
				b.WriteString("NaN")
			} else if c.Kind() == frame.Numeric {
				fmt.Fprintf(&b, "%.6g", c.Float(i))
			} else {
				b.WriteString(c.String(i))
			}
		}
		b.WriteString("\n")
	}
	return b.String()
}

// same reports whether two frames are identical, bit for bit.
func same(a, b *frame.Frame) error {
	if fmt.Sprint(a.Names()) != fmt.Sprint(b.Names()) || a.Len() != b.Len() {
		return fmt.Errorf("shape: %v %d vs %v %d", a.Names(), a.Len(), b.Names(), b.Len())
	}
	for j, ca := range a.Columns() {
		cb := b.ColumnAt(j)
		if ca.Kind() != cb.Kind() {
			return fmt.Errorf("%s: kind %v vs %v", ca.Name(), ca.Kind(), cb.Kind())
		}
		for i := range ca.Len() {
			if ca.IsNA(i) != cb.IsNA(i) || ca.String(i) != cb.String(i) ||
				ca.Kind() != frame.Categorical && math.Float64bits(ca.Float(i)) != math.Float64bits(cb.Float(i)) && !ca.IsNA(i) {
				return fmt.Errorf("%s[%d]: %q vs %q", ca.Name(), i, ca.String(i), cb.String(i))
			}
		}
	}
	return nil
}

const toy = `x,z,c,b,y
1,0,u,Yes,1
2,5,v,No,0
NA,0,u,Yes,1
4,7,,No,0
10,9,u,,1
1,0,u,Yes,1
`

func TestSteps(t *testing.T) {
	tests := []struct {
		step Step
		want string // dump of FitTransform(toy)
	}{
		{&DropDuplicates{}, "x:numeric=1|2|NaN|4|10\nz:numeric=0|5|0|7|9\nc:categorical=u|v|u|NaN|u\nb:boolean=Yes|No|Yes|No|NaN\ny:numeric=1|0|1|0|1\n"},
		{&DropColumns{Columns: []string{"z", "c"}}, "x:numeric=1|2|NaN|4|10|1\nb:boolean=Yes|No|Yes|No|NaN|Yes\ny:numeric=1|0|1|0|1|1\n"},
		{&ZeroAsMissing{Columns: []string{"z"}}, "z:numeric=NaN|5|NaN|7|9|NaN\n"},
		// mean of 1,2,4,10,1 = 3.6; median 2.
		{&Impute{}, "x:numeric=1|2|3.6|4|10|1\n"}, // z has nothing to fill
		{&Impute{Strategy: Median, Columns: []string{"x"}}, "x:numeric=1|2|2|4|10|1\n"},
		{&Impute{Strategy: MostFrequent, Columns: []string{"x", "c", "b"}}, "x:numeric=1|2|1|4|10|1\nc:categorical=u|v|u|u|u|u\nb:boolean=Yes|No|Yes|No|Yes|Yes\n"},
		{&Impute{Strategy: Constant, FillValue: "-1"}, "x:numeric=1|2|-1|4|10|1\n"},
		{&Impute{Strategy: Constant, FillValue: "missing"}, "c:categorical=u|v|u|missing|u|u\n"},
		{&Impute{Strategy: Constant, FillValue: "No", Columns: []string{"b"}}, "b:boolean=Yes|No|Yes|No|No|Yes\n"},
		{&Encode{}, "c_u:boolean=true|false|true|NaN|true|true\nc_v:boolean=false|true|false|NaN|false|false\n"},
		{&Encode{Method: Ordinal, Columns: []string{"c", "b"}}, "c:numeric=0|1|0|NaN|0|0\nb:numeric=1|0|1|0|NaN|1\n"},
		{&Encode{Columns: []string{"b"}}, "b_No:boolean=false|true|false|true|NaN|false\nb_Yes:boolean=true|false|true|false|NaN|true\n"},
		// x: Q1 = 1, Q3 = 4, IQR 3; k=1.5 → [-3.5, 8.5]; k=0.5 → [-0.5, 5.5].
		{&Clip{Columns: []string{"x"}}, "x:numeric=1|2|NaN|4|8.5|1\n"},
		{&Clip{Columns: []string{"x"}, Factor: 0.5}, "x:numeric=1|2|NaN|4|5.5|1\n"},
		// x: mean 3.6, population sd sqrt((2.6²+1.6²+0.4²+6.4²+2.6²)/5) = sqrt(11.44);
		// (1-3.6)/sqrt(11.44) = -0.768706.
		{&Standardize{Columns: []string{"x"}}, "x:numeric=-0.768706|-0.47305|NaN|0.118262|1.8922|-0.768706\n"},
		{&Standardize{Columns: []string{"b"}}, "error"},
	}
	for i, tt := range tests {
		f := read(t, toy)
		p := New(tt.step)
		p.Target = "y"
		g, err := p.FitTransform(f)
		if tt.want == "error" {
			if err == nil {
				t.Errorf("case %d (%s): no error", i, tt.step.Name())
			}
			continue
		}
		if err != nil {
			t.Errorf("case %d (%s): %v", i, tt.step.Name(), err)
			continue
		}
		// Only report the columns the step changed or added.
		var changed []string
		for _, c := range g.Columns() {
			old, err := f.Column(c.Name())
			if err != nil || dump(mustSelect(t, f, old.Name())) != dump(mustSelect(t, g, c.Name())) {
				changed = append(changed, c.Name())
			}
		}
		got := dump(mustSelect(t, g, changed...))
		if len(g.Names()) < len(f.Names()) || g.Len() < f.Len() {
			got = dump(g)
		}
		if got != tt.want {
			t.Errorf("case %d (%s %+v):\ngot\n%swant\n%s", i, tt.step.Name(), tt.step, got, tt.want)
		}
	}
}

func mustSelect(t *testing.T, f *frame.Frame, names ...string) *frame.Frame {
	t.Helper()
	g, err := f.Select(names...)
	if err != nil {
		t.Fatal(err)
	}
	return g
}

// TestNoLeakage checks that Transform uses statistics of the fit data
// only and never drops rows.
func TestNoLeakage(t *testing.T) {
	train := read(t, "x,c\n1,a\n3,b\n3,b\n")
	test := read(t, "x,c\nNA,a\n100,b\n100,b\n")
	p := New(&DropDuplicates{}, &Impute{Columns: []string{"x"}}, &Standardize{Columns: []string{"x"}})
	if _, err := p.Transform(test); !errors.Is(err, ErrNotFitted) {
		t.Errorf("Transform before fit: %v, want ErrNotFitted", err)
	}
	g, err := p.FitTransform(train)
	if err != nil {
		t.Fatal(err)
	}
	if g.Len() != 2 {
		t.Errorf("FitTransform kept %d rows, want 2 (duplicate dropped)", g.Len())
	}
	h, err := p.Transform(test)
	if err != nil {
		t.Fatal(err)
	}
	// Train after dedup: x = 1, 3: mean 2, sd 1. Test NA → 2 → z 0; 100 → 98.
	if got := dump(h); got != "x:numeric=0|98|98\nc:categorical=a|b|b\n" {
		t.Errorf("Transform(test) =\n%s", got)
	}
}

func TestTransformErrors(t *testing.T) {
	f := read(t, toy)
	tests := []struct {
		steps []Step
		test  string
		is    error
		msg   string
	}{
		{[]Step{&Encode{Unknown: UnknownError}}, "x,z,c,b,y\n1,1,w,Yes,1\n", ErrUnknownCategory, `clean: step 0 (encode): column "c": row 0: unknown category "w"`},
		{[]Step{&Impute{Columns: []string{"x"}}}, "z\n1\n", frame.ErrNoColumn, `column "x": no such column (have "z")`},
		{[]Step{&Standardize{Columns: []string{"x"}}}, "x\nabc\n", ErrKind, `column "x": wrong column kind: categorical, want numeric`},
		{[]Step{&Encode{Columns: []string{"b"}}}, "b\nmaybe\n", ErrKind, `column "b": wrong column kind: categorical, want boolean`},
	}
	for i, tt := range tests {
		p := New(tt.steps...)
		if _, err := p.FitTransform(f); err != nil {
			t.Fatalf("case %d: fit: %v", i, err)
		}
		_, err := p.Transform(read(t, tt.test))
		var se *StepError
		if !errors.Is(err, tt.is) || !errors.As(err, &se) || !strings.Contains(err.Error(), tt.msg) {
			t.Errorf("case %d: err = %v, want %v containing %q", i, err, tt.is, tt.msg)
		}
	}

	// Unknown categories ignored: all-zero one-hot, NaN ordinal.
	for _, tt := range []struct {
		method Method
		want   string
	}{{OneHot, "c_u:boolean=false\nc_v:boolean=false\n"}, {Ordinal, "c:numeric=NaN\n"}} {
		p := New(&Encode{Method: tt.method, Columns: []string{"c"}}) // ignore is the default
		if _, err := p.FitTransform(f); err != nil {
			t.Fatal(err)
		}
		g, err := p.Transform(read(t, "c\nw\n"))
		if err != nil || dump(g) != tt.want {
			t.Errorf("%s unknown ignored: %v\n%s", tt.method, err, dump(g))
		}
	}
}

func TestFitErrors(t *testing.T) {
	f := read(t, "x,c,e,y\n1,a,NA,0\n2,b,NA,1\n")
	tests := []struct {
		step Step
		is   error
		msg  string
	}{
		{&Impute{Strategy: "avg"}, ErrBadOption, `strategy "avg"`},
		{&Impute{Strategy: Constant}, ErrBadOption, "needs fill_value"},
		{&Impute{FillValue: "1"}, ErrBadOption, "only for strategy constant"},
		{&Impute{Strategy: Mean, Columns: []string{"c"}}, ErrKind, "strategy mean needs numeric"},
		{&Impute{Columns: []string{"e"}}, ErrNoValues, `column "e": no values to fit`},
		{&Impute{Strategy: Constant, FillValue: "x", Columns: []string{"x"}}, ErrBadOption, `fill_value "x" is not a number`},
		{&Impute{Columns: []string{"y"}}, ErrTarget, `column "y": step would transform the target`},
		{&ZeroAsMissing{}, ErrBadOption, "columns: empty"},
		{&ZeroAsMissing{Columns: []string{"c"}}, ErrKind, "wrong column kind"},
		{&DropColumns{Columns: []string{"nope"}}, frame.ErrNoColumn, `(have "x", "c", "e", "y")`},
		{&Encode{Method: "hash"}, ErrBadOption, `method "hash"`},
		{&Encode{Unknown: "skip"}, ErrBadOption, `unknown "skip"`},
		{&Encode{Columns: []string{"x"}}, ErrKind, "numeric, want categorical or boolean"},
		{&Clip{Factor: -1}, ErrBadOption, "factor -1"},
		{&Clip{Columns: []string{"e"}}, ErrNoValues, "no values"},
		{&Standardize{Columns: []string{"e"}}, ErrNoValues, "no values"},
		{&Impute{Strategy: Constant, FillValue: "NaN", Columns: []string{"x"}}, ErrBadOption, `fill_value "NaN" is not a finite number`},
		{&Impute{Strategy: Constant, FillValue: "-Inf", Columns: []string{"x"}}, ErrBadOption, `fill_value "-Inf" is not a finite number`},
		{&Impute{Strategy: Constant, FillValue: "0x1p-2", Columns: []string{"x"}}, ErrBadOption, `fill_value "0x1p-2" is not a number`},
		{&Standardize{Columns: []string{"x", "x"}}, ErrBadOption, `columns: "x" is listed twice`},
		{&Encode{Columns: []string{"c", "c"}}, ErrBadOption, `columns: "c" is listed twice`},
	}
	for i, tt := range tests {
		p := New(tt.step)
		p.Target = "y"
		_, err := p.FitTransform(f)
		if !errors.Is(err, tt.is) || !strings.Contains(err.Error(), tt.msg) {
			t.Errorf("case %d (%s): err = %v, want %v containing %q", i, tt.step.Name(), err, tt.is, tt.msg)
		}
		if p.Fitted() {
			t.Errorf("case %d: pipeline fitted after error", i)
		}
	}
	// A one-hot name that collides with an existing column.
	g := read(t, "c,c_a\na,1\n")
	if _, err := New(&Encode{}).FitTransform(g); !errors.Is(err, frame.ErrDuplicateColumn) {
		t.Errorf("colliding one-hot name: %v", err)
	}
	// Infinite statistics cannot be serialised.
	h := read(t, "x\n1e308\n1e308\n")
	if _, err := New(&Impute{}).FitTransform(h); err == nil || !strings.Contains(err.Error(), "non-finite") {
		t.Errorf("infinite mean: %v", err)
	}
	if !panicked(func() { New(nil) }) {
		t.Error("New(nil) did not panic")
	}
}

func panicked(fn func()) (b bool) {
	defer func() { b = recover() != nil }()
	fn()
	return false
}

func telcoPipeline() *Pipeline {
	p := New(
		&DropDuplicates{},
		&DropColumns{Columns: []string{"female"}},
		&ZeroAsMissing{Columns: []string{"tenure"}},
		&Impute{Strategy: Median},
		&Impute{Strategy: MostFrequent, Columns: []string{"contract"}},
		&Encode{Columns: []string{"contract", "payment_method"}, Unknown: UnknownIgnore},
		&Encode{Method: Ordinal, Unknown: UnknownIgnore},
		&Clip{Columns: []string{"monthly_charges", "total_charges"}},
		&Standardize{},
	)
	p.Target = "churn"
	return p
}

func TestJSONRoundTrip(t *testing.T) {
	f := sample(t, "telco_churn")
	train := f.Filter(func(r frame.Row) bool { return r.Index()%3 != 0 })
	test := f.Filter(func(r frame.Row) bool { return r.Index()%3 == 0 })
	test, _ = test.Drop("churn") // scoring data has no label
	p := telcoPipeline()
	if _, err := p.FitTransform(train); err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(p)
	if err != nil {
		t.Fatal(err)
	}
	var q Pipeline
	if err := json.Unmarshal(b, &q); err != nil {
		t.Fatalf("Unmarshal: %v\n%s", err, b)
	}
	b2, _ := json.Marshal(&q)
	if string(b) != string(b2) {
		t.Errorf("JSON not stable:\n%s\n%s", b, b2)
	}
	want, err := p.Transform(test)
	if err != nil {
		t.Fatal(err)
	}
	got, err := q.Transform(test)
	if err != nil {
		t.Fatal(err)
	}
	if err := same(want, got); err != nil {
		t.Errorf("loaded pipeline differs: %v", err)
	}
	if want.Len() != test.Len() {
		t.Errorf("Transform changed rows: %d → %d", test.Len(), want.Len())
	}
	X, _, err := want.Matrix(nil)
	if err != nil {
		t.Fatalf("cleaned telco does not export: %v", err)
	}
	if r, c := X.Dims(); r != test.Len() || c != len(want.Names()) {
		t.Errorf("X %dx%d", r, c)
	}

	// An unfitted pipeline round-trips as unfitted.
	var u Pipeline
	b, _ = json.Marshal(telcoPipeline())
	if err := json.Unmarshal(b, &u); err != nil || u.Fitted() || len(u.Steps) != 9 || u.Target != "churn" {
		t.Errorf("unfitted round trip: %v fitted=%v steps=%d", err, u.Fitted(), len(u.Steps))
	}

	bad := []struct{ in, msg string }{
		{`{"version":2,"fitted":false,"steps":[]}`, "version 2"},
		{`{"version":1,"fitted":false,"steps":[{"step":"scale"}]}`, `unknown step "scale"`},
		{`{"version":1,"fitted":false,"steps":[{"step":"clip","factr":1}]}`, `unknown field "factr"`},
		{`{"version":1,"fitted":true,"steps":[{"step":"standardize"}]}`, "no fitted state"},
		{`{"version":1,"fitted":false,"steps":[{"strategy":"mean"}]}`, `missing "step"`},
		{`{"version":1,"fitted":false,"steps":[{"step":"impute","strategy":"mode"}]}`, `strategy "mode"`},
	}
	// Fitted statistics no fit gives: NaN smuggled in as text, repeated or
	// unsorted levels, a column twice, an inverted clip, a zero scale.
	step := func(body string) string { return `{"version":1,"fitted":true,"steps":[` + body + `]}` }
	for _, tt := range []struct{ body, msg string }{
		{`{"step":"impute","fitted":{"fills":[{"column":"a","kind":"numeric","value":"NaN"}]}}`, `column "a": invalid option: fill_value "NaN" is not a finite number`},
		{`{"step":"impute","fitted":{"fills":[{"column":"a","kind":"numeric","value":"+Inf"}]}}`, `fill_value "+Inf" is not a finite number`},
		{`{"step":"impute","fitted":{"fills":[{"column":"a","kind":"numeric","value":"1e999"}]}}`, `fill_value "1e999" is not a number`},
		{`{"step":"impute","fitted":{"fills":[{"column":"a","kind":"numeric","value":"0X10"}]}}`, `fill_value "0X10" is not a number`},
		{`{"step":"impute","fitted":{"fills":[{"column":"a","value":"1"}]}}`, `column "a": wrong column kind: Kind(0)`},
		{`{"step":"impute","fitted":{"fills":[{"column":"a","kind":"numeric","value":"1"},{"column":"a","kind":"numeric","value":"2"}]}}`, `column "a": listed twice`},
		{`{"step":"impute","fitted":{"fills":[{"column":"","kind":"numeric","value":"1"}]}}`, `column 0 has no name`},
		{`{"step":"encode","fitted":{"columns":[{"column":"c","kind":"categorical","levels":[]}]}}`, `column "c": no values to fit`},
		{`{"step":"encode","fitted":{"columns":[{"column":"c","kind":"categorical","levels":["b","a"]}]}}`, `levels "b" and "a" are not sorted and distinct`},
		{`{"step":"encode","fitted":{"columns":[{"column":"c","kind":"categorical","levels":["a","a"]}]}}`, `levels "a" and "a"`},
		{`{"step":"encode","fitted":{"columns":[{"column":"c","kind":"numeric","levels":["a"]}]}}`, `numeric, want categorical or boolean`},
		{`{"step":"clip","fitted":{"bounds":[{"column":"x","lower":2,"upper":1}]}}`, `lower bound 2 above the upper bound 1`},
		{`{"step":"standardize","fitted":{"scales":[{"column":"x","mean":0,"scale":0}]}}`, `scale 0 is not positive`},
		{`{"step":"standardize","fitted":{"scales":[{"column":"x","mean":0,"scale":-1}]}}`, `scale -1 is not positive`},
	} {
		var p Pipeline
		err := json.Unmarshal([]byte(step(tt.body)), &p)
		var se *StepError
		if !errors.Is(err, ErrBadState) || !errors.As(err, &se) || se.Index != 0 || !strings.Contains(err.Error(), tt.msg) {
			t.Errorf("%s: err = %v, want a *StepError wrapping ErrBadState saying %q", tt.body, err, tt.msg)
		}
	}
	for i, tt := range bad {
		var p Pipeline
		if err := json.Unmarshal([]byte(tt.in), &p); err == nil || !strings.Contains(err.Error(), tt.msg) {
			t.Errorf("bad JSON %d: err = %v, want %q", i, err, tt.msg)
		}
	}
}

func TestFromSpec(t *testing.T) {
	const cfg = `[
		{"step": "drop_duplicates"},
		{"step": "zero_as_missing", "columns": ["Glucose", "BMI"]},
		{"step": "impute", "strategy": "median"},
		{"step": "impute", "strategy": "constant", "fill_value": 0, "columns": ["Insulin"]},
		{"step": "clip", "factor": 3},
		{"step": "standardize", "columns": ["Age"]}
	]`
	var specs []StepSpec
	if err := json.Unmarshal([]byte(cfg), &specs); err != nil {
		t.Fatal(err)
	}
	p, err := FromSpec(specs)
	if err != nil {
		t.Fatal(err)
	}
	want := New(
		&DropDuplicates{},
		&ZeroAsMissing{Columns: []string{"Glucose", "BMI"}},
		&Impute{Strategy: Median},
		&Impute{Strategy: Constant, FillValue: "0", Columns: []string{"Insulin"}},
		&Clip{Factor: 3},
		&Standardize{Columns: []string{"Age"}},
	)
	gb, _ := json.Marshal(p)
	wb, _ := json.Marshal(want)
	if string(gb) != string(wb) {
		t.Errorf("FromSpec =\n%s\nwant\n%s", gb, wb)
	}
	// The flat JSON form round-trips.
	b, _ := json.Marshal(specs[3])
	if string(b) != `{"columns":["Insulin"],"fill_value":0,"step":"impute","strategy":"constant"}` {
		t.Errorf("StepSpec JSON = %s", b)
	}
	// Options from a YAML decoder: ints and []any.
	sp, err := SpecOf(map[string]any{"step": "clip", "factor": 2, "columns": []any{"BMI"}})
	if err != nil {
		t.Fatal(err)
	}
	if p, err := FromSpec([]StepSpec{sp}); err != nil || p.Steps[0].(*Clip).Factor != 2 {
		t.Errorf("FromSpec(YAML-like) = %v", err)
	}

	tests := []struct {
		spec StepSpec
		is   error
		msg  string
	}{
		{StepSpec{Step: "scale"}, ErrUnknownStep, `clean: step 0 (scale): unknown step "scale" (have clip, drop_columns, drop_duplicates, encode, impute, standardize, zero_as_missing)`},
		{StepSpec{Step: "impute", Options: map[string]any{"stratgy": "mean"}}, ErrUnknownOption, `unknown option "stratgy" (impute takes: strategy, columns, fill_value)`},
		{StepSpec{Step: "drop_duplicates", Options: map[string]any{"columns": []any{"a"}}}, ErrUnknownOption, "drop_duplicates takes: none"},
		{StepSpec{Step: "impute", Options: map[string]any{"fitted": map[string]any{}}}, ErrUnknownOption, `"fitted"`},
		{StepSpec{Step: "impute", Options: map[string]any{"strategy": "avg"}}, ErrBadOption, `strategy "avg"`},
		{StepSpec{Step: "impute", Options: map[string]any{"columns": "BMI"}}, ErrBadOption, "columns: BMI is string, want a list of column names"},
		{StepSpec{Step: "clip", Options: map[string]any{"factor": "big"}}, ErrBadOption, "want a number"},
		{StepSpec{Step: "encode", Options: map[string]any{"unknown": "skip"}}, ErrBadOption, `unknown "skip"`},
		{StepSpec{Step: "zero_as_missing"}, ErrBadOption, "columns: empty"},
	}
	for i, tt := range tests {
		_, err := FromSpec([]StepSpec{tt.spec})
		if !errors.Is(err, tt.is) || !strings.Contains(err.Error(), tt.msg) {
			t.Errorf("case %d: err = %v, want %v containing %q", i, err, tt.is, tt.msg)
		}
	}
	if _, err := SpecOf(map[string]any{"strategy": "mean"}); err == nil {
		t.Error("SpecOf without step succeeded")
	}
}

func TestDropDuplicatesKeys(t *testing.T) {
	tests := []struct {
		in   string
		want int // rows kept
	}{
		{"a,b\n-0,x\n0,x\n", 1},        // -0 equals 0, as in pandas
		{"a,b\nab,c\na,bc\n", 2},       // values are not concatenated ambiguously
		{"a,b\nNA,x\nNA,x\n1,x\n", 2},  // missing equals missing
		{"a,b\nNA,x\n,x\nnull,x\n", 1}, // whatever the missing token
	}
	for i, tt := range tests {
		g, err := New(&DropDuplicates{}).FitTransform(read(t, tt.in))
		if err != nil || g.Len() != tt.want {
			t.Errorf("case %d: %q kept %v rows (%v), want %d", i, tt.in, g.Len(), err, tt.want)
		}
	}
}
