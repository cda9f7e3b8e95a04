// Package boost trains and runs gradient-boosted decision trees compatible
// with XGBoost: the same training algorithm (tree_method hist and exact,
// depthwise and lossguide growth, XGBoost's gain, leaf weight and
// tie-breaking rules, its monotone and interaction constraints), the same
// parameters, and models that Python xgboost loads and that
// github.com/dmitryikh/leaves runs.
//
//	m, err := boost.Train(ctx, X, y, nil, &boost.Params{MaxDepth: 4})
//	p, err := m.Predict(Xtest)             // P(y=1) per row
//	err = m.WriteXGBoostJSON(f)            // xgb.Booster(model_file=...)
//	err = m.WriteLightGBM(f)               // boost.LoadLeaves (leaves, checked)
//
// # Rules
//
//   - Data: X is a gonum mat.Matrix with one row per sample (a *mat.Dense
//     is read straight from its backing slice; PredictDense takes a
//     row-major []float64). NaN is a missing value and
//     follows the default direction learned at each split, as in XGBoost;
//     ±Inf is an error. Features are used as float32, like XGBoost.
//   - Labels: 0/1 for binary:logistic, class indices 0..NumClass-1 for
//     multi:softprob, any finite value for reg:squarederror.
//   - Weights: nil means every row weighs 1; otherwise one finite, non-negative
//     weight per row.
//   - Parameters: the zero Params (or nil) means XGBoost's defaults; each
//     field documents its default. Its struct tags give XGBoost's names
//     and aliases, for the config decoder (pkg/experiment/config). Every
//     parameter of xgboost's scikit-learn API is a field: it works as in
//     xgboost 3.x, or is accepted and ignored when it does not change
//     training (verbosity, importance_type), or is refused with a
//     *ParamError saying "not supported: <reason>" (booster dart, device
//     cuda, enable_categorical, feature_weights, callbacks, ...).
//   - Errors: anything that comes from data, parameters or files is a
//     returned error wrapping one of the Err* sentinels (branch with
//     errors.Is; parameter errors are *ParamError). Only programmer errors
//     panic (PredictDense with slices of the wrong length).
//   - Bounds: parameters whose float32 form would overflow, a learning
//     rate above MaxLearningRate, scale_pos_weight above
//     MaxScalePosWeight and more than MaxClasses classes are refused.
//     Model readers (ReadXGBoostJSON, LoadLeaves) read at most
//     MaxModelBytes and check a file before sizing anything from it: at
//     most MaxClasses classes, MaxFeatures features and MaxTrees trees,
//     finite base scores and leaf values, and trees that are trees
//     (children in range, each reached once from the root, split features
//     below num_feature). A crafted file gets ErrModelFormat, never a
//     panic or an unbounded allocation.
//   - leaves (github.com/dmitryikh/leaves) trusts its input; load
//     LightGBM text through LoadLeaves, which only hands it files that
//     CheckLightGBM accepted.
//   - Determinism: for fixed data, parameters and RandomState the model is
//     identical whatever NJobs is: histograms are summed over fixed row
//     blocks in a fixed order, and all randomness comes from one
//     math/rand/v2 PCG stream seeded with RandomState: rows and columns
//     are sampled for each tree (each class's, each parallel tree's), then
//     columns for each level and node, nested as in XGBoost's
//     ColumnSampler; the draws are not XGBoost's (std::mt19937), so a
//     sampled model matches XGBoost's in distribution, not tree for tree.
//   - Threads: NJobs goroutines (0: GOMAXPROCS), and more for a loop when
//     Train's context carries an internal/cores pool with idle cores (the
//     last cross-validation folds borrow the cores of workers with no fold
//     left), up to GOMAXPROCS; by the rule above, not a bit of the model
//     depends on it.
//   - Cancellation: Train checks its context between trees.
//   - Early stopping follows xgboost's callback: the last metric on the
//     last evaluation set; training stops after EarlyStoppingRounds rounds
//     without a strict improvement, and the model keeps the trees up to
//     the best round (Model.BestIteration).
//   - Prediction sums leaf values in float32 in tree order starting from
//     the base margin, as XGBoost does, so predictions of a model and of
//     the same model loaded in Python xgboost agree to about 1e-7.
//   - Training with tree_method exact, and hist on data of up to ~2000
//     rows (where XGBoost's quantile sketch is exact), reproduces
//     XGBoost's trees split for split, with max_delta_step, monotone and
//     interaction constraints, lossguide, max_leaves and
//     num_parallel_tree too (TestParityParams); on larger data hist cuts
//     are exact weighted quantiles where XGBoost's sketch approximates
//     them.
//   - A Model is safe for concurrent use by Predict once built; do not
//     change its fields while predicting.
//
// # Performance
//
// Training with hist quantises each feature once (reading the matrix a
// group of up to eight columns at a time into each worker's buffers, so
// that no float32 copy of the whole matrix is made; zeros are counted, not
// sorted), keeps features whose most frequent bin holds
// at least half of the rows (one-hot columns, counts) as per-row lists of
// their other values, and builds each level's histograms for the smaller
// children only (the siblings are parent minus child), in float64 like
// XGBoost, adding only the dense features the tree samples
// (colsample_bytree). Rows left out by subsample take no part in
// histograms or partitions. On amd64 the loop that adds one-byte dense
// bins is SSE2 assembly (hist_amd64.s: one ADDPD a bin, the same two
// additions in the same order as the Go loop, which other platforms and
// -tags purego use), and with AVX2 the binary:logistic gradients are
// computed eight rows a step (objective_amd64.s: the same float32 and
// float64 operations as expf and the Go loop, so the same bits). The
// split scan for reg_alpha 0 and min_child_weight > 0 without bounds is
// SSE2 assembly too (scan_amd64.s: both sides' gains with one DIVPD, empty
// bins scanned rather than branched over, as their split cannot be
// strictly better than the one before); a node of at most a quarter of
// a feature's bins keeps a sparse histogram (its non-zero bins), with the
// dense arithmetic restricted to them, so trees are bit for bit the same.
// docs/BENCHMARKS.md (boost, search) has the measurements and what each
// of these saves.
//
// # Explaining predictions
//
// Contributions and Interactions are exact path-dependent TreeSHAP
// (Lundberg et al. 2018), as xgboost's predict(pred_contribs=True) and
// pred_interactions=True: the node covers (Node.Hess, XGBoost's
// sum_hessian) weigh the branches a missing feature could take, NaN
// follows the default direction, and the last column is the bias, the
// expected margin. Contributions repeat xgboost 3.2's float32 operations
// in its order, so the values of a model and of the same model loaded in
// xgboost are equal (within 1e-6 for an xgboost 3.1+ multiclass file,
// whose per-class intercepts ReadXGBoostJSON folds into leaves);
// Interactions walk only the trees that split on the
// feature held fixed and agree within 1e-6. A model without covers is
// ErrNoCover.
//
// # Compatibility
//
// WriteXGBoostJSON writes XGBoost's JSON model format with a scalar
// base_score and floats that always carry an exponent, readable by xgboost
// 1.7 (Debian's python3-xgboost) and 3.x, by xgb.Booster and by
// XGBClassifier/XGBRegressor.load_model (the scikit_learn attribute is
// written). ReadXGBoostJSON reads files written by either version
// (numeric splits, gbtree). WriteLightGBM writes LightGBM text v3 for
// leaves, with thresholds rewritten so that LightGBM's x <= t matches
// XGBoost's float32(x) < c for every input, including values exactly on a
// split and NaN.
//
// With the default BaseScore, binary:logistic and reg:squarederror start
// from the weighted label mean like xgboost 3.x (1.7 used 0.5);
// multi:softprob starts from per-class intercepts like xgboost 3.1+ (the
// centred log class frequencies). XGBoost 1.7 cannot read per-class
// intercepts, so a model keeps BaseScore = 0.5 and carries each class's
// intercept in the leaves of that class's first tree; ReadXGBoostJSON
// folds the intercept vectors of xgboost 3.1+ files the same way.
package boost
