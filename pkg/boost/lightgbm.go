package boost

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
)

// WriteLightGBM writes the model as LightGBM text (version=v3), the format
// github.com/dmitryikh/leaves loads with LGEnsembleFromReader. Splits are
// rewritten so that LightGBM's `x <= threshold` on float64 inputs selects
// exactly the rows XGBoost's `float32(x) < cond` does; NaN follows the
// default direction; the base margin is folded into the first tree of
// each class.
func (m *Model) WriteLightGBM(w io.Writer) error {
	if err := m.check(); err != nil {
		return err
	}
	k := m.NumClass
	if len(m.Trees)%k != 0 {
		return fmt.Errorf("%w: %d trees is not a multiple of %d classes", ErrModelFormat, len(m.Trees), k)
	}
	blocks := make([][]byte, len(m.Trees))
	for i := range m.Trees {
		var b bytes.Buffer
		fmt.Fprintf(&b, "Tree=%d\n", i)
		add := 0.0
		if i < k {
			add = float64(m.baseMargin())
		}
		writeLGTree(&b, m.Trees[i].Nodes, add)
		b.WriteString("\n\n")
		blocks[i] = b.Bytes()
	}
	bw := bufio.NewWriter(w)
	bw.WriteString("tree\nversion=v3\n")
	fmt.Fprintf(bw, "num_class=%d\nnum_tree_per_iteration=%d\nlabel_index=0\nmax_feature_idx=%d\n", k, k, max(m.NumFeature-1, 0))
	switch m.Objective {
	case BinaryLogistic:
		bw.WriteString("objective=binary sigmoid:1\n")
	case MultiSoftprob:
		fmt.Fprintf(bw, "objective=multiclass num_class:%d\n", k)
	default:
		bw.WriteString("objective=regression\n")
	}
	names := make([]string, max(m.NumFeature, 1))
	infos := make([]string, len(names))
	for i := range names {
		names[i] = "Column_" + strconv.Itoa(i)
		infos[i] = "none"
	}
	fmt.Fprintf(bw, "feature_names=%s\nfeature_infos=%s\ntree_sizes=", strings.Join(names, " "), strings.Join(infos, " "))
	for i, b := range blocks {
		if i > 0 {
			bw.WriteString(" ")
		}
		bw.WriteString(strconv.Itoa(len(b)))
	}
	bw.WriteString("\n\n")
	for _, b := range blocks {
		bw.Write(b)
	}
	bw.WriteString("end of trees\n")
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("boost: writing LightGBM text: %w", err)
	}
	return nil
}

// lgThreshold returns the largest float64 t with float32(t) < c, so that
// x <= t ⇔ float32(x) < c for every float64 x.
func lgThreshold(c float32) float64 {
	if math.IsInf(float64(c), -1) {
		return math.Inf(-1)
	}
	prev := float64(math.Nextafter32(c, float32(math.Inf(-1))))
	if math.IsInf(prev, -1) {
		prev = -math.Ldexp(1, 128) // the float32 grid continued below -MaxFloat32
	}
	mid := (prev + float64(c)) / 2
	// float32(mid) rounds to even: it may round up to c.
	if float32(mid) < c {
		// Find the largest such value above mid (all values in
		// [mid, next) round the same way except possibly ties).
		return largestBelow(mid, c)
	}
	return math.Nextafter(mid, math.Inf(-1))
}

// largestBelow walks up from t while float32 still rounds below c (at
// most one step: the midpoint itself is the rounding boundary).
func largestBelow(t float64, c float32) float64 {
	for {
		n := math.Nextafter(t, math.Inf(1))
		if float32(n) >= c {
			return t
		}
		t = n
	}
}

func lgFloat(v float64) string { return strconv.FormatFloat(v, 'g', -1, 64) }

// writeLGTree writes one tree body; add is folded into every leaf.
func writeLGTree(b *bytes.Buffer, nodes []Node, add float64) {
	// LightGBM numbering: internal nodes 0.. in our order, leaves 0.. in
	// our order; a child reference c >= 0 is internal, ~leaf otherwise.
	inner := make([]int, len(nodes))
	leafIdx := make([]int, len(nodes))
	var ni, nl int
	for i, nd := range nodes {
		if nd.IsLeaf() {
			leafIdx[i] = nl
			nl++
		} else {
			inner[i] = ni
			ni++
		}
	}
	ref := func(c int32) string {
		if nodes[c].IsLeaf() {
			return strconv.Itoa(^leafIdx[c])
		}
		return strconv.Itoa(inner[c])
	}
	var feat, gain, thr, dt, left, right, ival, iw, icnt []string
	var lval, lw, lcnt []string
	for _, nd := range nodes {
		if nd.IsLeaf() {
			lval = append(lval, lgFloat(float64(nd.Value)+add))
			lw = append(lw, lgFloat(float64(nd.Hess)))
			lcnt = append(lcnt, "0")
			continue
		}
		feat = append(feat, strconv.Itoa(int(nd.Feature)))
		gain = append(gain, lgFloat(float64(nd.Gain)))
		thr = append(thr, lgFloat(lgThreshold(nd.Cond)))
		d := 8 // missing type NaN
		if nd.DefaultLeft {
			d |= 2
		}
		dt = append(dt, strconv.Itoa(d))
		left = append(left, ref(nd.Left))
		right = append(right, ref(nd.Right))
		ival = append(ival, lgFloat(float64(nd.Weight)))
		iw = append(iw, lgFloat(float64(nd.Hess)))
		icnt = append(icnt, "0")
	}
	fmt.Fprintf(b, "num_leaves=%d\nnum_cat=0\n", nl)
	if nl > 1 {
		fmt.Fprintf(b, "split_feature=%s\nsplit_gain=%s\nthreshold=%s\ndecision_type=%s\nleft_child=%s\nright_child=%s\n",
			strings.Join(feat, " "), strings.Join(gain, " "), strings.Join(thr, " "), strings.Join(dt, " "),
			strings.Join(left, " "), strings.Join(right, " "))
	}
	fmt.Fprintf(b, "leaf_value=%s\nleaf_weight=%s\nleaf_count=%s\n", strings.Join(lval, " "), strings.Join(lw, " "), strings.Join(lcnt, " "))
	if nl > 1 {
		fmt.Fprintf(b, "internal_value=%s\ninternal_weight=%s\ninternal_count=%s\n", strings.Join(ival, " "), strings.Join(iw, " "), strings.Join(icnt, " "))
	}
	b.WriteString("is_linear=0\nshrinkage=1\n")
}
