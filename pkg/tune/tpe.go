package tune

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"sort"
)

// TPE is the Tree-structured Parzen Estimator as Optuna 5's TPESampler
// runs it by default for one objective: multivariate (one joint kernel
// per past trial, so parameters that work together are proposed
// together), with a constant liar (running trials count as bad ones, so
// parallel workers do not all propose the same point).
//
// Until NStartupTrials trials have finished (Complete or Pruned) it
// samples at random. Then it splits the finished trials into the best
// γ(n) = min(⌈0.1·n⌉, 25) ("below") and the rest plus the running ones
// ("above"), fits a Parzen estimator l(x) to the first group and g(x) to
// the second — a truncated normal kernel per trial with a bandwidth from
// the gaps to its neighbours (clipped to [range/min(100, kernels+1),
// range]), a uniform-ish prior kernel of weight PriorWeight, older trials
// down-weighted past 25 — draws NEICandidates points from l and keeps
// the one with the largest log l(x) − log g(x). Pruned trials rank after
// complete ones, by how far they got and their last value.
//
// The draws come from Go's PCG generator, so a seeded search is
// reproducible in Go but does not repeat Optuna's exact sequence.
type TPE struct {
	NStartupTrials int     // random trials first; Optuna's default 10
	NEICandidates  int     // candidates scored per trial; default 24
	PriorWeight    float64 // weight of the prior kernel; default 1
	ConstantLiar   bool    // treat running trials as bad; default true

	rng    *rand.Rand
	random *Random
}

// NewTPE returns a TPE sampler with Optuna's defaults.
func NewTPE(seed uint64) *TPE {
	return &TPE{
		NStartupTrials: 10, NEICandidates: 24, PriorWeight: 1, ConstantLiar: true,
		rng: newRNG(seed, 2), random: NewRandom(seed),
	}
}

// gamma is Optuna's default_gamma: the number of trials in the good group.
func gamma(n int) int { return min(int(math.Ceil(0.1*float64(n))), 25) }

// defaultWeights is Optuna's default_weights: equal weights for up to 25
// trials, then a linear ramp that down-weights the oldest.
func defaultWeights(n int) []float64 {
	w := make([]float64, n)
	if n < 25 {
		for i := range w {
			w[i] = 1
		}
		return w
	}
	m := n - 25
	for i := range m {
		if m == 1 {
			w[i] = 1 / float64(n)
		} else {
			w[i] = 1/float64(n) + float64(i)*(1-1/float64(n))/float64(m-1)
		}
	}
	for i := m; i < n; i++ {
		w[i] = 1
	}
	return w
}

// Sample proposes the next trial's parameters.
func (s *TPE) Sample(h *History) (Params, error) {
	finished := 0
	for _, t := range h.Trials {
		if t.State == Complete || t.State == Pruned {
			finished++
		}
	}
	if finished < s.NStartupTrials {
		return s.random.Sample(h)
	}
	p := make(Params, len(h.Space))
	var active Space
	for _, q := range h.Space {
		if q.Dist.single() {
			p[q.Name] = singleValue(q.Dist)
		} else {
			active = append(active, q)
		}
	}
	if len(active) == 0 {
		return p, nil
	}
	below, above := s.split(h)
	lb, err := s.parzen(active, below)
	if err != nil {
		return nil, err
	}
	la, err := s.parzen(active, above)
	if err != nil {
		return nil, err
	}
	n := max(s.NEICandidates, 1)
	best, bestScore := []float64(nil), math.Inf(-1)
	for range n {
		x := lb.sample(s.rng)
		if score := lb.logPDF(x) - la.logPDF(x); best == nil || score > bestScore {
			best, bestScore = x, score
		}
	}
	for i, q := range active {
		p[q.Name] = q.Dist.external(best[i])
	}
	return p, nil
}

// split divides the trials into the good group and the rest, as
// Optuna's _split_trials.
func (s *TPE) split(h *History) (below, above []*Trial) {
	var complete, pruned, running []*Trial
	for _, t := range h.Trials {
		switch t.State {
		case Complete:
			complete = append(complete, t)
		case Pruned:
			pruned = append(pruned, t)
		case Running:
			if s.ConstantLiar && t.Number != h.Number {
				running = append(running, t)
			}
		}
	}
	nBelow := gamma(len(complete) + len(pruned))
	sort.SliceStable(complete, func(i, j int) bool {
		return h.Direction.Better(complete[i].Value, complete[j].Value)
	})
	k := min(nBelow, len(complete))
	below = append(below, complete[:k]...)
	above = append(above, complete[k:]...)
	nBelow -= k
	sort.SliceStable(pruned, func(i, j int) bool {
		si, vi := prunedScore(pruned[i], h.Direction)
		sj, vj := prunedScore(pruned[j], h.Direction)
		if si != sj {
			return si < sj
		}
		return vi < vj
	})
	k = min(nBelow, len(pruned))
	below = append(below, pruned[:k]...)
	above = append(above, pruned[k:]...)
	above = append(above, running...)
	byNumber := func(a, b *Trial) int { return a.Number - b.Number }
	slices.SortFunc(below, byNumber)
	slices.SortFunc(above, byNumber)
	return below, above
}

// prunedScore ranks a pruned trial: further steps first, then better
// last values (NaN last).
func prunedScore(t *Trial, dir Direction) (int, float64) {
	step := t.lastStep()
	if step < 0 {
		return 1, 0
	}
	v := t.Intermediate[step]
	switch {
	case math.IsNaN(v):
		return -step, math.Inf(1)
	case dir == Maximize:
		return -step, -v
	default:
		return -step, v
	}
}

// A parzen estimator is a mixture of product kernels: one per
// observation plus the prior, one factor per active parameter.
type parzen struct {
	weights []float64 // per kernel, summing to 1
	dims    []kernels
}

// kernels are one parameter's factor of every kernel.
type kernels struct {
	cat       [][]float64 // categorical: [kernel][choice] probabilities
	mu, sigma []float64   // numerical: per kernel, in transformed space
	lo, hi    float64     // truncation bounds, transformed (step-widened, log)
	log       bool
	step      float64 // 0 for continuous
	low, high float64 // the grid's ends, for snapping samples
}

func (s *TPE) parzen(space Space, trials []*Trial) (*parzen, error) {
	obs := make([][]float64, len(space))
	for i, q := range space {
		obs[i] = make([]float64, 0, len(trials))
		for _, t := range trials {
			x, ok := q.Dist.internal(t.Params[q.Name])
			if !ok {
				return nil, fmt.Errorf("trial %d: %q = %v is outside its distribution", t.Number, q.Name, t.Params[q.Name])
			}
			obs[i] = append(obs[i], x)
		}
	}
	n := len(trials)
	pz := &parzen{}
	if n == 0 {
		pz.weights = []float64{1}
	} else {
		pz.weights = append(defaultWeights(n), s.PriorWeight)
		var sum float64
		for _, w := range pz.weights {
			sum += w
		}
		for i := range pz.weights {
			pz.weights[i] /= sum
		}
	}
	for i, q := range space {
		pz.dims = append(pz.dims, s.kernels(q.Dist, obs[i]))
	}
	return pz, nil
}

func (s *TPE) kernels(d Distribution, obs []float64) kernels {
	if c, ok := d.(Categorical); ok {
		nc := len(c.Choices)
		if len(obs) == 0 {
			row := make([]float64, nc)
			for j := range row {
				row[j] = 1 / float64(nc)
			}
			return kernels{cat: [][]float64{row}}
		}
		nk := len(obs) + 1
		cat := make([][]float64, nk)
		for k := range cat {
			row := make([]float64, nc)
			for j := range row {
				row[j] = s.PriorWeight / float64(nk)
			}
			if k < len(obs) {
				row[int(obs[k])]++
			}
			var sum float64
			for _, v := range row {
				sum += v
			}
			if sum > 0 {
				for j := range row {
					row[j] /= sum
				}
			}
			cat[k] = row
		}
		return kernels{cat: cat}
	}
	var k kernels
	switch d := d.(type) {
	case Float:
		k.low, k.high, k.log, k.step = d.Low, d.high(), d.Log, d.Step
	case Int:
		k.low, k.high, k.log, k.step = float64(d.Low), float64(d.high()), d.Log, float64(d.step())
	}
	lo, hi := k.low-k.step/2, k.high+k.step/2
	mus := slices.Clone(obs)
	if k.log {
		lo, hi = math.Log(lo), math.Log(hi)
		for i := range mus {
			mus[i] = math.Log(mus[i])
		}
	}
	k.lo, k.hi = lo, hi
	k.sigma = bandwidths(mus, lo, hi)
	k.mu = append(mus, 0.5*(lo+hi))
	k.sigma = append(k.sigma, hi-lo)
	return k
}

// bandwidths gives each observation's kernel width: the larger gap to
// its neighbours (the range's ends count as neighbours, except that the
// outermost observations use their inner gap), clipped to
// [range/min(100, kernels+1), range] — Optuna's compute_sigmas with
// consider_magic_clip and without consider_endpoints.
func bandwidths(mus []float64, lo, hi float64) []float64 {
	n := len(mus)
	if n == 0 {
		return nil
	}
	order := make([]int, n)
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(a, b int) bool { return mus[order[a]] < mus[order[b]] })
	ends := make([]float64, n+2)
	ends[0], ends[n+1] = lo, hi
	for i, o := range order {
		ends[i+1] = mus[o]
	}
	sorted := make([]float64, n)
	for i := range n {
		sorted[i] = math.Max(ends[i+1]-ends[i], ends[i+2]-ends[i+1])
	}
	if n+2 >= 4 {
		sorted[0] = ends[2] - ends[1]
		sorted[n-1] = ends[n] - ends[n-1]
	}
	minSigma := (hi - lo) / math.Min(100, float64(n+2))
	out := make([]float64, n)
	for i, o := range order {
		out[o] = math.Min(math.Max(sorted[i], minSigma), hi-lo)
	}
	return out
}

// sample draws one point (internal representation) from the mixture.
func (p *parzen) sample(rng *rand.Rand) []float64 {
	u := rng.Float64()
	k := len(p.weights) - 1
	for i, w := range p.weights {
		if u < w {
			k = i
			break
		}
		u -= w
	}
	x := make([]float64, len(p.dims))
	for i, d := range p.dims {
		if d.cat != nil {
			row := d.cat[k]
			u := rng.Float64()
			j := len(row) - 1
			for c, w := range row {
				if u < w {
					j = c
					break
				}
				u -= w
			}
			x[i] = float64(j)
			continue
		}
		mu, sigma := d.mu[k], d.sigma[k]
		q := rng.Float64()
		for q == 0 {
			q = rng.Float64()
		}
		v := mu + sigma*truncNormPPF(q, (d.lo-mu)/sigma, (d.hi-mu)/sigma)
		if d.log {
			v = math.Exp(v)
		}
		if d.step > 0 {
			v = d.low + math.RoundToEven((v-d.low)/d.step)*d.step
		}
		x[i] = math.Min(math.Max(v, d.low), d.high)
	}
	return x
}

// logPDF is the mixture's log density (log mass for discrete
// parameters) at x.
func (p *parzen) logPDF(x []float64) float64 {
	terms := make([]float64, len(p.weights))
	for k, w := range p.weights {
		terms[k] = math.Log(w)
	}
	for i, d := range p.dims {
		if d.cat != nil {
			for k := range terms {
				terms[k] += math.Log(d.cat[k][int(x[i])])
			}
			continue
		}
		for k := range terms {
			mu, sigma := d.mu[k], d.sigma[k]
			if d.step == 0 {
				v := x[i]
				if d.log {
					v = math.Log(v)
				}
				terms[k] += truncNormLogPDF(v, mu, sigma, d.lo, d.hi)
				continue
			}
			l, r := x[i]-d.step/2, x[i]+d.step/2
			if d.log {
				l, r = math.Log(l), math.Log(r)
			}
			terms[k] += logGaussMass((l-mu)/sigma, (r-mu)/sigma) -
				logGaussMass((d.lo-mu)/sigma, (d.hi-mu)/sigma)
		}
	}
	m := math.Inf(-1)
	for _, t := range terms {
		m = math.Max(m, t)
	}
	if math.IsInf(m, -1) {
		return m
	}
	var sum float64
	for _, t := range terms {
		sum += math.Exp(t - m)
	}
	return m + math.Log(sum)
}
