package neighbors

// ballTree is the ball tree: each node keeps the mean of its rows and a
// radius around it that holds them all.
//
// The triangle inequality gives the bound ‖q−x‖ ≥ ‖q−c‖ − r; rounding can
// break it by a few units in the last place, so every quantity is widened
// by a rigorous error margin (margins.go) before a node is skipped.
type ballTree struct {
	*tree
	centers []float64 // node i at [i·d, i·d+d)
	radius  []float64 // ≥ the true distance from the center to each row
}

func buildBallTree(x []float64, n, d, leafSize, workers int) (*ballTree, error) {
	tr, perm, err := buildTree(x, n, d, leafSize, workers)
	if err != nil {
		return nil, err
	}
	t := &ballTree{tree: tr}
	nNodes := len(t.start)
	t.centers = make([]float64, nNodes*d)
	t.radius = make([]float64, nNodes)
	for node := range nNodes {
		s, e := int(t.start[node]), int(t.end[node])
		if s == e {
			continue
		}
		c := t.centers[node*d : node*d+d]
		for _, r := range perm[s:e] {
			for j, v := range x[int(r)*d : int(r)*d+d] {
				c[j] += v
			}
		}
		for j := range c {
			c[j] /= float64(e - s)
		}
		var r2 float64
		for _, r := range perm[s:e] {
			r2 = max(r2, sqDist(c, x[int(r)*d:int(r)*d+d]))
		}
		t.radius[node] = t.m.upperNorm(r2)
	}
	return t, nil
}

// ballDist is a lower bound of sqDist(q, x) for every row x of node.
func (t *ballTree) ballDist(node int, q []float64) float64 {
	d := t.d
	a := t.m.lowerNorm(sqDist(q, t.centers[node*d:node*d+d]))
	return t.m.lowerSq(a - t.radius[node])
}

type ballSearcher struct {
	t     *ballTree
	stack []pending
	buf   scanBuf
}

func (t *ballTree) newSearcher() searcher { return &ballSearcher{t: t} }

func (s *ballSearcher) query(q []float64, excl int32, h *heap) {
	t := s.t
	stack := append(s.stack[:0], pending{0, 0})
	for len(stack) > 0 {
		f := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if f.lb > h.worst() {
			continue
		}
		node := int(f.node)
		if t.isLeaf(node) {
			t.scan(node, q, excl, h, &s.buf)
			continue
		}
		l, r := 2*node+1, 2*node+2
		dl, dr := t.ballDist(l, q), t.ballDist(r, q)
		if dl <= dr {
			stack = append(stack, pending{int32(r), dr}, pending{int32(l), dl})
		} else {
			stack = append(stack, pending{int32(l), dl}, pending{int32(r), dr})
		}
	}
	s.stack = stack
}
