package resample

import (
	"context"
	"math/rand/v2"
	"slices"
	"testing"
)

func TestKNearestMatchesSort(t *testing.T) {
	rnd := rand.New(rand.NewPCG(4, 4))
	for _, tc := range []struct{ n, d, k int }{
		{7, 1, 6}, {67, 3, 5}, {130, 2, 5}, {257, 30, 5}, {300, 4, 1},
	} {
		// Small integer coordinates: many exact ties.
		x := make([]float64, tc.n*tc.d)
		for i := range x {
			x[i] = float64(rnd.IntN(4))
		}
		for _, workers := range []int{1, 3} {
			got, err := kNearest(context.Background(), x, tc.n, tc.d, tc.k, workers)
			if err != nil {
				t.Fatal(err)
			}
			for i := range tc.n {
				idx := make([]int, 0, tc.n)
				for j := range tc.n {
					if j != i {
						idx = append(idx, j)
					}
				}
				dist := func(j int) float64 { return sqDistRef(x[i*tc.d:(i+1)*tc.d], x[j*tc.d:(j+1)*tc.d]) }
				slices.SortStableFunc(idx, func(a, b int) int {
					da, db := dist(a), dist(b)
					if da != db {
						if da < db {
							return -1
						}
						return 1
					}
					return a - b
				})
				for c := range tc.k {
					if int(got[i*tc.k+c]) != idx[c] {
						t.Fatalf("%+v workers %d row %d: neighbours %v, want %v", tc, workers, i, got[i*tc.k:(i+1)*tc.k], idx[:tc.k])
					}
				}
			}
		}
	}
}

func sqDistRef(a, b []float64) float64 {
	var s float64
	for i := range a {
		s += (a[i] - b[i]) * (a[i] - b[i])
	}
	return s
}

func TestKNearestCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := kNearest(ctx, make([]float64, 2000), 1000, 2, 5, 2); err == nil {
		t.Error("cancelled search: no error")
	}
}
