package boost

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

// weight is XGBoost's CalcWeight (max_delta_step = 0).
func (c *resolved) weight(G, H float64) float32 {
	if H < float64(c.minChildWeight) || H <= 0 {
		return 0
	}
	return float32(-thresholdL1(G, c.alpha) / (H + float64(c.lambda)))
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
