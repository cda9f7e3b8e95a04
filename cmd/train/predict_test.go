package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/mlstack/mlstack/internal/testenv"
	"github.com/mlstack/mlstack/pkg/dataset"
	"github.com/mlstack/mlstack/pkg/experiment"
)

// churnRows are raw rows with categories never seen in training and
// missing values, after the sample's rows.
const churnRows = `,1,0,1,0,0,1,No,Satellite,No,No,No,No,No,No,Month-to-month,1,Crypto,20.5,
,0,1,0,0,72,1,Yes,Fiber optic,,Yes,Yes,Yes,Yes,Yes,,0,Mailed check,110.0,7920.0
`

// TestPredictMatchesPyfunc: `train predict` writes, for every raw row of a
// file, the label and probability that mlflow.pyfunc gives for the same
// file (pandas.read_csv), within 1e-6.
// churnPredict trains configs/churn.yaml (2 folds, offline) and runs
// train predict with extra flags on the telco sample plus churnRows; it
// returns the model folder, the rows' CSV and the predictions read back.
func churnPredict(t *testing.T, extra ...string) (model, rows string, recs [][]string) {
	t.Helper()
	t.Setenv("MLSTACK_MLFLOW_SPOOL", t.TempDir())
	dir := t.TempDir()
	out := filepath.Join(dir, "out")
	if _, err := experiment.Run(context.Background(), experiment.Options{
		ConfigPath: "../../configs/churn.yaml", Out: out,
		Overrides: []string{"tracking.offline=true", "validation.n_splits=2", "validation.n_repeats=1", "artifacts.charts=false"},
	}); err != nil {
		t.Fatal(err)
	}
	telco, err := dataset.Sample("telco_churn")
	if err != nil {
		t.Fatal(err)
	}
	model, rows, preds := filepath.Join(out, "model"), filepath.Join(dir, "rows.csv"), filepath.Join(dir, "preds.csv")
	if err := os.WriteFile(rows, append(telco, churnRows...), 0o644); err != nil {
		t.Fatal(err)
	}
	var stdout, stderr bytes.Buffer
	args := append([]string{"predict", "--model", model, "--data", rows, "--out", preds}, extra...)
	if code := run(context.Background(), args, &stdout, &stderr); code != 0 {
		t.Fatalf("train predict: exit %d\n%s", code, stderr.String())
	}
	f, err := os.Open(preds)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if recs, err = csv.NewReader(f).ReadAll(); err != nil {
		t.Fatal(err)
	}
	return model, rows, recs
}

func TestPredictMatchesPyfunc(t *testing.T) {
	testenv.SkipShort(t, "Python (MLflow pyfunc)")
	model, rows, recs := churnPredict(t)
	py := testenv.Pyfunc(t, []testenv.PyfuncJob{{URI: model, CSV: rows}})[0]
	if len(recs)-1 != len(py.Labels) {
		t.Fatalf("train predict wrote %d rows, pyfunc gave %d", len(recs)-1, len(py.Labels))
	}
	if h := recs[0]; len(h) != 2 || h[0] != "prediction" || h[1] != "probability" {
		t.Fatalf("header %v", h)
	}
	worst, wrong := 0.0, 0
	for i, rec := range recs[1:] {
		if rec[0] != py.Labels[i] {
			wrong++
		}
		p, err := strconv.ParseFloat(rec[1], 64)
		if err != nil {
			t.Fatal(err)
		}
		worst = math.Max(worst, math.Abs(p-py.Proba[i][1]))
	}
	if worst > 1e-6 || wrong > 0 {
		t.Errorf("train predict vs pyfunc on %d rows: max |diff| %g (want <= 1e-6), %d labels differ", len(recs)-1, worst, wrong)
	}
	t.Logf("%d rows: max |train predict - pyfunc| = %.3g", len(recs)-1, worst)
}

// train predict --contributions writes each row's SHAP values per raw
// column and the bias, which add up to the row's log-odds.
func TestPredictContributions(t *testing.T) {
	_, _, recs := churnPredict(t, "--contributions")
	h := recs[0]
	if len(h) < 4 || h[2] != "shap_"+strings.TrimPrefix(h[2], "shap_") || h[len(h)-1] != "shap_bias" || !slices.Contains(h, "shap_contract") {
		t.Fatalf("header %v: want prediction, probability, shap_<column>... (shap_contract among them), shap_bias", h)
	}
	worst := 0.0
	for _, rec := range recs[1:] {
		p, _ := strconv.ParseFloat(rec[1], 64)
		var sum float64
		for _, s := range rec[2:] {
			v, err := strconv.ParseFloat(s, 64)
			if err != nil {
				t.Fatalf("shap value %q: %v", s, err)
			}
			sum += v
		}
		worst = math.Max(worst, math.Abs(sum-math.Log(p/(1-p))))
	}
	if worst > 1e-4 {
		t.Errorf("the SHAP values of a row differ from its log-odds by up to %g", worst)
	}
	t.Logf("%d rows, %d SHAP columns: max |sum - logit(p)| = %.3g", len(recs)-1, len(h)-2, worst)
}
