package boost_test

import (
	"context"
	"fmt"

	"github.com/mlstack/mlstack/pkg/boost"
	"gonum.org/v1/gonum/mat"
)

func ExampleModel_Contributions() {
	// y = 1 when x0 + x1 > 1, on a 4 × 4 grid.
	var x, y []float64
	for _, a := range []float64{0.1, 0.4, 0.6, 0.9} {
		for _, b := range []float64{0.1, 0.4, 0.6, 0.9} {
			x = append(x, a, b)
			y = append(y, map[bool]float64{false: 0, true: 1}[a+b > 1])
		}
	}
	X := mat.NewDense(16, 2, x)
	m, err := boost.Train(context.Background(), X, y, nil, &boost.Params{NEstimators: 10, MinChildWeight: boost.Float(0)})
	if err != nil {
		fmt.Println(err)
		return
	}
	rows := mat.NewDense(2, 2, []float64{0.05, 0.1, 0.9, 0.8})
	c, _ := m.Contributions(rows) // one matrix: binary:logistic has one output
	margin, _ := m.PredictMargin(rows)
	for i := range 2 {
		r := c[0].RawRowView(i)
		fmt.Printf("x0 %+.3f  x1 %+.3f  bias %+.3f  sum %+.3f  margin %+.3f\n", r[0], r[1], r[2], r[0]+r[1]+r[2], margin[i])
	}
	// Each row's contributions and the bias (the expected margin) sum to
	// its margin, the log-odds; xgboost's pred_contribs gives the same.

	// Output:
	// x0 -0.972  x1 -0.967  bias -0.518  sum -2.456  margin -2.456
	// x0 +1.470  x1 +0.711  bias -0.518  sum +1.663  margin +1.663
}
