package cv

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
)

// Split is one train/test partition.
type Split struct {
	Repeat int   // repeat number, from 0
	Fold   int   // fold number within the repeat, from 0
	Train  []int // training row indices, ascending
	Test   []int // test row indices, ascending
}

// A Splitter partitions the rows of a data set with labels y into folds.
type Splitter interface {
	Split(y []float64) ([]Split, error)
}

// ErrTooFewSplits is returned for NSplits < 2.
var ErrTooFewSplits = errors.New("cv: n_splits must be at least 2")

// ClassTooSmallError reports a class with fewer members than folds.
type ClassTooSmallError struct {
	Class   float64 // the label
	Count   int     // its number of samples
	NSplits int
}

func (e *ClassTooSmallError) Error() string {
	return fmt.Sprintf("cv: class %v has %d member(s), fewer than n_splits=%d", e.Class, e.Count, e.NSplits)
}

// StratifiedKFold is scikit-learn's StratifiedKFold.
type StratifiedKFold struct {
	// NSplits is the number of folds; 0 means 5.
	NSplits int
	// Shuffle assigns rows of a class to folds at random instead of in
	// row order.
	Shuffle bool
	// Seed seeds the shuffle; it is ignored without Shuffle.
	Seed uint64
}

// Split returns NSplits splits with Repeat 0.
func (s StratifiedKFold) Split(y []float64) ([]Split, error) {
	var rnd *rand.Rand
	if s.Shuffle {
		rnd = newRand(s.Seed)
	}
	return stratified(y, orDefault(s.NSplits, 5), 0, rnd)
}

// RepeatedStratifiedKFold is scikit-learn's RepeatedStratifiedKFold:
// NRepeats shuffled StratifiedKFold splits drawn from one random stream.
type RepeatedStratifiedKFold struct {
	// NSplits is the number of folds per repeat; 0 means 5.
	NSplits int
	// NRepeats is the number of repeats; 0 means 10.
	NRepeats int
	// Seed seeds the random stream.
	Seed uint64
}

// Split returns NRepeats × NSplits splits, repeat by repeat.
func (s RepeatedStratifiedKFold) Split(y []float64) ([]Split, error) {
	nr := orDefault(s.NRepeats, 10)
	if nr < 1 {
		return nil, fmt.Errorf("cv: n_repeats must be at least 1, got %d", nr)
	}
	rnd := newRand(s.Seed)
	var out []Split
	for r := range nr {
		sp, err := stratified(y, orDefault(s.NSplits, 5), r, rnd)
		if err != nil {
			return nil, err
		}
		out = append(out, sp...)
	}
	return out, nil
}

func orDefault(v, d int) int {
	if v == 0 {
		return d
	}
	return v
}

func newRand(seed uint64) *rand.Rand {
	return rand.New(rand.NewPCG(seed, 0x63762d73706c6974)) // "cv-split"
}

// stratified is StratifiedKFold._make_test_folds plus the split.
func stratified(y []float64, nSplits, repeat int, rnd *rand.Rand) ([]Split, error) {
	if nSplits < 2 {
		return nil, fmt.Errorf("%w, got %d", ErrTooFewSplits, nSplits)
	}
	if nSplits > len(y) {
		return nil, fmt.Errorf("cv: n_splits=%d greater than the number of samples %d", nSplits, len(y))
	}
	enc, labels, err := encodeClasses(y)
	if err != nil {
		return nil, err
	}
	counts := make([]int, len(labels))
	for _, c := range enc {
		counts[c]++
	}
	for c, n := range counts {
		if n < nSplits {
			return nil, &ClassTooSmallError{Class: labels[c], Count: n, NSplits: nSplits}
		}
	}
	return foldSplits(testFolds(enc, counts, nSplits, rnd), nSplits, repeat), nil
}

// encodeClasses returns the class of each row, classes numbered by first
// appearance, and the label of each class.
func encodeClasses(y []float64) (enc []int, labels []float64, err error) {
	code := map[float64]int{}
	enc = make([]int, len(y))
	for i, v := range y {
		if math.IsNaN(v) {
			return nil, nil, fmt.Errorf("cv: label of row %d is NaN", i)
		}
		c, ok := code[v]
		if !ok {
			c = len(labels)
			code[v] = c
			labels = append(labels, v)
		}
		enc[i] = c
	}
	return enc, labels, nil
}

// testFolds returns the test fold of each row of classes enc (counts rows
// a class), as scikit-learn's StratifiedKFold._make_test_folds: each
// class's rows dealt to the folds as the sorted labels would be, in
// blocks, shuffled by rnd if not nil, in row order.
func testFolds(enc, counts []int, nSplits int, rnd *rand.Rand) []int {
	// allocation[f][c] = #{j in class c's block of the sorted labels : j%nSplits == f}.
	allocation := make([][]int, nSplits)
	for f := range allocation {
		allocation[f] = make([]int, len(counts))
	}
	start := 0
	for c, n := range counts {
		for j := start; j < start+n; j++ {
			allocation[j%nSplits][c]++
		}
		start += n
	}
	// Per class: fold ids in blocks, optionally shuffled, given to the
	// class's rows in row order.
	testFold := make([]int, len(enc))
	next := make([]int, len(counts))
	perClass := make([][]int, len(counts))
	for c := range counts {
		f := make([]int, 0, counts[c])
		for fold := range nSplits {
			for range allocation[fold][c] {
				f = append(f, fold)
			}
		}
		if rnd != nil {
			rnd.Shuffle(len(f), func(i, j int) { f[i], f[j] = f[j], f[i] })
		}
		perClass[c] = f
	}
	for i, c := range enc {
		testFold[i] = perClass[c][next[c]]
		next[c]++
	}
	return testFold
}

// foldSplits turns the test fold of each row into nSplits splits: fold
// f's test rows and the train rows of the others, in row order.
func foldSplits(testFold []int, nSplits, repeat int) []Split {
	size := make([]int, nSplits)
	for _, f := range testFold {
		size[f]++
	}
	splits := make([]Split, nSplits)
	for f := range splits {
		splits[f] = Split{Repeat: repeat, Fold: f, Train: make([]int, 0, len(testFold)-size[f]), Test: make([]int, 0, size[f])}
	}
	for i, f := range testFold {
		for g := range splits {
			if g == f {
				splits[g].Test = append(splits[g].Test, i)
			} else {
				splits[g].Train = append(splits[g].Train, i)
			}
		}
	}
	return splits
}
