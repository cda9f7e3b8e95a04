package boost

import (
	"math"
	"math/rand/v2"
	"os/exec"

	"gonum.org/v1/gonum/mat"
)

// synth makes a binary classification problem with n rows and d
// features; frac of the values are NaN.
func synth(n, d int, seed uint64, missing float64) (*mat.Dense, []float64) {
	rng := rand.New(rand.NewPCG(seed, 1))
	x := mat.NewDense(n, d, nil)
	y := make([]float64, n)
	for i := 0; i < n; i++ {
		s := 0.0
		for j := 0; j < d; j++ {
			v := rng.NormFloat64()
			if j%3 == 2 {
				v = math.Round(v * 2) // discrete values: ties and exact cut hits
			}
			s += v * float64(j%4-1) / float64(j+1)
			if rng.Float64() < missing {
				v = math.NaN()
			}
			x.Set(i, j, v)
		}
		if s+0.5*rng.NormFloat64() > 0 {
			y[i] = 1
		}
	}
	return x, y
}

func execCommand(name string, args ...string) ([]byte, error) {
	return exec.Command(name, args...).Output()
}
