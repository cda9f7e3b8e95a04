package experiment_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/mlstack/mlstack/internal/testenv"
	"github.com/mlstack/mlstack/pkg/experiment"
	"github.com/mlstack/mlstack/pkg/mlflow"
)

// configs/search.yaml against a real MLflow server: one parent run with
// the best trial's params and value and the fitted model, one child run
// per trial (mlflow.parentRunId, the trial's params, its state), pruned
// trials KILLED, and the search charts logged.
func TestSearchAgainstMLflow(t *testing.T) {
	srv := testenv.MLflow(t)
	for _, kv := range srv.Env() {
		k, v, _ := strings.Cut(kv, "=")
		t.Setenv(k, v)
	}
	t.Setenv("MLSTACK_MLFLOW_SPOOL", t.TempDir())
	ctx := context.Background()
	exp := testenv.Name("search")
	out := filepath.Join(t.TempDir(), "out")
	const trials = 14
	rep, err := experiment.Run(ctx, experiment.Options{
		ConfigPath: "../../configs/search.yaml", Out: out, RequireServer: true,
		Overrides: []string{"tracking.experiment=" + exp, "search.n_trials=" + strconv.Itoa(trials), "model.params.n_estimators=30"},
	})
	if err != nil {
		t.Fatal(err)
	}
	c, err := mlflow.New(srv.URL, nil)
	if err != nil {
		t.Fatal(err)
	}
	parent, err := c.GetRun(ctx, rep.RunID)
	if err != nil {
		t.Fatal(err)
	}
	bestTrial, _ := parent.Tag("best_trial")
	if _, ok := parent.Param("best.eta"); !ok || bestTrial == "" {
		t.Errorf("parent run lacks best.eta or the best_trial tag: %+v", parent.Data)
	}
	runs, err := c.SearchRuns(ctx, []string{parent.Info.ExperimentID}, mlflow.SearchRunsOptions{
		Filter: "tags.mlflow.parentRunId = '" + rep.RunID + "'"})
	if err != nil {
		t.Fatal(err)
	}
	if len(runs) != trials {
		t.Fatalf("%d child runs, want %d", len(runs), trials)
	}
	states := map[string]int{}
	var best float64
	for _, r := range runs {
		st, _ := r.Tag("tune.state")
		states[st]++
		if _, ok := r.Param("max_depth"); !ok {
			t.Errorf("child run %s has no max_depth param", r.Info.RunID)
		}
		want := map[string]string{"COMPLETE": "FINISHED", "PRUNED": "KILLED", "FAIL": "FAILED"}[st]
		if r.Info.Status != want {
			t.Errorf("trial %s: run status %s, want %s", st, r.Info.Status, want)
		}
		if n, _ := r.Tag("tune.trial"); n == bestTrial {
			for _, m := range r.Data.Metrics {
				if m.Key == "roc_auc_mean" {
					best = m.Value
				}
			}
		}
	}
	if states["COMPLETE"] < trials/2 {
		t.Errorf("trial states %v: want most trials complete", states)
	}
	var bestValue float64
	for _, m := range parent.Data.Metrics {
		if m.Key == "best_value" {
			bestValue = m.Value
		}
	}
	if bestValue == 0 || bestValue != best {
		t.Errorf("parent best_value %v, best child's roc_auc_mean %v", bestValue, best)
	}
	for _, f := range []string{"search/index.html", "search/optimization_history.png", "search/param_importance.png", "model/model.json"} {
		if _, err := os.Stat(filepath.Join(out, f)); err != nil {
			t.Errorf("output %s: %v", f, err)
		}
	}
	if rep.Model == nil {
		t.Error("the search logged no model")
	}
	t.Logf("states %v, best trial %s: %v", states, bestTrial, bestValue)
}

// The same search on the nats executor: two workers (experiment.Work, as
// `train worker` runs it) pull the trials from a real NATS JetStream
// server; every trial is one child run, logged by the coordinator.
func TestSearchOnNATSWorkers(t *testing.T) {
	nats := testenv.NATS(t, 1)
	srv := testenv.MLflow(t)
	for _, kv := range srv.Env() {
		k, v, _ := strings.Cut(kv, "=")
		t.Setenv(k, v)
	}
	t.Setenv("MLSTACK_MLFLOW_SPOOL", t.TempDir())
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var wg sync.WaitGroup
	for i := range 2 {
		wg.Go(func() {
			if err := experiment.Work(ctx, experiment.WorkerOptions{URL: nats.URL(), Name: fmt.Sprintf("w%d", i)}); err != nil {
				t.Errorf("worker %d: %v", i, err)
			}
		})
	}
	exp := testenv.Name("search-nats")
	const trials = 8
	var notes []string
	rep, err := experiment.Run(ctx, experiment.Options{
		ConfigPath: "../../configs/search.yaml", Out: filepath.Join(t.TempDir(), "out"), RequireServer: true,
		Executor:  nats.URL(),
		Overrides: []string{"tracking.experiment=" + exp, "search.n_trials=" + strconv.Itoa(trials), "model.params.n_estimators=30"},
		Notes:     func(n experiment.Note) { notes = append(notes, n.Text) },
	})
	cancel()
	wg.Wait()
	if err != nil {
		t.Fatalf("%v\nnotes:\n%s", err, strings.Join(notes, "\n"))
	}
	if !strings.Contains(strings.Join(notes, "\n"), "train worker --nats") {
		t.Errorf("no note on starting workers:\n%s", strings.Join(notes, "\n"))
	}
	c, err := mlflow.New(srv.URL, nil)
	if err != nil {
		t.Fatal(err)
	}
	parent, err := c.GetRun(context.Background(), rep.RunID)
	if err != nil {
		t.Fatal(err)
	}
	runs, err := c.SearchRuns(context.Background(), []string{parent.Info.ExperimentID}, mlflow.SearchRunsOptions{
		Filter: "tags.mlflow.parentRunId = '" + rep.RunID + "'"})
	if err != nil {
		t.Fatal(err)
	}
	if len(runs) != trials {
		t.Fatalf("%d child runs, want %d", len(runs), trials)
	}
	if rep.Model == nil {
		t.Error("the search logged no model")
	}
}

// The final run of a local search reuses its best trial's folds: its
// cross-validation (scores, seeds, every out-of-fold prediction) is the
// one a run without a search computes for the best parameters.
func TestSearchReusesBestTrialFolds(t *testing.T) {
	t.Setenv("MLSTACK_MLFLOW_SPOOL", t.TempDir())
	dir := t.TempDir()
	base := `version: 1
name: reuse
seed: 7
data: {source: "sample:diabetes", target: Outcome}
clean:
  - {step: impute, strategy: median}
resample: {method: smote}
model:
  trainer: classification
  params: {n_estimators: 20, subsample: 0.8}
validation: {method: stratified_kfold, n_splits: 4}
metrics: {names: [roc_auc, f1]}
artifacts: {charts: false}
tracking: {offline: true, system_metrics: false}
`
	search := base + `search:
  algorithm: grid
  objective: roc_auc_mean
  pruner: none
  params:
    max_depth: {type: categorical, choices: [2, 3, 5]}
`
	write := func(name, src string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(src), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	ctx := context.Background()
	rep, err := experiment.Run(ctx, experiment.Options{ConfigPath: write("search.yaml", search), Out: filepath.Join(dir, "search")})
	if err != nil {
		t.Fatal(err)
	}
	depth := rep.Search.Best.Params["max_depth"]
	plain, err := experiment.Run(ctx, experiment.Options{ConfigPath: write("plain.yaml", base), Out: filepath.Join(dir, "plain"),
		Overrides: []string{fmt.Sprintf("model.params.max_depth=%v", depth)}})
	if err != nil {
		t.Fatal(err)
	}
	got, want := rep.Outcome.CV, plain.Outcome.CV
	if len(got.Predictions) != 768 || !reflect.DeepEqual(got, want) {
		t.Fatalf("max_depth %v: the search's final cross-validation differs from a run without a search (%d and %d predictions)",
			depth, len(got.Predictions), len(want.Predictions))
	}
	if g, w := rep.Outcome.Summary.Aggregate["roc_auc"].Mean, rep.Search.Best.Value; g != w {
		t.Errorf("final roc_auc mean %v, best trial's %v", g, w)
	}
}
