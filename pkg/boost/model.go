package boost

import (
	"fmt"
	"math"
	"runtime"
	"sync"
	"sync/atomic"

	"gonum.org/v1/gonum/mat"

	"github.com/mlstack/mlstack/internal/crash"
)

// Node is one node of a tree, with XGBoost's fields. For a leaf, Left and
// Right are -1 and Value is the leaf output (learning rate applied).
type Node struct {
	Left, Right int32   // children, -1 for a leaf
	Parent      int32   // -1 for the root
	Feature     int32   // split feature
	Cond        float32 // split condition: x < Cond goes left
	DefaultLeft bool    // where NaN goes
	Value       float32 // leaf value (leaves only)
	Gain        float32 // loss_chg of the split (0 for leaves)
	Hess        float32 // sum of hessians (cover)
	Weight      float32 // unshrunk weight (base_weights)
}

// IsLeaf reports whether n is a leaf.
func (n *Node) IsLeaf() bool { return n.Left < 0 }

// Tree is a regression tree; Nodes[0] is the root.
type Tree struct {
	Nodes []Node
	Group int // output group (class for multi:softprob)
}

// Model is a trained ensemble. It is safe for concurrent prediction.
type Model struct {
	Objective  string  // binary:logistic, multi:softprob or reg:squarederror
	NumClass   int     // output groups: 1, or the number of classes
	NumFeature int     // features the model expects
	BaseScore  float32 // XGBoost base_score (output space)
	Trees      []Tree  // in boosting order; Trees[i].Group is its class
	// BestIteration is the 0-based round kept by early stopping (the last
	// round without early stopping). Trees after it are dropped.
	BestIteration int
	// BestScore is the value of the early-stopping metric at
	// BestIteration (NaN without evaluation sets).
	BestScore float64
	// History holds the evaluation results of every round, in the order
	// of the evaluation sets and metrics.
	History []EvalHistory
	// NJobs is the number of goroutines Predict uses; 0 means
	// runtime.GOMAXPROCS(0). Train sets it from Params.NJobs.
	NJobs int
	// NumParallelTree is the number of trees of each class in a round
	// (Params.NumParallelTree); 0 means 1. A round's trees are NumClass
	// blocks of NumParallelTree trees, as in XGBoost.
	NumParallelTree int

	once   sync.Once
	err    error      // structural problem found by compile
	flat   []flatNode // all trees, packed for prediction
	values []float32  // leaf value of each flat node
	roots  []int32    // offset of each tree in flat
	depths []int32    // depth of each tree
	// Complete-tree (heap) layout of trees of depth <= maxHeapDepth, for
	// rows without NaN/Inf: node i has children 2i+1 and 2i+2.
	heap     []heapNode
	heapVals []float32
	heapOff  []int32 // per tree: offset in heap (-1: no heap layout)
	valOff   []int32 // per tree: offset in heapVals
}

// heapNode is an 8-byte split of the heap layout; padding below a leaf
// has cond = +Inf (always left).
type heapNode struct {
	cond    float32
	feature int32
}

const maxHeapDepth = 10

// EvalHistory is the per-round value of one metric on one evaluation set.
type EvalHistory struct {
	Set    string    // EvalSet.Name
	Metric string    // e.g. "logloss"
	Values []float64 // one per round
}

// flatNode is a 16-byte node for prediction. Children are pairwise
// (right = left+1) and indices absolute in Model.flat; a leaf points to
// itself so that every row can take exactly depth steps.
type flatNode struct {
	cond    float32
	feature int32
	left    int32
	flags   int32 // flagInternal | flagMissRight
}

const (
	flagMissRight = 1
	flagInternal  = 2
)

// baseMargin is the margin all rows start from: XGBoost's ProbToMargin of
// base_score, in float32.
func (m *Model) baseMargin() float32 {
	return probToMargin(m.Objective, m.BaseScore)
}

// foldIntercepts replaces per-class base margins (XGBoost 3.1+
// multi:softprob) by BaseScore 0.5 and adds b[g]-0.5 to the leaves of the
// first tree of each class g, so that the model is a plain XGBoost 1.x
// model: a scalar base_score that every version reads.
func (m *Model) foldIntercepts(b []float32) {
	m.BaseScore = 0.5
	done := make([]bool, m.NumClass)
	for i := range m.Trees {
		g := m.Trees[i].Group
		if done[g] {
			continue
		}
		done[g] = true
		d := b[g] - 0.5
		for j := range m.Trees[i].Nodes {
			if nd := &m.Trees[i].Nodes[j]; nd.IsLeaf() {
				nd.Value += d
			}
		}
	}
}

func probToMargin(objective string, p float32) float32 {
	if objective == BinaryLogistic {
		return float32(-math.Log(float64(float32(1)/p - 1)))
	}
	return p
}

func (m *Model) compile() error {
	m.once.Do(func() {
		if m.err = m.check(); m.err != nil {
			return
		}
		n := 0
		for i := range m.Trees {
			n += len(m.Trees[i].Nodes)
		}
		m.flat = make([]flatNode, 0, n)
		m.values = make([]float32, 0, n)
		m.roots = make([]int32, len(m.Trees))
		m.depths = make([]int32, len(m.Trees))
		for i := range m.Trees {
			nodes := compact(m.Trees[i].Nodes)
			off := int32(len(m.flat))
			m.roots[i] = off
			depth := make([]int32, len(nodes))
			for j, nd := range nodes {
				f := flatNode{left: off + int32(j), cond: float32(math.Inf(1))}
				if !nd.IsLeaf() {
					f = flatNode{cond: nd.Cond, feature: nd.Feature, left: off + nd.Left, flags: flagInternal}
					if !nd.DefaultLeft {
						f.flags |= flagMissRight
					}
					depth[nd.Left] = depth[j] + 1
					depth[nd.Right] = depth[j] + 1
				}
				m.depths[i] = max(m.depths[i], depth[j])
				m.flat = append(m.flat, f)
				m.values = append(m.values, nd.Value)
			}
		}
		m.heapOff = make([]int32, len(m.Trees))
		m.valOff = make([]int32, len(m.Trees))
		for i := range m.Trees {
			m.heapOff[i] = -1
			d := m.depths[i]
			if d > maxHeapDepth {
				continue
			}
			m.heapOff[i] = int32(len(m.heap))
			m.valOff[i] = int32(len(m.heapVals))
			inner := 1<<d - 1
			hn := make([]heapNode, inner)
			for k := range hn {
				hn[k].cond = float32(math.Inf(1))
			}
			hv := make([]float32, 1<<d)
			nodes := compact(m.Trees[i].Nodes)
			var place func(j int32, h, depth int)
			place = func(j int32, h, depth int) {
				nd := &nodes[j]
				if nd.IsLeaf() {
					for ; depth < int(d); depth++ {
						h = 2*h + 1
					}
					hv[h-inner] = nd.Value
					return
				}
				hn[h] = heapNode{nd.Cond, nd.Feature}
				place(nd.Left, 2*h+1, depth+1)
				place(nd.Right, 2*h+2, depth+1)
			}
			place(0, 0, 0)
			m.heap = append(m.heap, hn...)
			m.heapVals = append(m.heapVals, hv...)
		}
	})
	return m.err
}

// predictBlock is the number of rows walked together through each tree.
const predictBlock = 64

// margins computes raw margins (float32, summed in tree order like
// XGBoost) of the rows of x (row-major, row stride stride) into out
// (len rows*NumClass). Rows of a block walk each tree in lock step, one
// level at a time, without data-dependent branches: the walks are
// independent, so the CPU overlaps their memory accesses.
func margins[F float32 | float64](m *Model, x []F, rows, stride int, out []float32, threads int) {
	k := m.NumClass
	base := m.baseMargin()
	nf := m.NumFeature
	blocks := (rows + predictBlock - 1) / predictBlock
	threads = min(threads, blocks)
	type scratch struct {
		clean, dirty []float32 // rows without / with NaN or ±Inf
		ci, di       [predictBlock]int32
		ix           [predictBlock]int32
		acc          []float32 // margins of clean rows, per class
	}
	bufs := make([]scratch, max(threads, 1))
	// Scratch for at most rows rows: a model's NumFeature (from a file)
	// then costs no more memory than the caller's rows of features.
	br := min(predictBlock, rows)
	for i := range bufs {
		bufs[i].clean = make([]float32, br*nf)
		bufs[i].dirty = make([]float32, br*nf)
		bufs[i].acc = make([]float32, predictBlock*k)
	}
	parallelForW(blocks, threads, func(w, b int) {
		s := &bufs[w]
		lo := b * predictBlock
		hi := min(lo+predictBlock, rows)
		o := out[lo*k : hi*k]
		for i := range o {
			o[i] = base
		}
		nc, nd := 0, 0
		for r := lo; r < hi; r++ {
			row := x[r*stride : r*stride+nf]
			dst := s.clean[nc*nf : nc*nf+nf]
			finite := true
			for j, v := range row {
				f := float32(v)
				dst[j] = f
				finite = finite && f-f == 0 // false for NaN and ±Inf
			}
			if finite {
				s.ci[nc] = int32(r - lo)
				nc++
			} else {
				copy(s.dirty[nd*nf:nd*nf+nf], dst)
				s.di[nd] = int32(r - lo)
				nd++
			}
		}
		clean, dirty := s.clean[:nc*nf], s.dirty[:nd*nf]
		for g := range k {
			acc := s.acc[g*predictBlock : g*predictBlock+nc]
			for i := range acc {
				acc[i] = base
			}
		}
		for t, root := range m.roots {
			g := m.Trees[t].Group
			d := m.depths[t]
			if nc > 0 {
				acc := s.acc[g*predictBlock : g*predictBlock+nc]
				if h := m.heapOff[t]; h >= 0 {
					walkHeap(m.heap[h:h+1<<d-1], m.heapVals[m.valOff[t]:m.valOff[t]+1<<d], d, clean, nf, acc)
				} else {
					ix := s.ix[:nc]
					walkFinite(m.flat, root, d, clean, nf, ix)
					for i, j := range ix {
						acc[i] += m.values[j]
					}
				}
			}
			if ix := s.ix[:nd]; nd > 0 {
				walk(m.flat, root, d, dirty, nf, ix)
				for i, j := range ix {
					o[int(s.di[i])*k+g] += m.values[j]
				}
			}
		}
		for g := range k {
			for i, v := range s.acc[g*predictBlock : g*predictBlock+nc] {
				o[int(s.ci[i])*k+g] = v
			}
		}
	})
}

// walk moves every row of the block (xb, nf features per row) from root
// down depth levels; ix receives the reached nodes.
func walk(flat []flatNode, root, depth int32, xb []float32, nf int, ix []int32) {
	for i := range ix {
		ix[i] = root
	}
	for range depth {
		off := 0
		for i, j := range ix {
			nd := &flat[j]
			v := xb[off+int(nd.feature)]
			off += nf
			isNaN := b2i(v != v)
			right := b2i(!(v < nd.cond))&(1-isNaN) | nd.flags&flagMissRight&isNaN
			ix[i] = nd.left + right&(nd.flags>>1)
		}
	}
}

// walkHeap walks a heap-layout tree of depth d (leaf values vals) for
// rows without NaN or ±Inf and adds each row's leaf value to acc. Eight
// rows go down together, their node indices kept in registers, so the CPU
// overlaps eight independent chains of loads (23% faster than four in an
// interleaved A/B).
func walkHeap(nodes []heapNode, vals []float32, d int32, xb []float32, nf int, acc []float32) {
	n := len(acc)
	inner := int32(len(nodes))
	i := 0
	for ; i+8 <= n; i += 8 {
		x := xb[i*nf : (i+8)*nf]
		var j0, j1, j2, j3, j4, j5, j6, j7 int32
		for range d {
			n0, n1, n2, n3 := &nodes[j0], &nodes[j1], &nodes[j2], &nodes[j3]
			j0 = 2*j0 + 1 + b2i(x[n0.feature] >= n0.cond)
			j1 = 2*j1 + 1 + b2i(x[nf+int(n1.feature)] >= n1.cond)
			j2 = 2*j2 + 1 + b2i(x[2*nf+int(n2.feature)] >= n2.cond)
			j3 = 2*j3 + 1 + b2i(x[3*nf+int(n3.feature)] >= n3.cond)
			n4, n5, n6, n7 := &nodes[j4], &nodes[j5], &nodes[j6], &nodes[j7]
			j4 = 2*j4 + 1 + b2i(x[4*nf+int(n4.feature)] >= n4.cond)
			j5 = 2*j5 + 1 + b2i(x[5*nf+int(n5.feature)] >= n5.cond)
			j6 = 2*j6 + 1 + b2i(x[6*nf+int(n6.feature)] >= n6.cond)
			j7 = 2*j7 + 1 + b2i(x[7*nf+int(n7.feature)] >= n7.cond)
		}
		a := acc[i : i+8 : i+8]
		a[0] += vals[j0-inner]
		a[1] += vals[j1-inner]
		a[2] += vals[j2-inner]
		a[3] += vals[j3-inner]
		a[4] += vals[j4-inner]
		a[5] += vals[j5-inner]
		a[6] += vals[j6-inner]
		a[7] += vals[j7-inner]
	}
	for ; i < n; i++ {
		x0 := xb[i*nf : i*nf+nf]
		var j0 int32
		for range d {
			n0 := &nodes[j0]
			j0 = 2*j0 + 1 + b2i(x0[n0.feature] >= n0.cond)
		}
		acc[i] += vals[j0-inner]
	}
}

// walkFinite is walk for blocks without NaN or ±Inf: leaves have
// cond = +Inf and point to themselves, so no masks are needed.
func walkFinite(flat []flatNode, root, depth int32, xb []float32, nf int, ix []int32) {
	for i := range ix {
		ix[i] = root
	}
	for range depth {
		off := 0
		for i, j := range ix {
			nd := &flat[j]
			ix[i] = nd.left + b2i(!(xb[off+int(nd.feature)] < nd.cond))
			off += nf
		}
	}
}

// Predict returns the predictions for the rows of X in output space:
// P(y=1) for binary:logistic, the value for reg:squarederror, and for
// multi:softprob NumClass class probabilities per row (row-major,
// len = rows*NumClass). X must have NumFeature columns; NaN is missing.
func (m *Model) Predict(X mat.Matrix) ([]float64, error) {
	out, err := m.rawMargins(X)
	if err != nil {
		return nil, err
	}
	res := make([]float64, len(out))
	transformParallel(m.Objective, m.NumClass, out, res, threadsOr(m.NJobs))
	return res, nil
}

// PredictMargin returns the raw (untransformed) margins, laid out like
// Predict's output.
func (m *Model) PredictMargin(X mat.Matrix) ([]float64, error) {
	out, err := m.rawMargins(X)
	if err != nil {
		return nil, err
	}
	res := make([]float64, len(out))
	for i, v := range out {
		res[i] = float64(v)
	}
	return res, nil
}

func (m *Model) rawMargins(X mat.Matrix) ([]float32, error) {
	if X == nil {
		return nil, fmt.Errorf("%w: nil matrix", ErrEmpty)
	}
	if err := m.compile(); err != nil {
		return nil, err
	}
	r, c := X.Dims()
	if c != m.NumFeature {
		return nil, fmt.Errorf("%w: X has %d columns, the model %d features", ErrShape, c, m.NumFeature)
	}
	out := make([]float32, r*m.NumClass)
	if d, ok := X.(mat.RawMatrixer); ok {
		raw := d.RawMatrix()
		margins(m, raw.Data, r, raw.Stride, out, threadsOr(m.NJobs))
		return out, nil
	}
	margins(m, mat.DenseCopyOf(X).RawMatrix().Data, r, c, out, threadsOr(m.NJobs))
	return out, nil
}

// PredictDense is Predict for a row-major matrix x with rows rows and
// NumFeature columns, writing into out (len rows*NumClass). It panics if
// the lengths disagree or the model is malformed (a Model built by hand
// with bad node indices; Predict returns that as an error).
func (m *Model) PredictDense(x []float64, rows int, out []float64) {
	if len(x) != rows*m.NumFeature || len(out) != rows*m.NumClass {
		panic("boost: PredictDense slice length mismatch")
	}
	if err := m.compile(); err != nil {
		panic(err)
	}
	o := make([]float32, len(out))
	margins(m, x, rows, m.NumFeature, o, threadsOr(m.NJobs))
	transformParallel(m.Objective, m.NumClass, o, out, threadsOr(m.NJobs))
}

func threadsOr(n int) int {
	if n <= 0 {
		return runtime.GOMAXPROCS(0)
	}
	return n
}

// transformParallel is transform over row blocks on threads goroutines.
func transformParallel(objective string, k int, margin []float32, out []float64, threads int) {
	const blk = 8192
	rows := len(margin) / max(k, 1)
	parallelFor((rows+blk-1)/blk, threads, func(b int) {
		lo, hi := b*blk*k, min(rows, (b+1)*blk)*k
		transform(objective, k, margin[lo:hi], out[lo:hi])
	})
}

// transform maps margins to output space like XGBoost (float32 maths).
func transform(objective string, k int, margin []float32, out []float64) {
	switch objective {
	case BinaryLogistic:
		for i, v := range margin {
			out[i] = float64(sigmoid32(v))
		}
	case MultiSoftprob:
		for r := 0; r < len(margin)/k; r++ {
			softmax32(margin[r*k:r*k+k], out[r*k:r*k+k])
		}
	default:
		for i, v := range margin {
			out[i] = float64(v)
		}
	}
}

// sigmoid32 is XGBoost's common::Sigmoid: 1 / (1 + expf(-x)) in float32.
func sigmoid32(x float32) float32 {
	return float32(1) / (float32(1) + expf(-x))
}

// expf is e^x rounded to float32, as float32(math.Exp(float64(x))) (and
// C's expf, which XGBoost calls) is, about three times faster: x is
// reduced to k·ln2/32 + r with |r| <= ln2/64, e^r is a degree-6
// polynomial (relative error below 1e-15 in float64) and 2^(k/32) comes
// from a table, so the float64 result rounds to the same float32 except
// when it lies within 1e-15 of a rounding boundary (no float32 in
// [-104, 89] does; TestExpf).
func expf(x float32) float32 {
	switch {
	case x != x || x >= 89: // NaN, or e^x above the largest float32
		return x * float32(math.Inf(1))
	case x < -104: // e^x below half the smallest float32
		return 0
	}
	xd := float64(x)
	kf := xd*log2e32 + expfShift
	k := int64(math.Float64bits(kf)&(1<<52-1)) - 1<<51
	kf -= expfShift
	r := (xd - kf*ln2Hi32) - kf*ln2Lo32
	p := 1 + r*(1+r*(1.0/2+r*(1.0/6+r*(1.0/24+r*(1.0/120+r*(1.0/720))))))
	scale := math.Float64frombits(uint64(k>>5+1023) << 52)
	return float32(exp2Tab[k&31] * p * scale)
}

// The constants of expf (and of its assembly copy, logisticGrad8).
const (
	log2e32   = 32 / math.Ln2
	ln2Hi32   = 6.93147180369123816490e-01 / 32 // math's Ln2Hi: k·ln2Hi32 is exact
	ln2Lo32   = 1.90821492927058770002e-10 / 32
	expfShift = 0x1.8p52 // adding it rounds to an integer held in the low bits
)

// exp2Tab[j] is 2^(j/32).
var exp2Tab = func() (t [32]float64) {
	for j := range t {
		t[j] = math.Exp2(float64(j) / 32)
	}
	return t
}()

func softmax32(m []float32, out []float64) {
	mx := m[0]
	for _, v := range m[1:] {
		mx = max(mx, v)
	}
	var sum float32
	for i, v := range m {
		e := float32(math.Exp(float64(v - mx)))
		out[i] = float64(e)
		sum += e
	}
	for i := range out {
		out[i] = float64(float32(out[i]) / sum)
	}
}

// toFloat32 copies X into a row-major float32 slice.
func toFloat32(X mat.Matrix, threads int) []float32 {
	r, c := X.Dims()
	x := make([]float32, r*c)
	if d, ok := X.(mat.RawMatrixer); ok {
		raw := d.RawMatrix()
		parallelFor((r+1023)/1024, threads, func(b int) {
			for i := b * 1024; i < min(r, b*1024+1024); i++ {
				src := raw.Data[i*raw.Stride : i*raw.Stride+c]
				dst := x[i*c : i*c+c]
				for j, v := range src {
					dst[j] = float32(v)
				}
			}
		})
		return x
	}
	for i := 0; i < r; i++ {
		for j := 0; j < c; j++ {
			x[i*c+j] = float32(X.At(i, j))
		}
	}
	return x
}

// parallelFor calls f(0..n-1) on up to threads goroutines.
func parallelFor(n, threads int, f func(i int)) {
	parallelForW(n, threads, func(_, i int) { f(i) })
}

// team returns how many goroutines a fit's parallel loop of n tasks
// runs on: its threads, and when n is larger, the idle cores its pool
// lends, up to c.most (none without a pool). give returns the lent ones.
// A model does not depend on the number (TestDeterministic).
func (c *resolved) team(n int) int {
	if n <= c.threads || c.pool == nil {
		return c.threads
	}
	return c.threads + c.pool.Borrow(min(n, c.most)-c.threads)
}

func (c *resolved) give(team int) { c.pool.Return(team - c.threads) }

// each is parallelFor on c's team.
func (c *resolved) each(n int, f func(i int)) {
	t := c.team(n)
	defer c.give(t)
	parallelFor(n, t, f)
}

// parallelForW calls f(w, i) for i in 0..n-1 on up to threads goroutines;
// w in [0, threads) identifies the goroutine (for per-goroutine scratch).
// A panic of f, a bug, is raised again on the caller's goroutine once
// every worker has stopped, as the error of a crash.Group: the fold or
// command that recovers it reports the worker's stack (internal/crash).
func parallelForW(n, threads int, f func(w, i int)) {
	if threads > n {
		threads = n
	}
	if threads <= 1 {
		for i := 0; i < n; i++ {
			f(0, i)
		}
		return
	}
	var g crash.Group
	var next atomic.Int64
	for w := 0; w < threads; w++ {
		g.Go("boost: worker", func() {
			for !g.Failed() {
				i := int(next.Add(1) - 1)
				if i >= n {
					return
				}
				f(w, i)
			}
		})
	}
	if err := g.Wait(); err != nil {
		panic(err)
	}
}

// treesPerRound is the number of trees of one boosting round.
func (m *Model) treesPerRound() int {
	return m.NumClass * max(m.NumParallelTree, 1)
}
