package boosted_test

import (
	"errors"
	"fmt"
	"math"
	"reflect"
	"strings"
	"testing"

	"github.com/mlstack/mlstack/pkg/boost"
	"github.com/mlstack/mlstack/pkg/experiment/boosted"
	"github.com/mlstack/mlstack/pkg/experiment/config"
)

const base = `version: 1
name: t
data: {source: sample:diabetes, target: Outcome}
model:
  trainer: classification
`

// parse reads base with model.params given as YAML flow mapping.
func parse(t *testing.T, params string) *config.Config {
	t.Helper()
	p, err := config.Parse("t.yaml", []byte(base+"  params: "+params+"\n"), nil)
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	return &p.Config
}

// model.params decodes into boost.Params by XGBoost's names (what
// boost.Params.Set took before the config decoder did it).
func TestParamsDecode(t *testing.T) {
	c := parse(t, `{n_estimators: 50, max_depth: 4, learning_rate: 0.1, min_child_weight: 0, gamma: 0.5,
    reg_lambda: 2.0, reg_alpha: 0.1, subsample: 0.8, colsample_bytree: 0.9, scale_pos_weight: 3,
    max_bin: 64.0, base_score: 0.4, random_state: 7, n_jobs: 2, tree_method: exact,
    eval_metric: [auc, logloss], early_stopping_rounds: 10}`)
	p, err := boosted.Params(c)
	if err != nil {
		t.Fatal(err)
	}
	want := boost.Params{NEstimators: 50, MaxDepth: 4, LearningRate: 0.1, MinChildWeight: boost.Float(0), Gamma: 0.5, RegLambda: boost.Float(2),
		RegAlpha: 0.1, Subsample: 0.8, ColsampleBytree: 0.9, ScalePosWeight: 3, MaxBin: 64, BaseScore: boost.Float(0.4), RandomState: 7,
		NJobs: 2, TreeMethod: boost.Exact, EvalMetric: []string{"auc", "logloss"}, EarlyStoppingRounds: 10}
	if !reflect.DeepEqual(*p, want) {
		t.Errorf("decoded %+v\nwant %+v", *p, want)
	}
	// XGBoost's aliases, and eval_metric as one name.
	p, err = boosted.Params(parse(t, `{eta: 0.2, min_split_loss: 1, lambda: 3, alpha: 4, seed: 5, nthread: 6, eval_metric: auc}`))
	if err != nil {
		t.Fatal(err)
	}
	want = boost.Params{LearningRate: 0.2, Gamma: 1, RegLambda: boost.Float(3), RegAlpha: 4, RandomState: 5, NJobs: 6, EvalMetric: []string{"auc"}}
	if !reflect.DeepEqual(*p, want) {
		t.Errorf("aliases decoded %+v\nwant %+v", *p, want)
	}
	// The parameters added for issue 19, and those accepted and ignored
	// or accepted with the one value that behaves as boost does.
	p, err = boosted.Params(parse(t, `{colsample_bylevel: 0.5, colsample_bynode: 0.7, max_delta_step: 1,
    monotone_constraints: [0, 1, -1], interaction_constraints: [[0, 1], [2]], num_parallel_tree: 3,
    grow_policy: lossguide, max_leaves: 8, verbosity: 2, validate_parameters: true, importance_type: gain,
    booster: gbtree, device: cpu, sampling_method: uniform, multi_strategy: one_output_per_tree,
    enable_categorical: false, missing: .nan}`))
	if err != nil {
		t.Fatal(err)
	}
	yes := true
	want = boost.Params{ColsampleBylevel: 0.5, ColsampleBynode: 0.7, MaxDeltaStep: 1, MonotoneConstraints: []int{0, 1, -1},
		InteractionConstraints: [][]int{{0, 1}, {2}}, NumParallelTree: 3, GrowPolicy: "lossguide", MaxLeaves: 8, Verbosity: 2,
		ValidateParameters: &yes, ImportanceType: "gain", Booster: "gbtree", Device: "cpu", SamplingMethod: "uniform",
		MultiStrategy: "one_output_per_tree"}
	got := *p
	got.Missing = nil // NaN: checked below
	if !reflect.DeepEqual(got, want) {
		t.Errorf("decoded %+v\nwant %+v", got, want)
	}
	if f, ok := p.Missing.(float64); !ok || !math.IsNaN(f) {
		t.Errorf("missing: .nan decoded as %#v, want NaN", p.Missing)
	}
}

func TestParamsErrors(t *testing.T) {
	for _, tc := range []struct {
		params string
		want   string // the located error
	}{
		{`{n_estimator: 10}`, `t.yaml:6:12: model.params.n_estimator: unknown parameter; known: objective, num_class, n_estimators,`},
		{`{n_estimator: 10}`, `(did you mean "n_estimators"?)`},
		{`{etaa: 0.1}`, `(did you mean "eta"?)`},
		{`{max_depth: "six"}`, `t.yaml:6:23: model.params.max_depth: expected an integer, got "six"`},
		{`{max_depth: 2.5}`, "model.params.max_depth: expected an integer"},
		{`{max_depth: -1}`, "model.params.max_depth: must be >= 1, got -1"},
		{`{max_depth: 0}`, "model.params.max_depth: must be >= 1, got 0"},
		{`{learning_rate: 0}`, "model.params.learning_rate: must be > 0, got 0"},
		{`{learning_rate: -1}`, "model.params.learning_rate: must be > 0"},
		{`{learning_rate: fast}`, `model.params.learning_rate: expected a number, got "fast"`},
		{`{subsample: 0}`, "model.params.subsample: must be > 0"},
		{`{tree_method: [a]}`, "model.params.tree_method: expected a string, got a list"},
		{`{eval_metric: [auc, {a: 1}]}`, "model.params.eval_metric[1]: expected a string, got a mapping"},
		{`{eta: 0.1, learning_rate: 0.2}`, "model.params.learning_rate: key given twice (eta and learning_rate are the same)"},
	} {
		_, err := boosted.Params(parse(t, tc.params))
		var ce *config.ConfigError
		if !errors.As(err, &ce) || !errors.Is(err, config.ErrConfig) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: err = %v\nwant a *config.ConfigError containing %q", tc.params, err, tc.want)
		}
	}
	// boost's own rules, located by the trainer at the key.
	for _, tc := range []struct{ params, path, want string }{
		{`{booster: dart}`, "model.params.booster", "not supported: only gbtree"},
		{`{device: cuda}`, "model.params.device", "not supported: training runs on the CPU"},
		{`{sampling_method: gradient_based}`, "model.params.sampling_method", "not supported: gradient-based sampling"},
		{`{multi_strategy: multi_output_tree}`, "model.params.multi_strategy", "not supported: one tree per class"},
		{`{enable_categorical: true}`, "model.params.enable_categorical", "not supported: categorical splits"},
		{`{max_cat_to_onehot: 4}`, "model.params.max_cat_to_onehot", "not supported: categorical splits"},
		{`{max_cat_threshold: 64}`, "model.params.max_cat_threshold", "not supported: categorical splits"},
		{`{missing: -999}`, "model.params.missing", "not supported: missing values are NaN here"},
		{`{feature_types: [q, c]}`, "model.params.feature_types", "not supported: feature types come from the data"},
		{`{feature_weights: [1, 2]}`, "model.params.feature_weights", "not supported: weighted column sampling"},
		{`{callbacks: [x]}`, "model.params.callbacks", "not supported: Python callbacks"},
		{`{tree_method: approx}`, "model.params.tree_method", "not supported: approx"},
		{`{tree_method: exact, colsample_bynode: 0.5}`, "model.params.colsample_bynode", "not supported by tree_method exact"},
		{`{tree_method: exact, grow_policy: lossguide}`, "model.params.grow_policy", "only with tree_method hist"},
		{`{monotone_constraints: [1, 2]}`, "model.params.monotone_constraints[1]", "want -1, 0 or 1"},
		{`{interaction_constraints: [[0, -1]]}`, "model.params.interaction_constraints[0][1]", "want a feature index"},
		{`{importance_type: size}`, "model.params.importance_type", "want weight, gain, cover"},
		{`{subsample: 1.01}`, "model.params.subsample", "must be in (0, 1]"},
		{`{objective: 'multi:softprob'}`, "model.params.num_class", "multi:softprob needs num_class >= 2"},
		{`{eval_metric: mlogloss}`, "model.params.eval_metric", "only for multi:softprob"},
	} {
		_, err := boosted.Params(parse(t, tc.params))
		var fe *config.FieldError
		if !errors.As(err, &fe) || fe.Path != tc.path || !strings.Contains(fe.Msg, tc.want) {
			t.Errorf("%s: err = %v, want a FieldError at %s saying %q", tc.params, err, tc.path, tc.want)
		}
	}
}

// Model parameters are written with XGBoost's names (and aliases) in
// model.params and decoded by the config decoder.
func ExampleParams() {
	src := []byte(`version: 1
name: example
data: {source: sample:diabetes, target: Outcome}
model:
  trainer: classification
  params: {n_estimators: 200, max_depth: 4, eta: 0.1, eval_metric: auc}
`)
	p, err := config.Parse("example.yaml", src, nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	bp, err := boosted.Params(&p.Config)
	fmt.Println(err, bp.NEstimators, bp.MaxDepth, bp.LearningRate, bp.EvalMetric)
	p, _ = config.Parse("example.yaml", []byte(strings.Replace(string(src), "eta: 0.1", "learning_rate: fast", 1)), nil)
	_, err = boosted.Params(&p.Config)
	fmt.Println(err)
	// Output:
	// <nil> 200 4 0.1 [auc]
	// example.yaml:6:60: model.params.learning_rate: expected a number, got "fast"
}
