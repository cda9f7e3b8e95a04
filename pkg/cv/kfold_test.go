package cv_test

import (
	"testing"

	"github.com/mlstack/mlstack/pkg/cv"
)

// TestKFold checks scikit-learn's KFold guarantees: fold sizes n/k with the
// first n%k folds one larger, every row in exactly one test fold per repeat,
// train = complement of test, and fresh permutations per repeat.
func TestKFold(t *testing.T) {
	for _, tt := range []struct{ n, k, repeats int }{{10, 3, 1}, {23, 5, 3}, {5, 5, 2}, {100, 2, 1}} {
		y := make([]float64, tt.n)
		splits, err := cv.KFold{NSplits: tt.k, NRepeats: tt.repeats, Seed: 1}.Split(y)
		if err != nil {
			t.Fatal(err)
		}
		if len(splits) != tt.k*tt.repeats {
			t.Fatalf("n=%d k=%d: %d splits", tt.n, tt.k, len(splits))
		}
		for r := 0; r < tt.repeats; r++ {
			seen := make([]int, tt.n)
			for f := 0; f < tt.k; f++ {
				sp := splits[r*tt.k+f]
				want := tt.n / tt.k
				if f < tt.n%tt.k {
					want++
				}
				if len(sp.Test) != want || len(sp.Train)+len(sp.Test) != tt.n {
					t.Errorf("n=%d k=%d repeat %d fold %d: test %d train %d, want test %d", tt.n, tt.k, r, f, len(sp.Test), len(sp.Train), want)
				}
				for _, i := range sp.Test {
					seen[i]++
				}
			}
			for i, c := range seen {
				if c != 1 {
					t.Errorf("n=%d k=%d repeat %d: row %d in %d test folds", tt.n, tt.k, r, i, c)
				}
			}
		}
	}
	unshuffled, _ := cv.KFold{NSplits: 3}.Split(make([]float64, 7))
	if got := unshuffled[0].Test; len(got) != 3 || got[0] != 0 || got[2] != 2 {
		t.Errorf("unshuffled first fold = %v, want [0 1 2] as scikit-learn", got)
	}
	if _, err := (cv.KFold{NSplits: 8}).Split(make([]float64, 7)); err == nil {
		t.Error("n_splits > rows gave no error")
	}
}
