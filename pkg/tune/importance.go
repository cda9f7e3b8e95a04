package tune

import (
	"errors"
	"math"
	"sort"
)

// Importance estimates how much each parameter matters to the objective
// over the Complete trials: the share of the objective's variance that
// the parameter explains on its own (ε², the correlation ratio η²
// corrected for the number of groups so that a parameter the objective
// ignores scores about 0, clipped at 0; a numeric
// parameter is cut into ⌊√n⌋ quantile bins, at least 2 and at most 10, in
// log space for log ranges; a categorical one is grouped by choice),
// normalised to sum to 1. It is a one-way estimate: unlike Optuna's
// default fANOVA it does not credit interactions between parameters.
// Fixed parameters get 0. It needs 3 Complete trials with different
// values.
func Importance(trials []Trial, space Space) (map[string]float64, error) {
	var done []Trial
	for _, t := range trials {
		if t.State == Complete {
			done = append(done, t)
		}
	}
	n := len(done)
	if n < 3 {
		return nil, errors.New("tune: importance needs at least 3 complete trials")
	}
	var mean float64
	for _, t := range done {
		mean += t.Value
	}
	mean /= float64(n)
	var total float64
	for _, t := range done {
		total += (t.Value - mean) * (t.Value - mean)
	}
	if total == 0 {
		return nil, errors.New("tune: importance needs trials with different objective values")
	}
	bins := min(max(int(math.Sqrt(float64(n))), 2), 10)
	out := make(map[string]float64, len(space))
	var sum float64
	for _, q := range space {
		if q.Dist.single() {
			out[q.Name] = 0
			continue
		}
		eps := epsilonSquared(done, binParam(done, q, bins), mean, total)
		out[q.Name] = eps
		sum += out[q.Name]
	}
	if sum > 0 {
		for k := range out {
			out[k] /= sum
		}
	}
	return out, nil
}

// binParam groups the trials by the value of parameter q: a categorical
// by its choice, a number (on a log scale if its distribution is) into
// bins of equal counts by rank, equal values in one bin.
func binParam(done []Trial, q Param, bins int) []int {
	n := len(done)
	group := make([]int, n)
	if _, cat := q.Dist.(Categorical); cat {
		for i, t := range done {
			x, _ := q.Dist.internal(t.Params[q.Name])
			group[i] = int(x)
		}
		return group
	}
	logScale := false
	switch d := q.Dist.(type) {
	case Float:
		logScale = d.Log
	case Int:
		logScale = d.Log
	}
	order := make([]int, n)
	xs := make([]float64, n)
	for i, t := range done {
		order[i] = i
		xs[i], _ = q.Dist.internal(t.Params[q.Name])
		if logScale {
			xs[i] = math.Log(xs[i])
		}
	}
	sort.SliceStable(order, func(a, b int) bool { return xs[order[a]] < xs[order[b]] })
	// Equal values share a bin, so a bin boundary never splits a tie.
	b := 0
	for r, i := range order {
		if r > 0 && xs[i] != xs[order[r-1]] {
			b = r * bins / n
		}
		group[i] = b
	}
	return group
}

// epsilonSquared is the ANOVA effect size ε² of the grouping on the
// objective values of done, whose mean and total sum of squares are given,
// clipped at 0.
func epsilonSquared(done []Trial, group []int, mean, total float64) float64 {
	n := len(done)
	sums, counts := map[int]float64{}, map[int]int{}
	for i, t := range done {
		sums[group[i]] += t.Value
		counts[group[i]]++
	}
	var between float64
	for g, s := range sums {
		m := s / float64(counts[g])
		between += float64(counts[g]) * (m - mean) * (m - mean)
	}
	k := len(sums)
	eps := 0.0
	if n > k {
		within := (total - between) / float64(n-k)
		eps = max(0, (between-float64(k-1)*within)/total)
	}
	return eps
}
