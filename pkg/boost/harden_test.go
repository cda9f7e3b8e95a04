package boost

import (
	"bytes"
	"errors"
	"io"
	"math"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"gonum.org/v1/gonum/mat"

	"github.com/mlstack/mlstack/internal/crash"
)

// tinyJSON is a valid one-tree model: x0 < 0.5 ? -0.4 : 0.4.
const tinyJSON = `{"learner":{"objective":{"name":"binary:logistic"},` +
	`"learner_model_param":{"num_class":"0","num_feature":"2","base_score":"5E-1"},` +
	`"gradient_booster":{"name":"gbtree","model":{"gbtree_model_param":{"num_parallel_tree":"1"},"tree_info":[0],` +
	`"trees":[{"left_children":[1,-1,-1],"right_children":[2,-1,-1],"split_indices":[0,0,0],` +
	`"split_conditions":[5E-1,-4E-1,4E-1],"default_left":[1,0,0],"split_type":[0,0,0],"base_weights":[0,-4E-1,4E-1]}]}}},"version":[3,1,0]}`

// Crafted model files (issue 16): each is refused with ErrModelFormat and
// a message naming the problem, instead of loading and then panicking or
// allocating rows × num_class on the first Predict.
func TestReadXGBoostJSONCrafted(t *testing.T) {
	if _, err := ReadXGBoostJSON(strings.NewReader(tinyJSON)); err != nil {
		t.Fatalf("the valid model: %v", err)
	}
	tests := []struct {
		name, old, new, want string
	}{
		{"num_class a billion", `"num_class":"0"`, `"num_class":"1000000000"`, `num_class "1000000000": want an integer in [0, 10000]`},
		{"num_class not a number", `"num_class":"0"`, `"num_class":"many"`, `num_class "many"`},
		{"num_class negative", `"num_class":"0"`, `"num_class":"-3"`, `num_class "-3"`},
		{"num_feature huge", `"num_feature":"2"`, `"num_feature":"100000000"`, "num_feature 100000000 outside [0, 1048576]"},
		{"num_feature negative", `"num_feature":"2"`, `"num_feature":"-1"`, "num_feature -1 outside"},
		{"base_score NaN", `"5E-1"}`, `"NaN"}`, `base_score "NaN": want a finite number`},
		{"base_score Inf", `"5E-1"}`, `"Inf"}`, `base_score "Inf": want a finite number`},
		{"base_score beyond float32", `"5E-1"}`, `"1E39"}`, `base_score "1E39"`},
		{"base_score vector Inf", `"5E-1"}`, `"[1E39]"}`, `base_score "[1E39]"`},
		{"leaf value beyond float32", `[5E-1,-4E-1,4E-1]`, `[5E-1,-4E39,4E-1]`, "cannot unmarshal"},
		{"split at NaN", `"split_conditions":[5E-1,`, `"split_conditions":[1E-50,`, ""}, // valid: tiny, not NaN
		{"child out of range", `"left_children":[1,-1,-1]`, `"left_children":[7,-1,-1]`, "node 0 has bad children 7, 2"},
		{"child is its parent (cycle)", `"left_children":[1,-1,-1]`, `"left_children":[0,-1,-1]`, "node 0 has bad children 0, 2"},
		{"shared child", `"right_children":[2,-1,-1]`, `"right_children":[1,-1,-1]`, "node 0 has bad children 1, 1"},
		{"child before parent", `"left_children":[1,-1,-1],"right_children":[2,-1,-1]`, `"left_children":[1,-1,0],"right_children":[2,-1,1]`, "bad children"},
		{"split feature >= num_feature", `"split_indices":[0,0,0]`, `"split_indices":[5,0,0]`, "splits on feature 5 of 2"},
		{"split feature negative", `"split_indices":[0,0,0]`, `"split_indices":[-1,0,0]`, "splits on feature -1 of 2"},
		{"arrays of different lengths", `"split_conditions":[5E-1,-4E-1,4E-1]`, `"split_conditions":[5E-1]`, "split_conditions has 1 entries, left_children 3"},
		{"group out of range", `"tree_info":[0]`, `"tree_info":[1]`, "tree 0 has group 1"},
		{"trees not whole rounds", `"num_class":"0"`, `"num_class":"3"`, "1 trees is not a whole number of rounds of 3 classes"},
		{"categorical split", `"split_type":[0,0,0]`, `"split_type":[1,0,0]`, "categorical splits"},
		{"parallel trees", `"num_parallel_tree":"1"`, `"num_parallel_tree":"4"`, "1 trees is not a whole number of rounds of 1 classes × 4 parallel trees"},
		{"parallel trees not a number", `"num_parallel_tree":"1"`, `"num_parallel_tree":"x"`, `num_parallel_tree="x"`},
		{"parallel trees too many", `"num_parallel_tree":"1"`, `"num_parallel_tree":"1000000"`, `num_parallel_tree="1000000"`},
		{"not gbtree", `"name":"gbtree"`, `"name":"gblinear"`, `booster "gblinear"`},
		{"nested too deep", `"version":[3,1,0]`, `"version":` + strings.Repeat("[", 20000) + strings.Repeat("]", 20000), "exceeded max depth"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := strings.Replace(tinyJSON, tt.old, tt.new, 1)
			if src == tinyJSON {
				t.Fatalf("%q not in the model", tt.old)
			}
			m, err := ReadXGBoostJSON(strings.NewReader(src))
			if tt.want == "" {
				if err != nil {
					t.Fatalf("err = %v, want none", err)
				}
				return
			}
			if !errors.Is(err, ErrModelFormat) || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want ErrModelFormat saying %q", err, tt.want)
			}
			if m != nil {
				t.Errorf("a model came back with the error")
			}
		})
	}
}

// endless is an io.Reader of JSON whitespace without end.
type endless struct{}

func (endless) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = ' '
	}
	return len(p), nil
}

func TestModelReadersBoundTheInput(t *testing.T) {
	defer func(n int64) { modelBytesLimit = n }(modelBytesLimit)
	modelBytesLimit = 1 << 20
	if _, err := ReadXGBoostJSON(endless{}); !errors.Is(err, ErrModelFormat) || !strings.Contains(err.Error(), "larger than 1048576 bytes") {
		t.Errorf("ReadXGBoostJSON(endless): err = %v", err)
	}
	if _, err := LoadLeaves(endless{}, true); !errors.Is(err, ErrModelFormat) || !strings.Contains(err.Error(), "larger than 1048576 bytes") {
		t.Errorf("LoadLeaves(endless): err = %v", err)
	}
	// A file of exactly the limit is read.
	modelBytesLimit = int64(len(tinyJSON))
	if _, err := ReadXGBoostJSON(strings.NewReader(tinyJSON)); err != nil {
		t.Errorf("a model of exactly the limit: %v", err)
	}
}

// tinyModel is the model of tinyJSON with a second split, written as
// LightGBM text below: x0 < 0.5 ? -0.4 : (x1 < 1 ? 0.1 : 0.4).
func tinyLightGBM(t *testing.T) string {
	t.Helper()
	m := &Model{Objective: BinaryLogistic, NumClass: 1, NumFeature: 2, BaseScore: 0.5, Trees: []Tree{{Nodes: []Node{
		{Left: 1, Right: 2, Parent: -1, Feature: 0, Cond: 0.5, DefaultLeft: true},
		{Left: -1, Right: -1, Parent: 0, Value: -0.4},
		{Left: 3, Right: 4, Parent: 0, Feature: 1, Cond: 1},
		{Left: -1, Right: -1, Parent: 2, Value: 0.1},
		{Left: -1, Right: -1, Parent: 2, Value: 0.4},
	}}}}
	var b bytes.Buffer
	if err := m.WriteLightGBM(&b); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// Crafted LightGBM text: leaves (github.com/dmitryikh/leaves) indexes
// slices and allocates from the file's numbers without checks; LoadLeaves
// refuses each of these before leaves sees it.
func TestLoadLeavesCrafted(t *testing.T) {
	good := tinyLightGBM(t)
	e, err := LoadLeaves(strings.NewReader(good), true)
	if err != nil {
		t.Fatalf("the valid model: %v\n%s", err, good)
	}
	p := make([]float64, 2)
	if err := e.PredictDense([]float64{0, 0, 1, 2}, 2, 2, p, 0, 1); err != nil {
		t.Fatal(err)
	}
	if want := []float64{1 / (1 + math.Exp(0.4)), 1 / (1 + math.Exp(-0.4))}; math.Abs(p[0]-want[0]) > 1e-6 || math.Abs(p[1]-want[1]) > 1e-6 {
		t.Errorf("predictions %v, want %v", p, want)
	}
	tests := []struct {
		name, old, new, want string
	}{
		{"num_leaves huge", "num_leaves=3", "num_leaves=1000000000000", `num_leaves "1000000000000": want an integer in [1, 3]`},
		{"num_leaves above its values", "num_leaves=3", "num_leaves=4", `num_leaves "4": want an integer in [1, 3]`},
		{"child out of range", "right_child=1 -3", "right_child=9 -3", "node 0 has child 9: out of range or reached twice"},
		{"leaf out of range", "right_child=1 -3", "right_child=1 -9", "node 1 has child -9"},
		{"cycle to the root", "right_child=1 -3", "right_child=1 0", "node 1 has child 0"},
		{"leaf twice", "left_child=-1 -2", "left_child=-1 -1", "node 1 has child -1"},
		{"split feature above max_feature_idx", "split_feature=0 1", "split_feature=0 7", "node 1 splits on feature 7, above max_feature_idx 1"},
		{"categorical", "num_cat=0", "num_cat=1", `num_cat "1"`},
		{"categorical decision", "decision_type=10 8", "decision_type=10 9", "node 1 has decision_type 9"},
		{"unknown missing type", "decision_type=10 8", "decision_type=10 12", "node 1 has decision_type 12"},
		{"leaf NaN", "leaf_value=-0.4000000059604645", "leaf_value=NaN", "leaf 0 has value NaN"},
		{"leaf Inf", "leaf_value=-0.4000000059604645", "leaf_value=-Inf", "leaf 0 has value -Inf"},
		{"threshold NaN", "threshold=0.49999998509883875", "threshold=NaN", "node 0 splits at NaN"},
		{"short threshold", "threshold=", "threshold=1 ", "threshold has 3 entries, want 2"},
		{"no leaf_value", "leaf_value=", "leaf_values=", "no leaf_value"},
		{"num_class a billion", "num_class=1\n", "num_class=1000000000\n", `num_class "1000000000": want an integer in [1, 10000]`},
		{"per-iteration differs", "num_tree_per_iteration=1", "num_tree_per_iteration=2", "num_tree_per_iteration"},
		{"max_feature_idx huge", "max_feature_idx=1", "max_feature_idx=999999999", `max_feature_idx "999999999"`},
		{"more trees than blocks", "tree_sizes=", "tree_sizes=1 ", `tree 1: num_cat ""`},
		{"version", "version=v3", "version=v9", `version "v9"`},
		{"two =", "num_cat=0", "num_cat=0=1", "more than one '='"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := strings.Replace(good, tt.old, tt.new, 1)
			if src == good {
				t.Fatalf("%q not in the model:\n%s", tt.old, good)
			}
			e, err := LoadLeaves(strings.NewReader(src), true)
			if !errors.Is(err, ErrModelFormat) || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want ErrModelFormat saying %q", err, tt.want)
			}
			if e != nil {
				t.Errorf("an ensemble came back with the error")
			}
		})
	}
}

// An unreachable split (a cycle away from the root) is refused: leaves
// would skip it when loading and walk a child index of 0, the root, for
// ever when predicting.
func TestLoadLeavesUnreachable(t *testing.T) {
	good := tinyLightGBM(t)
	// Three splits: 0 → (leaf 0, leaf 1); 1 ↔ 2 a cycle off the root.
	src := strings.NewReplacer(
		"num_leaves=3", "num_leaves=4",
		"split_feature=0 1", "split_feature=0 1 1",
		"split_gain=", "split_gain=0 ",
		"threshold=", "threshold=1 ",
		"decision_type=10 8", "decision_type=10 8 8",
		"left_child=-1 -2", "left_child=-1 2 1",
		"right_child=1 -3", "right_child=-2 -3 -4",
		"leaf_value=", "leaf_value=0 ",
	).Replace(good)
	_, err := LoadLeaves(strings.NewReader(src), true)
	if !errors.Is(err, ErrModelFormat) || !strings.Contains(err.Error(), "4 of 7 nodes are not reachable from the root") {
		t.Fatalf("err = %v", err)
	}
}

// Out-of-range parameters of issue 16: refused by Validate, so no training
// runs into NaN predictions or float32 overflow.
func TestParamBounds(t *testing.T) {
	tests := []struct {
		name string
		p    Params
		want string
	}{
		{"learning_rate 1e39", Params{LearningRate: 1e39}, "learning_rate=1e+39: must be in (0, 1000]"},
		{"learning_rate just above", Params{LearningRate: 1000.5}, "must be in (0, 1000]"},
		{"scale_pos_weight 1e39", Params{ScalePosWeight: 1e39}, "scale_pos_weight=1e+39: must be in (0, 1e+06]"},
		{"gamma beyond float32", Params{Gamma: 1e39}, "gamma=1e+39: must be a float32"},
		{"reg_lambda beyond float32", Params{RegLambda: Float(1e39)}, "reg_lambda=1e+39: must be a float32"},
		{"reg_alpha beyond float32", Params{RegAlpha: 4e38}, "must be a float32"},
		{"min_child_weight beyond float32", Params{MinChildWeight: Float(1e300)}, "must be a float32"},
		{"base_score NaN", Params{Objective: RegSquaredError, BaseScore: Float(math.NaN())}, "must be finite"},
		{"base_score Inf", Params{Objective: RegSquaredError, BaseScore: Float(math.Inf(1))}, "must be finite"},
		{"base_score beyond float32", Params{Objective: RegSquaredError, BaseScore: Float(1e39)}, "must be a float32"},
		{"num_class a billion", Params{Objective: MultiSoftprob, NumClass: 1000000000}, "num_class=1000000000: at most 10000 classes"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.p.Validate()
			if !errors.Is(err, ErrInvalidParam) || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %v, want ErrInvalidParam saying %q", err, tt.want)
			}
		})
	}
	for _, ok := range []Params{{LearningRate: 1000}, {ScalePosWeight: 1e6}, {Gamma: 3e38}, {Objective: MultiSoftprob, NumClass: 10000}} {
		if err := ok.Validate(); err != nil {
			t.Errorf("Validate(%+v): %v", ok, err)
		}
	}
}

// FuzzReadXGBoostJSON: no input panics the reader, and whatever it
// accepts can be predicted with and written back out.
func FuzzReadXGBoostJSON(f *testing.F) {
	f.Add([]byte(tinyJSON))
	f.Add([]byte(strings.Replace(tinyJSON, `"num_class":"0"`, `"num_class":"2"`, 1)))
	f.Add([]byte(`{"learner":{"learner_model_param":{"base_score":"[5E-1,2E-1]"}}}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := ReadXGBoostJSON(bytes.NewReader(b))
		if err != nil {
			if !errors.Is(err, ErrModelFormat) {
				t.Fatalf("error does not wrap ErrModelFormat: %v", err)
			}
			return
		}
		X := mat.NewDense(2, max(m.NumFeature, 1), nil)
		X.Set(1, 0, math.NaN())
		if m.NumFeature == 0 {
			X = &mat.Dense{}
		} else if _, err := m.Predict(X); err != nil {
			t.Fatalf("Predict on an accepted model: %v", err)
		}
		if err := m.WriteXGBoostJSON(io.Discard); err != nil {
			t.Fatalf("WriteXGBoostJSON on an accepted model: %v", err)
		}
		if m.NumFeature > 1<<12 || m.NumClass > 1<<6 {
			return // valid, but a second per round trip: keep the fuzzer fast
		}
		var lg bytes.Buffer
		if err := m.WriteLightGBM(&lg); err != nil {
			t.Fatalf("WriteLightGBM on an accepted model: %v", err)
		}
		if _, err := LoadLeaves(&lg, true); err != nil {
			t.Fatalf("LoadLeaves refuses what WriteLightGBM wrote: %v", err)
		}
	})
}

// FuzzLoadLeaves: no input panics LoadLeaves, and an ensemble it returns
// predicts without panicking.
func FuzzLoadLeaves(f *testing.F) {
	m := &Model{Objective: MultiSoftprob, NumClass: 2, NumFeature: 2, BaseScore: 0.5, Trees: []Tree{
		{Nodes: []Node{{Left: 1, Right: 2, Parent: -1, Cond: 0.5}, {Left: -1, Right: -1, Value: -0.4}, {Left: -1, Right: -1, Value: 0.4}}},
		{Group: 1, Nodes: []Node{{Left: -1, Right: -1, Parent: -1, Value: 0.2}}},
	}}
	var b bytes.Buffer
	if err := m.WriteLightGBM(&b); err != nil {
		f.Fatal(err)
	}
	f.Add(b.Bytes())
	f.Add([]byte("tree\nversion=v3\nnum_class=1\nnum_tree_per_iteration=1\nmax_feature_idx=0\nobjective=regression\ntree_sizes=1\n\nTree=0\nnum_leaves=1\nnum_cat=0\nleaf_value=1\n\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		e, err := LoadLeaves(bytes.NewReader(b), true)
		if err != nil {
			return
		}
		cols := max(e.NFeatures(), 1)
		x := make([]float64, 2*cols)
		x[cols] = math.NaN()
		out := make([]float64, 2*e.NOutputGroups())
		_ = e.PredictDense(x, 2, cols, out, 0, 1)
	})
}

// A panic in a worker of parallelForW (a bug) does not crash the process:
// it is raised again on the caller's goroutine, after every worker has
// stopped, as an error wrapping the worker's *crash.PanicError, which a
// fold's or a command's crash.Recover keeps, with the worker's stack.
func TestParallelForWorkerPanic(t *testing.T) {
	var calls atomic.Int64
	err := func() (err error) {
		defer crash.Recover(&err)
		parallelForW(1000, 4, func(_, i int) {
			calls.Add(1)
			if i == 10 {
				var m map[int]int
				//lint:ignore SA5000 the panic under test
				m[i] = i // a bug: assignment to a nil map
			}
			time.Sleep(5 * time.Millisecond) // all items: 1.25 s; the others stop at the panic
		})
		return nil
	}()
	var pe *crash.PanicError
	if !errors.As(err, &pe) || !strings.Contains(err.Error(), "boost: worker: internal error: panic: assignment to entry in nil map") {
		t.Fatalf("err = %v, want the worker's panic", err)
	}
	if !strings.Contains(string(pe.Stack), "TestParallelForWorkerPanic.func1.1") {
		t.Errorf("the stack is not the worker's:\n%s", pe.Stack)
	}
	if n := calls.Load(); n >= 1000 {
		t.Errorf("the workers ran all %d items after the panic, want them stopped", n)
	}
}
