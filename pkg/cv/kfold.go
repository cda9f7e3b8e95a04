package cv

import (
	"fmt"
	"math/rand/v2"
)

// KFold is scikit-learn's KFold (and RepeatedKFold when NRepeats > 1): the
// rows, in order or shuffled, are cut into NSplits contiguous folds, the
// first n mod NSplits of them one row larger. Labels are ignored, so it
// suits regression targets.
type KFold struct {
	// NSplits is the number of folds; 0 means 5.
	NSplits int
	// NRepeats is the number of repeats; 0 means 1. Repeats are shuffled
	// from one random stream, as in RepeatedKFold.
	NRepeats int
	// Shuffle permutes the rows before cutting (always on when NRepeats > 1).
	Shuffle bool
	// Seed seeds the permutation.
	Seed uint64
}

// Split returns NRepeats × NSplits splits.
func (s KFold) Split(y []float64) ([]Split, error) {
	k, nr := orDefault(s.NSplits, 5), orDefault(s.NRepeats, 1)
	n := len(y)
	if k < 2 {
		return nil, ErrTooFewSplits
	}
	if nr < 1 {
		return nil, fmt.Errorf("cv: n_repeats must be at least 1, got %d", nr)
	}
	if k > n {
		return nil, fmt.Errorf("cv: n_splits=%d is more than the %d rows", k, n)
	}
	var rnd *rand.Rand
	if s.Shuffle || nr > 1 {
		rnd = newRand(s.Seed)
	}
	var out []Split
	for r := range nr {
		fold := make([]int, n)
		order := make([]int, n)
		for i := range order {
			order[i] = i
		}
		if rnd != nil {
			rnd.Shuffle(n, func(i, j int) { order[i], order[j] = order[j], order[i] })
		}
		start := 0
		for f := range k {
			size := n / k
			if f < n%k {
				size++
			}
			for _, i := range order[start : start+size] {
				fold[i] = f
			}
			start += size
		}
		for f := range k {
			sp := Split{Repeat: r, Fold: f}
			for i, fi := range fold {
				if fi == f {
					sp.Test = append(sp.Test, i)
				} else {
					sp.Train = append(sp.Train, i)
				}
			}
			out = append(out, sp)
		}
	}
	return out, nil
}
