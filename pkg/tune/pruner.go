package tune

import (
	"math"
	"sort"
)

// Median is Optuna's MedianPruner (a PercentilePruner at 50): at a step,
// a trial whose best value so far is worse than the median of the
// completed trials' values at the same step is stopped. Nothing is
// pruned before NStartupTrials trials have completed, before step
// NWarmupSteps, between checks IntervalSteps apart, or when fewer than
// NMinTrials completed trials reported the step.
type Median struct {
	NStartupTrials int // Optuna's default 5
	NWarmupSteps   int // default 0
	IntervalSteps  int // default 1
	NMinTrials     int // default 1
}

// NewMedian returns a median pruner with Optuna's defaults.
func NewMedian() *Median {
	return &Median{NStartupTrials: 5, IntervalSteps: 1, NMinTrials: 1}
}

// Prune reports whether t should stop at its last reported step.
func (m *Median) Prune(h *History, t *Trial) bool {
	var completed []*Trial
	for _, c := range h.Trials {
		if c.State == Complete {
			completed = append(completed, c)
		}
	}
	if len(completed) == 0 || len(completed) < m.NStartupTrials {
		return false
	}
	step := t.lastStep()
	if step < 0 || step < m.NWarmupSteps {
		return false
	}
	if !m.firstInInterval(step, t) {
		return false
	}
	best := math.NaN()
	for _, v := range t.Intermediate {
		if math.IsNaN(v) {
			continue
		}
		if math.IsNaN(best) || h.Direction.Better(v, best) {
			best = v
		}
	}
	if math.IsNaN(best) {
		return true
	}
	// As Optuna: NaN reports count towards NMinTrials, then the median
	// ignores them.
	reported := 0
	var vals []float64
	for _, c := range completed {
		if v, ok := c.Intermediate[step]; ok {
			reported++
			if !math.IsNaN(v) {
				vals = append(vals, v)
			}
		}
	}
	if reported < max(m.NMinTrials, 1) || len(vals) == 0 {
		return false
	}
	med := percentile(vals, 50)
	return h.Direction.Better(med, best)
}

// firstInInterval is Optuna's _is_first_in_interval_step: prune checks
// happen at the first report at or after each interval boundary.
func (m *Median) firstInInterval(step int, t *Trial) bool {
	interval := max(m.IntervalSteps, 1)
	nearest := (step-m.NWarmupSteps)/interval*interval + m.NWarmupSteps
	second := -1
	for s := range t.Intermediate {
		if s > second && s != step {
			second = s
		}
	}
	return second < nearest
}

// percentile is numpy's percentile with linear interpolation.
func percentile(v []float64, q float64) float64 {
	s := append([]float64(nil), v...)
	sort.Float64s(s)
	pos := q / 100 * float64(len(s)-1)
	lo := int(math.Floor(pos))
	hi := min(lo+1, len(s)-1)
	return s[lo] + (pos-float64(lo))*(s[hi]-s[lo])
}
