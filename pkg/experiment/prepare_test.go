package experiment_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mlstack/mlstack/internal/testenv"
	"github.com/mlstack/mlstack/pkg/dataset"
	"github.com/mlstack/mlstack/pkg/experiment"
	"github.com/mlstack/mlstack/pkg/experiment/config"
)

// dedupCode is the notebook the prepare: section stands for: pandas'
// drop_duplicates on the whole table, then XGBClassifier on each of the
// folds Go used (their test rows, by position in the deduplicated table),
// scored with scikit-learn's roc_auc_score.
const dedupCode = `
import sys, json
import pandas as pd, xgboost as xgb
from sklearn.metrics import roc_auc_score
df = pd.read_csv(sys.argv[1]).drop_duplicates().reset_index(drop=True)
folds = json.load(open(sys.argv[2]))
X, y = df.drop(columns="Outcome"), df["Outcome"]
out = {"rows": len(df), "folds": []}
for test in folds:
    train = sorted(set(range(len(df))) - set(test))
    m = xgb.XGBClassifier(n_estimators=30, max_depth=3, learning_rate=0.3)
    m.fit(X.iloc[train], y.iloc[train])
    p = m.predict_proba(X.iloc[test])[:, 1]
    out["folds"].append({"auc": float(roc_auc_score(y.iloc[test], p)), "p": [float(v) for v in p]})
print(json.dumps(out))
`

// A table whose duplicated rows would land on both sides of a split:
// prepare's drop_duplicates runs once before the split, like pandas'
// df.drop_duplicates() at the top of a notebook, so no test row has a copy
// among its fold's training rows, and the scores are pandas + xgboost's on
// the same folds. The fold-level form is refused at load.
func TestPrepareDropDuplicatesParity(t *testing.T) {
	testenv.SkipShort(t, "Python (pandas and xgboost on six folds)")
	t.Setenv("MLSTACK_MLFLOW_SPOOL", t.TempDir())
	raw, err := dataset.Sample("diabetes")
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(string(raw)), "\n")
	body := lines[1:]
	rnd := rand.New(rand.NewPCG(1, 2))
	for range 300 { // copies of 300 rows, anywhere in the table
		i, at := rnd.IntN(len(body)), rnd.IntN(len(body)+1)
		body = append(body[:at], append([]string{body[i]}, body[at:]...)...)
	}
	dir := t.TempDir()
	csv := filepath.Join(dir, "dups.csv")
	if err := os.WriteFile(csv, []byte(lines[0]+"\n"+strings.Join(body, "\n")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg := func(name, section string) string {
		path := filepath.Join(dir, name)
		yaml := fmt.Sprintf(`version: 1
name: dedup
data: {source: %s, target: Outcome}
%s
model:
  trainer: classification
  params: {n_estimators: 30, max_depth: 3, learning_rate: 0.3}
validation: {method: repeated_stratified_kfold, n_splits: 3, n_repeats: 2}
artifacts: {charts: false, model: false, shap: 0, oof_predictions: false}
tracking: {offline: true, system_metrics: false}
`, csv, section)
		if err := os.WriteFile(path, []byte(yaml), 0o644); err != nil {
			t.Fatal(err)
		}
		return path
	}

	// The fold-level form: refused at load, pointing at prepare.
	_, err = experiment.Run(context.Background(), experiment.Options{ConfigPath: cfg("fold.yaml", "clean:\n  - step: drop_duplicates"), DryRun: true})
	var ce *config.ConfigError
	if !errors.As(err, &ce) || ce.Path != "clean[0].step" || !strings.Contains(ce.Msg, "move it to prepare:") {
		t.Fatalf("fold-level drop_duplicates: err = %v, want a config error at clean[0].step pointing at prepare", err)
	}

	rep, err := experiment.Run(context.Background(), experiment.Options{ConfigPath: cfg("prepare.yaml", "prepare:\n  - step: drop_duplicates"), Out: filepath.Join(dir, "out")})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Plan.RowsRead != len(body) || rep.Plan.Rows >= rep.Plan.RowsRead {
		t.Fatalf("plan: %d rows read, %d kept; the table has %d rows with duplicates", rep.Plan.RowsRead, rep.Plan.Rows, len(body))
	}
	res := rep.Outcome.CV
	tests := make([][]int, len(res.Folds))
	scores := make([][]float64, len(res.Folds))
	for _, p := range res.Predictions {
		k := p.Repeat*3 + p.Fold
		tests[k] = append(tests[k], p.Row)
		scores[k] = append(scores[k], p.YScore)
	}
	b, _ := json.Marshal(tests)
	foldsPath := filepath.Join(dir, "folds.json")
	if err := os.WriteFile(foldsPath, b, 0o644); err != nil {
		t.Fatal(err)
	}
	var py struct {
		Rows  int `json:"rows"`
		Folds []struct {
			AUC float64   `json:"auc"`
			P   []float64 `json:"p"`
		} `json:"folds"`
	}
	if err := json.NewDecoder(bytes.NewReader(testenv.RunPython(t, dedupCode, []string{csv, foldsPath}))).Decode(&py); err != nil {
		t.Fatal(err)
	}
	if py.Rows != rep.Plan.Rows {
		t.Fatalf("pandas' drop_duplicates keeps %d rows, prepare %d", py.Rows, rep.Plan.Rows)
	}
	for k, f := range res.Folds {
		worst := 0.0
		for i, p := range py.Folds[k].P {
			worst = math.Max(worst, math.Abs(p-scores[k][i]))
		}
		if d := math.Abs(f.Scores["roc_auc"] - py.Folds[k].AUC); d > 1e-6 || worst > 1e-5 {
			t.Errorf("repeat %d fold %d: roc_auc %.6f, pandas + xgboost %.6f (max |P diff| %g)", f.Repeat, f.Fold, f.Scores["roc_auc"], py.Folds[k].AUC, worst)
		}
	}

	// No test row has a copy among its fold's training rows (the copies
	// are exact lines: the first of each is the prepared table's row).
	var kept []string
	seen := map[string]bool{}
	for _, l := range body {
		if !seen[l] {
			seen[l] = true
			kept = append(kept, l)
		}
	}
	if len(kept) != rep.Plan.Rows {
		t.Fatalf("%d distinct lines, prepare kept %d rows", len(kept), rep.Plan.Rows)
	}
	key := func(i int) string { return kept[i] }
	for k := range tests {
		inTest := map[int]bool{}
		for _, i := range tests[k] {
			inTest[i] = true
		}
		train := map[string]bool{}
		for i := range rep.Plan.Rows {
			if !inTest[i] {
				train[key(i)] = true
			}
		}
		for _, i := range tests[k] {
			if train[key(i)] {
				t.Fatalf("fold %d: test row %d has a copy among the training rows", k, i)
			}
		}
	}
}
