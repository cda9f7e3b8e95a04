package metrics

import (
	"math"

	"gonum.org/v1/gonum/mat"
	"gonum.org/v1/gonum/stat"
)

// eps is the float64 machine epsilon, numpy.finfo(float64).eps.
const eps = 0x1p-52

func clip(p float64) float64 {
	return min(max(p, eps), 1-eps)
}

// LogLoss returns the (weighted) mean binary cross-entropy of yTrue given
// p = P(class 1), probabilities clipped to [ε, 1−ε]. NaN p gives NaN.
func LogLoss(yTrue, p, weights []float64) float64 {
	checkLen(len(yTrue), weights, p)
	loss := make([]float64, len(yTrue))
	for i, y := range yTrue {
		switch classID(y) {
		case 0:
			loss[i] = -math.Log(clip(1 - p[i]))
		case 1:
			loss[i] = -math.Log(clip(p[i]))
		default:
			panic("metrics: binary LogLoss with a label > 1")
		}
	}
	return stat.Mean(loss, weights)
}

// LogLossMulti returns the (weighted) mean cross-entropy of yTrue given
// class probabilities proba (one row per sample, column c = P(class c)),
// clipped to [ε, 1−ε] and not renormalised. A label without a column panics.
func LogLossMulti(yTrue []float64, proba mat.Matrix, weights []float64) float64 {
	r, c := proba.Dims()
	if r != len(yTrue) {
		panic("metrics: slice length mismatch")
	}
	checkLen(len(yTrue), weights)
	loss := make([]float64, r)
	for i, y := range yTrue {
		k := classID(y)
		if k >= c {
			panic("metrics: label without a probability column")
		}
		loss[i] = -math.Log(clip(proba.At(i, k)))
	}
	return stat.Mean(loss, weights)
}
