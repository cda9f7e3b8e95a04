package cv_test

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"testing"

	"github.com/mlstack/mlstack/internal/testenv"
	"github.com/mlstack/mlstack/pkg/cv"
)

const splitScript = `
import json, sys, warnings
import numpy as np
from sklearn.model_selection import StratifiedKFold, RepeatedStratifiedKFold
warnings.filterwarnings("ignore")
cases = json.load(open(sys.argv[1]))
out = {}
for name, y in cases["labels"].items():
    y = np.array(y)
    labels = sorted(set(y.tolist()))
    for k in cases["splits"]:
        plain = [te.tolist() for _, te in StratifiedKFold(n_splits=k).split(np.zeros(len(y)), y)]
        counts = [[int((y[te] == c).sum()) for c in labels]
                  for _, te in RepeatedStratifiedKFold(n_splits=k, n_repeats=3, random_state=0).split(np.zeros(len(y)), y)]
        out[f"{name}/{k}"] = {"plain": plain, "counts": counts}
print(json.dumps(out))
`

func TestParityScikitLearnFolds(t *testing.T) {
	sets := labelSets(t)
	sets["telco_churn"] = loadLabels(t, "telco_churn", "churn", "Yes")
	splits := []int{2, 3, 5, 10}
	b, _ := json.Marshal(map[string]any{"labels": sets, "splits": splits})
	in := filepath.Join(t.TempDir(), "labels.json")
	if err := os.WriteFile(in, b, 0o600); err != nil {
		t.Fatal(err)
	}
	var want map[string]struct {
		Plain  [][]int `json:"plain"`
		Counts [][]int `json:"counts"`
	}
	if err := json.Unmarshal(testenv.RunPython(t, splitScript, []string{in}), &want); err != nil {
		t.Fatal(err)
	}
	compared := 0
	for name, y := range sets {
		var labels []float64
		for _, v := range y {
			if !slices.Contains(labels, v) {
				labels = append(labels, v)
			}
		}
		slices.Sort(labels)
		for _, k := range splits {
			w := want[fmt.Sprintf("%s/%d", name, k)]
			// Without shuffle the folds are fully determined: identical.
			plain, err := cv.StratifiedKFold{NSplits: k}.Split(y)
			if err != nil {
				t.Fatal(err)
			}
			for f, sp := range plain {
				if !reflect.DeepEqual(sp.Test, w.Plain[f]) {
					t.Errorf("%s k=%d fold %d: test rows differ from scikit-learn's", name, k, f)
				}
			}
			// Shuffled and repeated: same per-class counts in every fold.
			rep, err := cv.RepeatedStratifiedKFold{NSplits: k, NRepeats: 3, Seed: 0}.Split(y)
			if err != nil {
				t.Fatal(err)
			}
			for f, sp := range rep {
				got := make([]int, len(labels))
				for _, i := range sp.Test {
					got[slices.Index(labels, y[i])]++
				}
				if !reflect.DeepEqual(got, w.Counts[f]) {
					t.Errorf("%s k=%d split %d: per-class test counts %v, scikit-learn %v", name, k, f, got, w.Counts[f])
				}
				compared++
			}
		}
	}
	t.Logf("%d label sets × %v splits: unshuffled folds identical, %d shuffled folds with scikit-learn's per-class counts", len(sets), splits, compared)
}
