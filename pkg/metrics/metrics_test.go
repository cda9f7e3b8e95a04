package metrics

import (
	"encoding/json"
	"math"
	"strings"
	"testing"

	"gonum.org/v1/gonum/mat"
)

func panics(f func()) (b bool) {
	defer func() {
		if recover() != nil {
			b = true
		}
	}()
	f()
	return false
}

func near(a, b, tol float64) bool {
	if math.IsNaN(a) || math.IsNaN(b) {
		return math.IsNaN(a) && math.IsNaN(b)
	}
	if math.IsInf(a, 0) || math.IsInf(b, 0) {
		return a == b
	}
	return math.Abs(a-b) <= tol
}

func sliceNear(a, b []float64, tol float64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if !near(a[i], b[i], tol) {
			return false
		}
	}
	return true
}

// Expected values below are the outputs printed in scikit-learn's own
// docstrings (sklearn/metrics/_classification.py and _ranking.py examples),
// or computed by hand as noted.
func TestThresholdMetrics(t *testing.T) {
	tests := []struct {
		name         string
		yTrue, yPred []float64
		fn           func(yt, yp, w []float64) float64
		want         float64
	}{
		{"accuracy", []float64{0, 1, 2, 3}, []float64{0, 2, 1, 3}, Accuracy, 0.5},
		{"balanced_accuracy", []float64{0, 1, 0, 0, 1, 0}, []float64{0, 1, 0, 0, 0, 1}, BalancedAccuracy, 0.625},
		{"mcc", []float64{1, 1, 1, 0}, []float64{1, 0, 1, 1}, MCC, -1.0 / 3},
		{"mcc constant prediction", []float64{1, 0, 1, 0}, []float64{1, 1, 1, 1}, MCC, 0},
		{"f1 macro", []float64{0, 1, 2, 0, 1, 2}, []float64{0, 2, 1, 0, 0, 1}, f(F1, Macro), 0.26666666666666666},
		{"f1 micro", []float64{0, 1, 2, 0, 1, 2}, []float64{0, 2, 1, 0, 0, 1}, f(F1, Micro), 1.0 / 3},
		{"f1 weighted", []float64{0, 1, 2, 0, 1, 2}, []float64{0, 2, 1, 0, 0, 1}, f(F1, Weighted), 0.26666666666666666},
		{"precision macro", []float64{0, 1, 2, 0, 1, 2}, []float64{0, 2, 1, 0, 0, 1}, f(Precision, Macro), 2.0 / 9},
		{"recall macro", []float64{0, 1, 2, 0, 1, 2}, []float64{0, 2, 1, 0, 0, 1}, f(Recall, Macro), 1.0 / 3},
		// Hand-computed: tp=2, fp=1, fn=1.
		{"precision binary", []float64{1, 1, 1, 0, 0}, []float64{1, 1, 0, 1, 0}, f(Precision, Binary), 2.0 / 3},
		{"recall binary", []float64{1, 1, 1, 0, 0}, []float64{1, 1, 0, 1, 0}, f(Recall, Binary), 2.0 / 3},
		{"f1 binary", []float64{1, 1, 1, 0, 0}, []float64{1, 1, 0, 1, 0}, f(F1, Binary), 2.0 / 3},
		// zero_division: nothing predicted positive ⇒ 0.
		{"precision no positive prediction", []float64{1, 0}, []float64{0, 0}, f(Precision, Binary), 0},
		{"f1 no positives at all", []float64{0, 0}, []float64{0, 0}, f(F1, Binary), 0},
	}
	for _, tt := range tests {
		if got := tt.fn(tt.yTrue, tt.yPred, nil); !near(got, tt.want, 1e-12) {
			t.Errorf("%s(%v, %v) = %v, want %v", tt.name, tt.yTrue, tt.yPred, got, tt.want)
		}
	}
}

func f(fn func(yt, yp, w []float64, a Average) float64, a Average) func(yt, yp, w []float64) float64 {
	return func(yt, yp, w []float64) float64 { return fn(yt, yp, w, a) }
}

func TestConfusionMatrix(t *testing.T) {
	got := ConfusionMatrix([]float64{2, 0, 2, 2, 0, 1}, []float64{0, 0, 2, 2, 0, 2}, nil)
	want := mat.NewDense(3, 3, []float64{2, 0, 0, 0, 0, 1, 1, 0, 2})
	if !mat.Equal(got, want) {
		t.Errorf("ConfusionMatrix = %v, want %v", mat.Formatted(got), mat.Formatted(want))
	}
	w := ConfusionMatrix([]float64{0, 1}, []float64{0, 0}, []float64{0.5, 2})
	if !mat.Equal(w, mat.NewDense(2, 2, []float64{0.5, 0, 2, 0})) {
		t.Errorf("weighted ConfusionMatrix = %v", mat.Formatted(w))
	}
}

func TestWeightsEqualRepetition(t *testing.T) {
	// An integer weight must act like repeating the sample.
	yt := []float64{0, 1, 1, 0, 1}
	yp := []float64{0, 1, 0, 1, 1}
	sc := []float64{0.2, 0.9, 0.3, 0.6, 0.6}
	w := []float64{1, 2, 1, 3, 1}
	var ytR, ypR, scR []float64
	for i := range yt {
		for range int(w[i]) {
			ytR, ypR, scR = append(ytR, yt[i]), append(ypR, yp[i]), append(scR, sc[i])
		}
	}
	for name, fn := range map[string]func(a, b, w []float64) float64{
		"accuracy": Accuracy, "balanced": BalancedAccuracy, "mcc": MCC,
		"f1": f(F1, Binary), "f1w": f(F1, Weighted), "roc_auc": ROCAUC, "ap": AveragePrecision, "log_loss": LogLoss,
	} {
		a, b := ypR, yp
		if name == "roc_auc" || name == "ap" || name == "log_loss" {
			a, b = scR, sc
		}
		if got, want := fn(yt, b, w), fn(ytR, a, nil); !near(got, want, 1e-12) {
			t.Errorf("%s weighted = %v, repeated = %v", name, got, want)
		}
	}
}

func TestROCAndPR(t *testing.T) {
	yt := []float64{0, 0, 1, 1}
	sc := []float64{0.1, 0.4, 0.35, 0.8}
	fpr, tpr, th := ROC(yt, sc, nil)
	if !sliceNear(fpr, []float64{0, 0, 0.5, 0.5, 1}, 0) || !sliceNear(tpr, []float64{0, 0.5, 0.5, 1, 1}, 0) ||
		!sliceNear(th, []float64{math.Inf(1), 0.8, 0.4, 0.35, 0.1}, 0) {
		t.Errorf("ROC = %v %v %v", fpr, tpr, th)
	}
	if got := ROCAUC(yt, sc, nil); got != 0.75 {
		t.Errorf("ROCAUC = %v, want 0.75", got)
	}
	p, r, pt := PrecisionRecall(yt, sc, nil)
	if !sliceNear(p, []float64{0.5, 2.0 / 3, 0.5, 1, 1}, 1e-15) || !sliceNear(r, []float64{1, 1, 0.5, 0.5, 0}, 0) ||
		!sliceNear(pt, []float64{0.1, 0.35, 0.4, 0.8}, 0) {
		t.Errorf("PrecisionRecall = %v %v %v", p, r, pt)
	}
	if got := AveragePrecision(yt, sc, nil); !near(got, 0.8333333333333333, 1e-15) {
		t.Errorf("AveragePrecision = %v, want 5/6", got)
	}
	// Ties: all scores equal ⇒ one threshold, AUC 1/2.
	if got := ROCAUC([]float64{0, 1, 0, 1}, []float64{0.3, 0.3, 0.3, 0.3}, nil); got != 0.5 {
		t.Errorf("ROCAUC of ties = %v, want 0.5", got)
	}
	// One tie across classes: pairs (pos, neg) ordered 3 of 4, one tie ⇒ 3.5/4.
	if got := ROCAUC([]float64{0, 0, 1, 1}, []float64{0.1, 0.5, 0.5, 0.9}, nil); got != 0.875 {
		t.Errorf("ROCAUC with a tie = %v, want 0.875", got)
	}
	if got := ROCAUC([]float64{1, 1}, []float64{0.3, 0.6}, nil); !math.IsNaN(got) {
		t.Errorf("ROCAUC of one class = %v, want NaN", got)
	}
}

func TestLogLoss(t *testing.T) {
	got := LogLoss([]float64{1, 0, 0, 1}, []float64{0.9, 0.1, 0.2, 0.65}, nil)
	if !near(got, 0.21616187468057912, 1e-15) {
		t.Errorf("LogLoss = %v", got)
	}
	// Clipping: a confident wrong answer costs −log ε.
	if got, want := LogLoss([]float64{1}, []float64{0}, nil), -math.Log(0x1p-52); got != want {
		t.Errorf("LogLoss clipped = %v, want %v", got, want)
	}
	pr := mat.NewDense(2, 3, []float64{0.2, 0.7, 0.1, 0.6, 0.2, 0.2})
	if got, want := LogLossMulti([]float64{1, 2}, pr, nil), -(math.Log(0.7)+math.Log(0.2))/2; !near(got, want, 1e-15) {
		t.Errorf("LogLossMulti = %v, want %v", got, want)
	}
}

func TestPanics(t *testing.T) {
	for name, fn := range map[string]func(){
		"length":      func() { Accuracy([]float64{0, 1}, []float64{0}, nil) },
		"weights":     func() { Accuracy([]float64{0, 1}, []float64{0, 1}, []float64{1}) },
		"label":       func() { Accuracy([]float64{0.5}, []float64{0}, nil) },
		"negative":    func() { MCC([]float64{-1}, []float64{0}, nil) },
		"nan score":   func() { ROCAUC([]float64{0, 1}, []float64{math.NaN(), 1}, nil) },
		"binary auc":  func() { ROCAUC([]float64{0, 2}, []float64{0, 1}, nil) },
		"neg weight":  func() { Accuracy([]float64{0}, []float64{0}, []float64{-1}) },
		"multi label": func() { LogLossMulti([]float64{2}, mat.NewDense(1, 2, []float64{0.5, 0.5}), nil) },
	} {
		if !panics(fn) {
			t.Errorf("%s: no panic", name)
		}
	}
}

func TestAggregate(t *testing.T) {
	s := Aggregate([]float64{1, 2, 3, 4, 5, math.NaN()}, nil)
	// t_{0.975, 4} = 2.7764451051977987 (standard t table / scipy.stats.t.ppf).
	half := 2.7764451051977987 * math.Sqrt(2.5) / math.Sqrt(5)
	if s.N != 5 || s.NaN != 1 || s.Mean != 3 || !near(s.Std, math.Sqrt(2.5), 1e-15) ||
		!near(s.Lo, 3-half, 1e-9) || !near(s.Hi, 3+half, 1e-9) {
		t.Errorf("Aggregate = %+v, want mean 3 std %v ci ±%v", s, math.Sqrt(2.5), half)
	}
	one := Aggregate([]float64{0.7}, nil)
	if one.Mean != 0.7 || !math.IsNaN(one.Std) || !math.IsNaN(one.Lo) {
		t.Errorf("Aggregate of one value = %+v", one)
	}
	opt := &AggregateOptions{Method: Bootstrap, Seed: 3}
	b1, b2 := Aggregate([]float64{1, 2, 3, 4, 5}, opt), Aggregate([]float64{1, 2, 3, 4, 5}, opt)
	if b1 != b2 || !(b1.Lo >= 1 && b1.Lo < 3 && b1.Hi > 3 && b1.Hi <= 5) {
		t.Errorf("bootstrap = %+v and %+v, want equal and around 3", b1, b2)
	}
}

func TestSummaryJSON(t *testing.T) {
	folds := []FoldScores{
		{Repeat: 0, Fold: 0, NTrain: 8, NTest: 2, Scores: map[string]float64{"roc_auc": math.NaN(), "accuracy": 0.5}},
		{Repeat: 0, Fold: 1, NTrain: 8, NTest: 2, Scores: map[string]float64{"roc_auc": 1, "accuracy": 1}},
	}
	s := Summarize(folds, nil)
	b, err := json.Marshal(s)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), `"roc_auc":null`) || !strings.Contains(string(b), `"roc_auc":{"n":1,"nan":1,"mean":1,"std":null`) {
		t.Errorf("JSON = %s", b)
	}
	var back Summary
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	if !math.IsNaN(back.Folds[0].Scores["roc_auc"]) || back.Aggregate["accuracy"].Mean != 0.75 || back.Level != 0.95 {
		t.Errorf("round trip = %+v", back)
	}
}
