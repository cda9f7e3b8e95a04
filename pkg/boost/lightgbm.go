package boost

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"

	"github.com/dmitryikh/leaves"
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
	trees := lightGBMOrder(m.Trees, k)
	if len(trees) == 0 {
		// LightGBM text has at least one tree: one leaf of 0 per class
		// carries the base margin.
		trees = make([]Tree, k)
		for g := range trees {
			trees[g] = Tree{Nodes: []Node{{Left: -1, Right: -1, Parent: -1}}, Group: g}
		}
	}
	blocks := make([][]byte, len(trees))
	for i := range trees {
		var b bytes.Buffer
		fmt.Fprintf(&b, "Tree=%d\n", i)
		add := 0.0
		if i < k {
			add = float64(m.baseMargin())
		}
		writeLGTree(&b, trees[i].Nodes, add)
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

// LoadLeaves reads LightGBM text (at most MaxModelBytes) into a leaves
// ensemble, the pure-Go predictor the notebooks use, after CheckLightGBM
// has accepted it: leaves trusts its input and panics, loops or allocates
// without bound on a crafted file, so it is only fed files that passed.
// transform is leaves' loadTransformation (true: apply the sigmoid or
// softmax of the objective). Errors wrap ErrModelFormat.
func LoadLeaves(r io.Reader, transform bool) (*leaves.Ensemble, error) {
	b, err := io.ReadAll(&limitedReader{r: r, left: modelBytesLimit})
	if err != nil {
		if errors.Is(err, ErrModelFormat) {
			return nil, err
		}
		return nil, fmt.Errorf("%w: %w", ErrModelFormat, err)
	}
	if err := CheckLightGBM(b); err != nil {
		return nil, err
	}
	e, err := leaves.LGEnsembleFromReader(bufio.NewReader(bytes.NewReader(b)), transform)
	if err != nil {
		return nil, fmt.Errorf("%w: leaves: %w", ErrModelFormat, err)
	}
	return e, nil
}

// CheckLightGBM checks LightGBM text the way leaves reads it (blocks of
// key=value lines separated by blank lines: the header, then one block per
// entry of tree_sizes) and refuses what leaves cannot run safely: more
// than MaxClasses classes, MaxFeatures features or MaxTrees trees; a tree
// whose arrays do not have num_leaves (leaves) or num_leaves-1 (splits)
// entries; categorical splits (WriteLightGBM writes none); a child out of
// range, shared, or unreachable from the root (a cycle); a split on a
// feature above max_feature_idx; a NaN threshold or a non-finite leaf
// value. Errors wrap ErrModelFormat.
func CheckLightGBM(b []byte) error {
	r := bufio.NewReader(bytes.NewReader(b))
	bad := func(format string, args ...any) error {
		return fmt.Errorf("%w: LightGBM text: %s", ErrModelFormat, fmt.Sprintf(format, args...))
	}
	h, err := lgParams(r)
	if err != nil {
		return bad("header: %v", err)
	}
	if v := h["version"]; v != "v2" && v != "v3" {
		return bad("version %q, want v2 or v3", v)
	}
	nc, err := lgInt(h, "num_class", 1, MaxClasses)
	if err != nil {
		return bad("%v", err)
	}
	if h["num_tree_per_iteration"] != h["num_class"] {
		return bad("num_tree_per_iteration %q differs from num_class %d", h["num_tree_per_iteration"], nc)
	}
	maxFeature, err := lgInt(h, "max_feature_idx", 0, MaxFeatures-1)
	if err != nil {
		return bad("%v", err)
	}
	sizes, ok := h["tree_sizes"]
	if !ok {
		return bad("no tree_sizes")
	}
	nTrees := strings.Count(sizes, " ") + 1
	if nTrees > MaxTrees || nTrees%nc != 0 {
		return bad("%d trees: want at most %d, a multiple of num_class %d", nTrees, MaxTrees, nc)
	}
	for i := range nTrees {
		t, err := lgParams(r)
		if err != nil {
			return bad("tree %d: %v", i, err)
		}
		if err := checkLGTree(t, maxFeature); err != nil {
			return bad("tree %d: %v", i, err)
		}
	}
	return nil
}

// lgParams reads one block of key=value lines exactly as leaves'
// util.ReadParamsUntilBlank does (including its quirks: the first line is
// taken even if blank, a line without '=' is a key with an empty value, a
// block ends at a blank line or at the end of the input), so that the
// checker sees what leaves will.
func lgParams(r *bufio.Reader) (map[string]string, error) {
	params := map[string]string{}
	line, err := r.ReadString('\n')
	if err != nil {
		return nil, err
	}
	line = strings.TrimSpace(line)
	for {
		switch k, v, ok := strings.Cut(line, "="); {
		case strings.Count(line, "=") > 1:
			return nil, fmt.Errorf("line %.40q has more than one '='", line)
		case ok:
			params[k] = v
		default:
			params[line] = ""
		}
		line, err = r.ReadString('\n')
		if err != nil && err != io.EOF {
			return nil, err
		}
		line = strings.TrimSpace(line)
		if line == "" {
			return params, nil
		}
	}
}

func lgInt(p map[string]string, key string, lo, hi int) (int, error) {
	v, err := strconv.Atoi(p[key])
	if err != nil || v < lo || v > hi {
		return 0, fmt.Errorf("%s %q: want an integer in [%d, %d]", key, p[key], lo, hi)
	}
	return v, nil
}

// lgFields splits a space-separated array as leaves does and checks its
// length; parse converts one element.
func lgFields[T any](p map[string]string, key string, n int, parse func(string) (T, error)) ([]T, error) {
	s, ok := p[key]
	if !ok {
		return nil, fmt.Errorf("no %s", key)
	}
	if strings.Count(s, " ")+1 != n {
		return nil, fmt.Errorf("%s has %d entries, want %d", key, strings.Count(s, " ")+1, n)
	}
	out := make([]T, 0, n)
	for f := range strings.SplitSeq(s, " ") {
		v, err := parse(f)
		if err != nil {
			return nil, fmt.Errorf("%s: %q: %w", key, f, err)
		}
		out = append(out, v)
	}
	return out, nil
}

func checkLGTree(t map[string]string, maxFeature int) error {
	if t["num_cat"] != "0" {
		return fmt.Errorf("num_cat %q: categorical splits are not supported", t["num_cat"])
	}
	leafStr, ok := t["leaf_value"]
	if !ok {
		return errors.New("no leaf_value")
	}
	// num_leaves is checked against the array before anything is sized
	// from it (leaves allocates num_leaves-1 nodes first).
	nl, err := lgInt(t, "num_leaves", 1, strings.Count(leafStr, " ")+1)
	if err != nil {
		return err
	}
	leafVals, err := lgFields(t, "leaf_value", nl, func(s string) (float64, error) { return strconv.ParseFloat(s, 64) })
	if err != nil {
		return err
	}
	for i, v := range leafVals {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return fmt.Errorf("leaf %d has value %v", i, v)
		}
	}
	if nl == 1 {
		return nil
	}
	nn := nl - 1
	i32 := func(s string) (int32, error) { v, err := strconv.ParseInt(s, 10, 32); return int32(v), err }
	u32 := func(s string) (uint32, error) { v, err := strconv.ParseUint(s, 10, 32); return uint32(v), err }
	left, err := lgFields(t, "left_child", nn, i32)
	if err != nil {
		return err
	}
	right, err := lgFields(t, "right_child", nn, i32)
	if err != nil {
		return err
	}
	dt, err := lgFields(t, "decision_type", nn, u32)
	if err != nil {
		return err
	}
	feat, err := lgFields(t, "split_feature", nn, u32)
	if err != nil {
		return err
	}
	thr, err := lgFields(t, "threshold", nn, func(s string) (float64, error) { return strconv.ParseFloat(s, 64) })
	if err != nil {
		return err
	}
	for i := range nn {
		if dt[i]&1 != 0 || (dt[i]>>2)&3 == 3 {
			return fmt.Errorf("node %d has decision_type %d (categorical or unknown missing type)", i, dt[i])
		}
		if int64(feat[i]) > int64(maxFeature) {
			return fmt.Errorf("node %d splits on feature %d, above max_feature_idx %d", i, feat[i], maxFeature)
		}
		if math.IsNaN(thr[i]) {
			return fmt.Errorf("node %d splits at NaN", i)
		}
	}
	// Walk from the root: every split and every leaf reached exactly once.
	seenNode, seenLeaf := make([]bool, nn), make([]bool, nl)
	seenNode[0] = true
	stack := []int32{0}
	reached := 1
	for len(stack) > 0 {
		i := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		for _, c := range [2]int32{left[i], right[i]} {
			switch {
			case c >= 0 && int(c) < nn && !seenNode[c]:
				seenNode[c] = true
				reached++
				stack = append(stack, c)
			case c < 0 && int(^c) < nl && !seenLeaf[^c]:
				seenLeaf[^c] = true
				reached++
			default:
				return fmt.Errorf("node %d has child %d: out of range or reached twice", i, c)
			}
		}
	}
	if reached != nn+nl {
		return fmt.Errorf("%d of %d nodes are not reachable from the root", nn+nl-reached, nn+nl)
	}
	return nil
}

// lightGBMOrder returns the trees in LightGBM's order, where tree i is of
// class i%k: a model with num_parallel_tree > 1 has k blocks of parallel
// trees a round; the trees of each class keep their order.
func lightGBMOrder(trees []Tree, k int) []Tree {
	if k == 1 {
		return trees
	}
	byClass := make([][]Tree, k)
	for _, t := range trees {
		byClass[t.Group] = append(byClass[t.Group], t)
	}
	out := make([]Tree, 0, len(trees))
	for i := range len(trees) / k {
		for g := range k {
			out = append(out, byClass[g][i])
		}
	}
	return out
}
