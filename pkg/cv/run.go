package cv

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"sync"

	"gonum.org/v1/gonum/mat"

	"github.com/mlstack/mlstack/internal/cores"
	"github.com/mlstack/mlstack/internal/crash"
	"github.com/mlstack/mlstack/pkg/metrics"
)

// Resampler rebalances a training set. The returned rows must start with X's
// rows, unchanged and in order, followed by any new rows; y likewise.
type Resampler interface {
	Resample(ctx context.Context, X mat.Matrix, y []float64, rnd *rand.Rand) (*mat.Dense, []float64, error)
}

// Options configures RunFolds. A nil *Options means the zero value.
type Options struct {
	// Weights are per-row sample weights (nil = unweighted), used to
	// weight the scores of the test rows.
	Weights []float64
	// Workers is the number of folds run at once; 0 means GOMAXPROCS.
	Workers int
	// Seed is the seed from which every fold's seed is derived.
	Seed uint64
	// Threshold turns binary probabilities into labels (p > Threshold ⇒ 1)
	// for the threshold metrics; 0 means 0.5.
	Threshold float64
	// Progress, if not nil, is called after each fold with the number of
	// finished folds and the total.
	Progress func(done, total int)
	// Regression says that y holds real values: each
	// fold's FoldOutput.Score holds predicted values, scored with
	// metrics.RegressionScores; Result.Classes is 0.
	Regression bool
}

// Prediction is one out-of-fold prediction.
type Prediction struct {
	Row    int       // row index in X
	Repeat int       // repeat of the split
	Fold   int       // fold of the split
	YTrue  float64   // label
	YScore float64   // P(class 1) (binary); NaN for more than two classes
	YPred  float64   // predicted label (threshold or argmax)
	Proba  []float64 // class probabilities; nil for binary
}

// FoldResult describes one fold of a run.
type FoldResult struct {
	Repeat, Fold int
	// Seed is the fold's derived seed, the one the FoldFunc was given.
	Seed uint64
	// NTrain and NTest count the rows of the split; NResampled counts the
	// training rows after resampling (FoldOutput.NResampled; NTrain when
	// the fold did not resample).
	NTrain, NTest, NResampled int
	// Scores are the fold's metrics on its test rows.
	Scores map[string]float64
}

// Result is the outcome of RunFolds; Folds and Predictions are in split order
// (and Predictions in row order within a split).
type Result struct {
	Classes     int // number of classes; 0 for regression
	Folds       []FoldResult
	Predictions []Prediction
}

// Summary aggregates the fold scores (see metrics.Summarize).
func (r *Result) Summary(opts *metrics.AggregateOptions) *metrics.Summary {
	folds := make([]metrics.FoldScores, len(r.Folds))
	for i, f := range r.Folds {
		folds[i] = metrics.FoldScores{Repeat: f.Repeat, Fold: f.Fold, NTrain: f.NTrain, NTest: f.NTest, Scores: f.Scores}
	}
	return metrics.Summarize(folds, opts)
}

// FoldSeed returns the seed of the fold at position index (in split order)
// of a run with the given seed.
func FoldSeed(seed uint64, index int) uint64 {
	return splitmix64(seed ^ splitmix64(uint64(index)+0x9e3779b97f4a7c15))
}

func splitmix64(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
}

// FoldFunc trains on the training rows of one split and predicts its test
// rows. It owns everything fitted in the fold (cleaning, resampling, the
// model), which is how a caller keeps statistics of test rows out of
// training: fit every step inside the fold. seed is the fold's derived seed.
type FoldFunc func(ctx context.Context, sp Split, seed uint64) (*FoldOutput, error)

// FoldOutput is what a FoldFunc returns for the test rows of its split, in
// the order of Split.Test.
type FoldOutput struct {
	// Score holds P(class 1) per test row (binary), or the predicted value
	// (Options.Regression).
	Score []float64
	// Proba holds every class's probability per test row (more than two
	// classes); nil for binary.
	Proba *mat.Dense
	// NResampled counts the training rows the model saw (after any
	// resampling); 0 means len(Split.Train).
	NResampled int
}

// RunFolds runs fit over splits and scores its predictions against y
// (see the package documentation for the rules). y must hold class ids
// 0..k-1, or real values with Options.Regression.
func RunFolds(ctx context.Context, y []float64, splits []Split, fit FoldFunc, opts *Options) (*Result, error) {
	var o Options
	if opts != nil {
		o = *opts
	}
	if o.Workers <= 0 {
		o.Workers = runtime.GOMAXPROCS(0)
	}
	if o.Threshold == 0 {
		o.Threshold = 0.5
	}
	k := 0
	if !o.Regression {
		var err error
		if k, err = classes(y); err != nil {
			return nil, err
		}
	}
	res := &Result{Classes: k, Folds: make([]FoldResult, len(splits))}
	preds := make([][]Prediction, len(splits))

	errs := forEachFold(ctx, len(splits), o.Workers, o.Progress, func(ctx context.Context, i int) error {
		sp, seed := splits[i], FoldSeed(o.Seed, i)
		err := func() (err error) {
			defer crash.Recover(&err) // a bug in a fold is reported, not a crash
			out, err := fit(ctx, sp, seed)
			if err == nil {
				res.Folds[i], preds[i], err = score(y, sp, seed, k, out, &o)
			}
			return err
		}()
		if err != nil {
			return fmt.Errorf("cv: repeat %d fold %d: %w", sp.Repeat, sp.Fold, err)
		}
		return nil
	})
	if err := foldsError(ctx, errs); err != nil {
		return nil, err
	}
	for _, p := range preds {
		res.Predictions = append(res.Predictions, p...)
	}
	return res, nil
}

// forEachFold calls f(ctx, i) for i in [0, n) on up to workers goroutines
// and returns the errors by i. The first error cancels the ctx the other
// calls get and starts no more; progress, if not nil, hears of each fold
// done. The ctx of each call carries a cores.Pool of the workers' slots:
// once no fold is left to start, the folds still running borrow the idle
// workers' cores for their parallel loops (pkg/boost does).
func forEachFold(parent context.Context, n, workers int, progress func(done, total int), f func(ctx context.Context, i int) error) []error {
	errs := make([]error, n)
	ctx, cancel := context.WithCancel(parent)
	defer cancel()
	pool := cores.NewPool(workers)
	ctx = cores.NewContext(ctx, pool)
	var (
		wg   sync.WaitGroup
		mu   sync.Mutex
		done int
		sem  = make(chan struct{}, workers)
	)
loop:
	for i := range n {
		select {
		case <-ctx.Done():
			break loop
		case sem <- struct{}{}:
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			if ctx.Err() != nil {
				return
			}
			pool.Acquire()
			err := f(ctx, i)
			pool.Release()
			if err != nil {
				errs[i] = err
				cancel()
				return
			}
			if progress != nil {
				mu.Lock()
				done++
				progress(done, n)
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	return errs
}

// foldsError is the error of a run whose folds returned errs: the first
// fold error that is not a cancellation (the cause of the others), else
// parent's, else the first cancellation.
func foldsError(parent context.Context, errs []error) error {
	var first error
	for _, err := range errs {
		if err == nil {
			continue
		}
		if !errors.Is(err, context.Canceled) && !errors.Is(err, context.DeadlineExceeded) {
			return err
		}
		if first == nil {
			first = err
		}
	}
	if err := parent.Err(); err != nil {
		return err
	}
	return first
}

// MaxClasses bounds the number of classes RunFolds accepts: scores
// and predictions take rows × classes floats.
const MaxClasses = 10000

// LabelError is a label that is not a class id 0..MaxClasses-1.
type LabelError struct {
	Row   int     // 0-based row of y
	Label float64 // the label
}

func (e *LabelError) Error() string {
	return fmt.Sprintf("cv: label %v (row %d) is not a class id: want an integer in [0, %d)", e.Label, e.Row, MaxClasses)
}

// classes returns the number of classes in y (at least 2), or a
// *LabelError for a label that is not a class id.
func classes(y []float64) (int, error) {
	k := 0
	for i, v := range y {
		if !(v >= 0 && v < MaxClasses) || v != math.Trunc(v) {
			return 0, &LabelError{Row: i, Label: v}
		}
		k = max(k, int(v)+1)
	}
	return max(k, 2), nil
}

// finite returns an error naming the first NaN or infinite prediction: a
// model that diverged (a huge learning rate, say) must fail its fold, not
// the metrics.
func finite(what string, v []float64, test []int) error {
	for i, x := range v {
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return nonFinite(what, x, test[i])
		}
	}
	return nil
}

func nonFinite(what string, x float64, row int) error {
	return fmt.Errorf("predict: the model gave %s %v for row %d (it diverged: lower the learning rate or the weights)", what, x, row)
}

// score turns a fold's output into its predictions and metrics.
func score(y []float64, sp Split, seed uint64, k int, out *FoldOutput, o *Options) (FoldResult, []Prediction, error) {
	fr := FoldResult{Repeat: sp.Repeat, Fold: sp.Fold, Seed: seed, NTrain: len(sp.Train), NTest: len(sp.Test), NResampled: out.NResampled}
	if fr.NResampled == 0 {
		fr.NResampled = len(sp.Train)
	}
	yTest, wTest := pick(y, sp.Test), pick(o.Weights, sp.Test)
	preds := make([]Prediction, len(sp.Test))
	for i, r := range sp.Test {
		preds[i] = Prediction{Row: r, Repeat: sp.Repeat, Fold: sp.Fold, YTrue: y[r]}
	}
	if k == 0 { // regression
		if len(out.Score) != len(sp.Test) {
			return fr, nil, fmt.Errorf("predict: %d values for %d rows", len(out.Score), len(sp.Test))
		}
		if err := finite("the value", out.Score, sp.Test); err != nil {
			return fr, nil, err
		}
		for i := range preds {
			preds[i].YScore, preds[i].YPred = out.Score[i], out.Score[i]
		}
		fr.Scores = metrics.RegressionScores(yTest, out.Score, wTest)
		return fr, preds, nil
	}
	if k == 2 {
		p := out.Score
		if len(p) != len(sp.Test) {
			return fr, nil, fmt.Errorf("predict: %d probabilities for %d rows", len(p), len(sp.Test))
		}
		if err := finite("the probability", p, sp.Test); err != nil {
			return fr, nil, err
		}
		for i := range preds {
			preds[i].YScore = p[i]
			if p[i] > o.Threshold {
				preds[i].YPred = 1
			}
		}
		fr.Scores = metrics.BinaryScores(yTest, p, wTest, o.Threshold)
		return fr, preds, nil
	}
	proba := out.Proba
	if proba == nil {
		return fr, nil, fmt.Errorf("predict: %d classes need class probabilities", k)
	}
	if r, c := proba.Dims(); r != len(sp.Test) || c != k {
		return fr, nil, fmt.Errorf("predict: %d×%d probabilities for %d rows and %d classes", r, c, len(sp.Test), k)
	}
	for i, row := range sp.Test {
		for j := range k {
			if x := proba.At(i, j); math.IsNaN(x) || math.IsInf(x, 0) {
				return fr, nil, nonFinite("the probability", x, row)
			}
		}
	}
	pred := metrics.Argmax(proba)
	for i := range preds {
		preds[i].YScore = math.NaN()
		preds[i].YPred = pred[i]
		preds[i].Proba = mat.Row(nil, i, proba)
	}
	fr.Scores = metrics.MulticlassScores(yTest, proba, wTest)
	return fr, preds, nil
}

func pick(v []float64, idx []int) []float64 {
	if v == nil {
		return nil
	}
	out := make([]float64, len(idx))
	for i, r := range idx {
		out[i] = v[r]
	}
	return out
}
