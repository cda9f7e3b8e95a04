package neighbors

import "math"

// heap holds one query's k best (squared distance, row) pairs in increasing
// (distance, row) order; unfilled slots are (+Inf, MaxInt32).
type heap struct {
	dist []float64
	idx  []int32
}

func newHeap(k int) *heap {
	h := &heap{dist: make([]float64, k), idx: make([]int32, k)}
	h.reset()
	return h
}

func (h *heap) reset() {
	for i := range h.dist {
		h.dist[i] = math.Inf(1)
		h.idx[i] = math.MaxInt32
	}
}

// worst is the k-th distance so far: a candidate farther than it cannot
// enter (one at the same distance can, if its row is lower).
func (h *heap) worst() float64 { return h.dist[len(h.dist)-1] }

// less is the total order on candidates: distance, then row.
func less(d float64, j int32, e float64, k int32) bool {
	return d < e || (d == e && j < k)
}

// push offers row j at squared distance d; each row is offered at most once
// per query.
func (h *heap) push(d float64, j int32) {
	last := len(h.dist) - 1
	if !less(d, j, h.dist[last], h.idx[last]) {
		return
	}
	p := last
	for p > 0 && less(d, j, h.dist[p-1], h.idx[p-1]) {
		p--
	}
	copy(h.dist[p+1:], h.dist[p:last])
	copy(h.idx[p+1:], h.idx[p:last])
	h.dist[p], h.idx[p] = d, j
}
