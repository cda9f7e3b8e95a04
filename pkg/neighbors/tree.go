package neighbors

import (
	"cmp"
	"math/bits"
	"math/rand/v2"
	"slices"

	"github.com/mlstack/mlstack/internal/crash"
)

// tree is the node layout the k-d tree and the ball tree share, built as
// scikit-learn's BinaryTree: a complete binary tree (children of node i are
// 2i+1 and 2i+2) of 1 + ⌊log2(max(1, (n−1)/leafSize))⌋ levels; a node is
// split at the median of its widest coordinate (largest max − min), so
// sibling sizes differ by at most one and a leaf holds between leafSize and
// 2·leafSize rows (fewer when n < leafSize).
//
// The rows are stored in tree order: node i holds the storage positions
// [start[i], end[i]). Each leaf is stored column by column, widest column
// (largest variance within the leaf) first, and scanned column by column,
// adding each row's term to its partial squared distance and dropping the
// rows whose sum passes the k-th distance; most rows drop out after a few
// columns. In assembly (kernel.leaf, with AVX-512 or AVX2) sixteen rows
// go through each column in two or four instructions, and a block of
// sixteen stops when all are out; in Go, the first column for every row,
// then three columns at a time for the rows still in. Such partial sums,
// in another order than sqDist's, are compared through margins.limit; a
// row that passes every column gets its sqDist unless the rows pushed
// since the scan began have brought the k-th distance below its sum.
type tree struct {
	n, d       int
	x          []float64 // n×d, leaf by leaf: see store
	ids        []int32   // storage position → row of the fitted X
	leaf       []int32   // storage position → its leaf node
	start, end []int32
	nLeaf0     int // index of the first leaf
	// lcols[(node−nLeaf0)·d + c] is the column of the fitted X stored as
	// the leaf's c-th; linv is its inverse.
	lcols, linv []int32
	m           margins
}

// buildTree lays out the rows of x (row-major, input order), which it
// leaves unchanged: it builds the nodes and the storage of the rows. perm
// maps storage positions to rows of x, for the caller's node statistics.
// The top of the tree is split on up to workers goroutines; the tree does
// not depend on workers. The error is a panic of a worker (a bug).
func buildTree(x []float64, n, d, leafSize, workers int) (t *tree, perm []int32, err error) {
	levels := 1
	if m := (n - 1) / leafSize; m > 1 {
		levels = bits.Len(uint(m)) // 1 + ⌊log2 m⌋
	}
	nNodes := 1<<levels - 1
	t = &tree{n: n, d: d, start: make([]int32, nNodes), end: make([]int32, nNodes),
		nLeaf0: nNodes / 2, m: newMargins(d)}
	perm = make([]int32, n)
	for i := range perm {
		perm[i] = int32(i)
	}
	// Nodes above parNodes split their children in parallel.
	parNodes := 1
	for parNodes < workers {
		parNodes *= 2
	}
	var g crash.Group
	var split func(node, s, e int)
	split = func(node, s, e int) {
		t.start[node], t.end[node] = int32(s), int32(e)
		if node >= t.nLeaf0 {
			return
		}
		// The widest coordinate of rows [s, e); ties go to the lower
		// column, as in scikit-learn.
		lo := slices.Clone(x[int(perm[s])*d : int(perm[s])*d+d])
		hi := slices.Clone(lo)
		for _, r := range perm[s+1 : e] {
			for c, v := range x[int(r)*d : int(r)*d+d] {
				lo[c], hi[c] = min(lo[c], v), max(hi[c], v)
			}
		}
		dim, width := 0, hi[0]-lo[0]
		for c := 1; c < d; c++ {
			if w := hi[c] - lo[c]; w > width {
				dim, width = c, w
			}
		}
		mid := (s + e) / 2
		// Random pivots, seeded by the node: no input makes the selection
		// quadratic, and the tree is the same on every run.
		rnd := rand.New(rand.NewPCG(uint64(node), 0x6b64))
		selectNth(perm[s:e], mid-s, func(r int32) float64 { return x[int(r)*d+dim] }, rnd)
		if node+1 < parNodes {
			g.Go("neighbors: build", func() { split(2*node+1, s, mid) })
		} else {
			split(2*node+1, s, mid)
		}
		split(2*node+2, mid, e)
	}
	split(0, 0, n)
	if err := g.Wait(); err != nil {
		return nil, nil, err
	}
	t.ids = perm
	t.leaf = make([]int32, n)
	for node := t.nLeaf0; node < nNodes; node++ {
		for p := t.start[node]; p < t.end[node]; p++ {
			t.leaf[p] = int32(node)
		}
	}
	if err := t.store(x, workers); err != nil {
		return nil, nil, err
	}
	return t, perm, nil
}

// eachLeaf calls f for every leaf, on up to workers goroutines. The error
// is a panic of f (a bug).
func (t *tree) eachLeaf(workers int, f func(node int)) error {
	nLeaves := len(t.start) - t.nLeaf0
	workers = max(1, min(workers, nLeaves))
	var g crash.Group
	for w := range workers {
		g.Go("neighbors: leaves", func() {
			for i := w * nLeaves / workers; i < (w+1)*nLeaves/workers; i++ {
				f(t.nLeaf0 + i)
			}
		})
	}
	return g.Wait()
}

// store fills t.x from x (row-major, input order): the leaf holding storage
// positions [s, e) keeps, at t.x[s·d + c·(e−s) + (p−s)], column lcols[c] of
// the row at position p, its columns ordered by decreasing variance within
// the leaf.
func (t *tree) store(x []float64, workers int) error {
	d := t.d
	nLeaves := len(t.start) - t.nLeaf0
	t.lcols, t.linv = make([]int32, nLeaves*d), make([]int32, nLeaves*d)
	t.x = make([]float64, len(x))
	return t.eachLeaf(workers, func(node int) {
		s, e := int(t.start[node]), int(t.end[node])
		l := e - s
		rows := t.ids[s:e]
		vars := make([]float64, d)
		for c := range d {
			var mean, ss float64
			for _, r := range rows {
				mean += x[int(r)*d+c]
			}
			mean /= float64(max(l, 1))
			for _, r := range rows {
				ss += (x[int(r)*d+c] - mean) * (x[int(r)*d+c] - mean)
			}
			vars[c] = ss
		}
		cols := t.lcols[(node-t.nLeaf0)*d : (node-t.nLeaf0+1)*d]
		inv := t.linv[(node-t.nLeaf0)*d : (node-t.nLeaf0+1)*d]
		for c := range cols {
			cols[c] = int32(c)
		}
		slices.SortStableFunc(cols, func(a, b int32) int { return cmp.Compare(vars[b], vars[a]) })
		for c, o := range cols {
			inv[o] = int32(c)
			dst := t.x[s*d+c*l : s*d+(c+1)*l]
			for i, r := range rows {
				dst[i] = x[int(r)*d+int(o)]
			}
		}
	})
}

// row writes the fitted row at storage position p, in column order, to dst.
func (t *tree) row(p int, dst []float64) {
	node := int(t.leaf[p])
	s, l := int(t.start[node]), int(t.end[node]-t.start[node])
	src := t.x[s*t.d+p-s:]
	for c, o := range t.lcols[(node-t.nLeaf0)*t.d : (node-t.nLeaf0+1)*t.d] {
		dst[o] = src[c*l]
	}
}

// scanBuf is a searcher's scratch space for scan, and its work counts.
type scanBuf struct {
	part []float64 // partial sums of the leaf's rows
	live []int32   // rows still in the running
	work
}

// work counts what queries did, for Auto's pilot: node bounds computed
// (boxes), partial-distance terms summed (cells; a kernel sums whole
// blocks of 16 rows, lanes of rows that are out included), blocks of 16
// rows that a kernel entered, and exact distances computed.
type work struct {
	boxes, cells, blocks, exact int
}

// scan offers the rows of leaf node to h (see tree).
func (t *tree) scan(node int, q []float64, excl int32, h *heap, b *scanBuf) {
	d := t.d
	p0, p1 := int(t.start[node]), int(t.end[node])
	l := p1 - p0
	if l == 0 {
		return
	}
	xs := t.x[p0*d : p1*d]
	if cap(b.live) < l+16 {
		b.part, b.live = make([]float64, l), make([]int32, l+16)
	}
	off := (node - t.nLeaf0) * d
	limit := t.m.limit(h.worst())
	var live []int32
	if k := kern; k != nil {
		n, terms := k.leaf(&xs[0], l, d, &q[0], &t.lcols[off], limit, &b.live[0], &b.part[0])
		live = b.live[:n]
		b.cells += terms
		b.blocks += (l + 15) / 16
	} else {
		live = t.filterLeaf(xs, l, off, q, limit, b)
	}
	// The survivors passed limit as it was when the scan began; rows
	// pushed since may have lowered it below their partial sums over all
	// columns (part), which then spares them the exact distance.
	inv := t.linv[off : off+d]
	part := b.part[:l]
	for _, i := range live {
		if p := p0 + int(i); t.ids[p] != excl && part[i] <= limit {
			// sqDist, reading the row through the leaf's column order.
			b.exact++
			var dd float64
			for c, v := range q {
				e := v - xs[int(inv[c])*l+int(i)]
				dd += float64(e * e)
			}
			if dd <= h.worst() {
				h.push(dd, t.ids[p])
				limit = t.m.limit(h.worst())
			}
		}
	}
}

// filterLeaf is scan's filter in Go: the first column for every row, in
// sequence, then the survivors a few columns at a time.
func (t *tree) filterLeaf(xs []float64, l, off int, q []float64, limit float64, b *scanBuf) []int32 {
	d := t.d
	live := first(b.live[:l], b.part[:l], xs[:l], q[t.lcols[off]], limit)
	part := b.part[:l]
	b.cells += l
	// Three columns per pass: fewer passes over the survivors, at the
	// cost of a few terms for rows that one column would have dropped.
	c := 1
	for ; c+2 < d && len(live) > 0; c += 3 {
		b.cells += 3 * len(live)
		live = filter3(live, part, xs[c*l:(c+1)*l], xs[(c+1)*l:(c+2)*l], xs[(c+2)*l:(c+3)*l],
			q[t.lcols[off+c]], q[t.lcols[off+c+1]], q[t.lcols[off+c+2]], limit)
	}
	for ; c < d && len(live) > 0; c++ {
		b.cells += len(live)
		live = filter(live, part, xs[c*l:(c+1)*l], q[t.lcols[off+c]], limit)
	}
	return live
}

// first sets part[i] to (qc − col[i])² for every row i of the leaf and
// returns the rows whose part stays within limit, in live (len(col) long).
// It is a function of its own so that its loop keeps its variables in
// registers; inlined into scan, they spilled to the stack.
//
//go:noinline
func first(live []int32, part, col []float64, qc, limit float64) []int32 {
	part = part[:len(col)]
	live = live[:len(col)]
	n := 0
	for i, v := range col {
		e := qc - v
		s := e * e
		part[i] = s
		live[n] = int32(i)
		n += survives(s, limit)
	}
	return live[:n]
}

// filter adds (qc − col[i])² to part[i] for the rows i in live and returns
// those whose sum stays within limit, in place.
func filter(live []int32, part, col []float64, qc, limit float64) []int32 {
	n := 0
	for _, i := range live {
		e := qc - col[i]
		s := part[i] + e*e
		part[i] = s
		live[n] = i
		n += survives(s, limit)
	}
	return live[:n]
}

// filter3 is filter on three columns at once.
func filter3(live []int32, part, ca, cb, cc []float64, qa, qb, qc, limit float64) []int32 {
	n := 0
	cb = cb[:len(ca)]
	cc = cc[:len(ca)]
	for _, i := range live {
		ea := qa - ca[i]
		eb := qb - cb[i]
		ec := qc - cc[i]
		s := part[i] + ea*ea + eb*eb + ec*ec
		part[i] = s
		live[n] = i
		n += survives(s, limit)
	}
	return live[:n]
}

// survives is 1 if s ≤ limit, else 0, without a branch: whether a row
// survives is unpredictable.
func survives(s, limit float64) int {
	inc := 0
	if s <= limit {
		inc = 1
	}
	return inc
}

func (t *tree) isLeaf(node int) bool { return node >= t.nLeaf0 }

// selectNth reorders a so that a[k] has the k-th smallest key, keys before
// it are ≤ and keys after it ≥ (quickselect with random pivots and
// three-way partitioning, so many equal keys cost nothing extra).
func selectNth(a []int32, k int, key func(int32) float64, rnd *rand.Rand) {
	lo, hi := 0, len(a) // a[lo:hi] holds the k-th
	for hi-lo > 1 {
		pv := key(a[lo+rnd.IntN(hi-lo)])
		// a[lo:lt] < pv, a[lt:i] == pv, a[gt:hi] > pv.
		lt, i, gt := lo, lo, hi
		for i < gt {
			switch v := key(a[i]); {
			case v < pv:
				a[lt], a[i] = a[i], a[lt]
				lt++
				i++
			case v > pv:
				gt--
				a[gt], a[i] = a[i], a[gt]
			default:
				i++
			}
		}
		switch {
		case k < lt:
			hi = lt
		case k >= gt:
			lo = gt
		default:
			return
		}
	}
}
