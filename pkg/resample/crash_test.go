package resample_test

import (
	"context"
	"errors"
	"math/rand/v2"
	"strings"
	"testing"

	"gonum.org/v1/gonum/mat"

	"github.com/mlstack/mlstack/internal/crash"
	"github.com/mlstack/mlstack/pkg/resample"
)

// A bug in a worker of SMOTE or of its neighbour search (here an injected
// panic) comes back as an error wrapping *crash.PanicError, which train
// reports with exit status 3; it does not crash the program.
func TestWorkerPanicIsAnError(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	n := 400
	X := mat.NewDense(n, 3, nil)
	y := make([]float64, n)
	for i := range n {
		for j := range 3 {
			X.Set(i, j, r.NormFloat64())
		}
		if i%5 == 0 {
			y[i] = 1
		}
	}
	for _, worker := range []string{"resample: copy", "resample: interpolate", "neighbors: search"} {
		t.Run(worker, func(t *testing.T) {
			undo := crash.PanicIn(worker)
			defer undo()
			_, _, err := resample.SMOTE{Workers: 2}.Resample(context.Background(), X, y, rand.New(rand.NewPCG(1, 1)))
			var pe *crash.PanicError
			if !errors.As(err, &pe) || !strings.Contains(err.Error(), worker+": internal error: panic:") {
				t.Fatalf("err = %v, want a *crash.PanicError from %s", err, worker)
			}
		})
	}
}
