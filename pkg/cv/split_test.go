package cv_test

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"reflect"
	"slices"
	"testing"

	"github.com/mlstack/mlstack/pkg/cv"
)

// checkSplits verifies the guarantees of a stratified splitter that do not
// depend on the random stream.
func checkSplits(t *testing.T, name string, y []float64, splits []cv.Split, nSplits, nRepeats int, shuffle bool) {
	t.Helper()
	if len(splits) != nSplits*nRepeats {
		t.Fatalf("%s: %d splits, want %d", name, len(splits), nSplits*nRepeats)
	}
	classes := map[float64]int{}
	for _, v := range y {
		classes[v]++
	}
	for r := range nRepeats {
		seen := make([]int, len(y))
		var sizes []int
		perClass := map[float64][]int{}
		for f := range nSplits {
			sp := splits[r*nSplits+f]
			if sp.Repeat != r || sp.Fold != f {
				t.Fatalf("%s: split %d labelled repeat %d fold %d", name, r*nSplits+f, sp.Repeat, sp.Fold)
			}
			if len(sp.Train)+len(sp.Test) != len(y) || !slices.IsSorted(sp.Train) || !slices.IsSorted(sp.Test) {
				t.Fatalf("%s r%d f%d: train %d + test %d rows, sorted %v %v", name, r, f, len(sp.Train), len(sp.Test),
					slices.IsSorted(sp.Train), slices.IsSorted(sp.Test))
			}
			inTest := map[int]bool{}
			for _, i := range sp.Test {
				seen[i]++
				inTest[i] = true
			}
			for _, i := range sp.Train {
				if inTest[i] {
					t.Fatalf("%s r%d f%d: row %d in train and test", name, r, f, i)
				}
			}
			sizes = append(sizes, len(sp.Test))
			cnt := map[float64]int{}
			for _, i := range sp.Test {
				cnt[y[i]]++
			}
			for c := range classes {
				perClass[c] = append(perClass[c], cnt[c])
			}
		}
		for i, s := range seen {
			if s != 1 {
				t.Fatalf("%s repeat %d: row %d in %d test folds", name, r, i, s)
			}
		}
		if slices.Max(sizes)-slices.Min(sizes) > 1 {
			t.Errorf("%s repeat %d: fold sizes %v differ by more than 1", name, r, sizes)
		}
		for c, v := range perClass {
			if slices.Max(v)-slices.Min(v) > 1 {
				t.Errorf("%s repeat %d: class %v counts %v differ by more than 1", name, r, c, v)
			}
		}
	}
	if !shuffle {
		// Without shuffle, a class's rows go to folds in row order.
		fold := make([]int, len(y))
		for _, sp := range splits {
			for _, i := range sp.Test {
				fold[i] = sp.Fold
			}
		}
		last := map[float64]int{}
		for i, v := range y {
			if fold[i] < last[v] {
				t.Fatalf("%s: class %v row %d in fold %d after fold %d", name, v, i, fold[i], last[v])
			}
			last[v] = fold[i]
		}
	}
}

func labelSets(t *testing.T) map[string][]float64 {
	_, bc := loadSample(t, "breast_cancer", "diagnosis", "M")
	_, db := loadSample(t, "diabetes", "Outcome", "1")
	rnd := rand.New(rand.NewPCG(7, 7))
	multi := make([]float64, 203)
	for i := range multi {
		multi[i] = float64(2 - min(rnd.IntN(10), 2)) // 2 is the commonest and first
	}
	return map[string][]float64{"breast_cancer": bc, "diabetes": db, "multiclass": multi}
}

func TestStratifiedKFold(t *testing.T) {
	for name, y := range labelSets(t) {
		for _, k := range []int{2, 3, 5, 7, 10} {
			for _, shuffle := range []bool{false, true} {
				s := cv.StratifiedKFold{NSplits: k, Shuffle: shuffle, Seed: 42}
				sp, err := s.Split(y)
				if err != nil {
					t.Fatalf("%s %+v: %v", name, s, err)
				}
				checkSplits(t, fmt.Sprintf("%s %+v", name, s), y, sp, k, 1, shuffle)
			}
		}
	}
}

func TestRepeatedStratifiedKFold(t *testing.T) {
	for name, y := range labelSets(t) {
		s := cv.RepeatedStratifiedKFold{NSplits: 5, NRepeats: 3, Seed: 1}
		sp, err := s.Split(y)
		if err != nil {
			t.Fatal(err)
		}
		checkSplits(t, name, y, sp, 5, 3, true)
		again, _ := s.Split(y)
		if !reflect.DeepEqual(sp, again) {
			t.Errorf("%s: same seed, different splits", name)
		}
		if reflect.DeepEqual(sp[0].Test, sp[5].Test) {
			t.Errorf("%s: repeats 0 and 1 have the same first fold", name)
		}
		other, _ := cv.RepeatedStratifiedKFold{NSplits: 5, NRepeats: 3, Seed: 2}.Split(y)
		if reflect.DeepEqual(sp, other) {
			t.Errorf("%s: seeds 1 and 2 give the same splits", name)
		}
	}
	// Defaults: 5 splits × 10 repeats.
	_, y := loadSample(t, "diabetes", "Outcome", "1")
	sp, err := cv.RepeatedStratifiedKFold{}.Split(y)
	if err != nil || len(sp) != 50 {
		t.Errorf("default RepeatedStratifiedKFold: %d splits, %v", len(sp), err)
	}
}

func TestSplitErrors(t *testing.T) {
	y := []float64{0, 0, 0, 0, 0, 1, 1, 1, 2, 2, 2, 2, 2}
	var small *cv.ClassTooSmallError
	_, err := cv.StratifiedKFold{NSplits: 4}.Split(y)
	if !errors.As(err, &small) || small.Class != 1 || small.Count != 3 || small.NSplits != 4 {
		t.Errorf("class too small: err = %v", err)
	} else if got, want := err.Error(), "cv: class 1 has 3 member(s), fewer than n_splits=4"; got != want {
		t.Errorf("message %q, want %q", got, want)
	}
	if _, err := (cv.StratifiedKFold{NSplits: 1}).Split(y); !errors.Is(err, cv.ErrTooFewSplits) {
		t.Errorf("NSplits=1: err = %v", err)
	}
	if _, err := (cv.RepeatedStratifiedKFold{NSplits: -3}).Split(y); !errors.Is(err, cv.ErrTooFewSplits) {
		t.Errorf("NSplits=-3: err = %v", err)
	}
	if _, err := (cv.StratifiedKFold{NSplits: 20}).Split(y); err == nil {
		t.Errorf("NSplits > n: no error")
	}
}

func BenchmarkRepeatedStratifiedKFold100k(b *testing.B) {
	rnd := rand.New(rand.NewPCG(1, 2))
	y := make([]float64, 100000)
	for i := range y {
		if rnd.Float64() < 0.1 {
			y[i] = 1
		}
	}
	s := cv.RepeatedStratifiedKFold{NSplits: 5, NRepeats: 10, Seed: 1}
	for b.Loop() {
		if _, err := s.Split(y); err != nil {
			b.Fatal(err)
		}
	}
}
