package boost

import (
	"fmt"
	"math"
	"runtime"
	"slices"
	"strings"

	"github.com/mlstack/mlstack/internal/cores"
)

// Objectives.
const (
	BinaryLogistic  = "binary:logistic"
	MultiSoftprob   = "multi:softprob"
	RegSquaredError = "reg:squarederror"
)

// Tree methods.
const (
	Hist  = "hist"
	Exact = "exact"
)

// Params are the training parameters. Field names follow XGBoost's
// scikit-learn API; the zero value of every field means XGBoost's default,
// stated beside the field. Fields whose XGBoost default is not zero and for
// which zero is a legal value are pointers (nil = default); use Float to
// set them.
//
// The struct tags are for the config decoder (pkg/experiment/config): yaml
// gives XGBoost's name of each field, alias the other names XGBoost
// accepts (eta, min_split_loss, lambda, alpha, seed, nthread), and decode
// the rules on a value written: an explicit 0 is refused where 0 would
// silently mean the default (min=1, positive), and eval_metric may be one
// name or a list.
type Params struct {
	// Objective is binary:logistic (default), multi:softprob or
	// reg:squarederror.
	Objective string `yaml:"objective"`
	// NumClass is the number of classes for multi:softprob (required,
	// in [2, MaxClasses]); it must be 0 or 1 for other objectives.
	NumClass int `yaml:"num_class" decode:"min=1"`
	// NEstimators is the number of boosting rounds; 0 means 100.
	NEstimators int `yaml:"n_estimators" decode:"min=1"`
	// MaxDepth is the maximum tree depth; 0 means 6.
	MaxDepth int `yaml:"max_depth" decode:"min=1"`
	// LearningRate (eta) shrinks each tree, in (0, MaxLearningRate]; 0
	// means 0.3.
	LearningRate float64 `yaml:"learning_rate" alias:"eta" decode:"positive"`
	// MinChildWeight is the minimum hessian sum in a child; nil means 1.
	MinChildWeight *float64 `yaml:"min_child_weight"`
	// Gamma (min_split_loss) is the minimum loss reduction of a split;
	// default 0.
	Gamma float64 `yaml:"gamma" alias:"min_split_loss"`
	// RegLambda is the L2 penalty on leaf weights; nil means 1.
	RegLambda *float64 `yaml:"reg_lambda" alias:"lambda"`
	// RegAlpha is the L1 penalty on leaf weights; default 0.
	RegAlpha float64 `yaml:"reg_alpha" alias:"alpha"`
	// Subsample is the fraction of rows sampled for each tree, in (0, 1];
	// 0 means 1.
	Subsample float64 `yaml:"subsample" decode:"positive"`
	// ColsampleBytree is the fraction of features sampled for each tree,
	// in (0, 1]; 0 means 1.
	ColsampleBytree float64 `yaml:"colsample_bytree" decode:"positive"`
	// ScalePosWeight multiplies the weight of positive rows in
	// binary:logistic, in (0, MaxScalePosWeight]; 0 means 1.
	ScalePosWeight float64 `yaml:"scale_pos_weight" decode:"positive"`
	// MaxBin is the maximum number of histogram bins per feature (hist
	// only), >= 2; 0 means 256.
	MaxBin int `yaml:"max_bin" decode:"min=2"`
	// BaseScore is the initial prediction in output space (a probability
	// for binary:logistic). nil means automatic as in XGBoost 3.x: the
	// weighted label mean for binary:logistic (one Newton step from 0 when
	// ScalePosWeight != 1) and reg:squarederror, 0.5 for multi:softprob.
	BaseScore *float64 `yaml:"base_score"`
	// RandomState seeds row and feature subsampling; default 0.
	RandomState uint64 `yaml:"random_state" alias:"seed"`
	// NJobs is the number of goroutines; 0 or negative means
	// runtime.GOMAXPROCS(0). Results do not depend on it.
	NJobs int `yaml:"n_jobs" alias:"nthread"`
	// TreeMethod is "hist" (default) or "exact".
	TreeMethod string `yaml:"tree_method"`
	// EvalMetric lists the metrics computed on every evaluation set after
	// each round: logloss, auc, error, rmse, mlogloss. Empty means the
	// objective's default (logloss, mlogloss, rmse). Early stopping
	// watches the last metric.
	EvalMetric []string `yaml:"eval_metric" decode:"single"`
	// EarlyStoppingRounds stops training when the last metric on the last
	// evaluation set has not improved for this many rounds; 0 disables.
	EarlyStoppingRounds int `yaml:"early_stopping_rounds" decode:"min=0"`

	// ColsampleBylevel is the fraction of the tree's features (after
	// colsample_bytree) sampled for each depth of the tree, in (0, 1]; 0
	// means 1. As in XGBoost the samples nest: bytree, then bylevel, then
	// bynode, each drawn from the one before.
	ColsampleBylevel float64 `yaml:"colsample_bylevel" decode:"positive"`
	// ColsampleBynode is the fraction of the level's features sampled for
	// each node, in (0, 1]; 0 means 1. hist only (XGBoost's exact refuses
	// it too).
	ColsampleBynode float64 `yaml:"colsample_bynode" decode:"positive"`
	// MaxDeltaStep bounds the absolute value of every leaf weight (before
	// the learning rate), >= 0; default 0, no bound. The split gain is
	// then computed from the bounded weights, as in XGBoost.
	MaxDeltaStep float64 `yaml:"max_delta_step"`
	// MonotoneConstraints gives one of -1 (decreasing), 0 (none) or 1
	// (increasing) per feature, in column order; features past the end of
	// the list are unconstrained. Default none. As XGBoost's TreeEvaluator,
	// a split on a constrained feature is refused when its child weights go
	// the wrong way, and each split bounds the weights of the subtrees
	// below by the midpoint of its two child weights. A non-empty list
	// also switches the gain to the weight form (XGBoost does the same).
	// Refused with multi:softprob. Given by position only: xgboost's
	// mapping from feature names is not supported.
	MonotoneConstraints []int `yaml:"monotone_constraints"`
	// InteractionConstraints lists groups of feature indices (columns,
	// 0-based) allowed to interact: a node may split on a feature used on
	// its path, or on any feature of a group that holds every feature on
	// its path (XGBoost's FeatureInteractionConstraintHost). The root may
	// split on any feature. Default none. Indices only: xgboost's lists of
	// feature names are not supported.
	InteractionConstraints [][]int `yaml:"interaction_constraints"`
	// NumParallelTree is the number of trees grown in each round on the
	// same gradients (each with its own row and column samples; random
	// forests with subsample/colsample < 1), whose leaf values are scaled
	// by learning_rate/num_parallel_tree, as in XGBoost; 0 means 1.
	NumParallelTree int `yaml:"num_parallel_tree" decode:"min=1"`
	// GrowPolicy is "depthwise" (default: level by level) or "lossguide"
	// (always split the leaf with the largest loss change; hist only).
	GrowPolicy string `yaml:"grow_policy"`
	// MaxLeaves bounds the number of leaves of a tree (hist only, with
	// either grow policy); default 0, no bound. max_depth still applies.
	MaxLeaves int `yaml:"max_leaves" decode:"min=0"`

	// The rest of XGBoost's scikit-learn parameters. Those that do not
	// change training are accepted and ignored; the others are accepted
	// only with the value that behaves as this package does, and refused
	// otherwise with "not supported: <reason>".

	// Verbosity is accepted and ignored (XGBoost's log level).
	Verbosity int `yaml:"verbosity"`
	// ValidateParameters is accepted and ignored: parameters are always
	// validated.
	ValidateParameters *bool `yaml:"validate_parameters"`
	// ImportanceType is accepted and ignored for training (XGBoost uses it
	// for feature_importances_ only): weight, gain, cover, total_gain or
	// total_cover.
	ImportanceType string `yaml:"importance_type"`
	// Booster must be gbtree (the default); gblinear and dart are refused.
	Booster string `yaml:"booster"`
	// Device must be cpu (the default).
	Device string `yaml:"device"`
	// SamplingMethod must be uniform (the default; gradient_based is a
	// CUDA-only method in XGBoost).
	SamplingMethod string `yaml:"sampling_method"`
	// MultiStrategy must be one_output_per_tree (the default).
	MultiStrategy string `yaml:"multi_strategy"`
	// EnableCategorical must be false: categorical columns are encoded by
	// the cleaning steps (one-hot or ordinal) before training.
	EnableCategorical bool `yaml:"enable_categorical"`
	// Missing must be NaN (the default): the data reader turns the
	// missing markers into NaN (data.missing in the config).
	Missing any `yaml:"missing"`
	// MaxCatToOnehot, MaxCatThreshold, FeatureTypes, FeatureWeights and
	// Callbacks are refused when given: categorical splits, weighted
	// column sampling and Python callbacks are not supported.
	MaxCatToOnehot  any `yaml:"max_cat_to_onehot"`
	MaxCatThreshold any `yaml:"max_cat_threshold"`
	FeatureTypes    any `yaml:"feature_types"`
	FeatureWeights  any `yaml:"feature_weights"`
	Callbacks       any `yaml:"callbacks"`
}

// Bounds on parameters. Beyond them training overflows float32 (NaN
// predictions) or allocates without bound; XGBoost has no such bounds and
// fails in the same way.
const (
	// MaxClasses bounds NumClass, here and in model files.
	MaxClasses = 10000
	// MaxLearningRate bounds LearningRate.
	MaxLearningRate = 1e3
	// MaxScalePosWeight bounds ScalePosWeight.
	MaxScalePosWeight = 1e6
	// MaxParallelTrees bounds NumParallelTree.
	MaxParallelTrees = 1000
)

// Float returns a pointer to v, for the pointer fields of Params.
func Float(v float64) *float64 { return &v }

// resolved holds Params with defaults applied; float32 like XGBoost's
// TrainParam.
type resolved struct {
	objective      string
	numClass       int // number of output groups (1 unless multiclass)
	nEstimators    int
	maxDepth       int
	eta            float32
	leafEta        float32 // eta / num_parallel_tree: the scale of leaf values
	minChildWeight float32
	gamma          float32
	lambda         float32
	alpha          float32
	maxDeltaStep   float32
	subsample      float64
	colsample      float64
	colsampleLevel float32
	colsampleNode  float32
	scalePosWeight float32
	maxBin         int
	baseScore      *float64
	seed           uint64
	threads        int
	// pool lends a fit idle cores beyond threads, up to most goroutines
	// a loop (Train sets both from its context; see internal/cores).
	pool          *cores.Pool
	most          int
	treeMethod    string
	metrics       []string
	earlyStopping int
	parallelTrees int
	lossguide     bool
	maxLeaves     int
	monotone      []int8    // per feature given (may be shorter than the data)
	interaction   [][]int32 // groups of features; nil = none
	// weightGain: compute split gains from the (bounded) leaf weights
	// (XGBoost's CalcGainGivenWeight), with max_delta_step or monotone
	// constraints; otherwise the closed form (leafGain).
	weightGain bool
}

// Validate reports the first invalid field as a *ParamError.
func (p *Params) Validate() error {
	_, err := p.resolve()
	return err
}

func (p *Params) resolve() (resolved, error) {
	var r resolved
	var q Params
	if p != nil {
		q = *p
	}
	for _, step := range []func(*Params, *resolved) error{
		resolveObjective, resolveTree, resolvePenalties, resolveSampling,
		resolveConstraints, resolveRun, resolveMetrics, refuseUnsupported,
	} {
		if err := step(&q, &r); err != nil {
			return r, err
		}
	}
	return r, nil
}

// resolveObjective: objective and num_class.
func resolveObjective(q *Params, r *resolved) error {
	r.objective = q.Objective
	if r.objective == "" {
		r.objective = BinaryLogistic
	}
	switch r.objective {
	case BinaryLogistic, RegSquaredError:
		if q.NumClass > 1 {
			return invalid("num_class", q.NumClass, "only multi:softprob takes num_class")
		}
		r.numClass = 1
	case MultiSoftprob:
		if q.NumClass < 2 {
			return invalid("num_class", q.NumClass, "multi:softprob needs num_class >= 2")
		}
		if q.NumClass > MaxClasses {
			return invalid("num_class", q.NumClass, "at most %d classes", MaxClasses)
		}
		r.numClass = q.NumClass
	default:
		return invalid("objective", q.Objective, "want %s, %s or %s", BinaryLogistic, MultiSoftprob, RegSquaredError)
	}
	if q.NumClass < 0 {
		return invalid("num_class", q.NumClass, "must not be negative")
	}
	return nil
}

// resolveTree: the shape of each tree and of the ensemble (rounds,
// depth, leaves, grow policy, tree method, parallel trees, bins).
func resolveTree(q *Params, r *resolved) error {
	r.nEstimators = defInt(q.NEstimators, 100)
	if q.NEstimators < 0 {
		return invalid("n_estimators", q.NEstimators, "must be positive")
	}
	r.treeMethod = q.TreeMethod
	switch r.treeMethod {
	case "", "auto":
		r.treeMethod = Hist
	case Hist, Exact:
	case "approx":
		return invalid("tree_method", q.TreeMethod, "not supported: approx re-sketches the data every round; use hist (the same splits on data of up to ~2000 rows, finer ones beyond) or exact")
	default:
		return invalid("tree_method", q.TreeMethod, "want hist or exact")
	}
	switch q.GrowPolicy {
	case "", "depthwise":
	case "lossguide":
		if r.treeMethod != Hist {
			return invalid("grow_policy", q.GrowPolicy, "only with tree_method hist (as in XGBoost)")
		}
		r.lossguide = true
	default:
		return invalid("grow_policy", q.GrowPolicy, "want depthwise or lossguide")
	}
	if q.MaxLeaves < 0 {
		return invalid("max_leaves", q.MaxLeaves, "must not be negative")
	}
	if q.MaxLeaves > 0 && r.treeMethod != Hist {
		return invalid("max_leaves", q.MaxLeaves, "only with tree_method hist (XGBoost's exact ignores it)")
	}
	r.maxLeaves = q.MaxLeaves
	r.maxDepth = defInt(q.MaxDepth, 6)
	if q.MaxDepth < 0 {
		return invalid("max_depth", q.MaxDepth, "must not be negative")
	}
	if q.MaxDepth > 30 {
		return invalid("max_depth", q.MaxDepth, "at most 30 with the depthwise grower")
	}
	if r.parallelTrees = defInt(q.NumParallelTree, 1); q.NumParallelTree < 0 || q.NumParallelTree > MaxParallelTrees {
		return invalid("num_parallel_tree", q.NumParallelTree, "must be in [1, %d]", MaxParallelTrees)
	}
	r.maxBin = defInt(q.MaxBin, 256)
	if q.MaxBin < 0 || q.MaxBin == 1 || q.MaxBin > 65535 {
		return invalid("max_bin", q.MaxBin, "must be in [2, 65535]")
	}
	return nil
}

// resolvePenalties: learning rate, min_child_weight and the
// regularisation of leaf weights and gains.
func resolvePenalties(q *Params, r *resolved) error {
	if err := finite("learning_rate", q.LearningRate); err != nil {
		return err
	}
	if q.LearningRate < 0 || q.LearningRate > MaxLearningRate {
		return invalid("learning_rate", q.LearningRate, "must be in (0, %g]", float64(MaxLearningRate))
	}
	r.eta = float32(defFloat(q.LearningRate, 0.3))
	r.leafEta = r.eta / float32(r.parallelTrees)
	r.minChildWeight = 1
	if q.MinChildWeight != nil {
		if err := nonNegative("min_child_weight", *q.MinChildWeight); err != nil {
			return err
		}
		r.minChildWeight = float32(*q.MinChildWeight)
	}
	if err := nonNegative("gamma", q.Gamma); err != nil {
		return err
	}
	r.gamma = float32(q.Gamma)
	r.lambda = 1
	if q.RegLambda != nil {
		if err := nonNegative("reg_lambda", *q.RegLambda); err != nil {
			return err
		}
		r.lambda = float32(*q.RegLambda)
	}
	if err := nonNegative("reg_alpha", q.RegAlpha); err != nil {
		return err
	}
	r.alpha = float32(q.RegAlpha)
	if err := nonNegative("max_delta_step", q.MaxDeltaStep); err != nil {
		return err
	}
	r.maxDeltaStep = float32(q.MaxDeltaStep)
	if err := finite("scale_pos_weight", q.ScalePosWeight); err != nil {
		return err
	}
	if q.ScalePosWeight < 0 || q.ScalePosWeight > MaxScalePosWeight {
		return invalid("scale_pos_weight", q.ScalePosWeight, "must be in (0, %g]", float64(MaxScalePosWeight))
	}
	r.scalePosWeight = float32(defFloat(q.ScalePosWeight, 1))
	if q.BaseScore != nil {
		b := *q.BaseScore
		if err := finite("base_score", b); err != nil {
			return err
		}
		if math.Abs(b) > math.MaxFloat32 {
			return invalid("base_score", b, "must be a float32 (|x| <= %g)", math.MaxFloat32)
		}
		if r.objective == BinaryLogistic && (b <= 0 || b >= 1) {
			return invalid("base_score", b, "must be in (0, 1) for binary:logistic")
		}
		r.baseScore = &b
	}
	return nil
}

// resolveSampling: row and column sampling.
func resolveSampling(q *Params, r *resolved) error {
	for _, f := range []struct {
		name string
		v    float64
	}{{"subsample", q.Subsample}, {"colsample_bytree", q.ColsampleBytree}, {"colsample_bylevel", q.ColsampleBylevel}, {"colsample_bynode", q.ColsampleBynode}} {
		if err := finite(f.name, f.v); err != nil {
			return err
		}
		if f.v < 0 || f.v > 1 {
			return invalid(f.name, f.v, "must be in (0, 1]")
		}
	}
	r.subsample = defFloat(q.Subsample, 1)
	r.colsample = defFloat(q.ColsampleBytree, 1)
	r.colsampleLevel = float32(defFloat(q.ColsampleBylevel, 1))
	r.colsampleNode = float32(defFloat(q.ColsampleBynode, 1))
	if r.colsampleNode < 1 && r.treeMethod == Exact {
		return invalid("colsample_bynode", q.ColsampleBynode, "not supported by tree_method exact (XGBoost refuses it too); use hist")
	}
	switch q.SamplingMethod {
	case "", "uniform":
	case "gradient_based":
		return invalid("sampling_method", q.SamplingMethod, "not supported: gradient-based sampling is XGBoost's CUDA-only method; use uniform")
	default:
		return invalid("sampling_method", q.SamplingMethod, "want uniform")
	}
	return nil
}

// resolveConstraints: monotone and interaction constraints. The
// features are checked against the data's columns by Train.
func resolveConstraints(q *Params, r *resolved) error {
	if len(q.MonotoneConstraints) > MaxFeatures {
		return invalid("monotone_constraints", len(q.MonotoneConstraints), "at most %d features", MaxFeatures)
	}
	if len(q.MonotoneConstraints) > 0 {
		r.monotone = make([]int8, len(q.MonotoneConstraints))
		for i, v := range q.MonotoneConstraints {
			if v < -1 || v > 1 {
				return invalid(fmt.Sprintf("monotone_constraints[%d]", i), v, "want -1, 0 or 1")
			}
			r.monotone[i] = int8(v)
		}
		if r.numClass > 1 {
			// XGBoost grows one tree per class; it takes the constraint, but
			// a constraint on each class's margin is not one on the output.
			return invalid("monotone_constraints", q.MonotoneConstraints, "not supported with multi:softprob (a class's probability depends on every class's trees)")
		}
	}
	r.weightGain = r.maxDeltaStep != 0 || len(r.monotone) > 0
	total := 0
	for i, group := range q.InteractionConstraints {
		total += len(group)
		if total > MaxFeatures {
			return invalid("interaction_constraints", total, "at most %d features in all", MaxFeatures)
		}
		g := make([]int32, len(group))
		for j, f := range group {
			if f < 0 || f >= MaxFeatures {
				return invalid(fmt.Sprintf("interaction_constraints[%d][%d]", i, j), f, "want a feature index in [0, %d)", MaxFeatures)
			}
			g[j] = int32(f)
		}
		r.interaction = append(r.interaction, g)
	}
	return nil
}

// resolveRun: seed and threads (results do not depend on the threads).
func resolveRun(q *Params, r *resolved) error {
	r.seed = q.RandomState
	r.threads = q.NJobs
	if r.threads <= 0 {
		r.threads = runtime.GOMAXPROCS(0)
	}
	return nil
}

// resolveMetrics: evaluation metrics and early stopping.
func resolveMetrics(q *Params, r *resolved) error {
	r.metrics = slices.Clone(q.EvalMetric)
	if len(r.metrics) == 0 {
		switch r.objective {
		case BinaryLogistic:
			r.metrics = []string{"logloss"}
		case MultiSoftprob:
			r.metrics = []string{"mlogloss"}
		default:
			r.metrics = []string{"rmse"}
		}
	}
	for _, m := range r.metrics {
		switch m {
		case "logloss", "auc", "error":
			if r.objective != BinaryLogistic {
				return invalid("eval_metric", m, "only for binary:logistic")
			}
		case "mlogloss":
			if r.objective != MultiSoftprob {
				return invalid("eval_metric", m, "only for multi:softprob")
			}
		case "rmse":
		default:
			return invalid("eval_metric", m, "want logloss, auc, error, rmse or mlogloss")
		}
	}
	if q.EarlyStoppingRounds < 0 {
		return invalid("early_stopping_rounds", q.EarlyStoppingRounds, "must not be negative")
	}
	r.earlyStopping = q.EarlyStoppingRounds
	return nil
}

// refuseUnsupported checks the scikit-learn parameters that are accepted
// only with the value that behaves as this package does.
func refuseUnsupported(q *Params, _ *resolved) error {
	switch q.Booster {
	case "", "gbtree":
	case "gblinear", "dart":
		return invalid("booster", q.Booster, "not supported: only gbtree (boosted trees)")
	default:
		return invalid("booster", q.Booster, "want gbtree")
	}
	switch q.Device {
	case "", "cpu":
	default:
		return invalid("device", q.Device, "not supported: training runs on the CPU (device cpu)")
	}
	switch q.MultiStrategy {
	case "", "one_output_per_tree":
	case "multi_output_tree":
		return invalid("multi_strategy", q.MultiStrategy, "not supported: one tree per class (one_output_per_tree)")
	default:
		return invalid("multi_strategy", q.MultiStrategy, "want one_output_per_tree")
	}
	switch q.ImportanceType {
	case "", Weight, Gain, Cover, TotalGain, TotalCover:
	default:
		return invalid("importance_type", q.ImportanceType, "want weight, gain, cover, total_gain or total_cover")
	}
	if q.EnableCategorical {
		return invalid("enable_categorical", true, "not supported: categorical splits; encode categorical columns with a clean step (one-hot or ordinal)")
	}
	switch v := q.Missing.(type) {
	case nil:
	case float64:
		if !math.IsNaN(v) {
			return invalid("missing", v, "not supported: missing values are NaN here; declare other markers with data.missing")
		}
	case string:
		if !strings.EqualFold(v, "nan") && !strings.EqualFold(v, ".nan") {
			return invalid("missing", v, "not supported: missing values are NaN here; declare other markers with data.missing")
		}
	default:
		return invalid("missing", v, "not supported: missing values are NaN here; declare other markers with data.missing")
	}
	for _, f := range []struct {
		name   string
		v      any
		reason string
	}{
		{"max_cat_to_onehot", q.MaxCatToOnehot, "categorical splits (enable_categorical) are not supported; encode with a clean step"},
		{"max_cat_threshold", q.MaxCatThreshold, "categorical splits (enable_categorical) are not supported; encode with a clean step"},
		{"feature_types", q.FeatureTypes, "feature types come from the data and its clean steps"},
		{"feature_weights", q.FeatureWeights, "weighted column sampling; colsample_* sample features uniformly"},
		{"callbacks", q.Callbacks, "Python callbacks; use eval_metric and early_stopping_rounds"},
	} {
		if f.v != nil {
			return invalid(f.name, f.v, "not supported: %s", f.reason)
		}
	}
	return nil
}

func defInt(v, d int) int {
	if v == 0 {
		return d
	}
	return v
}

func defFloat(v, d float64) float64 {
	if v == 0 {
		return d
	}
	return v
}

// nonNegative checks that a parameter is finite, >= 0 and a float32 (the
// penalties and thresholds are float32, like XGBoost's TrainParam: a larger
// value would become +Inf).
func nonNegative(name string, v float64) error {
	if err := finite(name, v); err != nil {
		return err
	}
	if v < 0 {
		return invalid(name, v, "must be >= 0")
	}
	if v > math.MaxFloat32 {
		return invalid(name, v, "must be a float32 (<= %g)", math.MaxFloat32)
	}
	return nil
}

func finite(name string, v float64) error {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return invalid(name, v, "must be finite")
	}
	return nil
}

// String renders the parameters with XGBoost names, defaults applied.
func (p *Params) String() string {
	r, err := p.resolve()
	if err != nil {
		return "invalid: " + err.Error()
	}
	policy := "depthwise"
	if r.lossguide {
		policy = "lossguide"
	}
	s := fmt.Sprintf("objective=%s num_class=%d n_estimators=%d max_depth=%d learning_rate=%g min_child_weight=%g gamma=%g reg_lambda=%g reg_alpha=%g max_delta_step=%g subsample=%g colsample_bytree=%g colsample_bylevel=%g colsample_bynode=%g scale_pos_weight=%g max_bin=%d tree_method=%s grow_policy=%s max_leaves=%d num_parallel_tree=%d",
		r.objective, r.numClass, r.nEstimators, r.maxDepth, r.eta, r.minChildWeight, r.gamma, r.lambda, r.alpha, r.maxDeltaStep, r.subsample, r.colsample,
		r.colsampleLevel, r.colsampleNode, r.scalePosWeight, r.maxBin, r.treeMethod, policy, r.maxLeaves, r.parallelTrees)
	if p != nil && len(p.MonotoneConstraints) > 0 {
		s += fmt.Sprintf(" monotone_constraints=%v", p.MonotoneConstraints)
	}
	if p != nil && len(p.InteractionConstraints) > 0 {
		s += fmt.Sprintf(" interaction_constraints=%v", p.InteractionConstraints)
	}
	return s
}
