package neighbors

import (
	"context"
	"errors"
	"math/rand/v2"
	"strings"
	"testing"

	"gonum.org/v1/gonum/mat"

	"github.com/mlstack/mlstack/internal/crash"
)

// A bug in a worker (here an injected panic) comes back from Fit or
// KNeighbors as an error wrapping *crash.PanicError, for the command to
// report with exit status 3; it does not crash the program.
func TestWorkerPanicIsAnError(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	X := mat.NewDense(2000, 4, nil)
	for i := range 2000 {
		for j := range 4 {
			X.Set(i, j, r.NormFloat64())
		}
	}
	ctx := context.Background()
	for _, tc := range []struct {
		worker string
		alg    Algorithm
		query  bool // the panic comes from KNeighbors, not Fit
	}{
		{"neighbors: build", KDTree, false},
		{"neighbors: build", BallTree, false},
		{"neighbors: leaves", KDTree, false},
		{"neighbors: search", KDTree, true},
		{"neighbors: search", BallTree, true},
		{"neighbors: search", Brute, true},
	} {
		t.Run(tc.worker+"/"+string(tc.alg), func(t *testing.T) {
			undo := crash.PanicIn(tc.worker)
			defer undo()
			ix, err := Fit(ctx, X, &Options{Algorithm: tc.alg, Workers: 4, LeafSize: 10})
			if err == nil {
				if !tc.query {
					t.Fatal("Fit: no error")
				}
				_, err = ix.KNeighbors(ctx, nil, 5)
			}
			var pe *crash.PanicError
			if !errors.As(err, &pe) || !strings.HasPrefix(err.Error(), tc.worker+": internal error: panic:") {
				t.Fatalf("err = %v, want a *crash.PanicError from %s", err, tc.worker)
			}
		})
	}
}
