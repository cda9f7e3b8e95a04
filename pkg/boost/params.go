package boost

import (
	"fmt"
	"math"
	"runtime"
	"slices"
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
	minChildWeight float32
	gamma          float32
	lambda         float32
	alpha          float32
	subsample      float64
	colsample      float64
	scalePosWeight float32
	maxBin         int
	baseScore      *float64
	seed           uint64
	threads        int
	treeMethod     string
	metrics        []string
	earlyStopping  int
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
	r.objective = q.Objective
	if r.objective == "" {
		r.objective = BinaryLogistic
	}
	switch r.objective {
	case BinaryLogistic, RegSquaredError:
		if q.NumClass > 1 {
			return r, invalid("num_class", q.NumClass, "only multi:softprob takes num_class")
		}
		r.numClass = 1
	case MultiSoftprob:
		if q.NumClass < 2 {
			return r, invalid("num_class", q.NumClass, "multi:softprob needs num_class >= 2")
		}
		if q.NumClass > MaxClasses {
			return r, invalid("num_class", q.NumClass, "at most %d classes", MaxClasses)
		}
		r.numClass = q.NumClass
	default:
		return r, invalid("objective", q.Objective, "want %s, %s or %s", BinaryLogistic, MultiSoftprob, RegSquaredError)
	}
	if q.NumClass < 0 {
		return r, invalid("num_class", q.NumClass, "must not be negative")
	}
	r.nEstimators = defInt(q.NEstimators, 100)
	if q.NEstimators < 0 {
		return r, invalid("n_estimators", q.NEstimators, "must be positive")
	}
	r.maxDepth = defInt(q.MaxDepth, 6)
	if q.MaxDepth < 0 {
		return r, invalid("max_depth", q.MaxDepth, "must not be negative")
	}
	if q.MaxDepth > 30 {
		return r, invalid("max_depth", q.MaxDepth, "at most 30 with the depthwise grower")
	}
	if err := finite("learning_rate", q.LearningRate); err != nil {
		return r, err
	}
	if q.LearningRate < 0 || q.LearningRate > MaxLearningRate {
		return r, invalid("learning_rate", q.LearningRate, "must be in (0, %g]", float64(MaxLearningRate))
	}
	r.eta = float32(defFloat(q.LearningRate, 0.3))
	r.minChildWeight = 1
	if q.MinChildWeight != nil {
		if err := nonNegative("min_child_weight", *q.MinChildWeight); err != nil {
			return r, err
		}
		r.minChildWeight = float32(*q.MinChildWeight)
	}
	if err := nonNegative("gamma", q.Gamma); err != nil {
		return r, err
	}
	r.gamma = float32(q.Gamma)
	r.lambda = 1
	if q.RegLambda != nil {
		if err := nonNegative("reg_lambda", *q.RegLambda); err != nil {
			return r, err
		}
		r.lambda = float32(*q.RegLambda)
	}
	if err := nonNegative("reg_alpha", q.RegAlpha); err != nil {
		return r, err
	}
	r.alpha = float32(q.RegAlpha)
	if err := finite("subsample", q.Subsample); err != nil {
		return r, err
	}
	if q.Subsample < 0 || q.Subsample > 1 {
		return r, invalid("subsample", q.Subsample, "must be in (0, 1]")
	}
	r.subsample = defFloat(q.Subsample, 1)
	if err := finite("colsample_bytree", q.ColsampleBytree); err != nil {
		return r, err
	}
	if q.ColsampleBytree < 0 || q.ColsampleBytree > 1 {
		return r, invalid("colsample_bytree", q.ColsampleBytree, "must be in (0, 1]")
	}
	r.colsample = defFloat(q.ColsampleBytree, 1)
	if err := finite("scale_pos_weight", q.ScalePosWeight); err != nil {
		return r, err
	}
	if q.ScalePosWeight < 0 || q.ScalePosWeight > MaxScalePosWeight {
		return r, invalid("scale_pos_weight", q.ScalePosWeight, "must be in (0, %g]", float64(MaxScalePosWeight))
	}
	r.scalePosWeight = float32(defFloat(q.ScalePosWeight, 1))
	r.maxBin = defInt(q.MaxBin, 256)
	if q.MaxBin < 0 || q.MaxBin == 1 || q.MaxBin > 65535 {
		return r, invalid("max_bin", q.MaxBin, "must be in [2, 65535]")
	}
	if q.BaseScore != nil {
		b := *q.BaseScore
		if err := finite("base_score", b); err != nil {
			return r, err
		}
		if math.Abs(b) > math.MaxFloat32 {
			return r, invalid("base_score", b, "must be a float32 (|x| <= %g)", math.MaxFloat32)
		}
		if r.objective == BinaryLogistic && (b <= 0 || b >= 1) {
			return r, invalid("base_score", b, "must be in (0, 1) for binary:logistic")
		}
		r.baseScore = &b
	}
	r.seed = q.RandomState
	r.threads = q.NJobs
	if r.threads <= 0 {
		r.threads = runtime.GOMAXPROCS(0)
	}
	r.treeMethod = q.TreeMethod
	switch r.treeMethod {
	case "", "auto":
		r.treeMethod = Hist
	case Hist, Exact:
	default:
		return r, invalid("tree_method", q.TreeMethod, "want hist or exact")
	}
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
				return r, invalid("eval_metric", m, "only for binary:logistic")
			}
		case "mlogloss":
			if r.objective != MultiSoftprob {
				return r, invalid("eval_metric", m, "only for multi:softprob")
			}
		case "rmse":
		default:
			return r, invalid("eval_metric", m, "want logloss, auc, error, rmse or mlogloss")
		}
	}
	if q.EarlyStoppingRounds < 0 {
		return r, invalid("early_stopping_rounds", q.EarlyStoppingRounds, "must not be negative")
	}
	r.earlyStopping = q.EarlyStoppingRounds
	return r, nil
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
	return fmt.Sprintf("objective=%s num_class=%d n_estimators=%d max_depth=%d learning_rate=%g min_child_weight=%g gamma=%g reg_lambda=%g reg_alpha=%g subsample=%g colsample_bytree=%g scale_pos_weight=%g max_bin=%d tree_method=%s",
		r.objective, r.numClass, r.nEstimators, r.maxDepth, r.eta, r.minChildWeight, r.gamma, r.lambda, r.alpha, r.subsample, r.colsample, r.scalePosWeight, r.maxBin, r.treeMethod)
}
