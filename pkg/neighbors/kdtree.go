package neighbors

import (
	"cmp"
	"slices"
)

// kdTree is the k-d tree: each node keeps the bounding box of its rows.
// The squared distance from a query to a box, summed column by column
// (widest columns of the data first) until it passes margins.limit of the
// k-th distance (in assembly: both children's boxes at once, eight or
// four columns an instruction, to the end; kernel.box2), bounds the
// sqDist of every row in the box from below (each term is at most the
// row's term), so a node is skipped only when none of its rows can enter.
type kdTree struct {
	*tree
	// Node i: lo at [2i·d, 2i·d+d), hi at [2i·d+d, 2i·d+2d), columns in
	// cols order.
	bounds []float64
	cols   []int // columns by decreasing variance
}

func buildKDTree(x []float64, n, d, leafSize, workers int) (*kdTree, error) {
	tr, perm, err := buildTree(x, n, d, leafSize, workers)
	if err != nil {
		return nil, err
	}
	t := &kdTree{tree: tr, cols: varianceOrder(x, n, d)}
	nNodes := len(t.start)
	t.bounds = make([]float64, 2*nNodes*d)
	// Leaves from their rows, inner nodes from their children; columns in
	// cols order.
	err = t.eachLeaf(workers, func(node int) {
		s, e := int(t.start[node]), int(t.end[node])
		if s == e {
			return
		}
		lo := t.bounds[2*node*d : 2*node*d+d]
		hi := t.bounds[2*node*d+d : 2*node*d+2*d]
		for c, o := range t.cols {
			lo[c], hi[c] = x[int(perm[s])*d+o], x[int(perm[s])*d+o]
		}
		for _, r := range perm[s+1 : e] {
			row := x[int(r)*d : int(r)*d+d]
			for c, o := range t.cols {
				lo[c], hi[c] = min(lo[c], row[o]), max(hi[c], row[o])
			}
		}
	})
	if err != nil {
		return nil, err
	}
	for node := t.nLeaf0 - 1; node >= 0; node-- {
		lo := t.bounds[2*node*d : 2*node*d+d]
		hi := t.bounds[2*node*d+d : 2*node*d+2*d]
		l, r := 2*node+1, 2*node+2
		for c := range d {
			lo[c] = min(t.bounds[2*l*d+c], t.bounds[2*r*d+c])
			hi[c] = max(t.bounds[2*l*d+d+c], t.bounds[2*r*d+d+c])
		}
	}
	return t, nil
}

// boxDist returns the squared distance from qo (q in cols order) to
// node's box, or a partial sum of it once that exceeds limit.
func (t *kdTree) boxDist(node int, qo []float64, limit float64) float64 {
	d := t.d
	lo := t.bounds[2*node*d : 2*node*d+d]
	hi := t.bounds[2*node*d+d : 2*node*d+2*d]
	var s float64
	for c, v := range qo {
		if l := lo[c]; v < l {
			e := l - v
			if s += e * e; s > limit {
				return s
			}
		} else if h := hi[c]; v > h {
			e := v - h
			if s += e * e; s > limit {
				return s
			}
		}
	}
	return s
}

type kdSearcher struct {
	t     *kdTree
	qo    []float64
	stack []pending
	buf   scanBuf
}

// pending is a node to visit and a lower bound of its rows' distances.
type pending struct {
	node int32
	lb   float64
}

func (t *kdTree) newSearcher() searcher { return &kdSearcher{t: t, qo: make([]float64, t.d)} }

// query is a depth-first search, nearer child first.
func (s *kdSearcher) query(q []float64, excl int32, h *heap) {
	t := s.t
	qo := s.qo
	for c, o := range t.cols {
		qo[c] = q[o]
	}
	limit := t.m.limit(h.worst())
	stack := append(s.stack[:0], pending{0, 0})
	for len(stack) > 0 {
		f := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if f.lb > limit {
			continue
		}
		node := int(f.node)
		if t.isLeaf(node) {
			t.scan(node, q, excl, h, &s.buf)
			limit = t.m.limit(h.worst())
			continue
		}
		l, r := 2*node+1, 2*node+2
		s.buf.boxes += 2
		var dl, dr float64
		if k := kern; k != nil {
			dl, dr = k.box2(&t.bounds[2*l*t.d], &qo[0], t.d)
		} else {
			dl, dr = t.boxDist(l, qo, limit), t.boxDist(r, qo, limit)
		}
		if dl <= dr {
			stack = append(stack, pending{int32(r), dr}, pending{int32(l), dl})
		} else {
			stack = append(stack, pending{int32(l), dl}, pending{int32(r), dr})
		}
	}
	s.stack = stack
}

// varianceOrder returns the columns by decreasing variance (ties by
// column).
func varianceOrder(x []float64, n, d int) []int {
	mean, ss := make([]float64, d), make([]float64, d)
	for i := range n {
		for c, v := range x[i*d : i*d+d] {
			mean[c] += v
		}
	}
	for c := range mean {
		mean[c] /= float64(n)
	}
	for i := range n {
		for c, v := range x[i*d : i*d+d] {
			ss[c] += (v - mean[c]) * (v - mean[c])
		}
	}
	cols := make([]int, d)
	for c := range cols {
		cols[c] = c
	}
	slices.SortStableFunc(cols, func(a, b int) int { return cmp.Compare(ss[b], ss[a]) })
	return cols
}

// pilot runs the self-queries (k neighbours, each row excluding itself) of
// up to m rows spread evenly over storage order and returns their work.
func (t *kdTree) pilot(k, m int) (w work, queries int) {
	m = min(m, t.n)
	s := t.newSearcher().(*kdSearcher)
	h := newHeap(k)
	q := make([]float64, t.d)
	for i := range m {
		p := i * t.n / m
		t.row(p, q)
		h.reset()
		s.query(q, t.ids[p], h)
	}
	return s.buf.work, m
}
