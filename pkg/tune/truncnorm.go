package tune

import "math"

// The truncated normal distribution in log space, as Optuna's TPE computes
// it (optuna/samplers/_tpe/_truncnorm.py): every density and mass is kept
// as a logarithm so that kernels whose interval lies far in a tail (a
// narrow kernel at one end of the range, scored at the other end) give a
// finite log density instead of log(0).

var normLogC = 0.5 * math.Log(2*math.Pi)

// ndtr is the standard normal CDF.
func ndtr(a float64) float64 {
	x := a / math.Sqrt2
	switch {
	case x < -1/math.Sqrt2:
		return 0.5 * math.Erfc(-x)
	case x < 1/math.Sqrt2:
		return 0.5 + 0.5*math.Erf(x)
	default:
		return 1 - 0.5*math.Erfc(x)
	}
}

// logNdtr is log(ndtr(a)), with the asymptotic series below -20 where
// ndtr underflows.
func logNdtr(a float64) float64 {
	if a > 6 {
		return -ndtr(-a) // log(1-ε) ≈ -ε
	}
	if a > -20 {
		return math.Log(ndtr(a))
	}
	logLHS := -0.5*a*a - math.Log(-a) - normLogC
	last, rhs := 0.0, 1.0
	numerator, denomFactor, denomCons := 1.0, 1.0, 1/(a*a)
	sign := 1.0
	for i := 1; math.Abs(last-rhs) > 0x1p-52 && i < 1000; i++ {
		last = rhs
		sign = -sign
		denomFactor *= denomCons
		numerator *= float64(2*i - 1)
		rhs += sign * numerator * denomFactor
	}
	return logLHS + math.Log(rhs)
}

// logDiff is log(exp(lp) - exp(lq)) for lp ≥ lq.
func logDiff(lp, lq float64) float64 { return lp + math.Log1p(-math.Exp(lq-lp)) }

// logSum is log(exp(lp) + exp(lq)).
func logSum(lp, lq float64) float64 {
	if lp < lq {
		lp, lq = lq, lp
	}
	if math.IsInf(lq, -1) {
		return lp
	}
	return lp + math.Log1p(math.Exp(lq-lp))
}

// logGaussMass is the log of the standard normal's mass on [a, b].
func logGaussMass(a, b float64) float64 {
	switch {
	case b <= 0:
		return logDiff(logNdtr(b), logNdtr(a))
	case a > 0:
		return logDiff(logNdtr(-a), logNdtr(-b))
	default:
		return math.Log1p(-ndtr(a) - ndtr(-b))
	}
}

// truncNormLogPDF is the log density at x of N(mu, sigma²) truncated to
// [low, high].
func truncNormLogPDF(x, mu, sigma, low, high float64) float64 {
	if x < low || x > high {
		return math.Inf(-1)
	}
	z := (x - mu) / sigma
	a, b := (low-mu)/sigma, (high-mu)/sigma
	return -0.5*z*z - normLogC - logGaussMass(a, b) - math.Log(sigma)
}

// ndtriExp returns x with logNdtr(x) = y (y ≤ 0) by Newton's method from
// Optuna's starting guesses.
func ndtriExp(y float64) float64 {
	flipped := y > -1e-2
	z := y
	if flipped {
		z = math.Log(-math.Expm1(y))
	}
	var x float64
	if z < -5 {
		x = -math.Sqrt(-2 * (z + normLogC))
	} else {
		x = -math.Sqrt(3) / math.Pi * math.Log(math.Expm1(-z))
	}
	for range 100 {
		l := logNdtr(x)
		dx := (l - z) * math.Exp(l-(-0.5*x*x-normLogC))
		x -= dx
		if math.Abs(dx) < 1e-8*math.Abs(x) {
			break
		}
	}
	if flipped {
		x = -x
	}
	return x
}

// truncNormPPF is the quantile q ∈ (0, 1) of the standard normal
// truncated to [a, b], in standard units.
func truncNormPPF(q, a, b float64) float64 {
	logMass := logGaussMass(a, b)
	var x float64
	if a < 0 {
		x = ndtriExp(logSum(logNdtr(a), math.Log(q)+logMass))
	} else {
		x = -ndtriExp(logSum(logNdtr(-b), math.Log1p(-q)+logMass))
	}
	return math.Min(math.Max(x, a), b)
}
