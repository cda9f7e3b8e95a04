package metrics

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"

	"gonum.org/v1/gonum/stat/distuv"
)

// Interval selects how Aggregate computes a confidence interval.
type Interval int

const (
	// StudentT is mean ± t_{(1+level)/2, n−1} · s/√n.
	StudentT Interval = iota
	// Bootstrap is the percentile interval of the mean over Resamples
	// bootstrap resamples of the values (numpy's linear-interpolation
	// percentile).
	Bootstrap
)

// String returns "student_t" or "bootstrap".
func (m Interval) String() string {
	switch m {
	case StudentT:
		return "student_t"
	case Bootstrap:
		return "bootstrap"
	}
	return fmt.Sprintf("Interval(%d)", int(m))
}

// AggregateOptions configures Aggregate and Summarize. A nil
// *AggregateOptions means the zero value.
type AggregateOptions struct {
	// Level is the confidence level; 0 means 0.95.
	Level float64
	// Method is the interval; the zero value is StudentT.
	Method Interval
	// Resamples is the number of bootstrap resamples; 0 means 10000.
	Resamples int
	// Seed seeds the bootstrap (PCG); the same seed gives the same interval.
	Seed uint64
}

func (o *AggregateOptions) withDefaults() AggregateOptions {
	var v AggregateOptions
	if o != nil {
		v = *o
	}
	if v.Level == 0 {
		v.Level = 0.95
	}
	if !(v.Level > 0 && v.Level < 1) {
		panic(fmt.Sprintf("metrics: confidence level %v not in (0, 1)", v.Level))
	}
	if v.Resamples == 0 {
		v.Resamples = 10000
	}
	return v
}

// Stat summarises one metric over folds.
type Stat struct {
	N    int     // finite values used
	NaN  int     // NaN values left out
	Mean float64 // NaN when N == 0
	Std  float64 // sample standard deviation (ddof = 1); NaN when N < 2
	Lo   float64 // lower bound of the interval; NaN when N < 2
	Hi   float64 // upper bound of the interval; NaN when N < 2
}

// Aggregate returns the mean, sample standard deviation (ddof = 1) and
// confidence interval of the non-NaN values.
func Aggregate(values []float64, opts *AggregateOptions) Stat {
	o := opts.withDefaults()
	x := make([]float64, 0, len(values))
	var s Stat
	for _, v := range values {
		if math.IsNaN(v) {
			s.NaN++
			continue
		}
		x = append(x, v)
	}
	s.N = len(x)
	s.Mean, s.Std, s.Lo, s.Hi = math.NaN(), math.NaN(), math.NaN(), math.NaN()
	if s.N == 0 {
		return s
	}
	s.Mean = meanOf(x)
	if s.N < 2 {
		return s
	}
	var ss float64
	for _, v := range x {
		ss += (v - s.Mean) * (v - s.Mean)
	}
	s.Std = math.Sqrt(ss / float64(s.N-1))
	switch o.Method {
	case StudentT:
		t := distuv.StudentsT{Mu: 0, Sigma: 1, Nu: float64(s.N - 1)}.Quantile((1 + o.Level) / 2)
		half := t * s.Std / math.Sqrt(float64(s.N))
		s.Lo, s.Hi = s.Mean-half, s.Mean+half
	case Bootstrap:
		rnd := rand.New(rand.NewPCG(o.Seed, 0x6d657472696373)) // "metrics"
		means := make([]float64, o.Resamples)
		for b := range means {
			var sum float64
			for range x {
				sum += x[rnd.IntN(len(x))]
			}
			means[b] = sum / float64(len(x))
		}
		slices.Sort(means)
		s.Lo = percentile(means, (1-o.Level)/2)
		s.Hi = percentile(means, (1+o.Level)/2)
	default:
		panic(fmt.Sprintf("metrics: unknown interval %v", o.Method))
	}
	return s
}

func meanOf(x []float64) float64 {
	var s float64
	for _, v := range x {
		s += v
	}
	return s / float64(len(x))
}

// percentile of sorted x at q in [0, 1], linear interpolation between
// closest ranks (numpy.percentile's default).
func percentile(x []float64, q float64) float64 {
	h := q * float64(len(x)-1)
	lo := math.Floor(h)
	i := int(lo)
	if i+1 >= len(x) {
		return x[len(x)-1]
	}
	return x[i] + (h-lo)*(x[i+1]-x[i])
}
