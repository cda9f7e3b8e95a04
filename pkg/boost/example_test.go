package boost_test

import (
	"context"
	"fmt"
	"math"

	"github.com/mlstack/mlstack/pkg/boost"
	"gonum.org/v1/gonum/mat"
)

func ExampleTrain() {
	// y = 1 when x0 + x1 > 1; x1 is sometimes missing. (Python xgboost
	// 3.2 with the same data and parameters predicts 0.0626 and 0.9374.)
	X := mat.NewDense(8, 2, []float64{
		0.1, 0.2,
		0.9, 0.8,
		0.3, math.NaN(),
		0.7, 0.9,
		0.2, 0.1,
		0.8, math.NaN(),
		0.4, 0.3,
		0.95, 0.6,
	})
	y := []float64{0, 1, 0, 1, 0, 1, 0, 1}
	m, err := boost.Train(context.Background(), X, y, nil, &boost.Params{NEstimators: 20, MinChildWeight: boost.Float(0)})
	if err != nil {
		fmt.Println(err)
		return
	}
	p, _ := m.Predict(mat.NewDense(2, 2, []float64{0.05, 0.1, 0.9, math.NaN()}))
	fmt.Printf("base score %.2f, P(y=1) = %.3f and %.3f\n", m.BaseScore, p[0], p[1])
	imp, _ := m.Importance(boost.Weight)
	fmt.Println("splits per feature:", imp)
	// Output:
	// base score 0.50, P(y=1) = 0.063 and 0.937
	// splits per feature: [20 0]
}
