package boost

import (
	"math/rand/v2"
	"slices"
	"unsafe"
)

// A node's histogram is built from blocks of its rows, each into its own
// partial histogram (the first into the node's), and the partials are
// summed in block order, so results do not depend on the number of
// goroutines. A block has at least histBlock rows, and a node at most
// maxHistBlocks blocks: every partial costs clearing and summing a whole
// histogram, which for a 1M-row root in blocks of 16k rows was as much
// memory traffic as the rows themselves.
const (
	histBlock     = 16384
	maxHistBlocks = 16
)

// partBlock is the number of rows per partition task.
const partBlock = 16384

// histGrower grows trees with the hist method (depthwise, like XGBoost's
// grow_quantile_histmaker).
type histGrower struct {
	c        *resolved
	b        *binned
	rows     []int32 // row indices; each node owns a segment
	tmp      []int32
	splitBin []int32 // per node of the tree being grown: rows with bins up to this go left
	free     [][]hbin
	nbins    int
	sel      []selCol   // the dense features the tree being grown uses
	leaves   []leafRows // of the tree being grown
	rng      *rand.Rand // colsample_bylevel and colsample_bynode
	levels   [][]int32  // per depth: the features sampled for the level (colsample_bylevel)

	sparseRows int32            // nodes with at most this many rows keep a sparseHist
	scratches  []*sparseScratch // per worker, for buildSparse
}

func newHistGrower(c *resolved, b *binned) *histGrower {
	return &histGrower{c: c, b: b, rows: make([]int32, b.nrow), tmp: make([]int32, b.nrow), nbins: b.histLen(), sparseRows: sparseRowsFor(b)}
}

func (g *histGrower) alloc() []hbin {
	if n := len(g.free); n > 0 {
		h := g.free[n-1]
		g.free = g.free[:n-1]
		clear(h)
		return h
	}
	return make([]hbin, g.nbins)
}

func (g *histGrower) release(h []hbin) {
	if h != nil {
		g.free = append(g.free, h)
	}
}

type hnode struct {
	nid        int32
	begin, end int32
	G, H       float64
	rootGain   float32
	hist       []hbin      // the dense histogram, or nil when sp is set
	sp         *sparseHist // the histogram of a node of at most sparseRows rows
	best       split
	nl         int32   // rows going left, set by partition
	bnd        bounds  // monotone bounds on its leaf weights (c.weightGain)
	path       []int32 // features split on above it (interaction constraints)
	depth      int
}

// buildHists fills the histograms of nodes (hist must be allocated and
// zeroed) from their row segments, in parallel over fixed row blocks.
func (g *histGrower) buildHists(nodes []*hnode, gp []gpair) {
	type task struct {
		n      *hnode
		lo, hi int32
		out    []hbin
	}
	var tasks []task
	var partial [][]*[]hbin // per node: partial buffers (block order)
	for _, n := range nodes {
		var ps []*[]hbin
		size := max(histBlock, (n.end-n.begin+maxHistBlocks-1)/maxHistBlocks)
		for lo := n.begin; lo < n.end; lo += size {
			t := task{n: n, lo: lo, hi: min(n.end, lo+size)}
			if lo == n.begin {
				t.out = n.hist
			} else {
				t.out = g.alloc()
				ps = append(ps, &t.out)
			}
			tasks = append(tasks, t)
		}
		partial = append(partial, ps)
	}
	g.c.each(len(tasks), func(i int) {
		t := tasks[i]
		g.b.buildHist(g.rows[t.lo:t.hi], gp, t.out, g.sel)
	})
	// Reduce partial histograms in block order, in parallel over bin ranges.
	const chunk = 4096
	type red struct {
		n      int
		lo, hi int
	}
	var reds []red
	for i, ps := range partial {
		if len(ps) == 0 {
			continue
		}
		for lo := 0; lo < g.nbins; lo += chunk {
			reds = append(reds, red{i, lo, min(g.nbins, lo+chunk)})
		}
	}
	g.c.each(len(reds), func(i int) {
		r := reds[i]
		dst := nodes[r.n].hist[r.lo:r.hi]
		for _, p := range partial[r.n] {
			src := (*p)[r.lo:r.hi]
			for j := range dst {
				dst[j].g += src[j].g
				dst[j].h += src[j].h
			}
		}
	})
	for _, ps := range partial {
		for _, p := range ps {
			g.release(*p)
		}
	}
	if len(g.b.sparse) > 0 {
		g.c.each(len(nodes), func(i int) {
			g.b.fillDefaults(nodes[i].hist, nodes[i].G, nodes[i].H)
		})
	}
}

// evaluate finds the best split of every node, in parallel over (node,
// feature); features not in feats are skipped.
func (g *histGrower) evaluate(nodes []*hnode, feats []int32) {
	if g.c.colsampleNode < 1 || g.c.interaction != nil {
		g.evaluateEach(nodes, feats)
		return
	}
	nf := len(feats)
	bests := make([]split, len(nodes)*nf)
	g.c.each(len(bests), func(i int) {
		g.evalFeature(nodes[i/nf], feats[i%nf], &bests[i])
	})
	for i, n := range nodes {
		n.best = split{}
		for j := range nf {
			n.best.merge(&bests[i*nf+j])
		}
	}
}

// evaluateEach is evaluate with features that differ by node: sampled
// for each node (colsample_bynode, drawn in node order) and allowed by
// the interaction constraints.
func (g *histGrower) evaluateEach(nodes []*hnode, feats []int32) {
	type task struct {
		n int
		f int32
	}
	var tasks []task
	for i, n := range nodes {
		fs := feats
		if g.c.colsampleNode < 1 {
			fs = sampleFeatures(g.rng, fs, g.c.colsampleNode)
		}
		for _, f := range fs {
			if g.c.allows(n.path, f) {
				tasks = append(tasks, task{i, f})
			}
		}
	}
	bests := make([]split, len(tasks))
	g.c.each(len(tasks), func(i int) {
		g.evalFeature(nodes[tasks[i].n], tasks[i].f, &bests[i])
	})
	for _, n := range nodes {
		n.best = split{}
	}
	for i, t := range tasks { // features in increasing order within a node
		nodes[t.n].best.merge(&bests[i])
	}
}

// evalFeature is XGBoost's EnumerateSplit over f's cut bins of n's
// histogram, dense or sparse.
func (g *histGrower) evalFeature(n *hnode, f int32, best *split) {
	if n.sp != nil {
		idx, bins := n.sp.feature(g.b, f)
		g.evalBins(n, f, idx, g.b.ptr[f], bins, best)
		return
	}
	lo := g.b.ptr[f]
	g.evalBins(n, f, nil, 0, n.hist[lo:lo+int32(len(g.b.cuts[f]))], best)
}

// evalBins is XGBoost's EnumerateSplit: a forward scan (missing right)
// and, when the node has missing values of f, a backward scan (missing
// left), over f's cut bins: hist, each the local bin i, or when idx is
// not nil (a sparseHist's listed bins) idx[i] − base.
//
// Empty bins are skipped: the split after an empty bin puts the same rows
// on each side as the split before it, so it has the same loss and cannot
// replace it (only a strictly better loss does). A feature without
// missing values skips the backward scan, whose splits are then the
// forward ones with the same rows on each side (XGBoost runs it when the
// forward sums differ from the node's by rounding, which only adds
// default-left copies of forward splits, equal up to rounding).
//
// With max_delta_step or monotone constraints (weightGain) the gain is
// that of XGBoost's TreeEvaluator (boundedSplitGain): leaf weights bounded
// by max_delta_step and the node's monotone bounds, and splits that break
// a monotone constraint refused.
func (g *histGrower) evalBins(n *hnode, f int32, idx []int32, base int32, hist []hbin, best *split) {
	if haveScanBins && g.c.alpha == 0 && g.c.minChildWeight > 0 && !g.c.weightGain {
		g.scanBins(n, f, idx, base, hist, best)
		return
	}
	g.evalBinsGo(n, f, idx, base, hist, best)
}

// evalBinsGo is evalBins in Go, for any reg_alpha, min_child_weight and
// bounds (its branch on them is the same at every bin).
func (g *histGrower) evalBinsGo(n *hnode, f int32, idx []int32, base int32, hist []hbin, best *split) {
	c := g.c
	b := g.b
	cuts := b.cuts[f]
	mcw := float64(c.minChildWeight)
	a, l := float64(c.alpha), float64(c.lambda)
	bounded, mono := c.weightGain, c.monoOf(f)
	gain := func(lG, lH, rG, rH float64) float32 {
		if bounded {
			return c.boundedSplitGain(lG, lH, rG, rH, n.bnd, mono)
		}
		return leafGain(lG, lH, a, l) + leafGain(rG, rH, a, l)
	}
	var lG, lH float64
	for k, e := range hist {
		if e.g == 0 && e.h == 0 {
			continue
		}
		lG += e.g
		lH += e.h
		rG, rH := n.G-lG, n.H-lH
		if lH >= mcw && rH >= mcw {
			loss := gain(lG, lH, rG, rH) - n.rootGain
			if loss > best.loss {
				i := int32(k)
				if idx != nil {
					i = idx[k] - base
				}
				*best = split{loss, f, cuts[i], i, false, lG, lH, rG, rH}
			}
		}
	}
	if b.miss[f] < 0 || lG == n.G && lH == n.H {
		return
	}
	var aG, aH float64 // right side, accumulated backwards
	for k := len(hist) - 1; k >= 0; k-- {
		e := hist[k]
		if e.g == 0 && e.h == 0 {
			continue
		}
		aG += e.g
		aH += e.h
		lG, lH := n.G-aG, n.H-aH
		if lH >= mcw && aH >= mcw {
			loss := gain(lG, lH, aG, aH) - n.rootGain
			if loss > best.loss {
				i := int32(k)
				if idx != nil {
					i = idx[k] - base
				}
				cond := b.mins[f]
				if i > 0 {
					cond = cuts[i-1]
				}
				*best = split{loss, f, cond, i - 1, true, lG, lH, aG, aH}
			}
		}
	}
}

// scanBins is evalBins by the assembly scan (reg_alpha 0,
// min_child_weight > 0).
func (g *histGrower) scanBins(n *hnode, f int32, idx []int32, base int32, hist []hbin, best *split) {
	if len(hist) == 0 {
		return
	}
	b := g.b
	cuts := b.cuts[f]
	mcw, l := float64(g.c.minChildWeight), float64(g.c.lambda)
	local := func(k int) int32 {
		if idx != nil {
			return idx[k] - base
		}
		return int32(k)
	}
	k, loss, lG, lH, tG, tH := scanBins(&hist[0], len(hist), 16, n.G, n.H, l, mcw, n.rootGain, best.loss)
	if k >= 0 {
		i := local(k)
		*best = split{loss, f, cuts[i], i, false, lG, lH, n.G - lG, n.H - lH}
	}
	if b.miss[f] < 0 || tG == n.G && tH == n.H {
		return
	}
	last := len(hist) - 1
	k, loss, aG, aH, _, _ := scanBins(&hist[last], len(hist), -16, n.G, n.H, l, mcw, n.rootGain, best.loss)
	if k >= 0 {
		i := local(last - k)
		cond := b.mins[f]
		if i > 0 {
			cond = cuts[i-1]
		}
		*best = split{loss, f, cond, i - 1, true, n.G - aG, n.H - aH, aG, aH}
	}
}

// valid is XGBoost's ExpandEntry::IsValid (max_leaves unused).
func (c *resolved) valid(s *split, depth int) bool {
	return s.loss > rtEps && s.lH != 0 && s.rH != 0 && s.loss >= c.gamma && depth < c.maxDepth
}

// partition splits the row segments of the nodes (stable: left rows then
// right rows, each in their previous order).
func (g *histGrower) partition(nodes []*hnode, tree []Node) {
	type task struct {
		n      *hnode
		lo, hi int32
		nl     int32
		node   int   // index in nodes
		dl, dr int32 // where its left and right rows go
	}
	var tasks []task
	left := make([][]uint8, len(nodes))
	for i, n := range nodes {
		for lo := n.begin; lo < n.end; lo += partBlock {
			tasks = append(tasks, task{n: n, lo: lo, hi: min(n.end, lo+partBlock), node: i})
		}
		left[i] = g.goesLeft(&tree[n.nid], n.best.bin)
	}
	b := g.b
	g.c.each(len(tasks), func(i int) {
		t := &tasks[i]
		f := tree[t.n.nid].Feature
		if b.c8 != nil {
			t.nl = partitionRows(b.c8[f], left[t.node], g.rows[t.lo:t.hi], g.tmp[t.lo:t.hi])
		} else {
			t.nl = partitionRows(b.c16[f], left[t.node], g.rows[t.lo:t.hi], g.tmp[t.lo:t.hi])
		}
	})
	// Each node's rows become its tasks' left rows, then their right rows,
	// in task order; every task copies its own, in parallel.
	for i := 0; i < len(tasks); {
		n := tasks[i].n
		j := i
		pos := n.begin
		for ; j < len(tasks) && tasks[j].n == n; j++ {
			tasks[j].dl = pos
			pos += tasks[j].nl
		}
		n.nl = pos - n.begin
		for k := i; k < j; k++ {
			tasks[k].dr = pos
			pos += tasks[k].hi - tasks[k].lo - tasks[k].nl
		}
		i = j
	}
	g.c.each(len(tasks), func(i int) {
		t := &tasks[i]
		copy(g.rows[t.dl:], g.tmp[t.lo:t.lo+t.nl])
		// The right rows were written from the back: reverse them.
		right := g.tmp[t.lo+t.nl : t.hi]
		dst := g.rows[t.dr : t.dr+int32(len(right))]
		for j, r := range right {
			dst[len(dst)-1-j] = r
		}
	})
}

// goesLeft returns, for each bin of the split feature of node n (the bin
// of missing values included), 1 if the split at bin sb sends its rows
// left: bins up to sb, and missing values when they default left.
func (g *histGrower) goesLeft(n *Node, sb int32) []uint8 {
	f := n.Feature
	left := make([]uint8, g.b.ptr[f+1]-g.b.ptr[f])
	for i := int32(0); i <= sb; i++ {
		left[i] = 1
	}
	if m := g.b.miss[f]; m >= 0 {
		left[m] = uint8(b2i(n.DefaultLeft))
	}
	return left
}

// partitionRows writes the rows going left (left[bin] == 1) to the front
// of out and the rows going right to the back (reversed), returning the
// number going left. Each row is written to both free ends and the ends
// advance by the table's answer, so the loop has no data-dependent
// branch (a table rather than comparisons halves its instructions).
//
// It indexes with pointer arithmetic (a third of the loop's instructions
// were bounds checks): rows are below len(col) (the grower's row lists),
// a bin is below len(left) (goesLeft sizes the table for its feature),
// and l <= r-1 hold while rows remain, as len(out) == len(rows).
func partitionRows[B uint8 | uint16](col []B, left []uint8, rows, out []int32) int32 {
	if len(out) != len(rows) {
		panic("boost: partition buffers of different lengths")
	}
	cp := unsafe.Pointer(unsafe.SliceData(col))
	lp := unsafe.Pointer(unsafe.SliceData(left))
	op := unsafe.Pointer(unsafe.SliceData(out))
	size := unsafe.Sizeof(B(0))
	l, r := uintptr(0), uintptr(len(out))
	for _, row := range rows {
		bin := *(*B)(unsafe.Add(cp, uintptr(row)*size))
		d := uintptr(*(*uint8)(unsafe.Add(lp, uintptr(bin))))
		*(*int32)(unsafe.Add(op, l*4)) = row
		*(*int32)(unsafe.Add(op, (r-1)*4)) = row
		l += d
		r -= 1 - d
	}
	return int32(l)
}

func b2i(b bool) int32 {
	if b {
		return 1
	}
	return 0
}

// grow builds one tree from the gradient pairs gp (len nrow) using the
// features feats and the rows sampled (nil: all rows; the gradients of
// the others must be zero). It returns the tree and the segments of
// g.rows that end in its leaves (leafRows), for updateMargins.
//
// Rows left out of the sample add nothing to any histogram, so they are
// left out of the partition too, and updateMargins places them
// afterwards.
func (g *histGrower) grow(gp []gpair, feats []int32, sampled []int32) ([]Node, []leafRows) {
	root, tree := g.start(gp, feats, sampled)
	if g.c.lossguide {
		tree = g.growLossguide(root, tree, gp, feats)
	} else {
		tree = g.growDepthwise(root, tree, gp, feats)
	}
	return tree, g.leaves
}

// start sets up the rows, the root and its histogram for a new tree.
func (g *histGrower) start(gp []gpair, feats []int32, sampled []int32) (*hnode, []Node) {
	c := g.c
	if sampled != nil {
		g.rows = g.rows[:copy(g.rows[:cap(g.rows)], sampled)]
	} else {
		g.rows = g.rows[:cap(g.rows)]
		for i := range g.rows {
			g.rows[i] = int32(i)
		}
	}
	g.splitBin = g.splitBin[:0]
	g.leaves = nil
	g.levels = g.levels[:0]
	g.sel = g.b.selectDense(feats)
	root := &hnode{nid: 0, begin: 0, end: int32(len(g.rows)), hist: g.alloc(), bnd: noBounds}
	// The sums are kept in locals: through root's fields every addition
	// waited on the store of the previous one.
	var G, H float64
	for _, p := range gp {
		G += float64(p.g)
		H += float64(p.h)
	}
	root.G, root.H = G, H
	root.rootGain = c.nodeGain(root.G, root.H, noBounds)
	tree := []Node{{Left: -1, Right: -1, Parent: -1, Hess: float32(root.H), Weight: c.weight(root.G, root.H)}}
	g.buildHists([]*hnode{root}, gp)
	return root, tree
}

// growDepthwise grows the tree level by level (XGBoost's depthwise
// Driver): every valid split of a level, in node order, while the tree
// has fewer than max_leaves leaves.
func (g *histGrower) growDepthwise(root *hnode, tree []Node, gp []gpair, feats []int32) []Node {
	c := g.c
	level := []*hnode{root}
	leaves := 1
	for depth := 0; len(level) > 0; depth++ {
		if depth < c.maxDepth {
			g.evaluate(level, g.levelFeatures(feats, depth))
		}
		var splitNodes []*hnode
		for _, n := range level {
			if depth >= c.maxDepth || !c.valid(&n.best, depth) || c.leavesFull(leaves) {
				g.leaf(tree, n)
				continue
			}
			leaves++
			tree = g.applySplit(tree, n)
			splitNodes = append(splitNodes, n)
		}
		if len(splitNodes) == 0 {
			break
		}
		if depth+1 >= c.maxDepth || c.leavesFull(leaves) {
			g.leafPairs(tree, splitNodes)
			break
		}
		level = g.children(splitNodes, tree, gp, depth+1)
	}
	return tree
}

// growLossguide grows the tree by always splitting the leaf whose split
// gains most (ties: the lower node id), as XGBoost's lossguide Driver:
// growth stops at the first split that is not valid (gamma, max_depth,
// max_leaves), and every leaf left is final.
func (g *histGrower) growLossguide(root *hnode, tree []Node, gp []gpair, feats []int32) []Node {
	c := g.c
	g.evaluate([]*hnode{root}, g.levelFeatures(feats, 0))
	var queue []*hnode
	push := func(n *hnode) {
		if n.best.loss > rtEps {
			queue = append(queue, n)
		} else {
			g.leaf(tree, n)
		}
	}
	push(root)
	leaves := 1
	for len(queue) > 0 {
		i := 0
		for j, n := range queue[1:] {
			if b := queue[i]; n.best.loss > b.best.loss || n.best.loss == b.best.loss && n.nid < b.nid {
				i = j + 1
			}
		}
		n := queue[i]
		queue = slices.Delete(queue, i, i+1)
		if !c.valid(&n.best, n.depth) || c.leavesFull(leaves) {
			g.leaf(tree, n)
			for _, m := range queue {
				g.leaf(tree, m)
			}
			break
		}
		leaves++
		tree = g.applySplit(tree, n)
		if n.depth+1 >= c.maxDepth || c.leavesFull(leaves) {
			g.leafPairs(tree, []*hnode{n})
			continue
		}
		kids := g.children([]*hnode{n}, tree, gp, n.depth+1)
		g.evaluate(kids, g.levelFeatures(feats, n.depth+1))
		for _, k := range kids {
			push(k)
		}
	}
	return tree
}

// leavesFull reports whether a tree with this many leaves may not split
// again (max_leaves).
func (c *resolved) leavesFull(leaves int) bool {
	return c.maxLeaves > 0 && leaves >= c.maxLeaves
}

// leaf makes node n a final leaf.
func (g *histGrower) leaf(tree []Node, n *hnode) {
	nd := &tree[n.nid]
	nd.Value = nd.Weight * g.c.leafEta
	g.leaves = append(g.leaves, leafRows{n.nid, n.begin, n.end})
	g.release(n.hist)
}

// leafPairs makes the children of the split nodes final leaves; rather
// than partitioning the rows, updateMargins tells them apart.
func (g *histGrower) leafPairs(tree []Node, split []*hnode) {
	for _, n := range split {
		nd := tree[n.nid]
		for _, ch := range [2]int32{nd.Left, nd.Right} {
			tree[ch].Value = tree[ch].Weight * g.c.leafEta
		}
		g.leaves = append(g.leaves, leafRows{n.nid, n.begin, n.end})
		g.release(n.hist)
	}
}

// applySplit writes n's best split into the tree and appends its two
// children, whose weights are bounded by n's monotone bounds.
func (g *histGrower) applySplit(tree []Node, n *hnode) []Node {
	c := g.c
	s := &n.best
	l := int32(len(tree))
	nd := &tree[n.nid]
	nd.Left, nd.Right = l, l+1
	nd.Feature = s.feature
	nd.Cond = s.cond
	nd.DefaultLeft = s.defaultLeft
	nd.Gain = s.loss
	if c.weightGain {
		nd.Weight = n.bnd.clamp(c.weight(n.G, n.H))
	}
	for len(g.splitBin) <= int(n.nid) {
		g.splitBin = append(g.splitBin, 0)
	}
	g.splitBin[n.nid] = s.bin
	return append(tree,
		Node{Left: -1, Right: -1, Parent: n.nid, Hess: float32(s.lH), Weight: n.bnd.clamp(c.weight(s.lG, s.lH))},
		Node{Left: -1, Right: -1, Parent: n.nid, Hess: float32(s.rH), Weight: n.bnd.clamp(c.weight(s.rG, s.rH))})
}

// children partitions the rows of the split nodes and returns their
// children (at depth) with histograms (childHists: the smaller child's
// built, the larger one's the parent's minus it).
func (g *histGrower) children(split []*hnode, tree []Node, gp []gpair, depth int) []*hnode {
	c := g.c
	g.partition(split, tree)
	var small, large, next []*hnode
	for _, n := range split {
		s := &n.best
		nd := &tree[n.nid]
		nl := n.nl
		lb, rb := n.bnd.children(c.monoOf(s.feature), tree[nd.Left].Weight, tree[nd.Right].Weight)
		var path []int32
		if c.interaction != nil {
			path = append(slices.Clone(n.path), s.feature)
		}
		left := &hnode{nid: nd.Left, begin: n.begin, end: n.begin + nl, G: s.lG, H: s.lH, bnd: lb, path: path, depth: depth}
		right := &hnode{nid: nd.Right, begin: n.begin + nl, end: n.end, G: s.rG, H: s.rH, bnd: rb, path: path, depth: depth}
		left.rootGain = c.nodeGain(left.G, left.H, n.bnd)
		right.rootGain = c.nodeGain(right.G, right.H, n.bnd)
		next = append(next, left, right)
		sm, lg := left, right
		if right.end-right.begin < left.end-left.begin {
			sm, lg = right, left
		}
		if sm.end-sm.begin > g.sparseRows {
			sm.hist = g.alloc()
		}
		small = append(small, sm)
		large = append(large, lg)
	}
	g.childHists(split, small, large, gp)
	return next
}

// updateMargins adds the leaf values of tree, just grown, to the margins
// (group grp of k per row) of the rows of leaves and of the rows dropped
// from the sample (which grow did not partition).
func (g *histGrower) updateMargins(tree []Node, leaves []leafRows, dropped []int32, margin []float32, k, grp int) {
	type task struct {
		nid    int32
		lo, hi int32
	}
	var tasks []task
	for _, l := range leaves {
		for lo := l.begin; lo < l.end; lo += partBlock {
			tasks = append(tasks, task{l.nid, lo, min(l.end, lo+partBlock)})
		}
	}
	g.c.each(len(tasks), func(i int) {
		t := tasks[i]
		rows := g.rows[t.lo:t.hi]
		n := &tree[t.nid]
		if n.Left < 0 {
			for _, r := range rows {
				margin[int(r)*k+grp] += n.Value
			}
			return
		}
		// A split into two leaves: each row goes where partition would
		// send it.
		v := [2]float32{tree[n.Right].Value, tree[n.Left].Value}
		left := g.goesLeft(n, g.splitBin[t.nid])
		if g.b.c8 != nil {
			addSplit(g.b.c8[n.Feature], left, v, rows, margin, k, grp)
		} else {
			addSplit(g.b.c16[n.Feature], left, v, rows, margin, k, grp)
		}
	})
	if len(dropped) == 0 {
		return
	}
	// The dropped rows walk the tree through each split's table of which
	// bins go left (as partition uses), without a branch on the data: a
	// leaf is a step that stays where it is (its table is all zeros), so
	// every row takes as many steps as the tree is deep.
	depth := make([]int, len(tree))
	maxDepth := 0
	for i := 1; i < len(tree); i++ {
		depth[i] = depth[tree[i].Parent] + 1
		maxDepth = max(maxDepth, depth[i])
	}
	stay := make([]uint8, g.b.ptr[1]-g.b.ptr[0])
	left := make([][]uint8, len(tree))
	for i := range tree {
		left[i] = stay
		if tree[i].Left >= 0 {
			left[i] = g.goesLeft(&tree[i], g.splitBin[i])
		}
	}
	const blk = 4096
	g.c.each((len(dropped)+blk-1)/blk, func(b int) {
		rows := dropped[b*blk : min(len(dropped), b*blk+blk)]
		if g.b.c8 != nil {
			addLeaves(walkSteps(g.b.c8, left, tree), maxDepth, tree, rows, margin, k, grp)
		} else {
			addLeaves(walkSteps(g.b.c16, left, tree), maxDepth, tree, rows, margin, k, grp)
		}
	})
}

// walkStep is one node of a tree for addLeaves: a row at this node goes
// to next - left[col[row]] (a split: its left child or, one further, its
// right one), or stays (a leaf: next is the node itself, left all zeros
// and col the first feature's).
type walkStep[B uint8 | uint16] struct {
	col  []B
	left []uint8
	next int32
}

// walkSteps returns the steps of tree, whose splits send the bins with
// left[i][bin] == 1 left.
func walkSteps[B uint8 | uint16](cols [][]B, left [][]uint8, tree []Node) []walkStep[B] {
	steps := make([]walkStep[B], len(tree))
	for i := range tree {
		n := &tree[i]
		steps[i] = walkStep[B]{cols[0], left[i], int32(i)}
		if n.Left >= 0 {
			steps[i] = walkStep[B]{cols[n.Feature], left[i], n.Left + 1}
		}
	}
	return steps
}

// addLeaves adds to the margin of each row the value of its leaf of tree
// (just grown, depth levels deep). The rows take each level's step
// together: a row's steps depend on one another through a chain of
// loads, but different rows' do not, so a level over all the rows keeps
// many chains in flight where a walk of one row to its leaf waited on
// each load in turn.
func addLeaves[B uint8 | uint16](steps []walkStep[B], depth int, tree []Node, rows []int32, margin []float32, k, grp int) {
	at := make([]int32, len(rows))
	for range depth {
		for j, r := range rows {
			s := &steps[at[j]]
			at[j] = s.next - int32(s.left[s.col[r]])
		}
	}
	for j, r := range rows {
		margin[int(r)*k+grp] += tree[at[j]].Value
	}
}

// addSplit adds v[1] to the margins of the rows whose bin of col goes
// left (left[bin] == 1, as in partitionRows) and v[0] to the others.
func addSplit[B uint8 | uint16](col []B, left []uint8, v [2]float32, rows []int32, margin []float32, k, grp int) {
	for _, r := range rows {
		margin[int(r)*k+grp] += v[left[col[r]]&1]
	}
}

// leafRows is the row segment [begin, end) of the grower's rows that
// ended in node nid: a leaf, or a split whose children are both leaves
// (the last level is not partitioned).
type leafRows struct {
	nid        int32
	begin, end int32
}

// childHists fills the histograms of the children of parents: small[i],
// the child with fewer rows (with its dense histogram allocated when it
// has more than sparseRows rows), from its rows, and large[i] as
// parents[i] − small[i] (see sparseHist). The parents' dense histograms
// pass to their larger children or are released.
func (g *histGrower) childHists(parents, small, large []*hnode, gp []gpair) {
	var dense []*hnode
	var sparse []*hnode
	for _, sm := range small {
		if sm.hist != nil {
			dense = append(dense, sm)
		} else {
			sparse = append(sparse, sm)
		}
	}
	if len(dense) > 0 {
		g.buildHists(dense, gp)
	}
	if len(sparse) > 0 {
		team := g.c.team(len(sparse))
		for w := range min(team, len(sparse)) {
			g.scratch(w)
		}
		parallelForW(len(sparse), team, func(w, i int) {
			sm := sparse[i]
			sm.sp = g.buildSparse(g.rows[sm.begin:sm.end], gp, g.scratches[w])
		})
		g.c.give(team)
	}
	g.c.each(len(small), func(i int) {
		p, sm, lg := parents[i], small[i], large[i]
		switch {
		case sm.sp == nil:
			lg.hist = p.hist
			subtractHist(lg.hist, sm.hist)
		case p.sp != nil:
			lg.sp = subSparse(p.sp, sm.sp)
		case lg.end-lg.begin <= g.sparseRows:
			lg.sp = denseMinusSparse(p.hist, sm.sp, g.b, g.sel)
		default:
			lg.hist = p.hist
			subInPlace(lg.hist, sm.sp)
		}
	})
	for i, p := range parents {
		if p.hist != nil && large[i].hist == nil {
			g.release(p.hist)
		}
		p.hist, p.sp = nil, nil
	}
}

// subtractHist subtracts src from dst, bin by bin.
func subtractHist(dst, src []hbin) {
	if len(dst) != len(src) {
		panic("boost: histograms of different lengths")
	}
	if haveScanBins {
		if len(dst) > 0 {
			subHist(&dst[0], &src[0], len(dst))
		}
		return
	}
	for j, s := range src {
		dst[j].g -= s.g
		dst[j].h -= s.h
	}
}
