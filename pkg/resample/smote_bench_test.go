package resample

import (
	"context"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/mat"
)

// imbalanced returns n rows of d features, a fraction minor of class 1,
// class 1 shifted by one unit in every feature.
func imbalanced(n, d int, minor float64, seed uint64) (*mat.Dense, []float64) {
	rnd := rand.New(rand.NewPCG(seed, seed))
	X := mat.NewDense(n, d, nil)
	y := make([]float64, n)
	for i := range n {
		if float64(i) < minor*float64(n) {
			y[i] = 1
		}
		for j := range d {
			X.Set(i, j, rnd.NormFloat64()+y[i])
		}
	}
	return X, y
}

func benchmarkSMOTE(b *testing.B, n, d int, workers int) {
	X, y := imbalanced(n, d, 0.1, 1)
	s := SMOTE{Workers: workers}
	b.ResetTimer()
	for b.Loop() {
		if _, _, err := s.Resample(context.Background(), X, y, rand.New(rand.NewPCG(1, 2))); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkSMOTE10kx30(b *testing.B)           { benchmarkSMOTE(b, 10000, 30, 0) }
func BenchmarkSMOTE100kx30(b *testing.B)          { benchmarkSMOTE(b, 100000, 30, 0) }
func BenchmarkSMOTE100kx30OneWorker(b *testing.B) { benchmarkSMOTE(b, 100000, 30, 1) }
