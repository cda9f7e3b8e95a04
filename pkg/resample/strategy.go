package resample

import (
	"errors"
	"fmt"
	"slices"
)

// ErrStrategy is wrapped by every error about an impossible sampling
// strategy.
var ErrStrategy = errors.New("resample: invalid sampling strategy")

// A Strategy decides how many rows to add to each class. counts[c] is the
// number of rows of class c (0 for a class id that does not occur); the
// result has the same length and holds the number of new rows per class.
type Strategy interface {
	NewSamples(counts []int) ([]int, error)
}

// majority returns the smallest class id with the largest count, as
// imbalanced-learn's max(target_stats, key=target_stats.get) on sorted
// labels does.
func majority(counts []int) int {
	best := 0
	for c, n := range counts {
		if n > counts[best] {
			best = c
		}
	}
	return best
}

// Auto is imbalanced-learn's "auto" (= "not majority"): every class except
// the majority grows to the majority's count. With several classes tied for
// the majority, the lowest id is the majority and the others gain nothing.
type Auto struct{}

// NewSamples implements Strategy.
func (Auto) NewSamples(counts []int) ([]int, error) {
	m := majority(counts)
	out := make([]int, len(counts))
	for c, n := range counts {
		if c != m && n > 0 {
			out[c] = counts[m] - n
		}
	}
	return out, nil
}

// Ratio is a float sampling_strategy: for binary data, the minority class
// grows to int(Ratio × n_majority) rows. Ratio must be in (0, 1] and must not
// ask for fewer minority rows than there are.
type Ratio float64

// NewSamples implements Strategy.
func (r Ratio) NewSamples(counts []int) ([]int, error) {
	present := 0
	for _, n := range counts {
		if n > 0 {
			present++
		}
	}
	if present != 2 {
		return nil, fmt.Errorf("%w: a ratio needs exactly two classes, have %d", ErrStrategy, present)
	}
	if !(r > 0 && r <= 1) {
		return nil, fmt.Errorf("%w: ratio %v not in (0, 1]", ErrStrategy, float64(r))
	}
	m := majority(counts)
	out := make([]int, len(counts))
	for c, n := range counts {
		if c == m || n == 0 {
			continue
		}
		// int(n_majority * ratio - n), as imbalanced-learn computes it.
		want := float64(counts[m])*float64(r) - float64(n)
		if want < 0 {
			return nil, fmt.Errorf("%w: ratio %v asks for %d rows of class %d, which has %d; over-sampling cannot remove rows",
				ErrStrategy, float64(r), int(float64(counts[m])*float64(r)), c, n)
		}
		out[c] = int(want)
	}
	return out, nil
}

// Targets gives the number of rows wanted per class after resampling; a
// class not listed is left alone. A target below the current count, or for a
// class that does not occur, is an error.
type Targets map[int]int

// NewSamples implements Strategy.
func (t Targets) NewSamples(counts []int) ([]int, error) {
	out := make([]int, len(counts))
	keys := make([]int, 0, len(t))
	for c := range t {
		keys = append(keys, c)
	}
	slices.Sort(keys)
	for _, c := range keys {
		want := t[c]
		if c < 0 || c >= len(counts) || counts[c] == 0 {
			return nil, fmt.Errorf("%w: class %d is not in y", ErrStrategy, c)
		}
		if want < counts[c] {
			return nil, fmt.Errorf("%w: class %d has %d rows and %d are asked; over-sampling cannot remove rows",
				ErrStrategy, c, counts[c], want)
		}
		out[c] = want - counts[c]
	}
	return out, nil
}
