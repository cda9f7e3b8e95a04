package config_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/mlstack/mlstack/pkg/experiment/config"
)

// Every unusable search section is a *ConfigError at its key's line and
// column, with what to write instead.
func TestSearchErrors(t *testing.T) {
	const metrics = "metrics:\n  names: [roc_auc, accuracy]\n"
	tests := []struct {
		name, search, want string
	}{
		{"empty space", "search:\n  n_trials: 5\n  objective: roc_auc_mean\n  params: {}\n",
			"p.yaml:13:11: search.params: no parameters to search"},
		{"log low zero", "search:\n  n_trials: 5\n  objective: roc_auc_mean\n  params:\n    eta: {type: float, low: 0, high: 1, log: true}\n",
			"p.yaml:14:10: search.params.eta: a log-uniform range needs low > 0, got low 0"},
		{"no choices", "search:\n  n_trials: 5\n  objective: roc_auc_mean\n  params:\n    booster: {type: categorical, choices: []}\n",
			"p.yaml:14:14: search.params.booster: a categorical parameter needs at least one choice"},
		{"objective not in metrics", "search:\n  n_trials: 5\n  objective: f1_mean\n  params:\n    eta: {type: float, low: 0.01, high: 1}\n",
			`p.yaml:12:14: search.objective: "f1_mean" is not one of metrics.names (roc_auc, accuracy)`},
		{"zero trials", "search:\n  n_trials: 0\n  objective: roc_auc_mean\n  params:\n    eta: {type: float, low: 0.01, high: 1}\n",
			"p.yaml:11:13: search.n_trials: must be at least 1, got 0"},
		{"no end", "search:\n  objective: roc_auc_mean\n  params:\n    eta: {type: float, low: 0.01, high: 1}\n",
			"p.yaml:11:3: search: give n_trials or timeout"},
		{"unknown type", "search:\n  n_trials: 5\n  objective: roc_auc_mean\n  params:\n    eta: {type: uniform, low: 0.01, high: 1}\n",
			`search.params.eta.type: unknown type "uniform"; expected one of float, int, categorical, fixed`},
		{"int not whole", "search:\n  n_trials: 5\n  objective: roc_auc_mean\n  params:\n    max_depth: {type: int, low: 2.5, high: 8}\n",
			"search.params.max_depth: an int parameter needs whole low and high"},
		{"continuous grid", "search:\n  algorithm: grid\n  objective: roc_auc_mean\n  params:\n    eta: {type: float, low: 0.01, high: 1}\n",
			"search.params.eta: a grid search needs choices or a step"},
		{"bad timeout", "search:\n  timeout: soon\n  objective: roc_auc_mean\n  params:\n    eta: {type: float, low: 0.01, high: 1}\n",
			`search.timeout: want a positive duration such as 30m or 2h, got "soon"`},
		{"unknown key", "search:\n  n_trial: 5\n  objective: roc_auc_mean\n  params:\n    eta: {type: float, low: 0.01, high: 1}\n",
			"n_trials"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := config.Parse("p.yaml", []byte(base+metrics+tt.search), nil)
			var ce *config.ConfigError
			if !errors.As(err, &ce) || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Parse = %v\nwant a *ConfigError containing %q", err, tt.want)
			}
		})
	}
	p, err := config.Parse("p.yaml", []byte(base+metrics+"search:\n  n_trials: 5\n  objective: roc_auc_mean\n  params:\n    eta: {type: float, low: 0.01, high: 0.3, log: true}\n    depth: {type: int, low: 2, high: 8, step: 2}\n    booster: {type: categorical, choices: [gbtree, dart]}\n    n_estimators: {type: fixed, value: 50}\n"), nil)
	if err != nil {
		t.Fatal(err)
	}
	space, err := p.Config.Search.Space()
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, q := range space {
		names = append(names, q.Name)
	}
	if strings.Join(names, " ") != "booster depth eta n_estimators" {
		t.Errorf("space order %v, want by name", names)
	}
}
