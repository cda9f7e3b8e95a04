package cv_test

import (
	"context"
	"fmt"

	"gonum.org/v1/gonum/mat"

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

func ExampleRun() {
	X := mat.NewDense(8, 1, []float64{0.1, 0.3, 0.2, 0.4, 2.1, 2.4, 1.9, 2.2})
	y := []float64{0, 0, 0, 0, 1, 1, 1, 1}
	s := cv.RepeatedStratifiedKFold{NSplits: 2, NRepeats: 3, Seed: 1}
	res, err := cv.Run(context.Background(), X, y, s, func(uint64) cv.Model { return &gaussianNB{} }, nil)
	if err != nil {
		panic(err)
	}
	auc := res.Summary(nil).Aggregate["roc_auc"]
	fmt.Println(len(res.Folds), "folds,", len(res.Predictions), "out-of-fold predictions, mean AUC", auc.Mean)
	// Output: 6 folds, 24 out-of-fold predictions, mean AUC 1
}
