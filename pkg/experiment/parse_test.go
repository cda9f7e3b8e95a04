package experiment

import (
	"errors"
	"strings"
	"testing"
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
		{"unknown param", base + "  params: {max_deep: 3}\n", nil, "t.yaml:8:22: model.params.max_deep: unknown parameter; known: "},
		{"unset env", base + "tracking: {run_name: '${MLSTACK_TEST_UNSET_VAR}'}\n", nil, "tracking.run_name: environment variable MLSTACK_TEST_UNSET_VAR is not set"},
		{"set into scalar", base, []string{"name.x=1"}, "--set: name: is not a mapping"},
		{"set bad value type", base, []string{"seed=abc"}, "--set: seed: expected a non-negative integer, got \"abc\""},
		{"clean step option", base + "clean: [{step: impute, strategy: mode}]\n", nil, "t.yaml:8:9: clean[0]: "},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse("t.yaml", []byte(tt.src), tt.set)
			if err == nil {
				t.Fatalf("Parse gave no error, want %q", tt.want)
			}
			if !errors.Is(err, ErrConfig) {
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
	if got := c.Model.Params["max_depth"]; got != 3 {
		t.Errorf("max_depth = %#v, want 3", got)
	}
	if c.Validation.repeats() != 2 || c.Validation.NSplits != 5 || c.Seed != 42 || c.Resample.Method != "none" {
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
	if params["tracking.tags.note"] != "fine" || params["tracking.tags.password"] != Redacted {
		t.Errorf("params = %v", params)
	}
}
