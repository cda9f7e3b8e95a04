package tune

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
)

// Random samples every parameter independently and uniformly (in log
// space for Log ranges), as Optuna's RandomSampler.
type Random struct {
	rng *rand.Rand
}

// NewRandom returns a random sampler seeded with seed.
func NewRandom(seed uint64) *Random { return &Random{rng: newRNG(seed, 0)} }

func newRNG(seed, stream uint64) *rand.Rand { return rand.New(rand.NewPCG(seed, stream)) }

// Sample draws one value per parameter.
func (r *Random) Sample(h *History) (Params, error) {
	p := make(Params, len(h.Space))
	for _, q := range h.Space {
		p[q.Name] = sampleUniform(r.rng, q.Dist)
	}
	return p, nil
}

func uniform(rng *rand.Rand, lo, hi float64) float64 { return lo + rng.Float64()*(hi-lo) }

// sampleUniform draws from d as Optuna's RandomSampler does: uniformly on
// the range widened by half a step at each end, then snapped to the grid.
func sampleUniform(rng *rand.Rand, d Distribution) any {
	if d.single() {
		return singleValue(d)
	}
	switch d := d.(type) {
	case Float:
		switch {
		case d.Log:
			x := math.Exp(uniform(rng, math.Log(d.Low), math.Log(d.High)))
			return math.Min(math.Max(x, d.Low), math.Nextafter(d.High, math.Inf(-1)))
		case d.Step > 0:
			x := uniform(rng, d.Low-d.Step/2, d.high()+d.Step/2)
			return d.snap(x)
		default:
			return math.Min(uniform(rng, d.Low, d.High), math.Nextafter(d.High, math.Inf(-1)))
		}
	case Int:
		step := float64(d.step())
		if d.Log {
			x := math.Exp(uniform(rng, math.Log(float64(d.Low)-0.5), math.Log(float64(d.High)+0.5)))
			return min(max(int(math.Round(x)), d.Low), d.High)
		}
		x := uniform(rng, float64(d.Low)-step/2, float64(d.high())+step/2)
		return d.snap(x)
	case Categorical:
		return d.Choices[rng.IntN(len(d.Choices))]
	}
	panic(fmt.Sprintf("tune: unknown distribution %T", d))
}

// snap rounds x to the nearest grid value inside the range.
func (d Float) snap(x float64) float64 {
	if d.Step <= 0 {
		return math.Min(math.Max(x, d.Low), d.High)
	}
	k := math.RoundToEven((x - d.Low) / d.Step)
	return math.Min(math.Max(d.Low+k*d.Step, d.Low), d.high())
}

func (d Int) snap(x float64) int {
	k := int(math.Floor((x-float64(d.Low))/float64(d.step()) + 0.5))
	return min(max(d.Low+k*d.step(), d.Low), d.high())
}

// singleValue is the one value of a single-valued distribution.
func singleValue(d Distribution) any {
	switch d := d.(type) {
	case Float:
		return d.Low
	case Int:
		return d.Low
	case Categorical:
		return d.Choices[0]
	}
	panic(fmt.Sprintf("tune: unknown distribution %T", d))
}

// ErrGridExhausted is returned by Grid when every grid point has been
// handed out: the search is over.
var ErrGridExhausted = errors.New("tune: every grid point has been tried")

// Grid tries every combination of the parameters' values once, in a
// seeded random order, as Optuna's GridSampler. Every parameter must be
// Categorical, Int or a Float with a Step.
type Grid struct {
	points [][]any // shuffled combinations, in Space order
	next   int
}

// NewGrid enumerates the space's grid. It refuses a continuous Float and
// a grid of more than maxPoints points.
func NewGrid(space Space, seed uint64, maxPoints int) (*Grid, error) {
	if err := space.Validate(); err != nil {
		return nil, err
	}
	values := make([][]any, len(space))
	total := 1
	for i, p := range space {
		v, err := gridValues(p.Dist)
		if err != nil {
			return nil, &SpaceError{Param: p.Name, Err: err}
		}
		values[i] = v
		if total > maxPoints/len(v) {
			return nil, &SpaceError{Err: fmt.Errorf("the grid has more than %d points", maxPoints)}
		}
		total *= len(v)
	}
	points := make([][]any, 0, total)
	idx := make([]int, len(space))
	for {
		pt := make([]any, len(space))
		for i := range space {
			pt[i] = values[i][idx[i]]
		}
		points = append(points, pt)
		i := len(idx) - 1
		for ; i >= 0; i-- {
			if idx[i]++; idx[i] < len(values[i]) {
				break
			}
			idx[i] = 0
		}
		if i < 0 {
			break
		}
	}
	rng := newRNG(seed, 1)
	rng.Shuffle(len(points), func(i, j int) { points[i], points[j] = points[j], points[i] })
	return &Grid{points: points}, nil
}

// Len is the number of grid points.
func (g *Grid) Len() int { return len(g.points) }

func gridValues(d Distribution) ([]any, error) {
	switch d := d.(type) {
	case Categorical:
		return d.Choices, nil
	case Int:
		var v []any
		for x := d.Low; x <= d.High; x += d.step() {
			v = append(v, x)
		}
		return v, nil
	case Float:
		if d.Step <= 0 {
			if d.Low == d.High {
				return []any{d.Low}, nil
			}
			return nil, errors.New("a grid search needs choices or a step for a float range")
		}
		n := int(math.Floor((d.High-d.Low)/d.Step+1e-9)) + 1
		v := make([]any, n)
		for k := range n {
			v[k] = d.Low + float64(k)*d.Step
		}
		return v, nil
	}
	return nil, fmt.Errorf("unknown distribution %T", d)
}

// Sample hands out the next grid point that no trial of the history has
// (so a resumed search does not repeat restored trials).
func (g *Grid) Sample(h *History) (Params, error) {
	visited := make(map[string]bool, len(h.Trials))
	for _, t := range h.Trials {
		visited[gridKey(h.Space, t.Params)] = true
	}
	for ; g.next < len(g.points); g.next++ {
		p := make(Params, len(h.Space))
		for i, q := range h.Space {
			p[q.Name] = g.points[g.next][i]
		}
		if !visited[gridKey(h.Space, p)] {
			g.next++
			return p, nil
		}
	}
	return nil, ErrGridExhausted
}

func gridKey(space Space, p Params) string {
	var b strings.Builder
	for _, q := range space {
		fmt.Fprintf(&b, "%T:%v;", p[q.Name], p[q.Name])
	}
	return b.String()
}
