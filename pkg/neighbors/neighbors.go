package neighbors

import (
	"context"
	"fmt"
	"math"
	"runtime"
	"sync/atomic"

	"gonum.org/v1/gonum/mat"

	"github.com/mlstack/mlstack/internal/crash"
)

// Algorithm names the search structure, with scikit-learn's words.
type Algorithm string

const (
	// Auto picks one of the others from the shape of the data (see the
	// package documentation).
	Auto Algorithm = "auto"
	// KDTree is a k-d tree: axis-aligned boxes, split at the median of the
	// widest coordinate.
	KDTree Algorithm = "kd_tree"
	// BallTree is a ball tree: bounding spheres, split as KDTree.
	BallTree Algorithm = "ball_tree"
	// Brute compares every query with every fitted row, a block at a time
	// (matrix products select candidates, exact distances rank them).
	Brute Algorithm = "brute"
)

// Options configure Fit. A nil *Options, and every zero field, means
// scikit-learn's default.
type Options struct {
	// Algorithm is algorithm; "" means Auto.
	Algorithm Algorithm
	// LeafSize is leaf_size: a tree leaf holds between LeafSize and
	// 2·LeafSize rows (fewer if the data has fewer), as in scikit-learn;
	// 0 means 30. Brute ignores it.
	LeafSize int
	// Workers bounds the goroutines of a query; 0 means GOMAXPROCS. The
	// results do not depend on it.
	Workers int
	// NNeighbors is n_neighbors, the number of neighbours the queries are
	// expected to ask for; only Auto's choice uses it. 0 means 5.
	NNeighbors int
}

const defaultLeafSize = 30

// InputError reports data or options the package cannot use: a non-finite
// value (Row and Column say where), an empty matrix, a query with the wrong
// number of features, an unknown algorithm.
type InputError struct {
	Row, Column int    // the first offending cell, or -1
	Msg         string // what is wrong
}

func (e *InputError) Error() string {
	if e.Row >= 0 {
		return fmt.Sprintf("neighbors: %s in column %d (row %d)", e.Msg, e.Column, e.Row)
	}
	return "neighbors: " + e.Msg
}

// NNeighborsError reports a number of neighbours the fitted rows cannot
// supply. Its message is scikit-learn's.
type NNeighborsError struct {
	NNeighbors  int  // neighbours asked for
	NSamplesFit int  // fitted rows
	Self        bool // the fitted rows were the queries (each excludes itself)
}

func (e *NNeighborsError) Error() string {
	if e.NNeighbors <= 0 {
		return fmt.Sprintf("neighbors: Expected n_neighbors > 0. Got %d", e.NNeighbors)
	}
	op := "<="
	if e.Self {
		op = "<"
	}
	return fmt.Sprintf("neighbors: Expected n_neighbors %s n_samples_fit, but n_neighbors = %d, n_samples_fit = %d",
		op, e.NNeighbors, e.NSamplesFit)
}

// Index holds fitted rows, ready for queries. It is safe for concurrent
// queries.
type Index struct {
	n, d    int
	alg     Algorithm
	workers int
	// One of these holds the rows.
	kd *kdTree
	bt *ballTree
	bf *bruteIndex
}

// Fit indexes the rows of X (one sample per row). Values must be finite.
// Fit copies X; later changes to X do not affect the Index.
func Fit(ctx context.Context, X mat.Matrix, opts *Options) (*Index, error) {
	x, n, d := rowMajor(X)
	return fitOwned(ctx, x, n, d, opts)
}

// rowMajor copies X into a row-major slice.
func rowMajor(X mat.Matrix) (x []float64, n, d int) {
	n, d = X.Dims()
	x = make([]float64, n*d)
	if rv, ok := X.(mat.RawMatrixer); ok {
		raw := rv.RawMatrix()
		for i := range n {
			copy(x[i*d:i*d+d], raw.Data[i*raw.Stride:i*raw.Stride+d])
		}
		return x, n, d
	}
	for i := range n {
		for j := range d {
			x[i*d+j] = X.At(i, j)
		}
	}
	return x, n, d
}

// fitOwned is Fit on a row-major copy that the Index may keep.
func fitOwned(ctx context.Context, x []float64, n, d int, opts *Options) (*Index, error) {
	var o Options
	if opts != nil {
		o = *opts
	}
	if n == 0 || d == 0 {
		return nil, &InputError{Row: -1, Column: -1, Msg: fmt.Sprintf("found an array with shape (%d, %d); at least one sample and one feature are required", n, d)}
	}
	if n >= math.MaxInt32 {
		return nil, &InputError{Row: -1, Column: -1, Msg: fmt.Sprintf("%d rows; at most %d are supported", n, math.MaxInt32-1)}
	}
	if err := checkFinite(x, d); err != nil {
		return nil, err
	}
	if o.LeafSize < 0 {
		return nil, &InputError{Row: -1, Column: -1, Msg: fmt.Sprintf("leaf_size must be at least 1, got %d", o.LeafSize)}
	}
	if o.LeafSize == 0 {
		o.LeafSize = defaultLeafSize
	}
	if o.Workers <= 0 {
		o.Workers = runtime.GOMAXPROCS(0)
	}
	if o.NNeighbors <= 0 {
		o.NNeighbors = 5
	}
	switch o.Algorithm {
	case "", Auto, KDTree, BallTree, Brute:
	default:
		return nil, &InputError{Row: -1, Column: -1, Msg: fmt.Sprintf("unknown algorithm %q; expected one of auto, kd_tree, ball_tree, brute", o.Algorithm)}
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	ix := &Index{n: n, d: d, workers: o.Workers}
	var err error
	switch o.Algorithm {
	case "", Auto:
		ix.kd, ix.bf, err = auto(x, n, d, o.LeafSize, o.NNeighbors, o.Workers)
	case KDTree:
		ix.kd, err = buildKDTree(x, n, d, o.LeafSize, o.Workers)
	case BallTree:
		ix.bt, err = buildBallTree(x, n, d, o.LeafSize, o.Workers)
	case Brute:
		ix.bf = newBruteIndex(x, n, d)
	}
	if err != nil {
		return nil, err
	}
	switch {
	case ix.kd != nil:
		ix.alg = KDTree
	case ix.bt != nil:
		ix.alg = BallTree
	default:
		ix.alg = Brute
	}
	return ix, nil
}

// auto is Auto's choice between a k-d tree and brute force, from the cost of
// each estimated on the data itself (see the package documentation). One of
// the results is nil.
func auto(x []float64, n, d, leafSize, k, workers int) (*kdTree, *bruteIndex, error) {
	// As scikit-learn: no tree when most rows are neighbours anyway.
	if k >= n/2 {
		return nil, newBruteIndex(x, n, d), nil
	}
	kd, err := buildKDTree(x, n, d, leafSize, workers)
	if err != nil {
		return nil, nil, err
	}
	w, queries := kd.pilot(k, autoPilotQueries)
	if bruteQueryNs(x, n, d) < kdQueryNs(w, queries, d) {
		return nil, newBruteIndex(x, n, d), nil
	}
	return kd, nil, nil
}

// kdQueryNs estimates the nanoseconds of one k-d tree query from the work
// of a pilot's queries on d columns, with the cost model of the loops that
// run here (kern's, or the Go loops'). Each model was fitted, by least
// squares on relative error, to one core's timings of every row's 5
// nearest neighbours on 10,000 rows of 3 to 64 independent normal columns
// and on rows shaped like the benchmark tables (BenchmarkAutoCostModel).
func kdQueryNs(w work, queries, d int) float64 {
	if kern != nil {
		return kern.cost.ns(w, queries, d)
	}
	return goCost.ns(w, queries, d)
}

// bruteQueryNs estimates the nanoseconds of one brute-force query on the
// n×d rows x, from a model fitted to its timings on the same data: per
// pair of rows, 3.2 plus 0.2 per non-zero value of the query (the matrix
// product skips zeros) plus 0.02 per column.
func bruteQueryNs(x []float64, n, d int) float64 {
	nonzero := 0
	for _, v := range x {
		if v != 0 {
			nonzero++
		}
	}
	return float64(n) * (3.2 + 0.2*float64(nonzero)/float64(n) + 0.02*float64(d))
}

// autoPilotQueries is the number of k-d tree queries Auto times.
const autoPilotQueries = 64

func checkFinite(x []float64, d int) error {
	for p, v := range x {
		if math.IsNaN(v) {
			return &InputError{Row: p / d, Column: p % d, Msg: "NaN"}
		}
		if math.IsInf(v, 0) {
			return &InputError{Row: p / d, Column: p % d, Msg: fmt.Sprintf("%v", v)}
		}
	}
	return nil
}

// Algorithm returns the structure Fit built (never Auto), as
// scikit-learn's _fit_method.
func (ix *Index) Algorithm() Algorithm { return ix.alg }

// NSamplesFit returns the number of fitted rows (n_samples_fit_).
func (ix *Index) NSamplesFit() int { return ix.n }

// Result holds the k nearest neighbours of each query row, nearest first.
type Result struct {
	// K is the number of neighbours per query.
	K int
	// Ind[i*K+c] is the row (of the fitted X) of query i's c-th nearest
	// neighbour.
	Ind []int
	// Dist[i*K+c] is its Euclidean distance, the square root of the exact
	// squared distance (see the package documentation).
	Dist []float64
}

// KNeighbors finds the k nearest fitted rows of each row of X, as
// scikit-learn's kneighbors(X, n_neighbors=k). A nil X means the fitted
// rows themselves, each excluding itself by index (kneighbors() without
// X). Neighbours are ordered by exact squared distance, then by index.
func (ix *Index) KNeighbors(ctx context.Context, X mat.Matrix, k int) (*Result, error) {
	var q []float64
	m := ix.n
	self := X == nil
	if !self {
		var d int
		q, m, d = rowMajor(X)
		if d != ix.d {
			return nil, &InputError{Row: -1, Column: -1, Msg: fmt.Sprintf("X has %d features, but the index expects %d features as input", d, ix.d)}
		}
		if err := checkFinite(q, d); err != nil {
			return nil, err
		}
	}
	limit := ix.n
	if self {
		limit = ix.n - 1
	}
	if k <= 0 || k > limit {
		return nil, &NNeighborsError{NNeighbors: k, NSamplesFit: ix.n, Self: self}
	}
	dist, ind, err := ix.search(ctx, q, m, k)
	if err != nil {
		return nil, err
	}
	r := &Result{K: k, Ind: make([]int, len(ind)), Dist: dist}
	for i, j := range ind {
		r.Ind[i] = int(j)
	}
	for i, v := range dist {
		dist[i] = math.Sqrt(v)
	}
	return r, nil
}

// search is the search KNeighbors runs, without its checks: for each of
// the m rows of q (nil: the fitted rows, excluding themselves), its k
// nearest fitted rows and their squared distances, row-major m×k.
func (ix *Index) search(ctx context.Context, q []float64, m, k int) ([]float64, []int32, error) {
	dist := make([]float64, m*k)
	ind := make([]int32, m*k)
	if ix.bf != nil {
		if err := ix.bf.search(ctx, q, m, k, ix.workers, dist, ind); err != nil {
			return nil, nil, err
		}
		return dist, ind, nil
	}
	// Trees: queries in chunks on ix.workers goroutines; each query is
	// independent, so the result does not depend on the workers. The
	// fitted rows are queried in storage order, which keeps consecutive
	// queries near each other in space and in memory.
	const chunk = 64
	nChunks := (m + chunk - 1) / chunk
	workers := max(1, min(ix.workers, nChunks))
	var next atomic.Int64
	var g crash.Group
	for range workers {
		g.Go("neighbors: search", func() {
			h := newHeap(k)
			var (
				s searcher
				t *tree
			)
			if ix.kd != nil {
				s, t = ix.kd.newSearcher(), ix.kd.tree
			} else {
				s, t = ix.bt.newSearcher(), ix.bt.tree
			}
			buf := make([]float64, ix.d)
			for ctx.Err() == nil && !g.Failed() {
				c := int(next.Add(1) - 1)
				if c >= nChunks {
					return
				}
				for p := c * chunk; p < min(m, (c+1)*chunk); p++ {
					h.reset()
					row, excl := p, int32(-1)
					var qv []float64
					if q == nil {
						t.row(p, buf)
						qv = buf
						row, excl = int(t.ids[p]), t.ids[p]
					} else {
						qv = q[p*ix.d : p*ix.d+ix.d]
					}
					s.query(qv, excl, h)
					copy(dist[row*k:row*k+k], h.dist)
					copy(ind[row*k:row*k+k], h.idx)
				}
			}
		})
	}
	if err := g.Wait(); err != nil {
		return nil, nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, nil, err
	}
	return dist, ind, nil
}

// searcher answers one query into a heap; each goroutine has its own.
type searcher interface {
	query(q []float64, excl int32, h *heap)
}
