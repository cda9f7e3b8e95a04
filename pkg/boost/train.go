package boost

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"unsafe"

	"gonum.org/v1/gonum/mat"
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
	// hist only reads the training data column by column (quantise).
	x, nrow, ncol, err := checkData("X", X, y, weights, &c, c.treeMethod == Hist)
	if err != nil {
		return nil, err
	}
	y32, w32 := toF32(y), weightsF32(weights, nrow)
	if c.earlyStopping > 0 && len(evals) == 0 {
		return nil, invalid("early_stopping_rounds", c.earlyStopping, "needs at least one evaluation set")
	}
	type evalData struct {
		name   string
		x      []float32
		y, w   []float32
		margin []float32
	}
	var ev []evalData
	for i, e := range evals {
		name := e.Name
		if name == "" {
			name = fmt.Sprintf("validation_%d", i)
		}
		ex, er, ec, err := checkData(name, e.X, e.Y, e.Weights, &c, false)
		if err != nil {
			return nil, err
		}
		if ec != ncol {
			return nil, fmt.Errorf("%w: evaluation set %q has %d columns, training data %d", ErrShape, name, ec, ncol)
		}
		ev = append(ev, evalData{name: name, x: ex, y: toF32(e.Y), w: weightsF32(e.Weights, er)})
	}

	k := c.numClass
	m := &Model{Objective: c.objective, NumClass: k, NumFeature: ncol, NJobs: p.njobs(), BestScore: math.NaN()}
	if c.baseScore != nil {
		m.BaseScore = float32(*c.baseScore)
	} else {
		m.BaseScore = autoBaseScore(&c, y32, w32)
	}
	base := make([]float32, k)
	for g := range base {
		base[g] = m.baseMargin()
	}
	var intercepts []float32 // multi:softprob, xgboost 3.1+
	if c.objective == MultiSoftprob && c.baseScore == nil {
		intercepts = classIntercepts(k, y32, w32)
		copy(base, intercepts)
	}
	margin := make([]float32, nrow*k)
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

	var hg *histGrower
	var eg *exactGrower
	if c.treeMethod == Hist {
		hg = newHistGrower(&c, quantise(x, nrow, ncol, weightsOrNil(weights, w32), c.maxBin, c.threads), c.threads)
		// From here on hist works on the bins (margins are updated from the
		// row partition), so the float32 copy of the data can go.
		x = nil
	} else {
		eg = newExactGrower(&c, x, nrow, ncol, c.threads)
	}
	src := rand.NewPCG(c.seed, 0x9e3779b97f4a7c15)
	rng := rand.New(src)
	gp := make([]gpair, nrow*k)
	var gk []gpair
	if k > 1 {
		gk = make([]gpair, nrow)
	}
	gw := gradWeights(c.objective, y32, w32, c.scalePosWeight, weights == nil)
	allFeats := make([]int32, ncol)
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
			return nil, fmt.Errorf("boost: training stopped after %d rounds: %w", round, err)
		}
		gradients(c.objective, k, margin, y32, gw, gp, c.threads)
		var kept, dropped []int32 // rows in and out of this round's sample
		if c.subsample < 1 {
			kept, dropped = drawSample(src, keepBelow(c.subsample), kept0, dropped0)
			if k == 1 {
				for _, r := range dropped {
					gp[r] = gpair{}
				}
			} else {
				for _, r := range dropped {
					clear(gp[int(r)*k : int(r)*k+k])
				}
			}
		}
		feats := allFeats
		if c.colsample < 1 {
			n := max(1, int(c.colsample*float64(ncol)))
			perm := rng.Perm(ncol)[:n]
			feats = make([]int32, n)
			for i, f := range perm {
				feats[i] = int32(f)
			}
			slices.Sort(feats)
		}
		for g := 0; g < k; g++ {
			if k == 1 {
				gk = gp
			} else {
				for r := 0; r < nrow; r++ {
					gk[r] = gp[r*k+g]
				}
			}
			var nodes []Node
			if hg != nil {
				var leaves []leafRows
				nodes, leaves = hg.grow(gk, feats, kept)
				hg.updateMargins(nodes, leaves, dropped, margin, k, g)
			} else {
				nodes = eg.grow(gk, feats)
				addTree(nodes, x, nrow, ncol, margin, k, g, c.threads)
			}
			m.Trees = append(m.Trees, Tree{Nodes: nodes, Group: g})
			for i := range ev {
				addTree(nodes, ev[i].x, len(ev[i].y), ncol, ev[i].margin, k, g, c.threads)
			}
		}
		if len(ev) == 0 {
			continue
		}
		h := 0
		var last float64
		for _, e := range ev {
			for _, name := range c.metrics {
				last = metric(name, c.objective, k, e.margin, e.y, e.w)
				m.History[h].Values = append(m.History[h].Values, last)
				h++
			}
		}
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
	m.BestIteration = len(m.Trees)/k - 1
	if c.earlyStopping > 0 && bestRound >= 0 {
		m.BestIteration = bestRound
		m.Trees = m.Trees[:(bestRound+1)*k]
	}
	if intercepts != nil {
		m.foldIntercepts(intercepts)
	}
	return m, nil
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

// checkData validates a data set and returns X as float32, row-major or,
// with cols, column-major.
func checkData(name string, X mat.Matrix, y, w []float64, c *resolved, cols bool) ([]float32, int, int, error) {
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
	var x []float32
	if cols {
		x = toFloat32Cols(X, c.threads)
	} else {
		x = toFloat32(X, c.threads)
	}
	for i, v := range x {
		if math.IsInf(float64(v), 0) {
			row, col := i/d, i%d
			if cols {
				row, col = i%r, i/r
			}
			return nil, 0, 0, fmt.Errorf("%w: %s[%d, %d] = %v (use NaN for missing)", ErrInvalidFeature, name, row, col, X.At(row, col))
		}
	}
	return x, r, d, nil
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
