package cv_test

import (
	"context"
	"fmt"
	"math"

	"github.com/mlstack/mlstack/pkg/cv"
)

func ExampleStratifiedKFold() {
	// Class 1 appears first, so it is dealt first; each fold gets 2 or 1
	// rows of class 1 and 1 or 2 of class 0.
	y := []float64{1, 1, 0, 1, 0, 0, 1, 0, 1}
	splits, err := cv.StratifiedKFold{NSplits: 3}.Split(y)
	if err != nil {
		panic(err)
	}
	for _, s := range splits {
		fmt.Println(s.Fold, s.Test)
	}
	// Output:
	// 0 [0 1 2]
	// 1 [3 4 6]
	// 2 [5 7 8]
}

func ExampleRunFolds() {
	// One feature; class 1 has the larger values. Each fold fits the
	// midpoint of the two class means on its training rows only and
	// scores its test rows by their distance past it.
	x := []float64{0.1, 0.3, 0.2, 0.4, 2.1, 2.4, 1.9, 2.2}
	y := []float64{0, 0, 0, 0, 1, 1, 1, 1}
	splits, err := cv.RepeatedStratifiedKFold{NSplits: 2, NRepeats: 3, Seed: 1}.Split(y)
	if err != nil {
		panic(err)
	}
	fit := func(ctx context.Context, sp cv.Split, seed uint64) (*cv.FoldOutput, error) {
		var sum, n [2]float64
		for _, r := range sp.Train {
			sum[int(y[r])] += x[r]
			n[int(y[r])]++
		}
		mid := (sum[0]/n[0] + sum[1]/n[1]) / 2
		out := &cv.FoldOutput{}
		for _, r := range sp.Test {
			out.Score = append(out.Score, 1/(1+math.Exp(mid-x[r])))
		}
		return out, nil
	}
	res, err := cv.RunFolds(context.Background(), y, splits, fit, nil)
	if err != nil {
		panic(err)
	}
	auc := res.Summary(nil).Aggregate["roc_auc"]
	fmt.Println(len(res.Folds), "folds,", len(res.Predictions), "out-of-fold predictions, mean AUC", auc.Mean)
	// Output: 6 folds, 24 out-of-fold predictions, mean AUC 1
}
