package metrics

import (
	"fmt"
	"math"

	"gonum.org/v1/gonum/mat"
)

// Average selects how per-class precision, recall and F1 are combined.
type Average int

const (
	// Binary reports the score of the positive class 1 only (one-vs-rest when
	// there are more classes; scikit-learn raises an error instead).
	Binary Average = iota
	// Macro is the unweighted mean over the labels present in yTrue or yPred.
	Macro
	// Weighted is the mean over the labels present in yTrue or yPred,
	// weighted by each label's (weighted) support in yTrue.
	Weighted
	// Micro computes the score from the summed true/false positives and
	// negatives of all classes.
	Micro
)

// String returns the scikit-learn name of a.
func (a Average) String() string {
	switch a {
	case Binary:
		return "binary"
	case Macro:
		return "macro"
	case Weighted:
		return "weighted"
	case Micro:
		return "micro"
	}
	return fmt.Sprintf("Average(%d)", int(a))
}

// classID converts a label to a class id, panicking if it is not one.
func classID(v float64) int {
	if !(v >= 0) || v != math.Trunc(v) || v > 1<<30 {
		panic(fmt.Sprintf("metrics: label %v is not a class id (non-negative integer)", v))
	}
	return int(v)
}

func checkLen(n int, weights []float64, others ...[]float64) {
	for _, o := range others {
		if len(o) != n {
			panic("metrics: slice length mismatch")
		}
	}
	if weights != nil && len(weights) != n {
		panic("metrics: slice length mismatch")
	}
}

func weightAt(weights []float64, i int) float64 {
	if weights == nil {
		return 1
	}
	w := weights[i]
	if !(w >= 0) {
		panic(fmt.Sprintf("metrics: weight %v is negative or NaN", w))
	}
	return w
}

// confusion is a dense k×k confusion matrix plus which labels occurred.
type confusion struct {
	k       int
	c       []float64 // row = true, column = predicted
	present []bool    // label occurs in yTrue or yPred
}

func newConfusion(yTrue, yPred, weights []float64) confusion {
	checkLen(len(yTrue), weights, yPred)
	k := 0
	for i := range yTrue {
		k = max(k, classID(yTrue[i])+1, classID(yPred[i])+1)
	}
	cm := confusion{k: k, c: make([]float64, k*k), present: make([]bool, k)}
	for i := range yTrue {
		t, p := int(yTrue[i]), int(yPred[i])
		cm.c[t*k+p] += weightAt(weights, i)
		cm.present[t], cm.present[p] = true, true
	}
	return cm
}

func (cm confusion) at(t, p int) float64 { return cm.c[t*cm.k+p] }

func (cm confusion) rowSum(t int) float64 {
	s := 0.0
	for p := 0; p < cm.k; p++ {
		s += cm.at(t, p)
	}
	return s
}

func (cm confusion) colSum(p int) float64 {
	s := 0.0
	for t := 0; t < cm.k; t++ {
		s += cm.at(t, p)
	}
	return s
}

// ConfusionMatrix returns the k×k confusion matrix of yTrue (rows) against
// yPred (columns), k being one more than the largest label in either; cell
// (i, j) holds the summed weight of samples of class i predicted as j. It
// returns nil for empty inputs.
func ConfusionMatrix(yTrue, yPred, weights []float64) *mat.Dense {
	cm := newConfusion(yTrue, yPred, weights)
	if cm.k == 0 {
		return nil
	}
	return mat.NewDense(cm.k, cm.k, cm.c)
}

// Accuracy returns the (weighted) fraction of samples with yPred == yTrue,
// NaN for empty input.
func Accuracy(yTrue, yPred, weights []float64) float64 {
	checkLen(len(yTrue), weights, yPred)
	var ok, all float64
	for i := range yTrue {
		w := weightAt(weights, i)
		if classID(yTrue[i]) == classID(yPred[i]) {
			ok += w
		}
		all += w
	}
	return ok / all
}

// BalancedAccuracy returns the mean recall over the classes present in yTrue.
func BalancedAccuracy(yTrue, yPred, weights []float64) float64 {
	cm := newConfusion(yTrue, yPred, weights)
	var sum float64
	n := 0
	for c := 0; c < cm.k; c++ {
		s := cm.rowSum(c)
		if s == 0 {
			continue
		}
		sum += cm.at(c, c) / s
		n++
	}
	return sum / float64(n)
}

// MCC returns the Matthews correlation coefficient (multiclass R_K
// statistic for more than two classes), 0 when undefined.
func MCC(yTrue, yPred, weights []float64) float64 {
	cm := newConfusion(yTrue, yPred, weights)
	var correct, n, tp, pp, tt float64
	for c := 0; c < cm.k; c++ {
		t, p := cm.rowSum(c), cm.colSum(c)
		correct += cm.at(c, c)
		n += p
		tp += t * p
		pp += p * p
		tt += t * t
	}
	covYtYp := correct*n - tp
	covYpYp := n*n - pp
	covYtYt := n*n - tt
	if covYpYp*covYtYt == 0 {
		return 0
	}
	return covYtYp / math.Sqrt(covYtYt*covYpYp)
}

// prf holds per-class true positives, predicted and true totals.
type prf struct {
	tp, pred, true_ float64
}

func (cm confusion) classPRF(c int) prf {
	if c >= cm.k {
		return prf{}
	}
	return prf{tp: cm.at(c, c), pred: cm.colSum(c), true_: cm.rowSum(c)}
}

func div0(a, b float64) float64 {
	if b == 0 {
		return 0
	}
	return a / b
}

type scoreKind int

const (
	kindPrecision scoreKind = iota
	kindRecall
	kindF1
)

func (s prf) score(kind scoreKind) float64 {
	switch kind {
	case kindPrecision:
		return div0(s.tp, s.pred)
	case kindRecall:
		return div0(s.tp, s.true_)
	default:
		// F1 = 2tp / (2tp + fp + fn), scikit-learn ≥ 1.3's formula.
		return div0(2*s.tp, s.pred+s.true_)
	}
}

func averaged(yTrue, yPred, weights []float64, avg Average, kind scoreKind) float64 {
	cm := newConfusion(yTrue, yPred, weights)
	switch avg {
	case Binary:
		return cm.classPRF(1).score(kind)
	case Micro:
		var s prf
		for c := 0; c < cm.k; c++ {
			p := cm.classPRF(c)
			s.tp += p.tp
			s.pred += p.pred
			s.true_ += p.true_
		}
		return s.score(kind)
	case Macro, Weighted:
		var sum, wsum float64
		n := 0
		for c := 0; c < cm.k; c++ {
			if !cm.present[c] {
				continue
			}
			p := cm.classPRF(c)
			if avg == Macro {
				sum += p.score(kind)
				n++
			} else {
				sum += p.true_ * p.score(kind)
				wsum += p.true_
			}
		}
		if avg == Macro {
			if n == 0 {
				return 0
			}
			return sum / float64(n)
		}
		return div0(sum, wsum)
	}
	panic(fmt.Sprintf("metrics: unknown average %v", avg))
}

// Precision returns tp / (tp + fp) averaged as avg; 0 where undefined.
func Precision(yTrue, yPred, weights []float64, avg Average) float64 {
	return averaged(yTrue, yPred, weights, avg, kindPrecision)
}

// Recall returns tp / (tp + fn) averaged as avg; 0 where undefined.
func Recall(yTrue, yPred, weights []float64, avg Average) float64 {
	return averaged(yTrue, yPred, weights, avg, kindRecall)
}

// F1 returns 2tp / (2tp + fp + fn) averaged as avg; 0 where undefined.
func F1(yTrue, yPred, weights []float64, avg Average) float64 {
	return averaged(yTrue, yPred, weights, avg, kindF1)
}

// Threshold returns the predicted labels: 1 where score > t, else 0. With
// t = 0.5 this is scikit-learn's predict (argmax of [1−p, p], ties to class 0).
func Threshold(score []float64, t float64) []float64 {
	out := make([]float64, len(score))
	for i, s := range score {
		if s > t {
			out[i] = 1
		}
	}
	return out
}

// Argmax returns, for each row of proba, the column with the largest value
// (the first one on ties, like numpy.argmax).
func Argmax(proba mat.Matrix) []float64 {
	r, c := proba.Dims()
	out := make([]float64, r)
	for i := 0; i < r; i++ {
		best := 0
		for j := 1; j < c; j++ {
			if proba.At(i, j) > proba.At(i, best) {
				best = j
			}
		}
		out[i] = float64(best)
	}
	return out
}
