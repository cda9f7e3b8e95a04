package metrics

import (
	"cmp"
	"math"
	"slices"
)

// clfCurve returns, for each distinct score in decreasing order, the
// cumulative weights of false and true positives at or above it, like
// scikit-learn's _binary_clf_curve. Zero-weight samples are dropped.
func clfCurve(yTrue, yScore, weights []float64) (fps, tps, thresh []float64) {
	checkLen(len(yTrue), weights, yScore)
	type item struct{ s, y, w float64 }
	items := make([]item, 0, len(yTrue))
	for i := range yTrue {
		if c := classID(yTrue[i]); c > 1 {
			panic("metrics: binary ranking metric with a label > 1")
		}
		if math.IsNaN(yScore[i]) {
			panic("metrics: NaN score")
		}
		if w := weightAt(weights, i); w != 0 {
			items = append(items, item{yScore[i], yTrue[i], w})
		}
	}
	// Decreasing score. The order within ties only changes the order of
	// summation, since ties are merged into one threshold below.
	slices.SortFunc(items, func(a, b item) int { return cmp.Compare(b.s, a.s) })
	var tp, fp float64
	for j, it := range items {
		if it.y == 1 {
			tp += it.w
		} else {
			fp += it.w
		}
		if j == len(items)-1 || items[j+1].s != it.s {
			fps = append(fps, fp)
			tps = append(tps, tp)
			thresh = append(thresh, it.s)
		}
	}
	return fps, tps, thresh
}

// ROC returns the receiver operating characteristic curve of the scores of
// class 1: false and true positive rates for decreasing thresholds, starting
// at (0, 0) with threshold +Inf. Collinear intermediate points are dropped
// as roc_curve(drop_intermediate=True) does. A rate whose class is absent is
// NaN.
func ROC(yTrue, yScore, weights []float64) (fpr, tpr, thresholds []float64) {
	fps, tps, th := clfCurve(yTrue, yScore, weights)
	if len(fps) > 2 {
		keep := []int{0}
		for i := 1; i < len(fps)-1; i++ {
			// Second differences non-zero ⇒ a corner.
			if fps[i-1]-2*fps[i]+fps[i+1] != 0 || tps[i-1]-2*tps[i]+tps[i+1] != 0 {
				keep = append(keep, i)
			}
		}
		keep = append(keep, len(fps)-1)
		for j, i := range keep {
			fps[j], tps[j], th[j] = fps[i], tps[i], th[i]
		}
		fps, tps, th = fps[:len(keep)], tps[:len(keep)], th[:len(keep)]
	}
	n := len(fps) + 1
	fpr, tpr, thresholds = make([]float64, n), make([]float64, n), make([]float64, n)
	thresholds[0] = math.Inf(1)
	copy(thresholds[1:], th)
	var fTot, tTot float64
	if len(fps) > 0 {
		fTot, tTot = fps[len(fps)-1], tps[len(tps)-1]
	}
	for i := 1; i < n; i++ {
		fpr[i] = fps[i-1] / fTot
		tpr[i] = tps[i-1] / tTot
	}
	if fTot <= 0 {
		for i := range fpr {
			fpr[i] = math.NaN()
		}
	}
	if tTot <= 0 {
		for i := range tpr {
			tpr[i] = math.NaN()
		}
	}
	return fpr, tpr, thresholds
}

// ROCAUC returns the area under the ROC curve (trapezoidal rule; tied scores
// count one half), NaN when yTrue holds fewer than two classes.
func ROCAUC(yTrue, yScore, weights []float64) float64 {
	fpr, tpr, _ := ROC(yTrue, yScore, weights)
	if len(fpr) < 2 || math.IsNaN(fpr[1]) || math.IsNaN(tpr[1]) {
		return math.NaN()
	}
	return trapezoid(fpr, tpr)
}

// trapezoid integrates y over x, x monotone (sklearn.metrics.auc).
func trapezoid(x, y []float64) float64 {
	var area float64
	for i := 1; i < len(x); i++ {
		area += (x[i] - x[i-1]) * (y[i] + y[i-1]) / 2
	}
	return area
}

// PrecisionRecall returns the precision-recall curve of the scores of class
// 1 like precision_recall_curve: thresholds are the distinct scores in
// increasing order, precision[i] and recall[i] belong to predicting 1 for
// score >= thresholds[i], and a final point (precision 1, recall 0) without a
// threshold closes the curve. Precision is 0 where nothing is predicted
// positive; with no positive sample recall is 1 throughout.
func PrecisionRecall(yTrue, yScore, weights []float64) (precision, recall, thresholds []float64) {
	fps, tps, th := clfCurve(yTrue, yScore, weights)
	n := len(tps)
	precision, recall, thresholds = make([]float64, n+1), make([]float64, n+1), make([]float64, n)
	for i := 0; i < n; i++ {
		j := n - 1 - i // reversed: increasing thresholds
		precision[j] = div0(tps[i], tps[i]+fps[i])
		if tps[n-1] == 0 {
			recall[j] = 1
		} else {
			recall[j] = tps[i] / tps[n-1]
		}
		thresholds[j] = th[i]
	}
	precision[n], recall[n] = 1, 0
	return precision, recall, thresholds
}

// AveragePrecision returns Σ_n (R_n − R_{n−1}) P_n over the precision-recall
// curve (scikit-learn's average_precision_score; no interpolation).
func AveragePrecision(yTrue, yScore, weights []float64) float64 {
	p, r, _ := PrecisionRecall(yTrue, yScore, weights)
	var ap float64
	for i := 0; i+1 < len(r); i++ {
		ap -= (r[i+1] - r[i]) * p[i]
	}
	return ap
}
