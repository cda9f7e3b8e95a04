package boost

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
)

// xgbVersion is the version written into XGBoost JSON files. Python
// xgboost 1.7 and 3.x both load files carrying it.
var xgbVersion = [3]int{3, 1, 0}

// fmtF32 formats v like XGBoost: shortest float32 text that always parses
// as a JSON float (never a bare integer, which XGBoost rejects in float
// arrays).
func fmtF32(v float32) string {
	switch {
	case math.IsNaN(float64(v)):
		return "NaN"
	case math.IsInf(float64(v), 1):
		return "Infinity"
	case math.IsInf(float64(v), -1):
		return "-Infinity"
	}
	s := strconv.FormatFloat(float64(v), 'E', -1, 32)
	// 1.5E+01 -> 1.5E1 as XGBoost writes.
	s = strings.Replace(s, "E+", "E", 1)
	s = strings.Replace(s, "E0", "E", 1)
	s = strings.Replace(s, "E-0", "E-", 1)
	if strings.HasSuffix(s, "E") || strings.HasSuffix(s, "E-") {
		s += "0"
	}
	return s
}

type jsonWriter struct {
	w   *bufio.Writer
	err error
}

func (j *jsonWriter) s(s string) {
	if j.err == nil {
		_, j.err = j.w.WriteString(s)
	}
}

func (j *jsonWriter) floats(vals []float32) {
	j.s("[")
	for i, v := range vals {
		if i > 0 {
			j.s(",")
		}
		j.s(fmtF32(v))
	}
	j.s("]")
}

func (j *jsonWriter) ints(vals []int32) {
	j.s("[")
	for i, v := range vals {
		if i > 0 {
			j.s(",")
		}
		j.s(strconv.Itoa(int(v)))
	}
	j.s("]")
}

func quote(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// WriteXGBoostJSON writes the model in XGBoost's JSON model format, which
// Python xgboost (1.7 and 3.x) loads with xgb.Booster(model_file=...) and
// XGBClassifier/XGBRegressor.load_model.
func (m *Model) WriteXGBoostJSON(w io.Writer) error {
	if err := m.check(); err != nil {
		return err
	}
	j := &jsonWriter{w: bufio.NewWriter(w)}
	var sk string
	switch m.Objective {
	case RegSquaredError:
		sk = fmt.Sprintf(`{"_estimator_type":"regressor","objective":%q}`, m.Objective)
	default:
		nc := max(m.NumClass, 2)
		cls := make([]string, nc)
		for i := range cls {
			cls[i] = strconv.Itoa(i)
		}
		sk = fmt.Sprintf(`{"_estimator_type":"classifier","n_classes_":%d,"classes_":[%s],"objective":%q}`, nc, strings.Join(cls, ","), m.Objective)
	}
	numClass := 0
	if m.Objective == MultiSoftprob {
		numClass = m.NumClass
	}
	j.s(`{"learner":{"attributes":{"scikit_learn":` + quote(sk) + `},"feature_names":[],"feature_types":[],`)
	j.s(`"gradient_booster":{"model":{"gbtree_model_param":{"num_parallel_tree":"` + strconv.Itoa(max(m.NumParallelTree, 1)) + `","num_trees":"` + strconv.Itoa(len(m.Trees)) + `"},`)
	j.s(`"iteration_indptr":[`)
	per := m.treesPerRound()
	for i := 0; i <= len(m.Trees)/per; i++ {
		if i > 0 {
			j.s(",")
		}
		j.s(strconv.Itoa(i * per))
	}
	j.s(`],"tree_info":[`)
	for i, t := range m.Trees {
		if i > 0 {
			j.s(",")
		}
		j.s(strconv.Itoa(t.Group))
	}
	j.s(`],"trees":[`)
	for i := range m.Trees {
		if i > 0 {
			j.s(",")
		}
		m.writeTree(j, i)
	}
	j.s(`]},"name":"gbtree"},`)
	j.s(`"learner_model_param":{"base_score":"` + fmtF32(m.BaseScore) + `","boost_from_average":"1","num_class":"` + strconv.Itoa(numClass) +
		`","num_feature":"` + strconv.Itoa(m.NumFeature) + `","num_target":"1"},`)
	switch m.Objective {
	case MultiSoftprob:
		j.s(`"objective":{"name":"multi:softprob","softmax_multiclass_param":{"num_class":"` + strconv.Itoa(m.NumClass) + `"}}`)
	default:
		j.s(`"objective":{"name":"` + m.Objective + `","reg_loss_param":{"scale_pos_weight":"1"}}`)
	}
	j.s(fmt.Sprintf(`},"version":[%d,%d,%d]}`, xgbVersion[0], xgbVersion[1], xgbVersion[2]))
	j.s("\n")
	if j.err == nil {
		j.err = j.w.Flush()
	}
	if j.err != nil {
		return fmt.Errorf("boost: writing XGBoost JSON: %w", j.err)
	}
	return nil
}

func (m *Model) writeTree(j *jsonWriter, id int) {
	nodes := m.Trees[id].Nodes
	n := len(nodes)
	left, right, parents, idx := make([]int32, n), make([]int32, n), make([]int32, n), make([]int32, n)
	conds, weights, loss, hess := make([]float32, n), make([]float32, n), make([]float32, n), make([]float32, n)
	defl, stype := make([]int32, n), make([]int32, n)
	for i, nd := range nodes {
		left[i], right[i] = nd.Left, nd.Right
		parents[i] = nd.Parent
		if nd.Parent < 0 {
			parents[i] = math.MaxInt32
		}
		weights[i], hess[i] = nd.Weight, nd.Hess
		if nd.IsLeaf() {
			left[i], right[i] = -1, -1
			conds[i] = nd.Value
			continue
		}
		idx[i] = nd.Feature
		conds[i] = nd.Cond
		loss[i] = nd.Gain
		if nd.DefaultLeft {
			defl[i] = 1
		}
	}
	j.s(`{"base_weights":`)
	j.floats(weights)
	j.s(`,"categories":[],"categories_nodes":[],"categories_segments":[],"categories_sizes":[],"default_left":`)
	j.ints(defl)
	j.s(`,"id":` + strconv.Itoa(id) + `,"left_children":`)
	j.ints(left)
	j.s(`,"loss_changes":`)
	j.floats(loss)
	j.s(`,"parents":`)
	j.ints(parents)
	j.s(`,"right_children":`)
	j.ints(right)
	j.s(`,"split_conditions":`)
	j.floats(conds)
	j.s(`,"split_indices":`)
	j.ints(idx)
	j.s(`,"split_type":`)
	j.ints(stype)
	j.s(`,"sum_hessian":`)
	j.floats(hess)
	j.s(`,"tree_param":{"num_deleted":"0","num_feature":"` + strconv.Itoa(m.NumFeature) + `","num_nodes":"` + strconv.Itoa(n) + `","size_leaf_vector":"1"}}`)
}

// check validates the model's structure (for models built by hand or
// read from files).
func (m *Model) check() error {
	switch m.Objective {
	case BinaryLogistic, RegSquaredError:
		if m.NumClass != 1 {
			return fmt.Errorf("%w: %s with NumClass %d", ErrModelFormat, m.Objective, m.NumClass)
		}
	case MultiSoftprob:
		if m.NumClass < 2 || m.NumClass > MaxClasses {
			return fmt.Errorf("%w: multi:softprob with NumClass %d, want [2, %d]", ErrModelFormat, m.NumClass, MaxClasses)
		}
	default:
		return fmt.Errorf("%w: objective %q not supported", ErrModelFormat, m.Objective)
	}
	if m.NumFeature < 0 {
		return fmt.Errorf("%w: NumFeature %d", ErrModelFormat, m.NumFeature)
	}
	for t, tr := range m.Trees {
		if tr.Group < 0 || tr.Group >= m.NumClass {
			return fmt.Errorf("%w: tree %d has group %d, want [0, %d)", ErrModelFormat, t, tr.Group, m.NumClass)
		}
		n := int32(len(tr.Nodes))
		if n == 0 {
			return fmt.Errorf("%w: tree %d has no nodes", ErrModelFormat, t)
		}
		// Every node must be reached once from the root, children after
		// parents, so walks terminate.
		seen := make([]bool, n)
		seen[0] = true
		for i, nd := range tr.Nodes {
			if nd.IsLeaf() {
				continue
			}
			if nd.Left <= int32(i) || nd.Right <= int32(i) || nd.Left >= n || nd.Right >= n || nd.Left == nd.Right || seen[nd.Left] || seen[nd.Right] {
				return fmt.Errorf("%w: tree %d node %d has bad children %d, %d", ErrModelFormat, t, i, nd.Left, nd.Right)
			}
			seen[nd.Left], seen[nd.Right] = true, true
			if nd.Feature < 0 || int(nd.Feature) >= m.NumFeature {
				return fmt.Errorf("%w: tree %d node %d splits on feature %d of %d", ErrModelFormat, t, i, nd.Feature, m.NumFeature)
			}
		}
	}
	return nil
}

type xgbFile struct {
	Version []int `json:"version"`
	Learner struct {
		Attributes      map[string]string     `json:"attributes"`
		LearnerModel    map[string]string     `json:"learner_model_param"`
		Objective       struct{ Name string } `json:"objective"`
		GradientBooster struct {
			Name  string         `json:"name"`
			Model xgbGBTreeModel `json:"model"`
		} `json:"gradient_booster"`
	} `json:"learner"`
}

// xgbGBTreeModel is a gbtree booster's model: its trees.
type xgbGBTreeModel struct {
	Param    map[string]string `json:"gbtree_model_param"`
	TreeInfo []int             `json:"tree_info"`
	Trees    []xgbTree         `json:"trees"`
}

type xgbTree struct {
	ID              int               `json:"id"`
	Param           map[string]string `json:"tree_param"`
	Left            []int32           `json:"left_children"`
	Right           []int32           `json:"right_children"`
	SplitIndices    []int32           `json:"split_indices"`
	SplitConditions []float32         `json:"split_conditions"`
	DefaultLeft     []jsonBool        `json:"default_left"`
	SplitType       []int             `json:"split_type"`
	BaseWeights     []float32         `json:"base_weights"`
	LossChanges     []float32         `json:"loss_changes"`
	SumHessian      []float32         `json:"sum_hessian"`
}

// jsonBool reads 0/1 or true/false.
type jsonBool bool

func (b *jsonBool) UnmarshalJSON(data []byte) error {
	switch string(data) {
	case "1", "true":
		*b = true
	case "0", "false":
		*b = false
	default:
		return fmt.Errorf("default_left value %s", data)
	}
	return nil
}

// Bounds on model files, checked by the readers before anything is sized
// from a file's numbers: a crafted file gets an error, not a process that
// allocates without bound.
const (
	// MaxModelBytes bounds the size of a model file.
	MaxModelBytes = 1 << 30
	// MaxFeatures bounds num_feature.
	MaxFeatures = 1 << 20
	// MaxTrees bounds the number of trees.
	MaxTrees = 1 << 24
)

// modelBytesLimit is MaxModelBytes (tests lower it).
var modelBytesLimit int64 = MaxModelBytes

// limitedReader reads at most left bytes, then fails with ErrModelFormat.
type limitedReader struct {
	r    io.Reader
	left int64
}

func (l *limitedReader) Read(p []byte) (int, error) {
	if l.left <= 0 {
		var one [1]byte
		if n, err := l.r.Read(one[:]); n == 0 && err != nil {
			return 0, err // exactly at the limit: the reader's own end
		}
		return 0, fmt.Errorf("%w: larger than %d bytes", ErrModelFormat, modelBytesLimit)
	}
	if int64(len(p)) > l.left {
		p = p[:l.left]
	}
	n, err := l.r.Read(p)
	l.left -= int64(n)
	return n, err
}

// ReadXGBoostJSON reads a model in XGBoost's JSON format (as written by
// WriteXGBoostJSON or by Python xgboost's save_model("*.json"), 1.x to
// 3.x): objectives binary:logistic, multi:softprob and reg:squarederror,
// gbtree booster, numeric splits. Errors wrap ErrModelFormat. A file
// larger than MaxModelBytes, with more than MaxClasses classes,
// MaxFeatures features or MaxTrees trees, a non-finite base_score or leaf
// value, or trees that are not trees (a child out of range, shared or
// before its parent; a split on a feature >= num_feature) is refused.
func ReadXGBoostJSON(r io.Reader) (*Model, error) {
	var f xgbFile
	if err := json.NewDecoder(&limitedReader{r: r, left: modelBytesLimit}).Decode(&f); err != nil {
		if errors.Is(err, ErrModelFormat) {
			return nil, err
		}
		return nil, fmt.Errorf("%w: %w", ErrModelFormat, err)
	}
	l := &f.Learner
	if l.GradientBooster.Name != "gbtree" {
		return nil, fmt.Errorf("%w: booster %q not supported (want gbtree)", ErrModelFormat, l.GradientBooster.Name)
	}
	m := &Model{Objective: l.Objective.Name, NumClass: 1, BestScore: math.NaN()}
	if err := m.readShape(l.LearnerModel); err != nil {
		return nil, err
	}
	classBase, err := m.readBaseScore(l.LearnerModel["base_score"])
	if err != nil {
		return nil, err
	}
	gm := &l.GradientBooster.Model
	if err := m.readForest(gm); err != nil {
		return nil, err
	}
	for i, t := range gm.Trees {
		nodes, err := readTree(i, &t)
		if err != nil {
			return nil, err
		}
		m.Trees = append(m.Trees, Tree{Nodes: nodes, Group: gm.TreeInfo[i]})
	}
	if m.Objective == BinaryLogistic && (m.BaseScore <= 0 || m.BaseScore >= 1) {
		return nil, fmt.Errorf("%w: base_score %v outside (0, 1) for binary:logistic", ErrModelFormat, m.BaseScore)
	}
	if err := m.check(); err != nil {
		return nil, err
	}
	if classBase != nil {
		if len(classBase) != m.NumClass || m.Objective != MultiSoftprob {
			return nil, fmt.Errorf("%w: %d base scores for %s with %d classes", ErrModelFormat, len(classBase), m.Objective, m.NumClass)
		}
		m.foldIntercepts(classBase)
	}
	m.BestIteration = len(m.Trees)/m.treesPerRound() - 1
	return m, nil
}

// readShape reads num_feature and num_class of learner_model_param.
func (m *Model) readShape(p map[string]string) error {
	var err error
	if m.NumFeature, err = strconv.Atoi(p["num_feature"]); err != nil {
		return fmt.Errorf("%w: num_feature: %w", ErrModelFormat, err)
	}
	if m.NumFeature < 0 || m.NumFeature > MaxFeatures {
		return fmt.Errorf("%w: num_feature %d outside [0, %d]", ErrModelFormat, m.NumFeature, MaxFeatures)
	}
	if s := p["num_class"]; s != "" {
		nc, err := strconv.Atoi(s)
		if err != nil || nc < 0 || nc > MaxClasses {
			return fmt.Errorf("%w: num_class %q: want an integer in [0, %d]", ErrModelFormat, s, MaxClasses)
		}
		m.NumClass = max(nc, 1)
	}
	return nil
}

// readBaseScore sets m.BaseScore from learner_model_param's base_score: a
// number, or (3.1+) a vector, one value per class for multi-class. It
// returns the vector when its values differ (one intercept per class).
func (m *Model) readBaseScore(bs string) (classBase []float32, err error) {
	bs = strings.TrimSpace(bs)
	if !strings.HasPrefix(bs, "[") {
		v, err := strconv.ParseFloat(bs, 32)
		if err != nil || !finite32(float32(v)) {
			return nil, fmt.Errorf("%w: base_score %q: want a finite number", ErrModelFormat, bs)
		}
		m.BaseScore = float32(v)
		return nil, nil
	}
	var vals []float32
	if err := json.Unmarshal([]byte(bs), &vals); err != nil || len(vals) == 0 {
		return nil, fmt.Errorf("%w: base_score %q", ErrModelFormat, bs)
	}
	if len(vals) > MaxClasses {
		return nil, fmt.Errorf("%w: %d base scores", ErrModelFormat, len(vals))
	}
	for _, v := range vals {
		if !finite32(v) {
			return nil, fmt.Errorf("%w: base_score %q is not finite", ErrModelFormat, bs)
		}
	}
	m.BaseScore = vals[0]
	for _, v := range vals[1:] {
		if v != vals[0] {
			return vals, nil
		}
	}
	return nil, nil
}

// readForest checks the booster's tree count against tree_info, MaxTrees
// and whole rounds, and reads num_parallel_tree.
func (m *Model) readForest(gm *xgbGBTreeModel) error {
	if len(gm.TreeInfo) != len(gm.Trees) {
		return fmt.Errorf("%w: %d trees but %d tree_info entries", ErrModelFormat, len(gm.Trees), len(gm.TreeInfo))
	}
	if len(gm.Trees) > MaxTrees {
		return fmt.Errorf("%w: %d trees, more than %d", ErrModelFormat, len(gm.Trees), MaxTrees)
	}
	if npt := gm.Param["num_parallel_tree"]; npt != "" && npt != "1" {
		n, err := strconv.Atoi(npt)
		if err != nil || n < 1 || n > MaxParallelTrees {
			return fmt.Errorf("%w: num_parallel_tree=%q, want an integer in [1, %d]", ErrModelFormat, npt, MaxParallelTrees)
		}
		m.NumParallelTree = n
	}
	if per := m.treesPerRound(); len(gm.Trees)%per != 0 {
		return fmt.Errorf("%w: %d trees is not a whole number of rounds of %d classes × %d parallel trees", ErrModelFormat, len(gm.Trees), m.NumClass, max(m.NumParallelTree, 1))
	}
	return nil
}

// readTree reads tree i's nodes: its arrays of one length, numeric
// splits, finite leaves and split values not NaN, each child's parent.
// Whether the nodes make a tree is Model.check's.
func readTree(i int, t *xgbTree) ([]Node, error) {
	n := len(t.Left)
	for name, l := range map[string]int{"right_children": len(t.Right), "split_indices": len(t.SplitIndices),
		"split_conditions": len(t.SplitConditions), "default_left": len(t.DefaultLeft)} {
		if l != n {
			return nil, fmt.Errorf("%w: tree %d: %s has %d entries, left_children %d", ErrModelFormat, i, name, l, n)
		}
	}
	for _, st := range t.SplitType {
		if st != 0 {
			return nil, fmt.Errorf("%w: tree %d has categorical splits (not supported)", ErrModelFormat, i)
		}
	}
	nodes := make([]Node, n)
	for k := range nodes {
		nd := &nodes[k]
		nd.Left, nd.Right, nd.Parent = t.Left[k], t.Right[k], -1
		if nd.Left < 0 {
			nd.Left, nd.Right = -1, -1
			nd.Value = t.SplitConditions[k]
			if !finite32(nd.Value) {
				return nil, fmt.Errorf("%w: tree %d leaf %d has value %v", ErrModelFormat, i, k, nd.Value)
			}
		} else {
			nd.Feature = t.SplitIndices[k]
			nd.Cond = t.SplitConditions[k]
			nd.DefaultLeft = bool(t.DefaultLeft[k])
			if nd.Cond != nd.Cond {
				return nil, fmt.Errorf("%w: tree %d node %d splits at NaN", ErrModelFormat, i, k)
			}
		}
		if k < len(t.BaseWeights) {
			nd.Weight = t.BaseWeights[k]
		}
		if k < len(t.LossChanges) && !nd.IsLeaf() {
			nd.Gain = t.LossChanges[k]
		}
		if k < len(t.SumHessian) {
			nd.Hess = t.SumHessian[k]
		}
	}
	for k, nd := range nodes {
		if !nd.IsLeaf() && nd.Left >= 0 && int(nd.Left) < n && nd.Right >= 0 && int(nd.Right) < n {
			nodes[nd.Left].Parent, nodes[nd.Right].Parent = int32(k), int32(k)
		}
	}
	return nodes, nil
}

func finite32(v float32) bool { return v-v == 0 }
