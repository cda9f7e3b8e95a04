package detect

import (
	"cmp"
	"math"
	"slices"
)

// EvalOptions configures Evaluate. A nil *EvalOptions means the defaults.
type EvalOptions struct {
	// MaxDets is the number of top-scoring detections kept per image and
	// class; 100 (COCO's default) when 0.
	MaxDets int
}

// ClassAP is the average precision of one class.
type ClassAP struct {
	Class int
	GT    int     // ground-truth boxes
	Dets  int     // detections considered
	AP50  float64 // AP at IoU 0.5
	AP    float64 // AP averaged over IoU 0.50:0.05:0.95
}

// Result is the outcome of Evaluate. MAP50 and MAP are the means over the
// classes that have ground truth; NaN when no class has any.
type Result struct {
	MAP50   float64 // mAP@0.5
	MAP     float64 // mAP@0.5:0.95
	Classes []ClassAP
}

// IoUThresholds are COCO's: 0.50, 0.55, …, 0.95, computed as numpy's
// linspace does.
var IoUThresholds = linspace(0.5, 0.95, 10)

var recallThresholds = linspace(0, 1, 101)

func linspace(start, stop float64, n int) []float64 {
	step := (stop - start) / float64(n-1)
	out := make([]float64, n)
	for i := range out {
		out[i] = float64(i)*step + start
	}
	out[n-1] = stop
	return out
}

// Evaluate computes COCO-style average precision of dets against gt, both
// indexed by image (len(gt) must equal len(dets), otherwise Evaluate
// panics). Classes are 0..nClasses-1; objects of other classes are ignored.
func Evaluate(gt, dets [][]Object, nClasses int, opts *EvalOptions) Result {
	if len(gt) != len(dets) {
		panic("detect: Evaluate: gt and dets differ in length")
	}
	maxDets := 100
	if opts != nil && opts.MaxDets > 0 {
		maxDets = opts.MaxDets
	}
	res := Result{MAP50: math.NaN(), MAP: math.NaN()}
	var sum50, sum float64
	n := 0
	for c := range nClasses {
		ap := evalClass(gt, dets, c, maxDets)
		if ap.GT == 0 {
			ap.AP50, ap.AP = math.NaN(), math.NaN()
		} else {
			sum50 += ap.AP50
			sum += ap.AP
			n++
		}
		res.Classes = append(res.Classes, ap)
	}
	if n > 0 {
		res.MAP50, res.MAP = sum50/float64(n), sum/float64(n)
	}
	return res
}

type scored struct {
	score float64
	tp    []bool // per IoU threshold
}

// evalClass is the COCO evaluation of class c: every image's detections
// matched to its ground truth, then the average precision at each IoU
// threshold.
func evalClass(gt, dets [][]Object, c, maxDets int) ClassAP {
	out := ClassAP{Class: c}
	var all []scored
	for img := range gt {
		var g []Box
		for _, o := range gt[img] {
			if o.Class == c {
				g = append(g, o.Box)
			}
		}
		var d []Object
		for _, o := range dets[img] {
			if o.Class == c {
				d = append(d, o)
			}
		}
		out.GT += len(g)
		all = append(all, matchImage(g, d, maxDets)...)
	}
	out.Dets = len(all)
	if out.GT == 0 {
		return out
	}
	slices.SortStableFunc(all, func(a, b scored) int { return cmp.Compare(b.score, a.score) })
	var apSum float64
	for ti := range IoUThresholds {
		ap := averagePrecision(all, ti, out.GT)
		apSum += ap
		if ti == 0 {
			out.AP50 = ap
		}
	}
	out.AP = apSum / float64(len(IoUThresholds))
	return out
}

// matchImage matches an image's detections d (its best maxDets by score)
// to its ground-truth boxes g greedily, as pycocotools does: at each IoU
// threshold a detection takes the best unmatched box it overlaps enough.
func matchImage(g []Box, d []Object, maxDets int) []scored {
	slices.SortStableFunc(d, func(a, b Object) int { return cmp.Compare(b.Score, a.Score) })
	if len(d) > maxDets {
		d = d[:maxDets]
	}
	res := make([]scored, len(d))
	for i := range res {
		res[i] = scored{score: d[i].Score, tp: make([]bool, len(IoUThresholds))}
	}
	for ti, t := range IoUThresholds {
		matched := make([]bool, len(g))
		for di, det := range d {
			best, m := min(t, 1-1e-10), -1
			for gi, gb := range g {
				if matched[gi] {
					continue
				}
				iou := IoU(det.Box, gb)
				if iou < best {
					continue
				}
				best, m = iou, gi
			}
			if m >= 0 {
				matched[m] = true
				res[di].tp[ti] = true
			}
		}
	}
	return res
}

// averagePrecision is the 101-point interpolated average precision of
// the detections all (sorted by score) at IoU threshold ti, with nGT
// ground-truth boxes, as pycocotools computes it.
func averagePrecision(all []scored, ti, nGT int) float64 {
	eps := math.Nextafter(1, 2) - 1 // numpy's spacing(1)
	rc := make([]float64, len(all))
	pr := make([]float64, len(all))
	var tp, fp float64
	for i, s := range all {
		if s.tp[ti] {
			tp++
		} else {
			fp++
		}
		rc[i] = tp / float64(nGT)
		pr[i] = tp / (fp + tp + eps)
	}
	for i := len(pr) - 1; i > 0; i-- {
		if pr[i] > pr[i-1] {
			pr[i-1] = pr[i]
		}
	}
	var q float64
	for _, r := range recallThresholds {
		k, _ := slices.BinarySearch(rc, r) // numpy searchsorted side=left
		if k < len(pr) {
			q += pr[k]
		}
	}
	return q / float64(len(recallThresholds))
}
