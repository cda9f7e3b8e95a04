package boost

import "math"

const rtEps = 1e-6 // XGBoost kRtEps

func thresholdL1(g float64, alpha float32) float64 {
	a := float64(alpha)
	switch {
	case g > a:
		return g - a
	case g < -a:
		return g + a
	}
	return 0
}

// weight is XGBoost's CalcWeight: the leaf weight, bounded by
// max_delta_step when it is set.
func (c *resolved) weight(G, H float64) float32 {
	if H < float64(c.minChildWeight) || H <= 0 {
		return 0
	}
	w := -thresholdL1(G, c.alpha) / (H + float64(c.lambda))
	if d := float64(c.maxDeltaStep); d != 0 && math.Abs(w) > d {
		w = math.Copysign(d, w)
	}
	return float32(w)
}

// bounds are a node's monotone bounds on leaf weights (XGBoost's
// TreeEvaluator lower and upper); noBounds for the root.
type bounds struct{ lo, hi float32 }

var noBounds = bounds{-math.MaxFloat32, math.MaxFloat32}

// clamp is TreeEvaluator's CalcWeight: the weight boxed by the bounds.
func (b bounds) clamp(w float32) float32 {
	if w < b.lo {
		return b.lo
	}
	if w > b.hi {
		return b.hi
	}
	return w
}

// children returns the bounds of the left and right children of a node
// with bounds b split on a feature with monotone constraint mono, whose
// child weights are wl and wr (TreeEvaluator::AddSplit).
func (b bounds) children(mono int8, wl, wr float32) (l, r bounds) {
	l, r = b, b
	mid := (wl + wr) / 2
	switch {
	case mono < 0:
		l.lo, r.hi = mid, mid
	case mono > 0:
		l.hi, r.lo = mid, mid
	}
	return l, r
}

// gainGivenWeight is TreeEvaluator's CalcGainGivenWeight with the weight
// form (c.weightGain): -(2·G·w + (H+λ)·w²) in float32, operation by
// operation (the conversions keep Go from fusing a multiply-add).
func (c *resolved) gainGivenWeight(G, H float64, w float32) float32 {
	if H <= 0 {
		return 0
	}
	g, h := float32(G), float32(H)
	a := float32(float32(2*g) * w)
	b := float32(float32(h+c.lambda) * float32(w*w))
	return -(a + b)
}

// boundedGain is the root gain of a node with sums G, H under bounds b
// (TreeEvaluator's CalcGain), for c.weightGain.
func (c *resolved) boundedGain(G, H float64, b bounds) float32 {
	return c.gainGivenWeight(G, H, b.clamp(c.weight(G, H)))
}

// boundedSplitGain is TreeEvaluator's CalcSplitGain for c.weightGain: the
// gain of both sides at their bounded weights, -Inf when a monotone
// constraint mono is violated.
func (c *resolved) boundedSplitGain(lG, lH, rG, rH float64, b bounds, mono int8) float32 {
	wl := b.clamp(c.weight(lG, lH))
	wr := b.clamp(c.weight(rG, rH))
	gain := c.gainGivenWeight(lG, lH, wl) + c.gainGivenWeight(rG, rH, wr)
	if (mono > 0 && !(wl <= wr)) || (mono < 0 && !(wl >= wr)) {
		return float32(math.Inf(-1))
	}
	return gain
}

// nodeGain is a node's root gain (XGBoost's CalcGain), with its parent's
// bounds b when the gain takes the weight form.
func (c *resolved) nodeGain(G, H float64, b bounds) float32 {
	if c.weightGain {
		return c.boundedGain(G, H, b)
	}
	return c.gain(G, H)
}

// monoOf is the monotone constraint of feature f (0 past the list).
func (c *resolved) monoOf(f int32) int8 {
	if int(f) < len(c.monotone) {
		return c.monotone[f]
	}
	return 0
}

// gain is XGBoost's CalcGain, used for a node's root_gain.
func (c *resolved) gain(G, H float64) float32 {
	if H < float64(c.minChildWeight) {
		return 0
	}
	t := thresholdL1(G, c.alpha)
	return float32(t * t / (H + float64(c.lambda)))
}

// splitGain is XGBoost's CalcSplitGain (float32 sum of both sides).
func (c *resolved) splitGain(lG, lH, rG, rH float64) float32 {
	a, l := float64(c.alpha), float64(c.lambda)
	return leafGain(lG, lH, a, l) + leafGain(rG, rH, a, l)
}

// leafGain is XGBoost's CalcGain of one side of a split (in float32, as
// CalcSplitGain adds them) with reg_alpha a and reg_lambda l; small
// enough to be inlined into the split scans.
func leafGain(G, H, a, l float64) float32 {
	if H <= 0 {
		return 0
	}
	switch {
	case G > a:
		G -= a
	case G < -a:
		G += a
	default:
		G = 0
	}
	return float32(G * G / (H + l))
}

// split is a candidate split (XGBoost's SplitEntry).
type split struct {
	loss        float32 // loss_chg; 0 = none found
	feature     int32
	cond        float32 // x < cond goes left
	bin         int32   // hist: rows with bin <= this go left
	defaultLeft bool
	lG, lH      float64
	rG, rH      float64
}

// update replaces s with a candidate of the same or a higher feature index
// when strictly better (XGBoost's NeedReplace for equal indices).
func (s *split) update(loss float32, f int32, cond float32, bin int32, defLeft bool, lG, lH, rG, rH float64) {
	if loss > s.loss {
		*s = split{loss, f, cond, bin, defLeft, lG, lH, rG, rH}
	}
}

// merge folds per-feature bests (in increasing feature order) so that
// ties keep the lowest feature index.
func (s *split) merge(o *split) {
	if o.loss > s.loss {
		*s = *o
	}
}
