package metrics_test

import (
	"encoding/json"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"

	"gonum.org/v1/gonum/mat"

	"github.com/mlstack/mlstack/internal/testenv"
	"github.com/mlstack/mlstack/pkg/metrics"
)

// parityCase is one set of predictions scored by both implementations.
type parityCase struct {
	Name    string      `json:"name"`
	YTrue   []float64   `json:"y_true"`
	YPred   []float64   `json:"y_pred"`
	Score   []float64   `json:"score,omitempty"` // binary: P(class 1)
	Proba   [][]float64 `json:"proba,omitempty"` // multiclass
	Weights []float64   `json:"weights,omitempty"`
}

const parityScript = `
import json, sys, warnings
import numpy as np
from sklearn import metrics as M
warnings.filterwarnings("ignore")

def clean(v):
    if isinstance(v, (list, tuple, np.ndarray)):
        return [clean(x) for x in np.asarray(v, dtype=float).tolist()]
    if v is None:
        return None
    v = float(v)
    return v if np.isfinite(v) else None

def guard(f):
    try:
        return clean(f())
    except ValueError:
        return None

out = []
for c in json.load(open(sys.argv[1])):
    yt, yp = np.array(c["y_true"]), np.array(c["y_pred"])
    w = np.array(c["weights"]) if c.get("weights") else None
    labels = np.unique(np.r_[yt, yp])
    r = {
        "accuracy": M.accuracy_score(yt, yp, sample_weight=w),
        "balanced_accuracy": M.balanced_accuracy_score(yt, yp, sample_weight=w),
        "mcc": M.matthews_corrcoef(yt, yp, sample_weight=w),
        "confusion": M.confusion_matrix(yt, yp, sample_weight=w, labels=np.arange(int(labels.max()) + 1)).ravel(),
    }
    for avg in ["macro", "weighted", "micro"] + (["binary"] if "score" in c else []):
        r["precision_" + avg] = M.precision_score(yt, yp, average=avg, sample_weight=w)
        r["recall_" + avg] = M.recall_score(yt, yp, average=avg, sample_weight=w)
        r["f1_" + avg] = M.f1_score(yt, yp, average=avg, sample_weight=w)
    if "score" in c:
        s = np.array(c["score"])
        r["roc_auc"] = guard(lambda: M.roc_auc_score(yt, s, sample_weight=w))
        r["average_precision"] = M.average_precision_score(yt, s, sample_weight=w)
        r["log_loss"] = M.log_loss(yt, s, sample_weight=w, labels=[0, 1])
        fpr, tpr, th = M.roc_curve(yt, s, sample_weight=w)
        r["roc_fpr"], r["roc_tpr"], r["roc_th"] = fpr, tpr, th
        p, rc, pth = M.precision_recall_curve(yt, s, sample_weight=w)
        r["pr_p"], r["pr_r"], r["pr_th"] = p, rc, pth
    if "proba" in c:
        P = np.array(c["proba"])
        r["log_loss"] = M.log_loss(yt, P, sample_weight=w, labels=np.arange(P.shape[1]))
    out.append({k: clean(v) for k, v in r.items()})
print(json.dumps(out))
`

// nullable is a JSON number or null (NaN, ±Inf or an error in Python).
type nullable []float64

func (n *nullable) UnmarshalJSON(b []byte) error {
	var raw any
	if err := json.Unmarshal(b, &raw); err != nil {
		return err
	}
	conv := func(v any) float64 {
		if f, ok := v.(float64); ok {
			return f
		}
		return math.NaN()
	}
	switch v := raw.(type) {
	case []any:
		for _, x := range v {
			*n = append(*n, conv(x))
		}
	default:
		*n = nullable{conv(v)}
	}
	return nil
}

func parityCases() []parityCase {
	rnd := rand.New(rand.NewPCG(42, 42))
	var cases []parityCase
	binary := func(name string, n int, decimals float64, weighted bool) {
		c := parityCase{Name: name}
		for range n {
			y := float64(rnd.IntN(2))
			s := math.Round((0.35*y+0.65*rnd.Float64())*decimals) / decimals
			c.YTrue, c.Score = append(c.YTrue, y), append(c.Score, s)
			if weighted {
				c.Weights = append(c.Weights, 0.1+rnd.Float64()*3)
			}
		}
		c.YPred = metrics.Threshold(c.Score, 0.5)
		cases = append(cases, c)
	}
	binary("binary continuous", 500, 1e12, false)
	binary("binary ties", 300, 10, false)
	binary("binary ties weighted", 300, 10, true)
	binary("binary heavy ties", 50, 2, false)
	binary("binary small", 7, 100, false)
	// All predictions one class; constant scores.
	cases = append(cases,
		parityCase{Name: "all predicted 0", YTrue: []float64{0, 1, 1, 0, 1}, YPred: []float64{0, 0, 0, 0, 0},
			Score: []float64{0.2, 0.2, 0.2, 0.2, 0.2}},
		parityCase{Name: "all predicted 1", YTrue: []float64{0, 1, 1, 0, 1}, YPred: []float64{1, 1, 1, 1, 1},
			Score: []float64{0.9, 0.8, 0.9, 0.7, 1}},
		parityCase{Name: "single true class", YTrue: []float64{1, 1, 1, 1}, YPred: []float64{1, 0, 1, 1},
			Score: []float64{0.9, 0.3, 0.6, 0.6}},
		parityCase{Name: "no positives", YTrue: []float64{0, 0, 0}, YPred: []float64{0, 1, 0},
			Score: []float64{0.1, 0.7, 0.3}},
		parityCase{Name: "perfect", YTrue: []float64{0, 0, 1, 1}, YPred: []float64{0, 0, 1, 1},
			Score: []float64{0, 0.1, 0.9, 1}},
	)
	multi := func(name string, n, k int, weighted bool, neverTrue int) {
		c := parityCase{Name: name}
		for range n {
			y := rnd.IntN(k)
			for y == neverTrue {
				y = rnd.IntN(k)
			}
			p := make([]float64, k)
			var s float64
			for j := range p {
				p[j] = rnd.Float64()
				if j == y {
					p[j] += 0.8
				}
				s += p[j]
			}
			for j := range p {
				p[j] /= s
			}
			c.YTrue, c.Proba = append(c.YTrue, float64(y)), append(c.Proba, p)
			if weighted {
				c.Weights = append(c.Weights, rnd.Float64()*2)
			}
		}
		P := mat.NewDense(n, k, nil)
		for i, p := range c.Proba {
			P.SetRow(i, p)
		}
		c.YPred = metrics.Argmax(P)
		cases = append(cases, c)
	}
	multi("multiclass 3", 300, 3, false, -1)
	multi("multiclass 5 weighted", 400, 5, true, -1)
	multi("multiclass label only predicted", 200, 4, false, 2)
	return cases
}

func TestParityScikitLearn(t *testing.T) {
	cases := parityCases()
	b, err := json.Marshal(cases)
	if err != nil {
		t.Fatal(err)
	}
	in := filepath.Join(t.TempDir(), "cases.json")
	if err := os.WriteFile(in, b, 0o600); err != nil {
		t.Fatal(err)
	}
	var want []map[string]nullable
	if err := json.Unmarshal(testenv.RunPython(t, parityScript, []string{in}), &want); err != nil {
		t.Fatal(err)
	}
	compared := 0
	defer func() { t.Logf("%d cases, %d values compared with scikit-learn", len(cases), compared) }()
	avgs := map[string]metrics.Average{"macro": metrics.Macro, "weighted": metrics.Weighted, "micro": metrics.Micro, "binary": metrics.Binary}
	for i, c := range cases {
		w := c.Weights
		got := map[string][]float64{
			"accuracy":          {metrics.Accuracy(c.YTrue, c.YPred, w)},
			"balanced_accuracy": {metrics.BalancedAccuracy(c.YTrue, c.YPred, w)},
			"mcc":               {metrics.MCC(c.YTrue, c.YPred, w)},
			"confusion":         metrics.ConfusionMatrix(c.YTrue, c.YPred, w).RawMatrix().Data,
		}
		for name, avg := range avgs {
			if avg == metrics.Binary && c.Score == nil {
				continue
			}
			got["precision_"+name] = []float64{metrics.Precision(c.YTrue, c.YPred, w, avg)}
			got["recall_"+name] = []float64{metrics.Recall(c.YTrue, c.YPred, w, avg)}
			got["f1_"+name] = []float64{metrics.F1(c.YTrue, c.YPred, w, avg)}
		}
		if c.Score != nil {
			got["roc_auc"] = []float64{metrics.ROCAUC(c.YTrue, c.Score, w)}
			got["average_precision"] = []float64{metrics.AveragePrecision(c.YTrue, c.Score, w)}
			got["log_loss"] = []float64{metrics.LogLoss(c.YTrue, c.Score, w)}
			fpr, tpr, th := metrics.ROC(c.YTrue, c.Score, w)
			got["roc_fpr"], got["roc_tpr"], got["roc_th"] = fpr, tpr, th
			p, r, pth := metrics.PrecisionRecall(c.YTrue, c.Score, w)
			got["pr_p"], got["pr_r"], got["pr_th"] = p, r, pth
		}
		if c.Proba != nil {
			P := mat.NewDense(len(c.Proba), len(c.Proba[0]), nil)
			for i, p := range c.Proba {
				P.SetRow(i, p)
			}
			got["log_loss"] = []float64{metrics.LogLossMulti(c.YTrue, P, w)}
		}
		if len(got) != len(want[i]) {
			t.Errorf("%s: %d Go metrics, %d Python metrics", c.Name, len(got), len(want[i]))
		}
		for name, g := range got {
			wv, ok := want[i][name]
			if !ok {
				t.Errorf("%s: %s not computed by scikit-learn", c.Name, name)
				continue
			}
			if len(g) != len(wv) {
				t.Errorf("%s %s: length %d, scikit-learn %d\ngo %v\npy %v", c.Name, name, len(g), len(wv), g, wv)
				continue
			}
			for j := range g {
				compared++
				gj := g[j]
				if math.IsInf(gj, 0) {
					gj = math.NaN() // Python sends ±Inf as null
				}
				if !(math.IsNaN(gj) && math.IsNaN(wv[j])) && !(math.Abs(gj-wv[j]) <= 1e-9) {
					t.Errorf("%s %s[%d] = %v, scikit-learn %v", c.Name, name, j, g[j], wv[j])
					break
				}
			}
		}
	}
}

// TestRegressionParityScikitLearn checks RMSE, MAE and R2 against
// scikit-learn on noisy predictions, with and without weights.
func TestRegressionParityScikitLearn(t *testing.T) {
	rnd := rand.New(rand.NewPCG(7, 7))
	n := 500
	y, p, w := make([]float64, n), make([]float64, n), make([]float64, n)
	for i := range y {
		y[i] = rnd.NormFloat64()*10 + 3
		p[i] = y[i] + rnd.NormFloat64()*2
		w[i] = rnd.Float64() + 0.1
	}
	in, _ := json.Marshal(map[string][]float64{"y": y, "p": p, "w": w})
	path := filepath.Join(t.TempDir(), "reg.json")
	if err := os.WriteFile(path, in, 0o644); err != nil {
		t.Fatal(err)
	}
	out := testenv.RunPython(t, `
import sys, json
from sklearn.metrics import mean_squared_error, mean_absolute_error, r2_score
d = json.load(open(sys.argv[1]))
res = {}
for name, w in (("", None), ("_w", d["w"])):
    res["rmse"+name] = mean_squared_error(d["y"], d["p"], sample_weight=w) ** 0.5
    res["mae"+name] = mean_absolute_error(d["y"], d["p"], sample_weight=w)
    res["r2"+name] = r2_score(d["y"], d["p"], sample_weight=w)
print(json.dumps(res))
`, []string{path})
	var want map[string]float64
	if err := json.Unmarshal(out, &want); err != nil {
		t.Fatal(err)
	}
	for suffix, wt := range map[string][]float64{"": nil, "_w": w} {
		got := metrics.RegressionScores(y, p, wt)
		for k, v := range got {
			if math.Abs(v-want[k+suffix]) > 1e-9 {
				t.Errorf("%s%s = %.15g, scikit-learn %.15g", k, suffix, v, want[k+suffix])
			}
		}
	}
}
