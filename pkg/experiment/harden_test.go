package experiment

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/mlstack/mlstack/pkg/frame"
)

// bomb is a "billion laughs" mapping at indent: nine aliases of nine
// aliases ..., about 450 bytes that expand to 9^9 values.
func bomb(indent string) string {
	s := indent + "a: &a [x,x,x,x,x,x,x,x,x]\n"
	prev := "a"
	for _, n := range []string{"b", "c", "d", "e", "f", "g", "h", "i"} {
		s += indent + n + ": &" + n + " [" + strings.Repeat("*"+prev+",", 8) + "*" + prev + "]\n"
		prev = n
	}
	return s
}

// The config probes of issue 16: each is a *ConfigError (exit 2) naming
// file:line and the key, where it used to recurse for ever, grow past
// gigabytes, or panic later.
func TestParseHostile(t *testing.T) {
	nested := "a: &a0 [x]\n"
	for i := 1; i <= 12; i++ {
		nested = strings.Replace(nested, "[x]", "[x]\n", 1)
	}
	tests := []struct {
		name, src string
		set       []string
		want      string
	}{
		{"recursive alias in params", base + "  params: &p {self: *p}\n", nil, "t.yaml:8:21: model.params.self: alias *p is inside its own anchor &p (line 8): a cycle"},
		{"recursive alias in a list", base + "clean: &c [*c]\n", nil, "t.yaml:8:12: clean[0]: alias *c is inside its own anchor &c (line 8): a cycle"},
		{"recursive alias in sampling_strategy", base + "resample: {method: smote, sampling_strategy: &s {x: [*s]}}\n", nil, "resample.sampling_strategy.x[0]: alias *s is inside its own anchor &s"},
		{"alias bomb in model.params", base + "  params:\n" + bomb("    "), nil, "model.params.f[0]: alias *e expands the config past 100000 values"},
		{"alias bomb in clean", base + "clean:\n  - step: impute\n" + bomb("    "), nil, "clean[0].f[0]: alias *e expands the config past 100000 values"},
		{"alias bomb in sampling_strategy", base + "resample:\n  method: smote\n  sampling_strategy:\n" + bomb("    "), nil, "resample.sampling_strategy.f[0]: alias *e expands the config past 100000 values"},
		{"learning_rate 1e39", base + "  params: {learning_rate: 1e39}\n", nil, "t.yaml:8:27: model.params.learning_rate: must be in (0, 1000]"},
		{"learning_rate 1e39 by --set", base, []string{"model.params.learning_rate=1e39"}, "--set: model.params.learning_rate: must be in (0, 1000]"},
		{"scale_pos_weight 1e39", base + "  params: {scale_pos_weight: 1e39}\n", nil, "model.params.scale_pos_weight: must be in (0, 1e+06]"},
		{"n_estimators 1e9", base + "  params: {n_estimators: 1000000000}\n", nil, "t.yaml:8:26: model.params.n_estimators: 1e+09 rounds is more than 1000000: each round keeps a tree in memory; pass --allow-large"},
		{"n_estimators 1e9 float", base, []string{"model.params.n_estimators=1e9"}, "model.params.n_estimators: 1e+09 rounds is more than 1000000"},
		{"num_class 1e9", base + "  params: {objective: 'multi:softprob', num_class: 1000000000}\n", nil, "model.params.num_class: at most 10000 classes"},
		{"base_score NaN", base + "  params: {base_score: .nan}\n", nil, "model.params.base_score: must be finite"},
		{"base_score Inf", base + "  params: {base_score: .inf}\n", nil, "model.params.base_score: must be finite"},
		{"too big", base + "# " + strings.Repeat("x", MaxConfigBytes) + "\n", nil, "bytes: a config is at most 1048576 bytes"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse("t.yaml", []byte(tt.src), tt.set)
			if !errors.Is(err, ErrConfig) || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v\nwant a config error containing %q", err, tt.want)
			}
		})
	}
	// --allow-large lifts the n_estimators bound (and nothing else).
	if _, err := parse("t.yaml", []byte(base+"  params: {n_estimators: 2000000}\n"), nil, true); err != nil {
		t.Errorf("allowLarge: %v", err)
	}
}

// Aliases within the limits still work.
func TestParseAliases(t *testing.T) {
	src := base + "  params: &p {max_depth: 3, learning_rate: 0.1}\nmetrics:\n  names: &n [roc_auc, f1]\ntracking:\n  tags: {a: &v hello, b: *v}\n"
	p, err := Parse("t.yaml", []byte(src), nil)
	if err != nil {
		t.Fatal(err)
	}
	if p.Config.Tracking.Tags["b"] != "hello" || p.Config.Model.Params["max_depth"] != 3 {
		t.Errorf("aliases not expanded: %+v %+v", p.Config.Tracking.Tags, p.Config.Model.Params)
	}
}

func TestLoadFileNotRegular(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "fifo.yaml")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	big := filepath.Join(dir, "big.yaml")
	if err := os.WriteFile(big, []byte(base+"#"+strings.Repeat("x", MaxConfigBytes)), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct{ path, want string }{
		{fifo, fifo + ": not a config file: it is a named pipe; give the path of a YAML file"},
		{"/dev/zero", "/dev/zero: not a config file: it is a character device"},
		{dir, dir + ": not a config file: it is a directory"},
		{big, big + ": 1048679 bytes: a config is at most 1048576 bytes"},
		{filepath.Join(dir, "none.yaml"), "none.yaml: cannot read config: no such file or directory"},
	}
	for _, tt := range tests {
		_, err := LoadFile(tt.path, nil) // must not block on the FIFO
		if !errors.Is(err, ErrConfig) || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("LoadFile(%s): err = %v\nwant %q", tt.path, err, tt.want)
		}
	}
	if _, err := LoadData(context.Background(), DataConfig{Source: fifo}); err == nil || !strings.Contains(err.Error(), "is a named pipe, not a regular file: give the path of a CSV file") {
		t.Errorf("data source FIFO: %v", err)
	}
	if _, err := LoadData(context.Background(), DataConfig{Source: "file:///dev/zero"}); err == nil || !strings.Contains(err.Error(), "a character device") {
		t.Errorf("data source /dev/zero: %v", err)
	}
}

// Labels become classes only as XGBClassifier takes them: text labels
// mapped by frame, or integers 0..K-1 with none missing, K ≤ MaxClasses.
func TestClassCount(t *testing.T) {
	many := make([]string, MaxClasses+1)
	for i := range many {
		many[i] = "c" + strings.Repeat("x", i%7)
	}
	tests := []struct {
		name    string
		classes []string
		y       []float64
		want    int
		err     string
	}{
		{"binary", nil, []float64{0, 1, 1, 0}, 2, ""},
		{"one class", nil, []float64{0, 0}, 2, ""},
		{"three", nil, []float64{2, 0, 1}, 3, ""},
		{"text", []string{"a", "b", "c"}, []float64{0, 1, 2}, 3, ""},
		{"minus one", nil, []float64{-1, 1, -1}, 0, `column "y" holds the label -1: classification needs class ids 0..K-1`},
		{"half", nil, []float64{0, 0.5, 1}, 0, `column "y" holds the label 0.5`},
		{"billion", nil, []float64{0, 1e9}, 0, `column "y" holds the label 1e+09: more than 10000 classes`},
		{"gap", nil, []float64{0, 2, 5}, 0, "holds the labels 0, 2, 5…: class ids must be 0..5 with none missing, like XGBClassifier (no label is 1)"},
		{"from one", nil, []float64{1, 2}, 0, "(no label is 0)"},
		{"too many text classes", many, []float64{0}, 0, `column "y" has 10001 distinct values, more than 10000 classes`},
		{"no rows", nil, nil, 0, `column "y" has no rows`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			k, err := classCount(&frame.Target{Name: "y", Classes: tt.classes}, tt.y)
			if tt.err == "" {
				if err != nil || k != tt.want {
					t.Errorf("classCount = %d, %v; want %d", k, err, tt.want)
				}
				return
			}
			var fe *FieldError
			if !errors.As(err, &fe) || fe.Path != "data.target" || !strings.Contains(fe.Msg, tt.err) {
				t.Errorf("err = %v, want a FieldError at data.target saying %q", err, tt.err)
			}
		})
	}
}

func TestCheckSampling(t *testing.T) {
	tests := []struct {
		name     string
		strategy any
		classes  []string
		path     string
		err      string
	}{
		{"fine", map[string]any{"0": 500, "1": 500}, nil, "", ""},
		{"a billion each", map[string]any{"0": 1000000000, "1": 1000000000}, nil, "resample.sampling_strategy.0", "1000000000 rows asked, more than 100× the 768 rows of the data"},
		{"just over", map[string]any{"1": 76801}, nil, "resample.sampling_strategy.1", "76801 rows asked"},
		{"unknown numeric class", map[string]any{"7": 10}, nil, "resample.sampling_strategy.7", `"7" is not a class of y (classes: 0, 1)`},
		{"unknown text class", map[string]any{"maybe": 10}, []string{"no", "yes"}, "resample.sampling_strategy.maybe", `"maybe" is not a class of y (classes: no, yes)`},
		{"ratio", 0.5, nil, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := DefaultConfig()
			c.Resample.Method, c.Resample.SamplingStrategy = "smote", tt.strategy
			err := checkSampling(&c, &frame.Target{Name: "y", Classes: tt.classes}, 2, 768)
			if tt.err == "" {
				if err != nil {
					t.Errorf("err = %v", err)
				}
				return
			}
			var fe *FieldError
			if !errors.As(err, &fe) || fe.Path != tt.path || !strings.Contains(fe.Msg, tt.err) {
				t.Errorf("err = %v, want a FieldError at %s saying %q", err, tt.path, tt.err)
			}
		})
	}
}

// FuzzParse: no config, however hostile, panics the decoder, runs away
// (aliases) or passes without a valid version.
func FuzzParse(f *testing.F) {
	f.Add([]byte(base), "model.params.max_depth=3")
	f.Add([]byte(base+"  params: &p {self: *p}\n"), "")
	f.Add([]byte(base+"  params:\n"+bomb("    ")), "")
	f.Add([]byte(base+"resample: {method: smote, sampling_strategy: {'1': 10}}\nclean: [{step: impute, strategy: median}]\n"), "resample.k_neighbors=[1]")
	f.Add([]byte("version: 1\nname: &n x\ndata: {source: *n, target: *n}\nmodel: {trainer: regression, params: {n_estimators: 1e9}}\nvalidation: {method: kfold}\n"), "validation.n_splits=2")
	f.Fuzz(func(t *testing.T, src []byte, set string) {
		var sets []string
		if set != "" {
			sets = []string{set}
		}
		p, err := Parse("f.yaml", src, sets)
		if err != nil {
			if !errors.Is(err, ErrConfig) {
				t.Fatalf("error does not wrap ErrConfig: %v", err)
			}
			return
		}
		if p.Config.Version != Version {
			t.Fatalf("accepted version %d", p.Config.Version)
		}
		if _, err := p.ResolvedYAML(); err != nil {
			t.Fatalf("ResolvedYAML of an accepted config: %v", err)
		}
		if _, err := p.Params(); err != nil {
			t.Fatalf("Params of an accepted config: %v", err)
		}
	})
}
