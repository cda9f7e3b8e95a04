package neighbors

import (
	"context"
	"sync/atomic"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas64"

	"github.com/mlstack/mlstack/internal/crash"
)

// Brute force, a block of queries against a panel of fitted rows at a
// time, as scikit-learn's: with G = Q·Pᵀ from a matrix product (gonum's
// BLAS), the squared distance is about ‖q‖² + ‖p‖² − 2q·p. That identity
// cancels badly, so it only selects candidates. With rel from margins (at
// least d units in the last place), the computed norms err by at most
// rel·‖q‖² and rel·‖p‖², the dot product by rel·(‖q‖² + ‖p‖²)/2 (so 2q·p
// by rel·(‖q‖² + ‖p‖²)), the two additions by a few units in the last
// place of ‖q‖² + ‖p‖²: in all, under 3·rel·(‖q‖² + ‖p‖²). Twice that is
// subtracted from the estimate, and a row whose widened estimate is still
// above the query's current k-th distance cannot be a neighbour. The
// others get their exact sqDist and go through the heap.
const (
	bruteRows  = 64  // queries per block
	brutePanel = 192 // fitted rows per panel: 64×192 stays in gonum's serial Dgemm
)

type bruteIndex struct {
	x     []float64 // n×d, input order
	n, d  int
	norms []float64 // ‖x_j‖², any summation order
	// panels[b] is rows [b·brutePanel, …) transposed: d × w, w ≤ brutePanel.
	panels [][]float64
	m      margins
}

func newBruteIndex(x []float64, n, d int) *bruteIndex {
	b := &bruteIndex{x: x, n: n, d: d, norms: make([]float64, n), m: newMargins(d)}
	for j := range n {
		b.norms[j] = sqNorm(x[j*d : j*d+d])
	}
	for s := 0; s < n; s += brutePanel {
		w := min(brutePanel, n-s)
		p := make([]float64, d*w)
		for j := range w {
			for c, v := range x[(s+j)*d : (s+j)*d+d] {
				p[c*w+j] = v
			}
		}
		b.panels = append(b.panels, p)
	}
	return b
}

func sqNorm(a []float64) float64 {
	var s float64
	for _, v := range a {
		s += v * v
	}
	return s
}

// search fills dist and ind (m×k, squared distances) for the m rows of q
// (nil: the fitted rows, each excluding itself).
func (b *bruteIndex) search(ctx context.Context, q []float64, m, k, workers int, dist []float64, ind []int32) error {
	self := q == nil
	if self {
		q = b.x
	}
	d := b.d
	nBlocks := (m + bruteRows - 1) / bruteRows
	workers = max(1, min(workers, nBlocks))
	var next atomic.Int64
	var grp crash.Group
	for range workers {
		grp.Go("neighbors: search", func() {
			g := make([]float64, bruteRows*brutePanel)
			qn := make([]float64, bruteRows)
			heaps := make([]*heap, bruteRows)
			for i := range heaps {
				heaps[i] = newHeap(k)
			}
			for ctx.Err() == nil && !grp.Failed() {
				blk := int(next.Add(1) - 1)
				if blk >= nBlocks {
					return
				}
				i0, i1 := blk*bruteRows, min(m, (blk+1)*bruteRows)
				rows := i1 - i0
				qb := q[i0*d : i1*d]
				for i := range rows {
					heaps[i].reset()
					qn[i] = sqNorm(qb[i*d : i*d+d])
				}
				for pi, panel := range b.panels {
					if pi%64 == 63 && ctx.Err() != nil {
						return
					}
					j0 := pi * brutePanel
					w := len(panel) / d
					blas64.Gemm(blas.NoTrans, blas.NoTrans, 1,
						blas64.General{Rows: rows, Cols: d, Stride: d, Data: qb},
						blas64.General{Rows: d, Cols: w, Stride: w, Data: panel},
						0, blas64.General{Rows: rows, Cols: w, Stride: w, Data: g})
					for i := range rows {
						h := heaps[i]
						qi := qb[i*d : i*d+d]
						excl := -1
						if self {
							excl = i0 + i
						}
						gi := g[i*w : i*w+w]
						for j, gij := range gi {
							// est − margin, as a lower bound of the exact
							// squared distance (see above).
							nn := qn[i] + b.norms[j0+j]
							lb := b.m.lower(nn - 2*gij - 6*b.m.rel*nn - b.m.tiny)
							if lb > h.worst() || j0+j == excl {
								continue
							}
							if dd := sqDist(qi, b.x[(j0+j)*d:(j0+j)*d+d]); dd <= h.worst() {
								h.push(dd, int32(j0+j))
							}
						}
					}
				}
				for i := range rows {
					copy(dist[(i0+i)*k:(i0+i+1)*k], heaps[i].dist)
					copy(ind[(i0+i)*k:(i0+i+1)*k], heaps[i].idx)
				}
			}
		})
	}
	if err := grp.Wait(); err != nil {
		return err
	}
	return ctx.Err()
}
