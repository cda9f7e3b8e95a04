package cv_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/mat"

	"github.com/mlstack/mlstack/pkg/cv"
	"github.com/mlstack/mlstack/pkg/dataset"
	"github.com/mlstack/mlstack/pkg/frame"
	"github.com/mlstack/mlstack/pkg/internal/sampletest"
)

// loadSample reads a numeric built-in sample with pkg/frame; the label
// column is mapped to class ids with pos as class 1.
func loadSample(t testing.TB, name, label, pos string) (*mat.Dense, []float64) {
	t.Helper()
	X, y, _ := sampletest.XY(t, sampletest.Frame(t, name), label, &frame.ExportOptions{Positive: pos})
	return X, y
}

// gaussianNB is Gaussian naive Bayes (scikit-learn's GaussianNB with
// var_smoothing=1e-9), weighted, for any number of classes.
type gaussianNB struct {
	prior      []float64
	mean, vari [][]float64
}

var _ classProbaModel = (*gaussianNB)(nil)

func (m *gaussianNB) Fit(ctx context.Context, X mat.Matrix, y, w []float64) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	n, d := X.Dims()
	k := 0
	for _, v := range y {
		k = max(k, int(v)+1)
	}
	m.prior = make([]float64, k)
	m.mean, m.vari = make([][]float64, k), make([][]float64, k)
	for c := range k {
		m.mean[c], m.vari[c] = make([]float64, d), make([]float64, d)
	}
	wt := func(i int) float64 {
		if w == nil {
			return 1
		}
		return w[i]
	}
	var total float64
	for i := range n {
		c := int(y[i])
		m.prior[c] += wt(i)
		total += wt(i)
		for j := range d {
			m.mean[c][j] += wt(i) * X.At(i, j)
		}
	}
	for c := range k {
		if m.prior[c] == 0 {
			return errors.New("gaussianNB: a class has no training sample")
		}
		for j := range d {
			m.mean[c][j] /= m.prior[c]
		}
	}
	maxVar := 0.0
	for i := range n {
		c := int(y[i])
		for j := range d {
			dv := X.At(i, j) - m.mean[c][j]
			m.vari[c][j] += wt(i) * dv * dv
		}
	}
	for c := range k {
		for j := range d {
			m.vari[c][j] /= m.prior[c]
			maxVar = max(maxVar, m.vari[c][j])
		}
		m.prior[c] /= total
	}
	for c := range k {
		for j := range d {
			m.vari[c][j] += 1e-9 * maxVar
		}
	}
	return nil
}

func (m *gaussianNB) PredictClassProba(X mat.Matrix) (*mat.Dense, error) {
	n, d := X.Dims()
	k := len(m.prior)
	out := mat.NewDense(n, k, nil)
	ll := make([]float64, k)
	for i := range n {
		best := math.Inf(-1)
		for c := range k {
			l := math.Log(m.prior[c])
			for j := range d {
				dv := X.At(i, j) - m.mean[c][j]
				l -= 0.5*math.Log(2*math.Pi*m.vari[c][j]) + dv*dv/(2*m.vari[c][j])
			}
			ll[c] = l
			best = max(best, l)
		}
		var s float64
		for c := range k {
			ll[c] = math.Exp(ll[c] - best)
			s += ll[c]
		}
		for c := range k {
			out.Set(i, c, ll[c]/s)
		}
	}
	return out, nil
}

func (m *gaussianNB) PredictProba(X mat.Matrix) ([]float64, error) {
	p, err := m.PredictClassProba(X)
	if err != nil {
		return nil, err
	}
	return mat.Col(nil, 1, p), nil
}

func newNB(uint64) model { return &gaussianNB{} }

// model is a classifier the tests fit in each fold.
type model interface {
	// Fit trains on X with class ids y and optional weights w.
	Fit(ctx context.Context, X mat.Matrix, y, w []float64) error
	// PredictProba returns P(class 1) for every row of X.
	PredictProba(X mat.Matrix) ([]float64, error)
}

// classProbaModel is a model that gives every class's probability, which
// more than two classes need.
type classProbaModel interface {
	model
	PredictClassProba(X mat.Matrix) (*mat.Dense, error)
}

// runModel cross-validates the models made by newModel over the splits of
// s with cv.RunFolds: every fold takes its rows of X, resamples the
// training part with rs (if not nil, drawing from a PCG seeded with the
// fold's seed) and fits a fresh model, as a trainer's FoldFunc does.
func runModel(ctx context.Context, X mat.Matrix, y []float64, s cv.Splitter, newModel func(seed uint64) model, rs cv.Resampler, opts *cv.Options) (*cv.Result, error) {
	splits, err := s.Split(y)
	if err != nil {
		return nil, err
	}
	k := 2
	for _, v := range y {
		k = max(k, int(v)+1)
	}
	fit := func(ctx context.Context, sp cv.Split, seed uint64) (*cv.FoldOutput, error) {
		var err error // the fold's own: folds run concurrently
		xTrain, yTrain := rows(X, sp.Train), make([]float64, len(sp.Train))
		for i, r := range sp.Train {
			yTrain[i] = y[r]
		}
		if rs != nil {
			if xTrain, yTrain, err = rs.Resample(ctx, xTrain, yTrain, rand.New(rand.NewPCG(seed, 1))); err != nil {
				return nil, fmt.Errorf("resample: %w", err)
			}
		}
		m := newModel(seed)
		if err := m.Fit(ctx, xTrain, yTrain, nil); err != nil {
			return nil, fmt.Errorf("fit: %w", err)
		}
		out := &cv.FoldOutput{NResampled: len(yTrain)}
		xTest := rows(X, sp.Test)
		if k == 2 {
			out.Score, err = m.PredictProba(xTest)
			return out, err
		}
		cm, ok := m.(classProbaModel)
		if !ok {
			return nil, fmt.Errorf("%d classes need a classProbaModel, have %T", k, m)
		}
		out.Proba, err = cm.PredictClassProba(xTest)
		return out, err
	}
	return cv.RunFolds(ctx, y, splits, fit, opts)
}

func rows(X mat.Matrix, idx []int) *mat.Dense {
	_, c := X.Dims()
	out := mat.NewDense(len(idx), c, nil)
	for i, r := range idx {
		for j := range c {
			out.Set(i, j, X.At(r, j))
		}
	}
	return out
}

// loadLabels reads only the label column of a built-in sample (pos ↦ 1).
func loadLabels(t testing.TB, name, label, pos string) []float64 {
	t.Helper()
	b, err := dataset.Sample(name)
	if err != nil {
		t.Fatal(err)
	}
	recs, err := csv.NewReader(bytes.NewReader(b)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	li := -1
	for j, h := range recs[0] {
		if h == label {
			li = j
		}
	}
	y := make([]float64, len(recs)-1)
	for i, r := range recs[1:] {
		if r[li] == pos {
			y[i] = 1
		}
	}
	return y
}
