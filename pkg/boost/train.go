package boost

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"slices"
	"unsafe"

	"gonum.org/v1/gonum/mat"

	"github.com/mlstack/mlstack/internal/cores"
)

// EvalSet is data evaluated after every round (XGBoost's eval_set).
type EvalSet struct {
	Name    string     // e.g. "validation_0"; empty means "validation_<i>"
	X       mat.Matrix // same columns as the training matrix
	Y       []float64
	Weights []float64 // nil = all 1
}

// Train fits a model on X (rows = samples, NaN = missing), labels y and
// optional sample weights (nil = all 1). p may be nil for XGBoost's
// defaults. Every EvalSet is scored after each round (Model.History);
// with p.EarlyStoppingRounds > 0 the last metric on the last set decides
// when to stop, and the model keeps the trees up to the best round.
// Training stops with ctx.Err() (wrapped) when ctx is done, checked
// between trees.
func Train(ctx context.Context, X mat.Matrix, y, weights []float64, p *Params, evals ...EvalSet) (*Model, error) {
	c, err := p.resolve()
	if err != nil {
		return nil, err
	}
	c.pool, c.most = cores.FromContext(ctx), runtime.GOMAXPROCS(0)
	// hist reads the training data only to bin it, a few columns at a
	// time (quantiseFrom): no float32 copy of the whole matrix.
	x, nrow, ncol, err := checkData("X", X, y, weights, &c, c.treeMethod != Hist)
	if err != nil {
		return nil, err
	}
	if err := c.checkFeatures(ncol); err != nil {
		return nil, err
	}
	y32, w32 := toF32(y), weightsF32(weights, nrow)
	if c.earlyStopping > 0 && len(evals) == 0 {
		return nil, invalid("early_stopping_rounds", c.earlyStopping, "needs at least one evaluation set")
	}
	ev, err := evalData(evals, &c, ncol)
	if err != nil {
		return nil, err
	}
	k := c.numClass
	m := &Model{Objective: c.objective, NumClass: k, NumFeature: ncol, NJobs: p.njobs(), BestScore: math.NaN()}
	if c.parallelTrees > 1 {
		m.NumParallelTree = c.parallelTrees
	}
	margin, intercepts := startMargins(m, &c, y32, w32, nrow, ev)
	t := &trainer{c: &c, m: m, nrow: nrow, ncol: ncol, x: x, margin: margin, ev: ev}
	src := rand.NewPCG(c.seed, 0x9e3779b97f4a7c15)
	t.src, t.rng = src, rand.New(src)
	if c.treeMethod == Hist {
		// From here on hist works on the bins (margins are updated from the
		// row partition).
		t.hg = newHistGrower(&c, quantiseFrom(denseColumns(X), nrow, ncol, weightsOrNil(weights, w32), c.maxBin, c.threads))
		t.hg.rng = t.rng
	} else {
		t.eg = newExactGrower(&c, x, nrow, ncol, c.threads)
		t.eg.rng = t.rng
	}
	gw := gradWeights(c.objective, y32, w32, c.scalePosWeight, weights == nil)
	if err := t.rounds(ctx, y32, gw); err != nil {
		return nil, err
	}
	if intercepts != nil {
		m.foldIntercepts(intercepts)
	}
	return m, nil
}

// evalSet is an evaluation set as Train uses it.
type evalSet struct {
	name   string
	x      []float32
	y, w   []float32
	margin []float32
}

// evalData checks the evaluation sets against the training data's ncol.
func evalData(evals []EvalSet, c *resolved, ncol int) ([]evalSet, error) {
	var ev []evalSet
	for i, e := range evals {
		name := e.Name
		if name == "" {
			name = fmt.Sprintf("validation_%d", i)
		}
		ex, er, ec, err := checkData(name, e.X, e.Y, e.Weights, c, true)
		if err != nil {
			return nil, err
		}
		if ec != ncol {
			return nil, fmt.Errorf("%w: evaluation set %q has %d columns, training data %d", ErrShape, name, ec, ncol)
		}
		ev = append(ev, evalSet{name: name, x: ex, y: toF32(e.Y), w: weightsF32(e.Weights, er)})
	}
	return ev, nil
}

// startMargins sets the model's base score and returns the starting
// margins of the training rows (and sets those of the evaluation sets),
// with the per-class intercepts of multi:softprob (xgboost 3.1+) when
// automatic.
func startMargins(m *Model, c *resolved, y32, w32 []float32, nrow int, ev []evalSet) (margin, intercepts []float32) {
	k := c.numClass
	if c.baseScore != nil {
		m.BaseScore = float32(*c.baseScore)
	} else {
		m.BaseScore = autoBaseScore(c, y32, w32)
	}
	base := make([]float32, k)
	for g := range base {
		base[g] = m.baseMargin()
	}
	if c.objective == MultiSoftprob && c.baseScore == nil {
		intercepts = classIntercepts(k, y32, w32)
		copy(base, intercepts)
	}
	margin = make([]float32, nrow*k)
	for i := range margin {
		margin[i] = base[i%k]
	}
	for i := range ev {
		ev[i].margin = make([]float32, len(ev[i].y)*k)
		for j := range ev[i].margin {
			ev[i].margin[j] = base[j%k]
		}
	}
	for _, e := range ev {
		for _, name := range c.metrics {
			m.History = append(m.History, EvalHistory{Set: e.name, Metric: name})
		}
	}
	return margin, intercepts
}

// trainer is the state of Train's boosting rounds.
type trainer struct {
	c          *resolved
	m          *Model
	nrow, ncol int
	x          []float32 // row-major, exact only
	margin     []float32
	ev         []evalSet
	src        *rand.PCG
	rng        *rand.Rand // = rand.New(src)
	hg         *histGrower
	eg         *exactGrower
}

// rounds runs the boosting rounds: per round the gradients, then for
// each class num_parallel_tree trees (leaf values scaled by
// eta/num_parallel_tree, c.leafEta, as XGBoost), then the evaluation sets and early
// stopping.
func (t *trainer) rounds(ctx context.Context, y32 []float32, gw []float32) error {
	c, m, nrow, k := t.c, t.m, t.nrow, t.c.numClass
	gp := make([]gpair, nrow*k)
	var gk []gpair
	if k > 1 || c.parallelTrees > 1 {
		gk = make([]gpair, nrow)
	}
	allFeats := make([]int32, t.ncol)
	for i := range allFeats {
		allFeats[i] = int32(i)
	}
	var kept0, dropped0 []int32
	if c.subsample < 1 {
		kept0, dropped0 = make([]int32, nrow+1), make([]int32, nrow+1)
	}
	bestRound, stale := -1, 0
	for round := 0; round < c.nEstimators; round++ {
		if err := ctx.Err(); err != nil {
			return fmt.Errorf("boost: training stopped after %d rounds: %w", round, err)
		}
		team := c.team(c.most)
		gradients(c.objective, k, t.margin, y32, gw, gp, team)
		c.give(team)
		for g := 0; g < k; g++ {
			for range c.parallelTrees {
				t.tree(gp, gk, g, allFeats, kept0, dropped0)
			}
		}
		if len(t.ev) == 0 {
			continue
		}
		last := t.evaluate()
		watch := c.metrics[len(c.metrics)-1]
		if bestRound < 0 || (maximize(watch) && last > m.BestScore) || (!maximize(watch) && last < m.BestScore) {
			bestRound, m.BestScore, stale = round, last, 0
		} else {
			stale++
		}
		if c.earlyStopping > 0 && stale >= c.earlyStopping {
			break
		}
	}
	perRound := k * c.parallelTrees
	m.BestIteration = len(m.Trees)/perRound - 1
	if c.earlyStopping > 0 && bestRound >= 0 {
		m.BestIteration = bestRound
		m.Trees = m.Trees[:(bestRound+1)*perRound]
	}
	return nil
}

// tree grows one tree of class g (of k) on the round's gradients gp,
// with its own row and column samples, adds it to the model and its leaf
// values to the margins.
func (t *trainer) tree(gp, gk []gpair, g int, allFeats, kept0, dropped0 []int32) {
	c, nrow, k := t.c, t.nrow, t.c.numClass
	var kept, dropped []int32 // rows in and out of this tree's sample
	if gk == nil {
		gk = gp // one class, one tree a round: sampled in place
	} else {
		for r := 0; r < nrow; r++ {
			gk[r] = gp[r*k+g]
		}
	}
	if c.subsample < 1 {
		// With one tree per round and class this draws the same numbers as
		// one draw per round did: the rows dropped are zeroed in gk.
		kept, dropped = drawSample(t.src, keepBelow(c.subsample), kept0, dropped0)
		for _, r := range dropped {
			gk[r] = gpair{}
		}
	}
	feats := allFeats
	if c.colsample < 1 {
		n := max(1, int(c.colsample*float64(t.ncol)))
		perm := t.rng.Perm(t.ncol)[:n]
		feats = make([]int32, n)
		for i, f := range perm {
			feats[i] = int32(f)
		}
		slices.Sort(feats)
	}
	var nodes []Node
	if t.hg != nil {
		var leaves []leafRows
		nodes, leaves = t.hg.grow(gk, feats, kept)
		t.hg.updateMargins(nodes, leaves, dropped, t.margin, k, g)
	} else {
		nodes = t.eg.grow(gk, feats)
		addTree(nodes, t.x, nrow, t.ncol, t.margin, k, g, c.threads)
	}
	t.m.Trees = append(t.m.Trees, Tree{Nodes: nodes, Group: g})
	for i := range t.ev {
		addTree(nodes, t.ev[i].x, len(t.ev[i].y), t.ncol, t.ev[i].margin, k, g, c.threads)
	}
}

// evaluate scores every evaluation set after a round, appends the values
// to the model's history and returns the last one.
func (t *trainer) evaluate() float64 {
	h := 0
	var last float64
	for _, e := range t.ev {
		for _, name := range t.c.metrics {
			last = metric(name, t.c.objective, t.c.numClass, e.margin, e.y, e.w)
			t.m.History[h].Values = append(t.m.History[h].Values, last)
			h++
		}
	}
	return last
}

// checkFeatures checks the constraints against the data's ncol features.
func (c *resolved) checkFeatures(ncol int) error {
	if len(c.monotone) > ncol {
		return invalid("monotone_constraints", len(c.monotone), "%d constraints for %d features", len(c.monotone), ncol)
	}
	for i, grp := range c.interaction {
		for j, f := range grp {
			if int(f) >= ncol {
				return invalid(fmt.Sprintf("interaction_constraints[%d][%d]", i, j), f, "no such feature: the data has %d", ncol)
			}
		}
	}
	return nil
}

// uniform(src.Uint64()) is rng.Float64() of rng = rand.New(src): the same
// numbers, without a call through the Source interface per draw. The
// subsample coin, drawn for every row of every round, is uniform(u) < s,
// compared as integers (keepBelow).
func uniform(u uint64) float64 {
	return float64(u<<11>>11) / (1 << 53)
}

// keepBelow returns the t for which uniform(u) < s exactly when
// u<<11>>11 < t, for s in [0, 1]: uniform(u) is v/2^53 with v = u<<11>>11
// an integer below 2^53, so both sides are exact and v/2^53 < s is
// v < s·2^53, which for an integer v is v < ⌈s·2^53⌉ (TestKeepBelow).
func keepBelow(s float64) uint64 {
	return uint64(math.Ceil(s * (1 << 53)))
}

// drawSample draws one coin from src for each of the len(kept0)-1 rows
// (the round's subsample; the row is kept when its draw's low 53 bits
// are below t, keepBelow) and returns the rows kept and the rows dropped, in order,
// as prefixes of kept0 and dropped0 (each of length nrow+1). Each row is
// written to both lists and counted in one, so the loop has no branch on
// the coin; it stores through pointers, as nk and nd, at most the row,
// are below len(kept0) and len(dropped0) but the compiler cannot tell.
func drawSample(src *rand.PCG, t uint64, kept0, dropped0 []int32) (kept, dropped []int32) {
	nrow := len(kept0) - 1
	if len(dropped0) != len(kept0) || nrow < 0 {
		panic("boost: sample lists of different lengths")
	}
	kp := unsafe.Pointer(unsafe.SliceData(kept0))
	dp := unsafe.Pointer(unsafe.SliceData(dropped0))
	nk, nd := uintptr(0), uintptr(0)
	for r := range int32(nrow) {
		keep := uintptr((src.Uint64()<<11>>11 - t) >> 63) // 1 when below t: both are at most 2^53
		*(*int32)(unsafe.Add(kp, nk*4)) = r
		*(*int32)(unsafe.Add(dp, nd*4)) = r
		nk += keep
		nd += 1 - keep
	}
	return kept0[:nk], dropped0[:nd]
}

func (p *Params) njobs() int {
	if p == nil {
		return 0
	}
	return p.NJobs
}

// addTree adds the leaf values of tree nodes for the rows of x to margin
// (group g of k).
func addTree(nodes []Node, x []float32, nrow, ncol int, margin []float32, k, g, threads int) {
	const blk = 4096
	parallelFor((nrow+blk-1)/blk, threads, func(b int) {
		for r := b * blk; r < min(nrow, b*blk+blk); r++ {
			margin[r*k+g] += treeLeaf(nodes, x[r*ncol:r*ncol+ncol])
		}
	})
}

func treeLeaf(nodes []Node, x []float32) float32 {
	i := int32(0)
	for {
		n := &nodes[i]
		if n.Left < 0 {
			return n.Value
		}
		v := x[n.Feature]
		switch {
		case v < n.Cond:
			i = n.Left
		case v != v && n.DefaultLeft:
			i = n.Left
		default:
			i = n.Right
		}
	}
}

// checkData validates a data set and, with rows, returns X as float32,
// row-major (else nil).
func checkData(name string, X mat.Matrix, y, w []float64, c *resolved, rows bool) ([]float32, int, int, error) {
	if X == nil {
		return nil, 0, 0, fmt.Errorf("%w: %s is nil", ErrEmpty, name)
	}
	r, d := X.Dims()
	if r == 0 || d == 0 {
		return nil, 0, 0, fmt.Errorf("%w: %s has %d rows and %d columns", ErrEmpty, name, r, d)
	}
	if len(y) != r {
		return nil, 0, 0, fmt.Errorf("%w: %s has %d rows but %d labels", ErrShape, name, r, len(y))
	}
	if w != nil && len(w) != r {
		return nil, 0, 0, fmt.Errorf("%w: %s has %d rows but %d weights", ErrShape, name, r, len(w))
	}
	for i, v := range w {
		if v < 0 || math.IsNaN(v) || math.IsInf(v, 0) {
			return nil, 0, 0, fmt.Errorf("%w: %s weight[%d] = %v", ErrInvalidWeight, name, i, v)
		}
	}
	if err := checkLabels(c, y); err != nil {
		return nil, 0, 0, fmt.Errorf("%s: %w", name, err)
	}
	// A value infinite, or too large for float32 (the type the model
	// compares in), is an error: the first in row order. With rows it is
	// found in the copy, else in X.
	var x []float32
	i := -1
	if rows {
		x = toFloat32(X, c.threads)
		i = slices.IndexFunc(x, isInf32)
	} else {
		i = firstInfinite(X, c.threads)
	}
	if i >= 0 {
		row, col := i/d, i%d
		return nil, 0, 0, fmt.Errorf("%w: %s[%d, %d] = %v (use NaN for missing)", ErrInvalidFeature, name, row, col, X.At(row, col))
	}
	return x, r, d, nil
}

func isInf32(v float32) bool { return math.IsInf(float64(v), 0) }

// firstInfinite returns the row-major index of X's first value that is
// infinite as a float32, or −1, without copying X.
func firstInfinite(X mat.Matrix, threads int) int {
	r, d := X.Dims()
	const blk = 4096
	nb := (r + blk - 1) / blk
	first := make([]int, nb)
	var data []float64 // row-major with stride, when X exposes its storage
	stride := 0
	if raw, ok := X.(mat.RawMatrixer); ok {
		m := raw.RawMatrix()
		data, stride = m.Data, m.Stride
	}
	parallelFor(nb, threads, func(b int) {
		first[b] = -1
		for i := b * blk; i < min(r, b*blk+blk); i++ {
			if data != nil {
				if j := slices.IndexFunc(data[i*stride:i*stride+d], func(v float64) bool { return isInf32(float32(v)) }); j >= 0 {
					first[b] = i*d + j
					return
				}
				continue
			}
			for j := range d {
				if isInf32(float32(X.At(i, j))) {
					first[b] = i*d + j
					return
				}
			}
		}
	})
	for _, i := range first {
		if i >= 0 {
			return i
		}
	}
	return -1
}

func toF32(v []float64) []float32 {
	out := make([]float32, len(v))
	for i, x := range v {
		out[i] = float32(x)
	}
	return out
}

func weightsF32(w []float64, n int) []float32 {
	if w == nil {
		out := make([]float32, n)
		for i := range out {
			out[i] = 1
		}
		return out
	}
	return toF32(w)
}

func weightsOrNil(w []float64, w32 []float32) []float32 {
	if w == nil {
		return nil
	}
	return w32
}
