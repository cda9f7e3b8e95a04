package cv_test

import (
	"context"
	"errors"
	"math"
	"math/rand/v2"
	"reflect"
	"strings"
	"sync"
	"testing"

	"gonum.org/v1/gonum/mat"

	"github.com/mlstack/mlstack/internal/cores"
	"github.com/mlstack/mlstack/pkg/cv"
	"github.com/mlstack/mlstack/pkg/resample"
)

func TestRunFoldsBreastCancer(t *testing.T) {
	X, y := loadSample(t, "breast_cancer", "diagnosis", "M")
	s := cv.RepeatedStratifiedKFold{NSplits: 5, NRepeats: 2, Seed: 3}
	var calls []int
	res, err := runModel(context.Background(), X, y, s, newNB, nil, &cv.Options{
		Seed:     9,
		Progress: func(done, total int) { calls = append(calls, done*1000+total) },
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Folds) != 10 || len(res.Predictions) != 2*len(y) {
		t.Fatalf("%d folds, %d predictions", len(res.Folds), len(res.Predictions))
	}
	for i, c := range calls {
		if c != (i+1)*1000+10 {
			t.Fatalf("progress calls %v", calls)
		}
	}
	// Naive Bayes separates this data well (scikit-learn's GaussianNB
	// reaches a cross-validated ROC AUC of about 0.98 on it).
	sum := res.Summary(nil)
	if auc := sum.Aggregate["roc_auc"]; auc.N != 10 || auc.Mean < 0.95 || !(auc.Lo < auc.Mean && auc.Mean < auc.Hi) {
		t.Errorf("roc_auc = %+v", auc)
	}
	// Out-of-fold predictions: every row once per repeat, with its label.
	count := make([]int, len(y))
	for _, p := range res.Predictions {
		count[p.Row]++
		if p.YTrue != y[p.Row] || !(p.YScore >= 0 && p.YScore <= 1) {
			t.Fatalf("prediction %+v for label %v", p, y[p.Row])
		}
	}
	for i, c := range count {
		if c != 2 {
			t.Fatalf("row %d predicted %d times", i, c)
		}
	}
}

func TestRunFoldsDeterministicAcrossWorkers(t *testing.T) {
	X, y := loadSample(t, "diabetes", "Outcome", "1")
	s := cv.RepeatedStratifiedKFold{NSplits: 4, NRepeats: 3, Seed: 5}
	run := func(workers int) *cv.Result {
		res, err := runModel(context.Background(), X, y, s, newNB, resample.SMOTE{}, &cv.Options{
			Seed: 11, Workers: workers,
		})
		if err != nil {
			t.Fatal(err)
		}
		return res
	}
	a, b := run(1), run(4)
	if !reflect.DeepEqual(a, b) {
		t.Errorf("Workers=1 and Workers=4 differ")
	}
	seeds := map[uint64]bool{}
	for _, f := range a.Folds {
		seeds[f.Seed] = true
	}
	if len(seeds) != len(a.Folds) {
		t.Errorf("fold seeds not distinct: %d for %d folds", len(seeds), len(a.Folds))
	}
}

// jitterOversampler duplicates random minority rows with small noise until
// the classes are balanced: a real (if crude) resampler whose new rows
// differ from every original row.
type jitterOversampler struct{}

func (jitterOversampler) Resample(ctx context.Context, X mat.Matrix, y []float64, rnd *rand.Rand) (*mat.Dense, []float64, error) {
	n, d := X.Dims()
	var idx [2][]int
	for i, v := range y {
		idx[int(v)] = append(idx[int(v)], i)
	}
	minor := 0
	if len(idx[1]) < len(idx[0]) {
		minor = 1
	}
	extra := len(idx[1-minor]) - len(idx[minor])
	out := mat.NewDense(n+extra, d, nil)
	out.Slice(0, n, 0, d).(*mat.Dense).Copy(X)
	yy := append(append([]float64(nil), y...), make([]float64, extra)...)
	for e := range extra {
		r := idx[minor][rnd.IntN(len(idx[minor]))]
		for j := range d {
			out.Set(n+e, j, X.At(r, j)+1e-3*(rnd.Float64()+0.5))
		}
		yy[n+e] = float64(minor)
	}
	return out, yy, ctx.Err()
}

// recorder wraps a model and records what it was trained and asked on.
type recorder struct {
	model
	mu      *sync.Mutex
	trained *[]*mat.Dense
	asked   *[]*mat.Dense
}

func (r recorder) Fit(ctx context.Context, X mat.Matrix, y, w []float64) error {
	r.mu.Lock()
	*r.trained = append(*r.trained, mat.DenseCopyOf(X))
	r.mu.Unlock()
	return r.model.Fit(ctx, X, y, w)
}

func (r recorder) PredictProba(X mat.Matrix) ([]float64, error) {
	r.mu.Lock()
	*r.asked = append(*r.asked, mat.DenseCopyOf(X))
	r.mu.Unlock()
	return r.model.PredictProba(X)
}

func TestRunFoldsResamplesTrainingOnly(t *testing.T) {
	X, y := loadSample(t, "breast_cancer", "diagnosis", "M")
	n, _ := X.Dims()
	original := map[string]bool{}
	for i := range n {
		original[key(X.RawRowView(i))] = true
	}
	// SMOTE and a crude jittering oversampler: both must leave the test
	// folds alone.
	for _, rs := range []cv.Resampler{resample.SMOTE{}, jitterOversampler{}} {
		var (
			mu             sync.Mutex
			trained, asked []*mat.Dense
		)
		newModel := func(uint64) model {
			return recorder{model: &gaussianNB{}, mu: &mu, trained: &trained, asked: &asked}
		}
		s := cv.StratifiedKFold{NSplits: 5, Shuffle: true, Seed: 1}
		res, err := runModel(context.Background(), X, y, s, newModel, rs, &cv.Options{Workers: 1, Seed: 4})
		if err != nil {
			t.Fatal(err)
		}
		splits, _ := s.Split(y)
		synthetic := 0
		for i, sp := range splits {
			// The test rows the model saw are exactly the split's test rows.
			r, _ := asked[i].Dims()
			if r != len(sp.Test) || res.Folds[i].NTest != len(sp.Test) {
				t.Fatalf("%T fold %d: model asked about %d rows, test fold has %d", rs, i, r, len(sp.Test))
			}
			for j, row := range sp.Test {
				if key(asked[i].RawRowView(j)) != key(X.RawRowView(row)) {
					t.Fatalf("%T fold %d: test row %d is not row %d of X", rs, i, j, row)
				}
			}
			// The training set grew by synthetic rows only.
			tr, _ := trained[i].Dims()
			if tr != res.Folds[i].NResampled || tr <= len(sp.Train) {
				t.Fatalf("%T fold %d: trained on %d rows, split has %d", rs, i, tr, len(sp.Train))
			}
			for j, row := range sp.Train {
				if key(trained[i].RawRowView(j)) != key(X.RawRowView(row)) {
					t.Fatalf("%T fold %d: training row %d is not row %d of X", rs, i, j, row)
				}
			}
			for j := len(sp.Train); j < tr; j++ {
				if original[key(trained[i].RawRowView(j))] {
					t.Fatalf("%T fold %d: resampled row %d is an original row", rs, i, j)
				}
				synthetic++
			}
		}
		if synthetic == 0 {
			t.Fatalf("%T: no synthetic rows", rs)
		}

	}
}

func key(row []float64) string {
	b := make([]byte, 0, 8*len(row))
	for _, v := range row {
		u := math.Float64bits(v)
		for s := 0; s < 64; s += 8 {
			b = append(b, byte(u>>s))
		}
	}
	return string(b)
}

func TestRunFoldsMulticlass(t *testing.T) {
	// Three Gaussian blobs in 2-D, 60 rows each.
	rnd := rand.New(rand.NewPCG(2, 2))
	X := mat.NewDense(180, 2, nil)
	y := make([]float64, 180)
	for i := range y {
		c := i % 3
		y[i] = float64(c)
		X.Set(i, 0, 3*float64(c)+rnd.NormFloat64())
		X.Set(i, 1, -2*float64(c)+rnd.NormFloat64())
	}
	res, err := runModel(context.Background(), X, y, cv.StratifiedKFold{NSplits: 3}, newNB, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if acc := res.Summary(nil).Aggregate["accuracy"]; acc.Mean < 0.85 {
		t.Errorf("multiclass accuracy %+v", acc)
	}
	if p := res.Predictions[0]; len(p.Proba) != 3 || !math.IsNaN(p.YScore) {
		t.Errorf("multiclass prediction %+v", p)
	}
}

type failing struct{ model }

func (failing) Fit(context.Context, mat.Matrix, []float64, []float64) error {
	return errors.New("boom")
}

// slow blocks in Fit until its context is cancelled.
type slow struct{ gaussianNB }

func (s *slow) Fit(ctx context.Context, X mat.Matrix, y, w []float64) error {
	<-ctx.Done()
	return ctx.Err()
}

func TestRunFoldsErrors(t *testing.T) {
	X, y := loadSample(t, "diabetes", "Outcome", "1")
	s := cv.StratifiedKFold{NSplits: 3}
	_, err := runModel(context.Background(), X, y, s, func(uint64) model { return failing{} }, nil, nil)
	// Which fold fails first depends on scheduling; the message names it.
	if err == nil || !strings.HasPrefix(err.Error(), "cv: repeat 0 fold ") || !strings.HasSuffix(err.Error(), ": fit: boom") {
		t.Errorf("failing model: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := 0
	go func() { cancel() }()
	_, err = runModel(ctx, X, y, cv.RepeatedStratifiedKFold{}, func(uint64) model { return &slow{} }, nil,
		&cv.Options{Progress: func(int, int) { done++ }})
	if !errors.Is(err, context.Canceled) || done != 0 {
		t.Errorf("cancelled run: err %v, %d folds done", err, done)
	}
	multi := append([]float64(nil), y...)
	multi[0] = 2
	multi[1] = 2
	multi[2] = 2
	_, err = runModel(context.Background(), X, multi, s, func(uint64) model { return struct{ model }{&gaussianNB{}} }, nil, nil)
	if err == nil {
		t.Errorf("3 classes with a binary-only model: no error")
	}
}

// The folds' ctx lends the cores of workers with no fold left to run:
// none while every worker is busy, the idle ones to the last fold.
func TestRunFoldsLendIdleCores(t *testing.T) {
	y := []float64{0, 1, 0, 1, 0, 1, 0, 1}
	splits := []cv.Split{
		{Train: []int{0, 1, 2, 3}, Test: []int{4, 5, 6, 7}},
		{Train: []int{4, 5, 6, 7}, Test: []int{0, 1, 2, 3}, Fold: 1},
	}
	out := func(sp cv.Split) *cv.FoldOutput {
		return &cv.FoldOutput{Score: make([]float64, len(sp.Test))}
	}
	tests := []struct {
		name    string
		splits  []cv.Split
		workers int
		want    int // cores a fold can borrow while the others run
	}{
		{"one fold, three workers", splits[:1], 3, 2},
		{"two folds, two workers", splits, 2, 0},
		{"one worker", splits[:1], 1, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var started, asked sync.WaitGroup
			started.Add(len(tt.splits))
			asked.Add(len(tt.splits))
			got := make([]int, len(tt.splits))
			fit := func(ctx context.Context, sp cv.Split, _ uint64) (*cv.FoldOutput, error) {
				started.Done()
				started.Wait() // every fold is running
				pool := cores.FromContext(ctx)
				got[sp.Fold] = pool.Borrow(8)
				asked.Done()
				asked.Wait() // no fold has ended
				pool.Return(got[sp.Fold])
				return out(sp), nil
			}
			if _, err := cv.RunFolds(context.Background(), y, tt.splits, fit, &cv.Options{Workers: tt.workers}); err != nil {
				t.Fatal(err)
			}
			for i, n := range got {
				if n != tt.want {
					t.Errorf("fold %d borrowed %d cores, want %d", i, n, tt.want)
				}
			}
		})
	}
}
