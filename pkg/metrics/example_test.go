package metrics_test

import (
	"encoding/json"
	"fmt"
	"os"

	"github.com/mlstack/mlstack/pkg/metrics"
)

func ExampleROCAUC() {
	yTrue := []float64{0, 0, 1, 1}
	score := []float64{0.1, 0.4, 0.35, 0.8}
	fmt.Println(metrics.ROCAUC(yTrue, score, nil))
	fmt.Printf("%.4f\n", metrics.AveragePrecision(yTrue, score, nil))
	// Output:
	// 0.75
	// 0.8333
}

func ExampleF1() {
	yTrue := []float64{0, 1, 2, 0, 1, 2}
	yPred := []float64{0, 2, 1, 0, 0, 1}
	for _, avg := range []metrics.Average{metrics.Macro, metrics.Micro, metrics.Weighted} {
		fmt.Printf("%s %.4f\n", avg, metrics.F1(yTrue, yPred, nil, avg))
	}
	// Output:
	// macro 0.2667
	// micro 0.3333
	// weighted 0.2667
}

func ExampleSummarize() {
	folds := []metrics.FoldScores{
		{Fold: 0, NTrain: 80, NTest: 20, Scores: map[string]float64{"roc_auc": 0.81}},
		{Fold: 1, NTrain: 80, NTest: 20, Scores: map[string]float64{"roc_auc": 0.85}},
		{Fold: 2, NTrain: 80, NTest: 20, Scores: map[string]float64{"roc_auc": 0.83}},
	}
	s := metrics.Summarize(folds, nil)
	a := s.Aggregate["roc_auc"]
	fmt.Printf("mean %.3f std %.3f 95%% CI [%.3f, %.3f]\n", a.Mean, a.Std, a.Lo, a.Hi)

	// With a single value the spread is undefined: NaN, written as null.
	json.NewEncoder(os.Stdout).Encode(metrics.Aggregate([]float64{0.5}, nil))
	// Output:
	// mean 0.830 std 0.020 95% CI [0.780, 0.880]
	// {"n":1,"nan":0,"mean":0.5,"std":null,"lo":null,"hi":null}
}
