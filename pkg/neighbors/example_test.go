package neighbors_test

import (
	"context"
	"fmt"

	"gonum.org/v1/gonum/mat"

	"github.com/mlstack/mlstack/pkg/neighbors"
)

// Each row's two nearest other rows. Rows 0 and 3 are the same point: each
// is the other's nearest neighbour, at distance 0; rows 1 and 4 are both at
// distance 1 from row 0, and the lower index comes first.
func Example() {
	X := mat.NewDense(5, 2, []float64{
		0, 0,
		1, 0,
		5, 5,
		0, 0,
		0, 1,
	})
	ix, err := neighbors.Fit(context.Background(), X, &neighbors.Options{Algorithm: neighbors.KDTree})
	if err != nil {
		fmt.Println(err)
		return
	}
	res, err := ix.KNeighbors(context.Background(), nil, 2)
	if err != nil {
		fmt.Println(err)
		return
	}
	for i := range 5 {
		fmt.Println(i, res.Ind[2*i:2*i+2], res.Dist[2*i:2*i+2])
	}
	_, err = ix.KNeighbors(context.Background(), X, 6)
	fmt.Println(err)
	// Output:
	// 0 [3 1] [0 1]
	// 1 [0 3] [1 1]
	// 2 [1 4] [6.4031242374328485 6.4031242374328485]
	// 3 [0 1] [0 1]
	// 4 [0 3] [1 1]
	// neighbors: Expected n_neighbors <= n_samples_fit, but n_neighbors = 6, n_samples_fit = 5
}
