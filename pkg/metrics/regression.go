package metrics

import "math"

// RMSE is the (weighted) root mean squared error. It panics if the lengths
// differ.
func RMSE(yTrue, yPred, weights []float64) float64 {
	return math.Sqrt(meanErr(yTrue, yPred, weights, func(d float64) float64 { return d * d }))
}

// MAE is the (weighted) mean absolute error. It panics if the lengths differ.
func MAE(yTrue, yPred, weights []float64) float64 {
	return meanErr(yTrue, yPred, weights, math.Abs)
}

// R2 is the (weighted) coefficient of determination, as scikit-learn's
// r2_score: 1 − SS_res/SS_tot; 1 for a perfect fit of a constant target, 0
// for an imperfect one (sklearn's force_finite default).
func R2(yTrue, yPred, weights []float64) float64 {
	checkLen(len(yTrue), weights, yPred)
	var sw, mean float64
	for i, y := range yTrue {
		w := weightAt(weights, i)
		sw += w
		mean += w * y
	}
	mean /= sw
	var res, tot float64
	for i, y := range yTrue {
		w := weightAt(weights, i)
		res += w * (y - yPred[i]) * (y - yPred[i])
		tot += w * (y - mean) * (y - mean)
	}
	if tot == 0 {
		if res == 0 {
			return 1
		}
		return 0
	}
	return 1 - res/tot
}

// RegressionScores computes rmse, mae and r2.
func RegressionScores(yTrue, yPred, weights []float64) map[string]float64 {
	return map[string]float64{"rmse": RMSE(yTrue, yPred, weights), "mae": MAE(yTrue, yPred, weights), "r2": R2(yTrue, yPred, weights)}
}

func meanErr(yTrue, yPred, weights []float64, f func(float64) float64) float64 {
	checkLen(len(yTrue), weights, yPred)
	var s, sw float64
	for i := range yTrue {
		w := weightAt(weights, i)
		s += w * f(yTrue[i]-yPred[i])
		sw += w
	}
	return s / sw
}
