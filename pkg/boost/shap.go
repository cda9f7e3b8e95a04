package boost

import (
	"errors"
	"fmt"

	"gonum.org/v1/gonum/mat"
)

// SHAP values: exact path-dependent TreeSHAP (Lundberg, Erion & Lee 2018,
// "Consistent individualized feature attribution for tree ensembles",
// Algorithm 2), as xgboost 3.2's Booster.predict(pred_contribs=True) and
// pred_interactions=True compute it (src/predictor/treeshap.cc and
// cpu_predictor.cc): the same float32 operations in the same order, the
// node covers (sum_hessian) as the weights of the background
// distribution, the default direction for a missing value, and the bias
// column (the last) holding the expected value: the base margin plus, over
// the trees, each tree's cover-weighted mean leaf value.

// ErrNoCover: a model whose trees lack the cover statistics (hessian sums,
// XGBoost's sum_hessian) that TreeSHAP weighs branches with: an internal
// node with a cover that is not positive, or any node with a negative or
// non-finite cover. Models trained by Train and files written by xgboost
// carry them; a model built by hand or from a file without sum_hessian
// does not.
var ErrNoCover = errors.New("boost: model has no cover statistics")

// MaxShapDepth bounds the depth of the trees Contributions and
// Interactions explain: the path storage grows with the square of the
// depth. XGBoost's max_depth rarely exceeds 20.
const MaxShapDepth = 512

// MaxInteractionValues bounds rows × classes × (NumFeature+1)² of one
// Interactions call (2^27 values, 1 GiB of float64): the output grows with
// the square of the features, so explain fewer rows at a time.
const MaxInteractionValues = 1 << 27

// Contributions returns the SHAP value of every feature for every row of
// X, as xgboost's Booster.predict(dm, pred_contribs=True): one matrix per
// output group (one for binary:logistic and reg:squarederror, one per class
// for multi:softprob), each rows × (NumFeature+1). Column j < NumFeature is
// feature j's contribution to the margin (log-odds for binary:logistic,
// the class's raw score for multi:softprob); the last column is the bias,
// the expected margin over the training data. A row's values sum to its
// margin (PredictMargin) up to float32 rounding. NaN is missing and
// follows each split's default direction.
//
// Errors: ErrShape for a column count other than NumFeature, ErrEmpty for
// a nil matrix or one without rows, ErrNoCover for a model without cover statistics,
// ErrModelFormat for a malformed model or a tree deeper than MaxShapDepth.
// Rows are spread over NJobs goroutines; the result does not depend on
// their number.
func (m *Model) Contributions(X mat.Matrix) ([]*mat.Dense, error) {
	sm, x, rows, err := m.shapPrepare(X)
	if err != nil {
		return nil, err
	}
	nc := m.NumFeature + 1
	out := make([]*mat.Dense, m.NumClass)
	data := make([][]float64, m.NumClass)
	for g := range out {
		data[g] = make([]float64, rows*nc)
		out[g] = mat.NewDense(rows, nc, data[g])
	}
	const blk = 16
	threads := threadsOr(m.NJobs)
	scratch := make([]*shapScratch, threads)
	parallelForW((rows+blk-1)/blk, threads, func(w, b int) {
		s := scratch[w]
		if s == nil {
			s = sm.newScratch()
			scratch[w] = s
		}
		for r := b * blk; r < min(rows, b*blk+blk); r++ {
			sm.contribs(s, x[r*m.NumFeature:(r+1)*m.NumFeature], s.acc)
			for g := range m.NumClass {
				dst := data[g][r*nc : (r+1)*nc]
				for j, v := range s.acc[g*nc : (g+1)*nc] {
					dst[j] = float64(v)
				}
			}
		}
	})
	return out, nil
}

// InteractionValues holds SHAP interaction values of one output group:
// Rows matrices of Size × Size, Size = NumFeature+1, in Data row-major
// (row r, features i and j at Data[(r*Size+i)*Size+j]), as xgboost's
// pred_interactions=True lays out each group.
type InteractionValues struct {
	Rows, Size int
	Data       []float64
}

// At returns the interaction of features i and j for row r.
func (v *InteractionValues) At(r, i, j int) float64 {
	return v.Data[(r*v.Size+i)*v.Size+j]
}

// Row returns row r's Size × Size matrix, sharing Data.
func (v *InteractionValues) Row(r int) *mat.Dense {
	s := v.Size * v.Size
	return mat.NewDense(v.Size, v.Size, v.Data[r*s:(r+1)*s:(r+1)*s])
}

// Interactions returns SHAP interaction values, as xgboost's
// Booster.predict(dm, pred_interactions=True): per output group and row a
// symmetric (NumFeature+1)² matrix whose off-diagonal entry (i, j) is half
// the interaction effect of features i and j, whose diagonal holds each
// feature's main effect, and whose last row and column are zero but for
// the bias in the corner. Each matrix row sums to that feature's
// contribution (Contributions), so the whole matrix sums to the margin.
// Like xgboost, the interaction of i and j is the difference of i's
// contributions with j fixed present and absent, halved.
//
// Errors are those of Contributions, and ErrShape when rows × classes ×
// (NumFeature+1)² exceeds MaxInteractionValues.
func (m *Model) Interactions(X mat.Matrix) ([]*InteractionValues, error) {
	if X != nil {
		if r, c := X.Dims(); c == m.NumFeature && r > 0 {
			size := float64(m.NumFeature + 1)
			if float64(r)*float64(max(m.NumClass, 1))*size*size > MaxInteractionValues {
				return nil, fmt.Errorf("%w: %d rows × %d groups × %d² interaction values exceed MaxInteractionValues (%d); explain fewer rows at a time",
					ErrShape, r, m.NumClass, m.NumFeature+1, MaxInteractionValues)
			}
		}
	}
	sm, x, rows, err := m.shapPrepare(X)
	if err != nil {
		return nil, err
	}
	nc := m.NumFeature + 1
	out := make([]*InteractionValues, m.NumClass)
	for g := range out {
		out[g] = &InteractionValues{Rows: rows, Size: nc, Data: make([]float64, rows*nc*nc)}
	}
	threads := threadsOr(m.NJobs)
	scratch := make([]*shapScratch, threads)
	parallelForW(rows, threads, func(w, r int) {
		s := scratch[w]
		if s == nil {
			s = sm.newScratch()
			scratch[w] = s
		}
		sm.interactions(s, x[r*m.NumFeature:(r+1)*m.NumFeature])
		for g := range m.NumClass {
			dst := out[g].Data[r*nc*nc : (r+1)*nc*nc]
			for j, v := range s.inter[g*nc*nc : (g+1)*nc*nc] {
				dst[j] = float64(v)
			}
		}
	})
	return out, nil
}

// shapTree is one tree prepared for TreeSHAP.
type shapTree struct {
	nodes []Node
	mean  []float32 // cover-weighted mean leaf value below each node
	feats []int32   // the features it splits on, ascending
	uses  []bool    // uses[f]: it splits on feature f
	group int
}

// shapModel is a model prepared for TreeSHAP.
type shapModel struct {
	trees    []shapTree
	nf, k    int
	bias     []float32 // per group: the trees' root means summed in tree order, plus the base margin
	maxDepth int
	byGroup  [][]int // tree indices of each group, in order
}

func (m *Model) shapPrepare(X mat.Matrix) (*shapModel, []float32, int, error) {
	if X == nil {
		return nil, nil, 0, fmt.Errorf("%w: nil matrix", ErrEmpty)
	}
	if err := m.check(); err != nil {
		return nil, nil, 0, err
	}
	rows, c := X.Dims()
	if c != m.NumFeature {
		return nil, nil, 0, fmt.Errorf("%w: X has %d columns, the model %d features", ErrShape, c, m.NumFeature)
	}
	if rows == 0 {
		return nil, nil, 0, fmt.Errorf("%w: no rows to explain", ErrEmpty)
	}
	sm, err := m.shapModel()
	if err != nil {
		return nil, nil, 0, err
	}
	return sm, toFloat32(X, threadsOr(m.NJobs)), rows, nil
}

// shapModel checks the covers and depths and computes each node's mean
// value (xgboost's FillNodeMeanValues, in float32).
func (m *Model) shapModel() (*shapModel, error) {
	sm := &shapModel{nf: m.NumFeature, k: m.NumClass, trees: make([]shapTree, len(m.Trees)), byGroup: make([][]int, m.NumClass)}
	for t := range m.Trees {
		nodes := m.Trees[t].Nodes
		st := &sm.trees[t]
		st.nodes, st.group = nodes, m.Trees[t].Group
		sm.byGroup[st.group] = append(sm.byGroup[st.group], t)
		depth := make([]int32, len(nodes))
		st.uses = make([]bool, m.NumFeature)
		for i := range nodes {
			nd := &nodes[i]
			h := nd.Hess
			if h < 0 || !finite32(h) || (!nd.IsLeaf() && h == 0) {
				return nil, fmt.Errorf("%w: tree %d node %d has cover (sum_hessian) %v", ErrNoCover, t, i, h)
			}
			if nd.IsLeaf() {
				continue
			}
			// check() guarantees children come after their parent.
			depth[nd.Left], depth[nd.Right] = depth[i]+1, depth[i]+1
			if int(depth[i]+1) > MaxShapDepth {
				return nil, fmt.Errorf("%w: tree %d is deeper than MaxShapDepth (%d)", ErrModelFormat, t, MaxShapDepth)
			}
			sm.maxDepth = max(sm.maxDepth, int(depth[i]+1))
			st.uses[nd.Feature] = true
		}
		for f, u := range st.uses {
			if u {
				st.feats = append(st.feats, int32(f))
			}
		}
		st.mean = make([]float32, len(nodes))
		// Children come after parents, so a reverse sweep sees them first.
		for i := len(nodes) - 1; i >= 0; i-- {
			nd := &nodes[i]
			if nd.IsLeaf() {
				st.mean[i] = nd.Value
				continue
			}
			r := float32(st.mean[nd.Left] * nodes[nd.Left].Hess)
			r += float32(st.mean[nd.Right] * nodes[nd.Right].Hess)
			st.mean[i] = r / nd.Hess
		}
	}
	base := m.baseMargin()
	sm.bias = make([]float32, m.NumClass)
	for g, ts := range sm.byGroup {
		var b float32
		for _, t := range ts {
			b += sm.trees[t].mean[0]
		}
		sm.bias[g] = b + base
	}
	return sm, nil
}

// pathElem is an element of TreeSHAP's unique path: a feature, the
// fractions of the paths that go through it with the feature absent
// (zero, the cover fraction) and present (one: 1 on the row's path, 0
// off it), and the permutation weight of the paths with i-1 ones.
type pathElem struct {
	feature   int32
	zero, one float32
	pweight   float32
	_         float32
}

type shapScratch struct {
	path  []pathElem
	phi   []float32 // one tree's contributions
	acc   []float32 // k × (nf+1) contributions of a row
	on    []float32 // conditioned contributions (interactions)
	off   []float32
	inter []float32 // k × (nf+1)² interactions of a row
}

func (sm *shapModel) newScratch() *shapScratch {
	maxd := sm.maxDepth + 2
	nc := sm.nf + 1
	return &shapScratch{
		path: make([]pathElem, maxd*(maxd+1)/2+maxd),
		phi:  make([]float32, nc),
		acc:  make([]float32, sm.k*nc),
	}
}

// contribs writes the row x's contributions, k × (nf+1), into acc: per
// tree into phi, then added to the row's sums as xgboost does.
func (sm *shapModel) contribs(s *shapScratch, x []float32, acc []float32) {
	nc := sm.nf + 1
	clear(acc)
	for g, ts := range sm.byGroup {
		a := acc[g*nc : (g+1)*nc]
		for _, t := range ts {
			st := &sm.trees[t]
			w := shapWalk{nodes: st.nodes, x: x, phi: s.phi, path: s.path}
			w.run()
			for _, f := range st.feats {
				a[f] += s.phi[f]
				s.phi[f] = 0
			}
		}
		a[sm.nf] = sm.bias[g]
	}
}

// interactions writes the row x's interaction values, k × (nf+1)², into
// s.inter, as xgboost's PredictInteractionContributions: the diagonal is
// first the contributions, the off-diagonal (i, j) half the difference of
// j's contributions with i fixed present and absent; then the diagonal
// loses the rest of its row. Only trees that split on i change when i is
// fixed, so only they are walked.
func (sm *shapModel) interactions(s *shapScratch, x []float32) {
	nc := sm.nf + 1
	if s.inter == nil {
		s.inter = make([]float32, sm.k*nc*nc)
		s.on = make([]float32, nc)
		s.off = make([]float32, nc)
	}
	sm.contribs(s, x, s.acc)
	clear(s.inter)
	for g, ts := range sm.byGroup {
		diag := s.acc[g*nc : (g+1)*nc]
		mx := s.inter[g*nc*nc : (g+1)*nc*nc]
		for i := 0; i < sm.nf; i++ {
			clear(s.on)
			clear(s.off)
			any := false
			for _, t := range ts {
				st := &sm.trees[t]
				if !st.uses[i] {
					continue
				}
				any = true
				for _, c := range [2]struct {
					cond int
					dst  []float32
				}{{-1, s.off}, {1, s.on}} {
					w := shapWalk{nodes: st.nodes, x: x, phi: s.phi, path: s.path, cond: c.cond, condFeature: int32(i)}
					w.run()
					for _, f := range st.feats {
						c.dst[f] += s.phi[f]
						s.phi[f] = 0
					}
				}
			}
			row := mx[i*nc : (i+1)*nc]
			if !any {
				row[i] = diag[i]
				continue
			}
			// xgboost's order: 0 - row[0] - ... + diag[i] - ... - row[nf].
			var v float32
			for k := 0; k < sm.nf; k++ {
				if k == i {
					v += diag[i]
					continue
				}
				row[k] = float32(s.on[k]-s.off[k]) / 2
				v -= row[k]
			}
			row[i] = v
		}
		// The bias row: zero but for the corner. Off-diagonals are left as
		// computed (row i with feature i fixed), as in xgboost 3.2, which
		// does not symmetrise them.
		mx[sm.nf*nc+sm.nf] = diag[sm.nf]
	}
}

// shapWalk is one TreeSHAP run over a tree for a row, optionally with
// feature condFeature fixed present (cond 1) or absent (cond -1).
type shapWalk struct {
	nodes       []Node
	x           []float32
	phi         []float32
	path        []pathElem
	cond        int
	condFeature int32
	sums        [32]float32 // unwoundPathSums' output
}

func (w *shapWalk) run() {
	w.recurse(0, 0, 0, 1, 1, -1, 1)
}

// recurse is xgboost's TreeShap: node n, ud unique features above it,
// the parent's path at w.path[p:], the fractions the parent passes down
// and the fraction of weight matching the condition.
func (w *shapWalk) recurse(n int32, ud int, p int, pz, po float32, pf int32, cf float32) {
	if cf == 0 {
		return
	}
	c := p + ud + 1
	path := w.path[c : c+ud+1]
	copy(path, w.path[p:p+ud+1])
	if w.cond == 0 || w.condFeature != pf {
		extendPath(path, ud, pz, po, pf)
	}
	nd := &w.nodes[n]
	if nd.IsLeaf() {
		if ud < len(w.sums) {
			sums := w.sums[:ud+1]
			unwoundPathSums(path, ud, sums)
			for i := 1; i <= ud; i++ {
				el := &path[i]
				w.phi[el.feature] += float32(float32(float32(sums[i]*(el.one-el.zero))*nd.Value) * cf)
			}
			return
		}
		for i := 1; i <= ud; i++ {
			s := unwoundPathSum(path, ud, i)
			el := &path[i]
			w.phi[el.feature] += float32(float32(float32(s*(el.one-el.zero))*nd.Value) * cf)
		}
		return
	}
	split := nd.Feature
	v := w.x[split]
	hot, cold := nd.Right, nd.Left
	switch {
	case v != v:
		if nd.DefaultLeft {
			hot, cold = nd.Left, nd.Right
		}
	case v < nd.Cond:
		hot, cold = nd.Left, nd.Right
	}
	cover := nd.Hess
	hz := w.nodes[hot].Hess / cover
	cz := w.nodes[cold].Hess / cover
	iz, io := float32(1), float32(1)
	k := 0
	for ; k <= ud; k++ {
		if path[k].feature == split {
			break
		}
	}
	if k != ud+1 {
		iz, io = path[k].zero, path[k].one
		unwindPath(path, ud, k)
		ud--
	}
	hcf, ccf := cf, cf
	if w.cond > 0 && split == w.condFeature {
		ccf = 0
		ud--
	} else if w.cond < 0 && split == w.condFeature {
		hcf *= hz
		ccf *= cz
		ud--
	}
	w.recurse(hot, ud+1, c, hz*iz, io, split, hcf)
	w.recurse(cold, ud+1, c, cz*iz, 0, split, ccf)
}

// extendPath is xgboost's ExtendPath.
func extendPath(path []pathElem, ud int, zero, one float32, feature int32) {
	path[ud] = pathElem{feature: feature, zero: zero, one: one}
	if ud == 0 {
		path[ud].pweight = 1
	}
	d := float32(ud + 1)
	for i := ud - 1; i >= 0; i-- {
		path[i+1].pweight += float32(one*path[i].pweight) * float32(i+1) / d
		path[i].pweight = float32(zero*path[i].pweight) * float32(ud-i) / d
	}
}

// unwindPath is xgboost's UnwindPath.
func unwindPath(path []pathElem, ud, k int) {
	one, zero := path[k].one, path[k].zero
	next := path[ud].pweight
	d := float32(ud + 1)
	for i := ud - 1; i >= 0; i-- {
		if one != 0 {
			tmp := path[i].pweight
			path[i].pweight = next * d / float32(float32(i+1)*one)
			next = tmp - float32(float32(path[i].pweight*zero)*float32(ud-i))/d
		} else {
			path[i].pweight = path[i].pweight * d / float32(zero*float32(ud-i))
		}
	}
	for i := k; i < ud; i++ {
		path[i].feature = path[i+1].feature
		path[i].zero = path[i+1].zero
		path[i].one = path[i+1].one
	}
}

// unwoundPathSums sets sums[k] = unwoundPathSum(path, ud, k) for k in
// 1..ud (len(sums) = ud+1 <= 32), with the same operations, but runs the
// ud independent chains of dependent divisions side by side, so the CPU
// overlaps them: they take most of TreeSHAP's time.
func unwoundPathSums(path []pathElem, ud int, sums []float32) {
	var next [32]float32
	top := path[ud].pweight
	for k := 1; k <= ud; k++ {
		next[k] = top
		sums[k] = 0
	}
	d := float32(ud + 1)
	for i := ud - 1; i >= 0; i-- {
		ratio := float32(ud-i) / d
		pw := path[i].pweight
		fi := float32(i + 1)
		for k := 1; k <= ud; k++ {
			el := &path[k]
			if el.one != 0 {
				tmp := next[k] * d / float32(fi*el.one)
				sums[k] += tmp
				next[k] = pw - float32(float32(tmp*el.zero)*ratio)
			} else if el.zero != 0 {
				sums[k] += pw / el.zero / ratio
			}
		}
	}
}

// unwoundPathSum is xgboost's UnwoundPathSum.
func unwoundPathSum(path []pathElem, ud, k int) float32 {
	one, zero := path[k].one, path[k].zero
	next := path[ud].pweight
	d := float32(ud + 1)
	var total float32
	for i := ud - 1; i >= 0; i-- {
		switch {
		case one != 0:
			tmp := next * d / float32(float32(i+1)*one)
			total += tmp
			next = path[i].pweight - float32(float32(tmp*zero)*(float32(ud-i)/d))
		case zero != 0:
			total += path[i].pweight / zero / (float32(ud-i) / d)
		}
	}
	return total
}
