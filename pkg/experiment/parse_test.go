package experiment_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/mlstack/mlstack/pkg/boost"
	"github.com/mlstack/mlstack/pkg/experiment"
	_ "github.com/mlstack/mlstack/pkg/experiment/classification"
	"github.com/mlstack/mlstack/pkg/experiment/config"
	_ "github.com/mlstack/mlstack/pkg/experiment/regression"
)

// Parse is config.Parse with the registered trainers and their Validate.
func Parse(name string, src []byte, set []string) (*config.Parsed, error) {
	return experiment.Parse(name, src, &config.Options{Overrides: set})
}

const (
	MaxConfigBytes = config.MaxConfigBytes
	Version        = config.Version
)

const base = `version: 1
name: t
data:
  source: sample:diabetes
  target: Outcome
model:
  trainer: classification
`

func TestParseErrors(t *testing.T) {
	tests := []struct {
		name, src string
		set       []string
		want      string // substring of the error
	}{
		{"unknown top key", base + "modle: {}\n", nil, "t.yaml:8:1: modle: unknown key (did you mean \"model\"?); the top level takes: version, name, seed,"},
		{"wrong type bool", base + "tracking: {offline: maybe}\n", nil, "t.yaml:8:21: tracking.offline: expected true or false, got \"maybe\""},
		{"list expected", base + "metrics: {names: roc_auc}\n", nil, "metrics.names: expected a list"},
		{"mapping expected", base + "resample: smote\n", nil, "t.yaml:8:11: resample: expected a mapping with keys method, k_neighbors, sampling_strategy"},
		{"duplicate key", base + "seed: 1\nseed: 2\n", nil, "t.yaml:9:1: seed: key given twice"},
		{"missing name", strings.Replace(base, "name: t\n", "", 1), nil, "name: missing"},
		{"missing source", strings.Replace(base, "  source: sample:diabetes\n", "", 1), nil, "data.source: missing"},
		{"missing target", strings.Replace(base, "  target: Outcome\n", "", 1), nil, "data.target: missing"},
		{"bad resample method", base + "resample: {method: adasyn}\n", nil, `t.yaml:8:20: resample.method: unknown method "adasyn"; expected one of none, smote, smotenc`},
		{"bad ratio", base + "resample: {method: smote, sampling_strategy: 1.5}\n", nil, "resample.sampling_strategy: a ratio must be in (0, 1], got 1.5"},
		{"n_splits too small", base + "validation: {n_splits: 1}\n", nil, "validation.n_splits: must be at least 2, got 1"},
		{"regression folds for classification", base + "validation: {method: kfold}\n", nil, "validation.method: classification needs stratified folds"},
		{"unknown metric", base + "metrics: {names: [auc]}\n", nil, "t.yaml:8:19: metrics.names[0]: unknown metric \"auc\""},
		{"confidence", base + "metrics: {confidence: 95}\n", nil, "metrics.confidence: must be in (0, 1)"},
		{"unknown param", base + "  params: {max_deep: 3}\n", nil, "t.yaml:8:12: model.params.max_deep: unknown parameter; known: "},
		{"bad value by an alias", base + "  params: {eta: 2000}\n", nil, "t.yaml:8:17: model.params.learning_rate: must be in (0, 1000]"},
		{"unknown param near an alias", base + "  params: {etta: 0.1}\n", nil, `t.yaml:8:12: model.params.etta: unknown parameter; known: `},
		{"unset env", base + "tracking: {run_name: '${MLSTACK_TEST_UNSET_VAR}'}\n", nil, "tracking.run_name: environment variable MLSTACK_TEST_UNSET_VAR is not set"},
		{"set into scalar", base, []string{"name.x=1"}, "--set: name: is not a mapping"},
		{"set bad value type", base, []string{"seed=abc"}, "--set: seed: expected a non-negative integer, got \"abc\""},
		{"clean step option", base + "clean: [{step: impute, strategy: mode}]\n", nil, "t.yaml:8:9: clean[0]: "},
		{"fold-level drop_duplicates", base + "clean:\n  - step: impute\n  - step: drop_duplicates\n", nil, "t.yaml:10:11: clean[1].step: drop_duplicates is a dataset-level step: move it to prepare: (- step: drop_duplicates)"},
		{"unknown prepare step", base + "prepare:\n  - step: dedupe\n", nil, `t.yaml:9:5: prepare[0]: unknown step "dedupe" (have astype, drop_columns, drop_duplicates, drop_rows, dropna)`},
		{"prepare step option", base + "prepare: [{step: drop_duplicates, keep: middle}]\n", nil, "t.yaml:8:11: prepare[0]: invalid option: keep: middle (want first, last or false, as pandas)"},
		{"prepare without step", base + "prepare: [{subset: [a]}]\n", nil, "t.yaml:8:11: prepare[0]: missing step: give `- step: NAME`, one of astype, "},
		{"did you mean a parameter", base + "  params: {n_estimator: 3}\n", nil, `(did you mean "n_estimators"?)`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse("t.yaml", []byte(tt.src), tt.set)
			if err == nil {
				t.Fatalf("Parse gave no error, want %q", tt.want)
			}
			if !errors.Is(err, config.ErrConfig) {
				t.Errorf("error %v does not wrap ErrConfig", err)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error\n  %v\nwant it to contain\n  %s", err, tt.want)
			}
		})
	}
}

func TestParseDefaultsAndOverrides(t *testing.T) {
	p, err := Parse("t.yaml", []byte(base), []string{"model.params.max_depth=3", "validation.n_repeats=2", "metrics.names=[roc_auc, f1]"})
	if err != nil {
		t.Fatal(err)
	}
	c := p.Config
	var bp boost.Params
	if err := c.Model.Params.Decode(&bp); err != nil || bp.MaxDepth != 3 {
		t.Errorf("max_depth = %#v (%v), want 3", bp.MaxDepth, err)
	}
	if c.Validation.Repeats() != 2 || c.Validation.NSplits != 5 || c.Seed != 42 || c.Resample.Method != "none" {
		t.Errorf("defaults/overrides wrong: %+v", c.Validation)
	}
	if got := strings.Join(c.Metrics.Names, ","); got != "roc_auc,f1" {
		t.Errorf("metrics.names = %s", got)
	}
	params, err := p.Params()
	if err != nil {
		t.Fatal(err)
	}
	for k, want := range map[string]string{"model.params.max_depth": "3", "metrics.names": "[roc_auc, f1]", "validation.n_splits": "5"} {
		if params[k] != want {
			t.Errorf("param %s = %q, want %q", k, params[k], want)
		}
	}
}

func TestSecretsRedacted(t *testing.T) {
	t.Setenv("MLSTACK_TEST_TOKEN", "from-env-secret")
	src := base + "tracking:\n  tags: {password: literal-secret, github_token: '${MLSTACK_TEST_TOKEN}', note: fine}\n"
	p, err := Parse("t.yaml", []byte(src), nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Warnings) != 1 || !strings.Contains(p.Warnings[0].String(), "t.yaml:9:20: warning: tracking.tags.password") {
		t.Errorf("warnings = %v, want one for the literal password at 9:20", p.Warnings)
	}
	if p.Config.Tracking.Tags["github_token"] != "from-env-secret" {
		t.Error("${VAR} was not expanded for use")
	}
	y, _ := p.ResolvedYAML()
	params, _ := p.Params()
	for _, leak := range []string{"literal-secret", "from-env-secret"} {
		if strings.Contains(string(y), leak) {
			t.Errorf("resolved YAML leaks %q:\n%s", leak, y)
		}
		for k, v := range params {
			if strings.Contains(v, leak) {
				t.Errorf("param %s leaks %q", k, leak)
			}
		}
	}
	if params["tracking.tags.note"] != "fine" || params["tracking.tags.password"] != config.Redacted {
		t.Errorf("params = %v", params)
	}
}

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
			if !errors.Is(err, config.ErrConfig) || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v\nwant a config error containing %q", err, tt.want)
			}
		})
	}
	// --allow-large lifts the n_estimators bound (and nothing else).
	if _, err := experiment.Parse("t.yaml", []byte(base+"  params: {n_estimators: 2000000}\n"), &config.Options{AllowLarge: true}); err != nil {
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
	var bp boost.Params
	if err := p.Config.Model.Params.Decode(&bp); err != nil || p.Config.Tracking.Tags["b"] != "hello" || bp.MaxDepth != 3 || bp.LearningRate != 0.1 {
		t.Errorf("aliases not expanded: %+v %+v (%v)", p.Config.Tracking.Tags, bp, err)
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
			if !errors.Is(err, config.ErrConfig) {
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
