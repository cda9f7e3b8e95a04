package resample

import (
	"context"
	"math"
	"runtime"
	"sync"
	"sync/atomic"
)

// knnBlock is the number of rows per tile of the distance computation.
const knnBlock = 64

// topK holds, for every row, its k best (distance, index) pairs in
// increasing order of (distance, index).
type topK struct {
	k    int
	dist []float64
	idx  []int32
}

func newTopK(n, k int) *topK {
	t := &topK{k: k, dist: make([]float64, n*k), idx: make([]int32, n*k)}
	for i := range t.dist {
		t.dist[i] = math.Inf(1)
		t.idx[i] = math.MaxInt32
	}
	return t
}

// less is the total order on candidates: distance, then index.
func less(d float64, j int32, e float64, k int32) bool {
	return d < e || (d == e && j < k)
}

// push offers candidate j at squared distance d to row i.
func (t *topK) push(i int, d float64, j int32) {
	base := i * t.k
	last := base + t.k - 1
	if !less(d, j, t.dist[last], t.idx[last]) {
		return
	}
	p := last
	for p > base && less(d, j, t.dist[p-1], t.idx[p-1]) {
		t.dist[p], t.idx[p] = t.dist[p-1], t.idx[p-1]
		p--
	}
	t.dist[p], t.idx[p] = d, j
}

// kNearest returns, for each of the n rows of x (row-major, d columns), the
// indices of its k nearest other rows by Euclidean distance, nearest first
// (ties by lower index): element i*k+c is row i's c-th neighbour. It is an
// exact brute-force search over the n(n−1)/2 pairs, each computed once, on
// up to workers goroutines; the result does not depend on workers.
func kNearest(ctx context.Context, x []float64, n, d, k, workers int) ([]int32, error) {
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	nb := (n + knnBlock - 1) / knnBlock
	nTiles := nb * (nb + 1) / 2
	workers = max(1, min(workers, nTiles))
	// Tile t ↦ (bi, bj), bi <= bj, enumerated row by row.
	tileI := make([]int32, 0, nTiles)
	tileJ := make([]int32, 0, nTiles)
	for bi := range nb {
		for bj := bi; bj < nb; bj++ {
			tileI, tileJ = append(tileI, int32(bi)), append(tileJ, int32(bj))
		}
	}
	tops := make([]*topK, workers)
	var next atomic.Int64
	var wg sync.WaitGroup
	for w := range workers {
		tops[w] = newTopK(n, k)
		wg.Add(1)
		go func() {
			defer wg.Done()
			t := tops[w]
			for {
				if ctx.Err() != nil {
					return
				}
				tile := int(next.Add(1) - 1)
				if tile >= nTiles {
					return
				}
				bi, bj := int(tileI[tile]), int(tileJ[tile])
				i0, i1 := bi*knnBlock, min((bi+1)*knnBlock, n)
				j0, j1 := bj*knnBlock, min((bj+1)*knnBlock, n)
				distTile(t, x, d, i0, i1, j0, j1)
			}
		}()
	}
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	// Merge the per-worker lists; the total order makes the result
	// independent of which worker saw which pair.
	out := tops[0]
	for _, t := range tops[1:] {
		for i := range n {
			for c := range k {
				if t.idx[i*k+c] == math.MaxInt32 {
					break
				}
				out.push(i, t.dist[i*k+c], t.idx[i*k+c])
			}
		}
	}
	return out.idx, nil
}

// distTile computes the distances between rows [i0,i1) and [j0,j1) (only
// j > i when the ranges are the same block) and offers each pair to both
// rows.
func distTile(t *topK, x []float64, d, i0, i1, j0, j1 int) {
	same := i0 == j0
	i := i0
	for ; i+4 <= i1; i += 4 {
		a0 := x[i*d : i*d+d]
		a1 := x[(i+1)*d : (i+1)*d+d]
		a2 := x[(i+2)*d : (i+2)*d+d]
		a3 := x[(i+3)*d : (i+3)*d+d]
		wi0 := i*t.k + t.k - 1 // worst slot of row i
		jStart := j0
		if same {
			// Pairs inside the 4-row group are done one by one below.
			for p := i; p < i+4; p++ {
				for q := p + 1; q < i+4; q++ {
					dd := sqDist(x[p*d:p*d+d], x[q*d:q*d+d])
					t.push(p, dd, int32(q))
					t.push(q, dd, int32(p))
				}
			}
			jStart = i + 4
		}
		for j := jStart; j < j1; j++ {
			b := x[j*d : j*d+d]
			var s0, s1, s2, s3 float64
			for c, bv := range b {
				e0 := a0[c] - bv
				e1 := a1[c] - bv
				e2 := a2[c] - bv
				e3 := a3[c] - bv
				s0 += e0 * e0
				s1 += e1 * e1
				s2 += e2 * e2
				s3 += e3 * e3
			}
			// Most candidates are rejected: compare with the current
			// worst before calling push (<= keeps index tie-breaking).
			jj := int32(j)
			if s0 <= t.dist[wi0] {
				t.push(i, s0, jj)
			}
			if s1 <= t.dist[wi0+t.k] {
				t.push(i+1, s1, jj)
			}
			if s2 <= t.dist[wi0+2*t.k] {
				t.push(i+2, s2, jj)
			}
			if s3 <= t.dist[wi0+3*t.k] {
				t.push(i+3, s3, jj)
			}
			if wj := j*t.k + t.k - 1; min(s0, s1, s2, s3) <= t.dist[wj] {
				t.push(j, s0, int32(i))
				t.push(j, s1, int32(i+1))
				t.push(j, s2, int32(i+2))
				t.push(j, s3, int32(i+3))
			}
		}
	}
	for ; i < i1; i++ {
		a := x[i*d : i*d+d]
		jStart := j0
		if same {
			jStart = i + 1
		}
		for j := jStart; j < j1; j++ {
			dd := sqDist(a, x[j*d:j*d+d])
			t.push(i, dd, int32(j))
			t.push(j, dd, int32(i))
		}
	}
}

func sqDist(a, b []float64) float64 {
	var s float64
	b = b[:len(a)]
	for c, av := range a {
		e := av - b[c]
		s += e * e
	}
	return s
}
