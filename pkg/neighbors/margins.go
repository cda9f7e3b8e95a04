package neighbors

import "math"

// margins bound the rounding error of sqDist on d-dimensional rows, for the
// algorithms whose pruning is not exact by construction (BallTree, Brute).
//
// With u = 2⁻⁵³, the computed sqDist S of rows whose true squared distance
// is T satisfies |S − T| ≤ rel·T + tiny: each term is rounded three times
// (difference, square, sum), so rel = (d+2)u to first order; rel is taken
// as (2d+16)u. tiny covers gradual underflow (each operation on subnormal
// numbers errs by at most 2⁻¹⁰⁷⁵). Every bound below holds for these S.
type margins struct {
	rel, tiny float64
}

func newMargins(d int) margins {
	return margins{rel: float64(2*d+16) * 0x1p-53, tiny: float64(4*d+32) * 0x1p-1074}
}

// upperNorm returns a number ≥ √T for a computed sqDist S.
func (m margins) upperNorm(S float64) float64 {
	return math.Sqrt(S+m.tiny) * (1 + 2*m.rel)
}

// lowerNorm returns a number ≤ √T for a computed sqDist S (S may be +Inf:
// T is then at least about MaxFloat64).
func (m margins) lowerNorm(S float64) float64 {
	return math.Sqrt(max(0, min(S, math.MaxFloat64)-m.tiny)) * (1 - 2*m.rel)
}

// lowerSq returns a number ≤ the computed sqDist of any two rows whose true
// distance is at least g (g may be negative, or NaN when nothing is known).
func (m margins) lowerSq(g float64) float64 {
	if !(g > 0) {
		return 0
	}
	return min(g*g, math.MaxFloat64)*(1-3*m.rel) - m.tiny
}

// lower returns a number ≤ the computed sqDist of any two rows whose true
// squared distance T satisfies T ≥ t (t may be negative or NaN).
func (m margins) lower(t float64) float64 {
	if !(t > 0) {
		return 0
	}
	return min(t, math.MaxFloat64)*(1-2*m.rel) - m.tiny
}

// limit returns L such that a squared distance summed in another order than
// sqDist's, or a lower bound of one, exceeding L means sqDist > w (w may be
// +Inf).
func (m margins) limit(w float64) float64 {
	return (w + 2*m.tiny) * (1 + 4*m.rel)
}
