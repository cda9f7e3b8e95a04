package externaltrainer_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mlstack/mlstack/pkg/experiment"
	"github.com/mlstack/mlstack/pkg/experiment/config"

	"example.com/externaltrainer"
)

const cfg = `version: 1
name: external
data: {source: sample:diabetes, target: Outcome}
model:
  trainer: one-column
  params: {column: Glucose, scale: 2}
validation: {method: stratified_kfold, n_splits: 5}
`

// The trainer registered by this module's import runs through
// experiment.Run (what train runs): config, data, folds, outputs, spool.
func TestRunExternalTrainer(t *testing.T) {
	if !slices(experiment.Trainers(), externaltrainer.Name) {
		t.Fatalf("trainers %v lack %s", experiment.Trainers(), externaltrainer.Name)
	}
	dir := t.TempDir()
	t.Setenv("MLFLOW_TRACKING_URI", "")
	t.Setenv("MLSTACK_MLFLOW_SPOOL", filepath.Join(dir, "spool"))
	path := filepath.Join(dir, "external.yaml")
	if err := os.WriteFile(path, []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "out")
	rep, err := experiment.Run(context.Background(), experiment.Options{ConfigPath: path, Out: out})
	if err != nil {
		t.Fatal(err)
	}
	auc, ok := rep.Outcome.Summary.Aggregate["roc_auc"]
	if !ok || auc.N != 5 || auc.Mean < 0.7 || auc.Mean > 0.9 {
		t.Errorf("roc_auc = %+v, want 5 folds around Glucose's 0.79", auc)
	}
	if rep.Online || rep.Spool == "" {
		t.Errorf("run online %v, spool %q: want it kept in the spool", rep.Online, rep.Spool)
	}
	for _, f := range []string{"metrics.json", "oof_predictions.csv", "config.resolved.yaml"} {
		if _, err := os.Stat(filepath.Join(out, f)); err != nil {
			t.Errorf("output %s: %v", f, err)
		}
	}
	resolved, _ := os.ReadFile(filepath.Join(out, "config.resolved.yaml"))
	if !strings.Contains(string(resolved), "column: Glucose") {
		t.Errorf("config.resolved.yaml lacks the trainer's params:\n%s", resolved)
	}
}

// The trainer's parameters are decoded strictly, errors at their line.
func TestExternalTrainerParams(t *testing.T) {
	for _, tc := range []struct{ params, want string }{
		{"{colum: Glucose}", `x.yaml:6:12: model.params.colum: unknown parameter; known: column, scale, sign; aliases direction (did you mean "column"?)`},
		{"{column: Glucose, scale: 0}", "x.yaml:6:36: model.params.scale: must be > 0, got 0"},
		{"{column: Glucose, direction: 2}", "x.yaml:6:40: model.params.sign: must be 1 or -1, got 2"},
		{"{scale: 2}", "x.yaml:6:11: model.params.column: missing: name the numeric column to score"},
	} {
		src := strings.Replace(cfg, "{column: Glucose, scale: 2}", tc.params, 1)
		_, err := experiment.Parse("x.yaml", []byte(src), nil)
		if !errors.Is(err, config.ErrConfig) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: err = %v\nwant %q", tc.params, err, tc.want)
		}
	}
}

func slices(names []string, name string) bool {
	for _, n := range names {
		if n == name {
			return true
		}
	}
	return false
}
