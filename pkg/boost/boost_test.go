package boost

import (
	"bytes"
	"context"
	"errors"
	"math"
	"math/rand/v2"
	"os"
	"reflect"
	"slices"
	"strings"
	"testing"

	"gonum.org/v1/gonum/mat"

	"github.com/mlstack/mlstack/internal/cores"
)

func TestJSONRoundTrip(t *testing.T) {
	x, y := synth(1500, 9, 11, 0.15)
	for _, tc := range loadCases() {
		t.Run(tc.name, func(t *testing.T) {
			m, err := Train(context.Background(), x, labelsFor(tc.p.Objective, x, y), nil, &tc.p)
			if err != nil {
				t.Fatal(err)
			}
			var buf bytes.Buffer
			if err := m.WriteXGBoostJSON(&buf); err != nil {
				t.Fatal(err)
			}
			back, err := ReadXGBoostJSON(&buf)
			if err != nil {
				t.Fatal(err)
			}
			want, _ := m.Predict(x)
			got, err := back.Predict(x)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("predictions after round trip differ: max |diff| %g", maxAbsDiff(got, want))
			}
			for i := range m.Trees {
				if !reflect.DeepEqual(m.Trees[i], back.Trees[i]) {
					t.Fatalf("tree %d differs after round trip", i)
				}
			}
		})
	}
}

func TestFmtF32(t *testing.T) {
	for _, tc := range []struct {
		v    float32
		want string
	}{
		{1, "1E0"}, {0, "0E0"}, {-2.5, "-2.5E0"}, {0.5, "5E-1"}, {1e10, "1E10"}, {3.9215688e-2, "3.9215688E-2"}, {-1e-7, "-1E-7"},
	} {
		if got := fmtF32(tc.v); got != tc.want {
			t.Errorf("fmtF32(%v) = %q, want %q", tc.v, got, tc.want)
		}
	}
}

func TestLGThreshold(t *testing.T) {
	for _, c := range []float32{1, 0, -1, 0.1, 3.9215688e-2, -7.5, 1e-30, 16777216, math.MaxFloat32, -math.MaxFloat32} {
		th := lgThreshold(c)
		if !(float32(th) < c) {
			t.Errorf("lgThreshold(%v) = %v: float32 of it is not < c", c, th)
		}
		if n := math.Nextafter(th, math.Inf(1)); float32(n) < c {
			t.Errorf("lgThreshold(%v) = %v is not the largest: %v also rounds below", c, th, n)
		}
	}
}

// TestDeterministic: the model does not depend on the number of
// goroutines, and a seed fixes the subsampling.
func TestDeterministic(t *testing.T) {
	x, y := synth(40000, 6, 5, 0.05) // > histBlock rows: several partial histograms
	for _, method := range []string{Hist, Exact, "lossguide"} {
		params := func(jobs int, seed uint64) Params {
			p := Params{NEstimators: 5, TreeMethod: method, NJobs: jobs, Subsample: 0.7, ColsampleBytree: 0.8, RandomState: seed}
			if method == "lossguide" {
				// The issue 19 parameters that draw or order: per-node
				// samples, parallel trees, leaf-wise growth, constraints.
				p.TreeMethod, p.GrowPolicy, p.MaxLeaves, p.ColsampleBynode, p.ColsampleBylevel, p.NumParallelTree = Hist, "lossguide", 20, 0.7, 0.9, 2
				p.InteractionConstraints, p.MonotoneConstraints = [][]int{{0, 1, 2}, {2, 3}}, []int{1}
			}
			return p
		}
		var first *Model
		for _, jobs := range []int{1, 2, 3} {
			p := params(jobs, 42)
			m, err := Train(context.Background(), x, y, nil, &p)
			if err != nil {
				t.Fatal(err)
			}
			if first == nil {
				first = m
				continue
			}
			if !reflect.DeepEqual(first.Trees, m.Trees) {
				t.Errorf("%s: NJobs=%d gives different trees than NJobs=1", method, jobs)
			}
		}
		// One thread lent idle cores by a pool (as the last folds of a
		// cross-validation are): the same trees, and every core returned.
		pool := cores.NewPool(3)
		p := params(1, 42)
		m, err := Train(cores.NewContext(context.Background(), pool), x, y, nil, &p)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(first.Trees, m.Trees) {
			t.Errorf("%s: NJobs=1 with cores lent gives different trees than without", method)
		}
		if idle := pool.Borrow(10); idle != 3 {
			t.Errorf("%s: %d of 3 lent cores came back", method, idle)
		}
		p = params(0, 43)
		m, _ = Train(context.Background(), x, y, nil, &p)
		if reflect.DeepEqual(first.Trees, m.Trees) {
			t.Errorf("%s: another seed gives the same trees", method)
		}
	}
}

func TestEarlyStopping(t *testing.T) {
	x, y := synth(3000, 8, 21, 0)
	xtr, ytr, xva, yva := trainTest(x, y, 0.3, 3)
	p := Params{NEstimators: 500, LearningRate: 0.5, EvalMetric: []string{"error", "logloss"}, EarlyStoppingRounds: 5}
	m, err := Train(context.Background(), xtr, ytr, nil, &p, EvalSet{X: xtr, Y: ytr}, EvalSet{Name: "valid", X: xva, Y: yva})
	if err != nil {
		t.Fatal(err)
	}
	if len(m.History) != 4 || m.History[3].Set != "valid" || m.History[3].Metric != "logloss" || m.History[0].Set != "validation_0" {
		t.Fatalf("history sets/metrics: %+v", m.History)
	}
	rounds := len(m.History[3].Values)
	if rounds >= 500 {
		t.Fatalf("did not stop early")
	}
	if got, want := rounds-1-m.BestIteration, 5; got != want {
		t.Errorf("stopped %d rounds after the best, want %d", got, want)
	}
	if len(m.Trees) != m.BestIteration+1 {
		t.Errorf("kept %d trees, want %d", len(m.Trees), m.BestIteration+1)
	}
	vals := m.History[3].Values
	for i, v := range vals {
		if v < m.BestScore {
			t.Errorf("round %d logloss %v below BestScore %v", i, v, m.BestScore)
		}
	}
	if vals[m.BestIteration] != m.BestScore {
		t.Errorf("BestScore %v != history[%d] = %v", m.BestScore, m.BestIteration, vals[m.BestIteration])
	}
	// The kept model scores BestScore on the validation set.
	pred, _ := m.Predict(xva)
	if ll := logloss(pred, yva); math.Abs(ll-m.BestScore) > 1e-6 {
		t.Errorf("validation logloss of the kept model %v, BestScore %v", ll, m.BestScore)
	}
	// Training logloss decreases.
	tr := m.History[1].Values
	if tr[len(tr)-1] >= tr[0] {
		t.Errorf("training logloss did not decrease: %v -> %v", tr[0], tr[len(tr)-1])
	}
}

func TestCancel(t *testing.T) {
	x, y := synth(500, 4, 1, 0)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := Train(ctx, x, y, nil, nil)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("Train with a cancelled context: err = %v, want context.Canceled", err)
	}
}

func TestImportance(t *testing.T) {
	x, y := synth(2000, 6, 2, 0)
	m, err := Train(context.Background(), x, y, nil, &Params{NEstimators: 10})
	if err != nil {
		t.Fatal(err)
	}
	w, _ := m.Importance(Weight)
	g, _ := m.Importance(Gain)
	tg, _ := m.Importance(TotalGain)
	c, _ := m.Importance(Cover)
	tc, _ := m.Importance(TotalCover)
	splits := 0
	for _, tr := range m.Trees {
		for _, nd := range tr.Nodes {
			if !nd.IsLeaf() {
				splits++
			}
		}
	}
	total := 0.0
	for f := range w {
		total += w[f]
		if math.Abs(g[f]*w[f]-tg[f]) > 1e-9*math.Max(1, tg[f]) || math.Abs(c[f]*w[f]-tc[f]) > 1e-9*math.Max(1, tc[f]) {
			t.Errorf("feature %d: mean and total disagree", f)
		}
	}
	if int(total) != splits {
		t.Errorf("weights sum to %v, want %d splits", total, splits)
	}
	if _, err := m.Importance("bogus"); !errors.Is(err, ErrInvalidParam) {
		t.Errorf("Importance(bogus) err = %v", err)
	}
}

func TestBadInput(t *testing.T) {
	x, y := synth(50, 3, 1, 0)
	nan := math.NaN()
	withY := func(i int, v float64) []float64 {
		c := append([]float64(nil), y...)
		c[i] = v
		return c
	}
	inf := mat.DenseCopyOf(x)
	inf.Set(3, 1, math.Inf(1))
	huge := mat.DenseCopyOf(x) // finite, but not as float32
	huge.Set(7, 2, 1e39)
	for _, tc := range []struct {
		name string
		x    mat.Matrix
		y, w []float64
		p    *Params
		want error
		msg  string
	}{
		{"label 2 for binary", x, withY(4, 2), nil, nil, ErrInvalidLabel, "y[4] = 2"},
		{"NaN label", x, withY(0, nan), nil, nil, ErrInvalidLabel, "y[0] = NaN"},
		{"Inf label regression", x, withY(1, math.Inf(-1)), nil, &Params{Objective: RegSquaredError}, ErrInvalidLabel, "y[1]"},
		{"label too short", x, y[:49], nil, nil, ErrShape, "50 rows but 49 labels"},
		{"weights too long", x, y, make([]float64, 51), nil, ErrShape, "51 weights"},
		{"negative weight", x, y, append(make([]float64, 49), -1), nil, ErrInvalidWeight, "weight[49]"},
		{"zero rows", &mat.Dense{}, nil, nil, nil, ErrEmpty, "0 rows"},
		{"zero features", mat.NewDense(3, 1, nil).Slice(0, 3, 0, 0), []float64{0, 1, 0}, nil, nil, ErrEmpty, "0 columns"},
		{"nil X", nil, y, nil, nil, ErrEmpty, "nil"},
		{"infinite feature", inf, y, nil, nil, ErrInvalidFeature, "[3, 1]"},
		{"infinite feature exact", inf, y, nil, &Params{TreeMethod: Exact}, ErrInvalidFeature, "[3, 1]"},
		{"feature too large for float32", huge, y, nil, nil, ErrInvalidFeature, "[7, 2]"},
		{"feature too large for float32 exact", huge, y, nil, &Params{TreeMethod: Exact}, ErrInvalidFeature, "[7, 2]"},
		{"multiclass without num_class", x, y, nil, &Params{Objective: MultiSoftprob}, ErrInvalidParam, "num_class"},
		{"class outside num_class", x, withY(2, 3), nil, &Params{Objective: MultiSoftprob, NumClass: 3}, ErrInvalidLabel, "[0, 3)"},
		{"fractional class", x, withY(2, 0.5), nil, &Params{Objective: MultiSoftprob, NumClass: 3}, ErrInvalidLabel, "y[2]"},
		{"num_class for binary", x, y, nil, &Params{NumClass: 3}, ErrInvalidParam, "num_class"},
		{"negative learning rate", x, y, nil, &Params{LearningRate: -0.1}, ErrInvalidParam, "learning_rate"},
		{"negative max_depth", x, y, nil, &Params{MaxDepth: -1}, ErrInvalidParam, "max_depth"},
		{"subsample above 1", x, y, nil, &Params{Subsample: 1.5}, ErrInvalidParam, "subsample"},
		{"negative subsample", x, y, nil, &Params{Subsample: -0.5}, ErrInvalidParam, "subsample"},
		{"unknown objective", x, y, nil, &Params{Objective: "reg:gamma"}, ErrInvalidParam, "objective"},
		{"unknown tree method", x, y, nil, &Params{TreeMethod: "gpu_hist"}, ErrInvalidParam, "tree_method"},
		{"approx", x, y, nil, &Params{TreeMethod: "approx"}, ErrInvalidParam, "not supported: approx"},
		{"metric for other objective", x, y, nil, &Params{EvalMetric: []string{"mlogloss"}}, ErrInvalidParam, "eval_metric"},
		{"early stopping without eval set", x, y, nil, &Params{EarlyStoppingRounds: 3}, ErrInvalidParam, "early_stopping_rounds"},
		{"base_score 1 for logistic", x, y, nil, &Params{BaseScore: Float(1)}, ErrInvalidParam, "base_score"},
		{"negative max_delta_step", x, y, nil, &Params{MaxDeltaStep: -1}, ErrInvalidParam, "max_delta_step"},
		{"colsample_bylevel above 1", x, y, nil, &Params{ColsampleBylevel: 2}, ErrInvalidParam, "colsample_bylevel"},
		{"colsample_bynode with exact", x, y, nil, &Params{ColsampleBynode: 0.5, TreeMethod: Exact}, ErrInvalidParam, "colsample_bynode"},
		{"monotone constraint 2", x, y, nil, &Params{MonotoneConstraints: []int{0, 2}}, ErrInvalidParam, "monotone_constraints[1]"},
		{"more monotone constraints than features", x, y, nil, &Params{MonotoneConstraints: []int{0, 1, 0, 1}}, ErrInvalidParam, "4 constraints for 3 features"},
		{"monotone multiclass", x, y, nil, &Params{Objective: MultiSoftprob, NumClass: 3, MonotoneConstraints: []int{1}}, ErrInvalidParam, "multi:softprob"},
		{"interaction on a missing feature", x, y, nil, &Params{InteractionConstraints: [][]int{{0, 3}}}, ErrInvalidParam, "interaction_constraints[0][1]"},
		{"negative interaction feature", x, y, nil, &Params{InteractionConstraints: [][]int{{-1}}}, ErrInvalidParam, "interaction_constraints[0][0]"},
		{"too many parallel trees", x, y, nil, &Params{NumParallelTree: MaxParallelTrees + 1}, ErrInvalidParam, "num_parallel_tree"},
		{"unknown grow policy", x, y, nil, &Params{GrowPolicy: "leafwise"}, ErrInvalidParam, "grow_policy"},
		{"lossguide with exact", x, y, nil, &Params{GrowPolicy: "lossguide", TreeMethod: Exact}, ErrInvalidParam, "grow_policy"},
		{"max_leaves with exact", x, y, nil, &Params{MaxLeaves: 4, TreeMethod: Exact}, ErrInvalidParam, "max_leaves"},
		{"negative max_leaves", x, y, nil, &Params{MaxLeaves: -1}, ErrInvalidParam, "max_leaves"},
		{"dart", x, y, nil, &Params{Booster: "dart"}, ErrInvalidParam, "not supported"},
		{"missing -1", x, y, nil, &Params{Missing: -1.0}, ErrInvalidParam, "not supported"},
		{"callbacks", x, y, nil, &Params{Callbacks: []any{"x"}}, ErrInvalidParam, "not supported"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m, err := Train(context.Background(), tc.x, tc.y, tc.w, tc.p)
			if !errors.Is(err, tc.want) {
				t.Fatalf("Train err = %v, want %v", err, tc.want)
			}
			if m != nil {
				t.Error("Train returned a model with an error")
			}
			if !strings.Contains(err.Error(), tc.msg) {
				t.Errorf("error %q does not mention %q", err, tc.msg)
			}
		})
	}
}

func TestPredictBadInput(t *testing.T) {
	x, y := synth(50, 3, 1, 0)
	m, err := Train(context.Background(), x, y, nil, &Params{NEstimators: 2})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := m.Predict(mat.NewDense(2, 4, nil)); !errors.Is(err, ErrShape) {
		t.Errorf("Predict with 4 columns: err = %v, want ErrShape", err)
	}
	if _, err := m.Predict(nil); !errors.Is(err, ErrEmpty) {
		t.Errorf("Predict(nil): err = %v, want ErrEmpty", err)
	}
	for _, bad := range []string{"", "{", `{"learner":{"gradient_booster":{"name":"gblinear"}}}`,
		`{"learner":{"objective":{"name":"binary:logistic"},"learner_model_param":{"num_feature":"2","base_score":"5E-1"},"gradient_booster":{"name":"gbtree","model":{"tree_info":[0],"trees":[{"left_children":[1,-1,-1],"right_children":[1,-1,-1],"split_indices":[0,0,0],"split_conditions":[0.5,1.0,2.0],"default_left":[0,0,0]}]}}}}`,
		`{"learner":{"objective":{"name":"binary:logistic"},"learner_model_param":{"num_feature":"2","base_score":"5E-1"},"gradient_booster":{"name":"gbtree","model":{"tree_info":[0],"trees":[{"left_children":[1,-1,-1],"right_children":[2,-1,-1],"split_indices":[7,0,0],"split_conditions":[0.5,1.0,2.0],"default_left":[0,0,0]}]}}}}`,
	} {
		if _, err := ReadXGBoostJSON(strings.NewReader(bad)); !errors.Is(err, ErrModelFormat) {
			t.Errorf("ReadXGBoostJSON(%.40q): err = %v, want ErrModelFormat", bad, err)
		}
	}
}

// TestEdgeData: constant features, one row, all-missing feature,
// single-row leaves.
func TestEdgeData(t *testing.T) {
	for _, tc := range []struct {
		name string
		x    *mat.Dense
		y    []float64
		p    Params
	}{
		{"one row", mat.NewDense(1, 2, []float64{1, 2}), []float64{1}, Params{}},
		{"constant features", mat.NewDense(4, 2, []float64{1, 5, 1, 5, 1, 5, 1, 5}), []float64{0, 1, 0, 1}, Params{}},
		{"all missing feature", mat.NewDense(4, 2, []float64{math.NaN(), 1, math.NaN(), 2, math.NaN(), 3, math.NaN(), 4}), []float64{0, 0, 1, 1}, Params{}},
		{"single-row leaves", mat.NewDense(4, 1, []float64{1, 2, 3, 4}), []float64{0, 1, 0, 1}, Params{MinChildWeight: Float(0), NEstimators: 3}},
		{"single-row leaves exact", mat.NewDense(4, 1, []float64{1, 2, 3, 4}), []float64{0, 1, 0, 1}, Params{MinChildWeight: Float(0), TreeMethod: Exact}},
		{"one class", mat.NewDense(3, 1, []float64{1, 2, 3}), []float64{1, 1, 1}, Params{}},
		{"regression one row", mat.NewDense(1, 1, []float64{1}), []float64{7}, Params{Objective: RegSquaredError}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m, err := Train(context.Background(), tc.x, tc.y, nil, &tc.p)
			if err != nil {
				t.Fatal(err)
			}
			p, err := m.Predict(tc.x)
			if err != nil {
				t.Fatal(err)
			}
			for i, v := range p {
				if math.IsNaN(v) || math.IsInf(v, 0) {
					t.Errorf("prediction %d = %v", i, v)
				}
			}
			var buf bytes.Buffer
			if err := m.WriteLightGBM(&buf); err != nil {
				t.Fatal(err)
			}
			if err := m.WriteXGBoostJSON(&buf); err != nil {
				t.Fatal(err)
			}
		})
	}
	// Single-row leaves must fit the training labels of separable data.
	m, _ := Train(context.Background(), mat.NewDense(4, 1, []float64{1, 2, 3, 4}), []float64{0, 1, 0, 1}, nil,
		&Params{MinChildWeight: Float(0), NEstimators: 50, TreeMethod: Exact})
	p, _ := m.Predict(mat.NewDense(4, 1, []float64{1, 2, 3, 4}))
	for i, want := range []float64{0, 1, 0, 1} {
		if math.Abs(p[i]-want) > 0.1 {
			t.Errorf("row %d: p = %v, want about %v", i, p[i], want)
		}
	}
}

// TestWeightsAndMissing: integer weights equal repeated rows; NaN rows
// follow the learned default direction.
func TestWeightsAndMissing(t *testing.T) {
	x, y := synth(400, 4, 9, 0.2)
	w := make([]float64, len(y))
	var rows [][]float64
	var yy []float64
	for i := range w {
		w[i] = float64(1 + i%3)
		for range int(w[i]) {
			rows = append(rows, x.RawRowView(i))
			yy = append(yy, y[i])
		}
	}
	xx := mat.NewDense(len(rows), 4, nil)
	for i, r := range rows {
		xx.SetRow(i, r)
	}
	p := Params{NEstimators: 5, TreeMethod: Exact}
	a, err := Train(context.Background(), x, y, w, &p)
	if err != nil {
		t.Fatal(err)
	}
	b, err := Train(context.Background(), xx, yy, nil, &p)
	if err != nil {
		t.Fatal(err)
	}
	pa, _ := a.Predict(x)
	pb, _ := b.Predict(x)
	if d := maxAbsDiff(pa, pb); d > 1e-5 {
		t.Errorf("weighted vs repeated rows: max |diff| %g", d)
	}
	// Missing values: some split sends NaN left.
	left := false
	for _, tr := range a.Trees {
		for _, nd := range tr.Nodes {
			left = left || (!nd.IsLeaf() && nd.DefaultLeft)
		}
	}
	if !left {
		t.Error("no split sends missing values left")
	}
}

// TestPredictPaths checks the three tree walks (heap layout, finite,
// general with NaN/±Inf) against a plain node-by-node traversal.
func TestPredictPaths(t *testing.T) {
	x, y := synth(3000, 6, 13, 0)
	for _, depth := range []int{3, 12} { // 12 > maxHeapDepth: pointer layout
		m, err := Train(context.Background(), x, y, nil, &Params{NEstimators: 8, MaxDepth: depth, MinChildWeight: Float(0)})
		if err != nil {
			t.Fatal(err)
		}
		test := mat.NewDense(640, 6, nil)
		for i := 0; i < 640; i++ {
			test.SetRow(i, x.RawRowView(i))
			if i >= 320 && i%7 == 0 { // later blocks hold NaN and ±Inf
				test.Set(i, i%6, []float64{math.NaN(), math.Inf(1), math.Inf(-1)}[i%3])
			}
		}
		got, err := m.PredictMargin(test)
		if err != nil {
			t.Fatal(err)
		}
		if deep := slices.Max(m.depths); (depth > maxHeapDepth) != (deep > maxHeapDepth) {
			t.Fatalf("MaxDepth %d grew trees of depth %d: layout not covered", depth, deep)
		}
		for i := 0; i < 640; i++ {
			row := make([]float32, 6)
			for j := range row {
				row[j] = float32(test.At(i, j))
			}
			want := m.baseMargin()
			for _, tr := range m.Trees {
				want += treeLeaf(tr.Nodes, row)
			}
			if got[i] != float64(want) {
				t.Fatalf("depth %d row %d: margin %v, node-by-node %v", depth, i, got[i], want)
			}
		}
	}
}

func TestPredictMalformedModel(t *testing.T) {
	m := &Model{Objective: BinaryLogistic, NumClass: 1, NumFeature: 1, BaseScore: 0.5,
		Trees: []Tree{{Nodes: []Node{{Left: 5, Right: 6, Feature: 0}}}}}
	if _, err := m.Predict(mat.NewDense(1, 1, []float64{1})); !errors.Is(err, ErrModelFormat) {
		t.Errorf("Predict on a tree with children out of range: err = %v, want ErrModelFormat", err)
	}
}

// TestExpf checks expf against float32(math.Exp) on the edges of its
// range and on every 97th float32 between -110 and 95 (all 2.2 billion
// agree; EXHAUSTIVE=1 checks them, a minute of CPU).
func TestExpf(t *testing.T) {
	step := uint64(97)
	if os.Getenv("EXHAUSTIVE") != "" {
		step = 1
	}
	check := func(x float32) {
		if got, want := expf(x), float32(math.Exp(float64(x))); got != want && !(got != got && want != want) {
			t.Fatalf("expf(%v) = %v, float32(math.Exp) = %v", x, got, want)
		}
	}
	inf := float32(math.Inf(1))
	for _, x := range []float32{0, float32(math.Copysign(0, -1)), 1, -1, 88.72283, 88.72284, 89, -87.33655, -103.27893, -103.97208, -104, -104.00001, inf, -inf, float32(math.NaN())} {
		check(x)
	}
	n := 0
	for b := uint64(0); b < 1<<32; b += step {
		if x := math.Float32frombits(uint32(b)); x >= -110 && x <= 95 {
			check(x)
			n++
		}
	}
	t.Logf("%d values", n)
}

// TestUniform checks that uniform, Train's subsample coin, is
// math/rand/v2's Float64 on the same stream.
func TestUniform(t *testing.T) {
	src, ref := rand.NewPCG(42, 0x9e3779b97f4a7c15), rand.New(rand.NewPCG(42, 0x9e3779b97f4a7c15))
	for i := range 100000 {
		if got, want := uniform(src.Uint64()), ref.Float64(); got != want {
			t.Fatalf("draw %d: %v, rand.Float64 gives %v", i, got, want)
		}
	}
}

// TestLogisticGradientsUnit checks that the gradients without weights
// are those with every weight 1, bit for bit, over margins from -110 to
// 95 (saturated, tiny and NaN-free) and both labels.
func TestLogisticGradientsUnit(t *testing.T) {
	var margin []float32
	for b := uint64(0); b < 1<<32; b += 9973 {
		if x := math.Float32frombits(uint32(b)); x >= -110 && x <= 95 {
			margin = append(margin, x)
		}
	}
	y, w := make([]float32, len(margin)), make([]float32, len(margin))
	for i := range y {
		y[i], w[i] = float32(i%2), 1
	}
	got, want := make([]gpair, len(margin)), make([]gpair, len(margin))
	logisticGradients1(margin, y, got)
	logisticGradients(margin, y, w, want)
	for i := range got {
		if math.Float32bits(got[i].g) != math.Float32bits(want[i].g) || math.Float32bits(got[i].h) != math.Float32bits(want[i].h) {
			t.Fatalf("margin %v, label %v: %+v without weights, %+v with weight 1", margin[i], y[i], got[i], want[i])
		}
	}
	if len(margin) < 100000 {
		t.Fatalf("only %d margins", len(margin))
	}
}

// TestKeepBelow checks that the subsample coin compared as integers
// (keepBelow) is uniform(u) < s, at the threshold and beside it and on
// random draws, for fractions that are and are not multiples of 2^-53.
func TestKeepBelow(t *testing.T) {
	src := rand.NewPCG(7, 8)
	for _, s := range []float64{0, 1e-300, 0.1, 1.0 / 3, 0.5, 0.7, 0.9, 0.9999999999999999, 1, math.Nextafter(0.5, 1), 0.25} {
		th := keepBelow(s)
		us := []uint64{0, 1, 1<<53 - 1, ^uint64(0)}
		for _, d := range []uint64{0, 1, 2} {
			for _, v := range []uint64{th - d, th + d} {
				if v < 1<<53 {
					us = append(us, v, v|0x7ff<<53)
				}
			}
		}
		for range 100000 {
			us = append(us, src.Uint64())
		}
		for _, u := range us {
			if got, want := u<<11>>11 < th, uniform(u) < s; got != want {
				t.Fatalf("s = %v, u = %#x: integer coin %v, uniform(u) < s %v", s, u, got, want)
			}
		}
	}
}
