package resample_test

import (
	"context"
	"fmt"
	"math/rand/v2"

	"gonum.org/v1/gonum/mat"

	"github.com/mlstack/mlstack/pkg/resample"
)

func ExampleSMOTE() {
	// Eight rows of class 0, four of class 1 on a line.
	X := mat.NewDense(12, 1, []float64{0, 1, 2, 3, 4, 5, 6, 7, 10, 11, 12, 13})
	y := []float64{0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1}
	s := resample.SMOTE{K: 2}
	Xr, yr, err := s.Resample(context.Background(), X, y, rand.New(rand.NewPCG(1, 1)))
	if err != nil {
		panic(err)
	}
	n, _ := Xr.Dims()
	fmt.Println(n, "rows; new labels", yr[12:])
	for i := 12; i < n; i++ {
		v := Xr.At(i, 0)
		fmt.Println(v >= 10 && v <= 13) // between minority rows
	}
	// Output:
	// 16 rows; new labels [1 1 1 1]
	// true
	// true
	// true
	// true
}

func ExampleRatio() {
	counts := []int{90, 10}
	gen, err := resample.Ratio(0.5).NewSamples(counts)
	fmt.Println(gen, err)
	// Output: [0 35] <nil>
}
