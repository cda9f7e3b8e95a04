package boost

import (
	"math"
	"math/rand/v2"
	"slices"
)

// exactGrower grows trees with the exact greedy method (XGBoost's
// grow_colmaker followed by prune).
type exactGrower struct {
	c       *resolved
	x       []float32 // row-major
	nrow    int
	ncol    int
	threads int
	cols    [][]entry // per feature: present values sorted ascending
	hasMiss []bool
	pos     []int32 // node of each row; negative once in a final leaf
	rng     *rand.Rand
	levels  [][]int32 // per depth: the features sampled for the level (colsample_bylevel)
}

type entry struct {
	v   float32
	row int32
}

func newExactGrower(c *resolved, x []float32, nrow, ncol, threads int) *exactGrower {
	g := &exactGrower{c: c, x: x, nrow: nrow, ncol: ncol, threads: threads,
		cols: make([][]entry, ncol), hasMiss: make([]bool, ncol), pos: make([]int32, nrow)}
	parallelFor(ncol, threads, func(f int) {
		col := make([]entry, 0, nrow)
		for r := 0; r < nrow; r++ {
			v := x[r*ncol+f]
			if v != v {
				g.hasMiss[f] = true
				continue
			}
			col = append(col, entry{v, int32(r)})
		}
		slices.SortStableFunc(col, func(a, b entry) int {
			switch {
			case a.v < b.v:
				return -1
			case a.v > b.v:
				return 1
			}
			return 0
		})
		g.cols[f] = col
	})
	return g
}

type enode struct {
	G, H     float64
	rootGain float32
	bnd      bounds  // monotone bounds on the weights of its children
	path     []int32 // features split on above it (interaction constraints)
}

type tstat struct {
	G, H  float64
	last  float32
	empty bool
}

func (g *exactGrower) grow(gp []gpair, feats []int32) []Node {
	c := g.c
	clear(g.pos)
	g.levels = g.levels[:0]
	tree := []Node{{Left: -1, Right: -1, Parent: -1}}
	stats := []enode{{bnd: noBounds}}
	for _, p := range gp {
		stats[0].G += float64(p.g)
		stats[0].H += float64(p.h)
	}
	g.initNode(tree, stats, 0)
	qexpand := []int32{0}
	for depth := 0; depth < c.maxDepth && len(qexpand) > 0; depth++ {
		fs := levelFeatures(g.rng, &g.levels, feats, c.colsampleLevel, depth)
		best := g.findSplits(qexpand, stats, gp, fs, len(tree))
		var next []int32
		for i, nid := range qexpand {
			s := &best[i]
			if s.loss > rtEps {
				l := int32(len(tree))
				nd := &tree[nid]
				nd.Left, nd.Right = l, l+1
				nd.Feature, nd.Cond, nd.DefaultLeft, nd.Gain = s.feature, s.cond, s.defaultLeft, s.loss
				tree = append(tree, Node{Left: -1, Right: -1, Parent: nid}, Node{Left: -1, Right: -1, Parent: nid})
				stats = append(stats, enode{}, enode{})
				next = append(next, l, l+1)
			} else {
				tree[nid].Value = tree[nid].Weight * c.leafEta
			}
		}
		// Move rows to children; rows of new leaves are done.
		for r, nid := range g.pos {
			if nid < 0 {
				continue
			}
			nd := &tree[nid]
			if nd.IsLeaf() {
				g.pos[r] = ^nid
				continue
			}
			v := g.x[r*g.ncol+int(nd.Feature)]
			switch {
			case v != v:
				if nd.DefaultLeft {
					g.pos[r] = nd.Left
				} else {
					g.pos[r] = nd.Right
				}
			case v < nd.Cond:
				g.pos[r] = nd.Left
			default:
				g.pos[r] = nd.Right
			}
			st := &stats[g.pos[r]]
			st.G += float64(gp[r].g)
			st.H += float64(gp[r].h)
		}
		for _, nid := range next {
			g.initNode(tree, stats, nid)
		}
		for _, nid := range qexpand {
			g.bound(tree, stats, nid)
		}
		qexpand = next
	}
	for _, nid := range qexpand {
		tree[nid].Value = tree[nid].Weight * c.leafEta
	}
	return prune(tree, c)
}

// initNode sets a new node's weight and root gain, bounded by its
// parent's bounds (ColMaker's InitNewNode).
func (g *exactGrower) initNode(tree []Node, stats []enode, nid int32) {
	s := &stats[nid]
	pb := noBounds
	if p := tree[nid].Parent; p >= 0 {
		pb = stats[p].bnd
	}
	s.rootGain = g.c.nodeGain(s.G, s.H, pb)
	tree[nid].Hess = float32(s.H)
	tree[nid].Weight = pb.clamp(g.c.weight(s.G, s.H))
}

// bound sets the monotone bounds and the interaction path of the
// children of nid, if it was split (TreeEvaluator's AddSplit, after the
// children's weights).
func (g *exactGrower) bound(tree []Node, stats []enode, nid int32) {
	nd := &tree[nid]
	if nd.IsLeaf() {
		return
	}
	s := &stats[nid]
	l, r := &stats[nd.Left], &stats[nd.Right]
	l.bnd, r.bnd = s.bnd.children(g.c.monoOf(nd.Feature), tree[nd.Left].Weight, tree[nd.Right].Weight)
	if g.c.interaction != nil {
		l.path = append(slices.Clone(s.path), nd.Feature)
		r.path = l.path
	}
}

// findSplits enumerates all features for the nodes in qexpand (XGBoost's
// ColMaker::EnumerateSplit, backward always, forward when the feature has
// missing values) and returns the best split of each node.
func (g *exactGrower) findSplits(qexpand []int32, stats []enode, gp []gpair, feats []int32, ntree int) []split {
	qidx := make([]int32, ntree)
	for i := range qidx {
		qidx[i] = -1
	}
	for i, nid := range qexpand {
		qidx[nid] = int32(i)
	}
	nq := len(qexpand)
	nf := len(feats)
	bests := make([]split, nf*nq)
	parallelFor(nf, g.threads, func(fi int) {
		f := feats[fi]
		b := bests[fi*nq : fi*nq+nq]
		temp := make([]tstat, nq)
		qidx := qidx
		if g.c.interaction != nil {
			// Rows of nodes that may not split on f are skipped.
			qidx = slices.Clone(qidx)
			for _, nid := range qexpand {
				if !g.c.allows(stats[nid].path, f) {
					qidx[nid] = -1
				}
			}
		}
		// Forward first, as XGBoost: on equal gain missing goes right.
		if g.hasMiss[f] {
			g.enumerate(f, +1, qexpand, qidx, stats, gp, temp, b)
		}
		g.enumerate(f, -1, qexpand, qidx, stats, gp, temp, b)
	})
	out := make([]split, nq)
	for fi := range nf {
		for i := range nq {
			out[i].merge(&bests[fi*nq+i])
		}
	}
	return out
}

func (g *exactGrower) enumerate(f int32, dir int, qexpand []int32, qidx []int32, stats []enode, gp []gpair, temp []tstat, best []split) {
	c := g.c
	mcw := float64(c.minChildWeight)
	for i := range temp {
		temp[i] = tstat{empty: true}
	}
	col := g.cols[f]
	n := len(col)
	mono := c.monoOf(f)
	try := func(qi int32, e *tstat, cond float32) {
		s := &stats[qexpand[qi]]
		cG, cH := s.G-e.G, s.H-e.H
		if cH < mcw {
			return
		}
		if dir < 0 {
			loss := c.splitGain(cG, cH, e.G, e.H) - s.rootGain
			best[qi].update(loss, f, cond, 0, true, cG, cH, e.G, e.H)
		} else {
			loss := c.splitGain(e.G, e.H, cG, cH) - s.rootGain
			best[qi].update(loss, f, cond, 0, false, e.G, e.H, cG, cH)
		}
	}
	if c.weightGain {
		// TreeEvaluator's bounded gain; a closure of its own, so that the
		// common one above is as it was.
		try = func(qi int32, e *tstat, cond float32) {
			s := &stats[qexpand[qi]]
			cG, cH := s.G-e.G, s.H-e.H
			if cH < mcw {
				return
			}
			if dir < 0 {
				loss := c.boundedSplitGain(cG, cH, e.G, e.H, s.bnd, mono) - s.rootGain
				best[qi].update(loss, f, cond, 0, true, cG, cH, e.G, e.H)
			} else {
				loss := c.boundedSplitGain(e.G, e.H, cG, cH, s.bnd, mono) - s.rootGain
				best[qi].update(loss, f, cond, 0, false, e.G, e.H, cG, cH)
			}
		}
	}
	for k := 0; k < n; k++ {
		it := col[k]
		if dir < 0 {
			it = col[n-1-k]
		}
		nid := g.pos[it.row]
		if nid < 0 {
			continue
		}
		qi := qidx[nid]
		if qi < 0 {
			continue
		}
		e := &temp[qi]
		p := gp[it.row]
		if e.empty {
			e.G, e.H, e.last, e.empty = float64(p.g), float64(p.h), it.v, false
			continue
		}
		if it.v != e.last && e.H >= mcw {
			prop := (it.v + e.last) * 0.5
			if prop == it.v {
				prop = e.last
			}
			try(qi, e, prop)
		}
		e.G += float64(p.g)
		e.H += float64(p.h)
		e.last = it.v
	}
	for qi := range temp {
		e := &temp[qi]
		if e.empty || e.H < mcw {
			continue
		}
		gap := float32(math.Abs(float64(e.last))) + rtEps
		if dir < 0 {
			gap = -gap
		}
		try(int32(qi), e, e.last+gap)
	}
}

// prune is XGBoost's TreePruner with max_depth already enforced: a split
// whose children are leaves and whose loss_chg < gamma becomes a leaf,
// repeatedly. The tree is then renumbered (children pairwise, in
// breadth-first order).
func prune(tree []Node, c *resolved) []Node {
	if c.gamma <= 0 {
		return tree
	}
	changed := true
	for changed {
		changed = false
		for i := range tree {
			nd := &tree[i]
			if nd.IsLeaf() || nd.Left < 0 {
				continue
			}
			if tree[nd.Left].IsLeaf() && tree[nd.Right].IsLeaf() && nd.Gain < c.gamma {
				nd.Left, nd.Right = -1, -1
				nd.Value = c.leafEta * nd.Weight
				nd.Gain, nd.Feature, nd.Cond, nd.DefaultLeft = 0, 0, 0, false
				changed = true
			}
		}
	}
	return compact(tree)
}

// compact renumbers the nodes reachable from the root breadth-first,
// children pairwise.
func compact(tree []Node) []Node {
	out := []Node{tree[0]}
	out[0].Parent = -1
	for i := 0; i < len(out); i++ {
		nd := &out[i]
		if nd.IsLeaf() {
			continue
		}
		l, r := tree[nd.Left], tree[nd.Right]
		nd.Left = int32(len(out))
		nd.Right = nd.Left + 1
		l.Parent, r.Parent = int32(i), int32(i)
		out = append(out, l, r)
	}
	return out
}
