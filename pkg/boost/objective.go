package boost

import (
	"fmt"
	"math"
	"slices"
)

// gpair is a gradient pair, float32 like XGBoost's GradientPair.
type gpair struct{ g, h float32 }

const hessEps = 1e-16

// gradients fills gp (len rows*k, row-major by class) from the margins.
// w holds each row's weight with scale_pos_weight already applied to the
// positive rows of binary:logistic (gradWeights); for binary:logistic,
// nil means every weight is 1.
func gradients(obj string, k int, margin []float32, y, w []float32, gp []gpair, threads int) {
	n := len(y)
	const blk = 8192
	parallelFor((n+blk-1)/blk, threads, func(b int) {
		lo, hi := b*blk, min(n, b*blk+blk)
		switch obj {
		case BinaryLogistic:
			if w == nil {
				logisticGradients1(margin[lo:hi], y[lo:hi], gp[lo:hi])
				break
			}
			logisticGradients(margin[lo:hi], y[lo:hi], w[lo:hi], gp[lo:hi])
		case RegSquaredError:
			gp := gp[lo:hi]
			for i, m := range margin[lo:hi] {
				gp[i] = gpair{(m - y[lo+i]) * w[lo+i], w[lo+i]}
			}
		case MultiSoftprob:
			for i := lo; i < hi; i++ {
				softmaxGradients(margin[i*k:i*k+k], int(y[i]), w[i], gp[i*k:i*k+k])
			}
		}
	})
}

// logisticGradients is XGBoost's LogisticClassification gradient: p - y
// and max(p(1-p), 1e-16), times the weight, in float32.
func logisticGradients(margin, y, w []float32, gp []gpair) {
	y, w, gp = y[:len(margin)], w[:len(margin)], gp[:len(margin)]
	if n := len(margin) &^ 7; haveLogisticGrad8 && n > 0 {
		logisticGrad8(&margin[0], &y[0], &w[0], &gp[0], uintptr(n))
		margin, y, w, gp = margin[n:], y[n:], w[n:], gp[n:]
	}
	logisticGradientsGo(margin, y, w, gp)
}

// logisticGradientsGo is logisticGradients in Go: the rows after the
// assembly loop's last eight, and every row where it does not run.
func logisticGradientsGo(margin, y, w []float32, gp []gpair) {
	y, w, gp = y[:len(margin)], w[:len(margin)], gp[:len(margin)]
	for i, m := range margin {
		p := sigmoid32(m)
		h := p * (1 - p)
		if h < hessEps {
			h = hessEps
		}
		gp[i] = gpair{(p - y[i]) * w[i], h * w[i]}
	}
}

// logisticGradients1 is logisticGradients with every weight 1: the
// same numbers (x*1 is x in IEEE arithmetic), without reading the
// weights or multiplying by them.
func logisticGradients1(margin, y []float32, gp []gpair) {
	y, gp = y[:len(margin)], gp[:len(margin)]
	if n := len(margin) &^ 7; haveLogisticGrad8 && n > 0 {
		logisticGrad8(&margin[0], &y[0], nil, &gp[0], uintptr(n))
		margin, y, gp = margin[n:], y[n:], gp[n:]
	}
	logisticGradients1Go(margin, y, gp)
}

// logisticGradients1Go is logisticGradients1 in Go.
func logisticGradients1Go(margin, y []float32, gp []gpair) {
	y, gp = y[:len(margin)], gp[:len(margin)]
	for i, m := range margin {
		p := sigmoid32(m)
		h := p * (1 - p)
		if h < hessEps {
			h = hessEps
		}
		gp[i] = gpair{p - y[i], h}
	}
}

// softmaxGradients is XGBoost's SoftmaxMultiClassObj gradient for one row.
func softmaxGradients(m []float32, label int, wi float32, gp []gpair) {
	mx := m[0]
	for _, v := range m[1:] {
		mx = max(mx, v)
	}
	var sum float32
	for c, v := range m {
		e := float32(math.Exp(float64(v - mx)))
		gp[c].g = e
		sum += e
	}
	for c := range m {
		p := gp[c].g / sum
		t := float32(0)
		if c == label {
			t = 1
		}
		gp[c] = gpair{(p - t) * wi, max(2*p*(1-p), hessEps) * wi}
	}
}

// gradWeights returns the weights the gradients are multiplied by: w,
// with scale_pos_weight applied to the positive rows of binary:logistic
// (as XGBoost does per row, here once), or nil for binary:logistic when
// every one is 1 (unit: the caller gave no weights).
func gradWeights(obj string, y, w []float32, spw float32, unit bool) []float32 {
	if obj == BinaryLogistic && spw == 1 && unit {
		return nil
	}
	if obj != BinaryLogistic || spw == 1 {
		return w
	}
	out := make([]float32, len(w))
	for i, wi := range w {
		if y[i] == 1 {
			wi *= spw
		}
		out[i] = wi
	}
	return out
}

// autoBaseScore estimates base_score like XGBoost 3.x.
func autoBaseScore(r *resolved, y, w []float32) float32 {
	switch r.objective {
	case MultiSoftprob:
		return 0.5
	case BinaryLogistic:
		if r.scalePosWeight != 1 {
			// One Newton step from margin 0 (p = 0.5).
			var G, H float64
			for i := range y {
				wi := float64(w[i])
				if y[i] == 1 {
					wi *= float64(r.scalePosWeight)
				}
				G += (0.5 - float64(y[i])) * wi
				H += 0.25 * wi
			}
			if H == 0 {
				return 0.5
			}
			return clampProb(float32(1 / (1 + math.Exp(G/H))))
		}
		return clampProb(weightedMean(y, w))
	default:
		return weightedMean(y, w)
	}
}

// classIntercepts estimates per-class base margins for multi:softprob
// like xgboost 3.1+: the centred log of the weighted class frequencies.
func classIntercepts(k int, y, w []float32) []float32 {
	freq := make([]float64, k)
	var total float64
	for i, v := range y {
		freq[int(v)] += float64(w[i])
		total += float64(w[i])
	}
	logs := make([]float64, k)
	var mean float64
	for c := range freq {
		p := 1e-6
		if total > 0 {
			p = max(freq[c]/total, 1e-6)
		}
		logs[c] = math.Log(p)
		mean += logs[c] / float64(k)
	}
	out := make([]float32, k)
	for c := range out {
		out[c] = float32(logs[c] - mean)
	}
	return out
}

func clampProb(p float32) float32 {
	const lo = 1e-6
	return min(max(p, lo), 1-lo)
}

func weightedMean(y, w []float32) float32 {
	var s, sw float64
	for i, v := range y {
		s += float64(v) * float64(w[i])
		sw += float64(w[i])
	}
	if sw == 0 {
		return 0
	}
	return float32(s / sw)
}

// checkLabels validates labels for the objective.
func checkLabels(r *resolved, y []float64) error {
	for i, v := range y {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return fmt.Errorf("%w: y[%d] = %v", ErrInvalidLabel, i, v)
		}
		switch r.objective {
		case BinaryLogistic:
			if v != 0 && v != 1 {
				return fmt.Errorf("%w: y[%d] = %v, binary:logistic needs 0 or 1", ErrInvalidLabel, i, v)
			}
		case MultiSoftprob:
			if v != math.Trunc(v) || v < 0 || int(v) >= r.numClass {
				return fmt.Errorf("%w: y[%d] = %v, multi:softprob needs an integer in [0, %d) (num_class=%d)", ErrInvalidLabel, i, v, r.numClass, r.numClass)
			}
		}
	}
	return nil
}

// metric computes an evaluation metric from float32 margins.
func metric(name, obj string, k int, margin []float32, y, w []float32) float64 {
	n := len(y)
	pred := make([]float64, len(margin))
	transform(obj, k, margin, pred)
	const eps = 1e-16
	var sum, sw float64
	switch name {
	case "logloss":
		for i := 0; i < n; i++ {
			p := pred[i]
			l := -float64(y[i])*math.Log(max(p, eps)) - (1-float64(y[i]))*math.Log(max(1-p, eps))
			sum += l * float64(w[i])
			sw += float64(w[i])
		}
	case "error":
		for i := 0; i < n; i++ {
			var c float64
			if pred[i] > 0.5 {
				c = 1
			}
			if c != float64(y[i]) {
				sum += float64(w[i])
			}
			sw += float64(w[i])
		}
	case "rmse":
		for i := 0; i < n; i++ {
			d := pred[i] - float64(y[i])
			sum += d * d * float64(w[i])
			sw += float64(w[i])
		}
		if sw == 0 {
			return math.NaN()
		}
		return math.Sqrt(sum / sw)
	case "mlogloss":
		for i := 0; i < n; i++ {
			p := pred[i*k+int(y[i])]
			sum += -math.Log(max(p, eps)) * float64(w[i])
			sw += float64(w[i])
		}
	case "auc":
		return auc(pred, y, w)
	}
	if sw == 0 {
		return math.NaN()
	}
	return sum / sw
}

// auc is the weighted area under the ROC curve, ties counted as half.
func auc(pred []float64, y, w []float32) float64 {
	idx := make([]int, len(pred))
	for i := range idx {
		idx[i] = i
	}
	slices.SortFunc(idx, func(a, b int) int {
		switch {
		case pred[a] > pred[b]:
			return -1
		case pred[a] < pred[b]:
			return 1
		}
		return 0
	})
	var tp, fp, area float64
	for i := 0; i < len(idx); {
		j := i
		var dtp, dfp float64
		for ; j < len(idx) && pred[idx[j]] == pred[idx[i]]; j++ {
			if y[idx[j]] == 1 {
				dtp += float64(w[idx[j]])
			} else {
				dfp += float64(w[idx[j]])
			}
		}
		area += dfp * (tp + dtp/2)
		tp += dtp
		fp += dfp
		i = j
	}
	if tp == 0 || fp == 0 {
		return math.NaN()
	}
	return area / (tp * fp)
}

func maximize(metric string) bool { return metric == "auc" }
