// Package metrics scores classifiers the way scikit-learn does: confusion
// matrices, threshold metrics (accuracy, precision, recall, F1, balanced
// accuracy, MCC), ranking metrics (ROC curve and AUC, precision-recall curve
// and average precision), log loss, and the aggregation of per-fold scores
// into means, standard deviations and confidence intervals.
//
// # Inputs
//
// Labels are class ids: yTrue and yPred hold non-negative integers stored as
// float64 (0..k-1); binary metrics treat 1 as the positive class. Scores
// (yScore) are the predicted probability, or any monotone score, of class 1.
// weights holds one non-negative weight per sample; nil means every weight is
// 1. Slices of different lengths, labels that are not class ids, NaN scores
// and negative weights are programmer errors and panic with a "metrics:"
// prefix, as in gonum/stat.
//
// # Undefined values
//
// Every function follows scikit-learn's default (zero_division="warn"),
// without the warning:
//   - precision, recall and F1 are 0 when their denominator is 0;
//   - balanced accuracy averages the recall of the classes present in yTrue
//     only;
//   - MCC is 0 when a marginal of the confusion matrix is constant;
//   - ROCAUC is NaN (scikit-learn raises an error) when yTrue holds a single
//     class; ROC then returns NaN rates for the absent class;
//   - with no positive sample, PrecisionRecall sets recall to 1 at every
//     threshold and AveragePrecision follows from that curve.
//
// The set of labels used by the Macro and Weighted averages, the confusion
// matrix size and balanced accuracy is, as in scikit-learn, the labels that
// occur in yTrue or yPred; ConfusionMatrix returns rows and columns 0..k-1
// where k-1 is the largest label seen, so a label absent from both inputs
// gives an all-zero row and column.
//
// # Curves
//
// ROC drops collinear points like roc_curve(drop_intermediate=True) and
// starts at threshold +Inf; PrecisionRecall keeps every distinct threshold
// like precision_recall_curve(drop_intermediate=False). Tied scores form one
// threshold. AveragePrecision is the step-wise sum Σ (R_n − R_{n−1}) P_n
// (not the trapezoidal area).
//
// # Log loss
//
// Probabilities are clipped to [ε, 1−ε] with ε the float64 machine epsilon
// (2.22e-16), like scikit-learn ≥ 1.5; rows are not renormalised.
//
// # Aggregation
//
// Aggregate summarises per-fold values: Std is the sample standard deviation
// (ddof = 1, like pandas, not numpy's default ddof = 0); the interval is
// Student's t (mean ± t_{n−1} s/√n) or a seeded bootstrap percentile interval
// of the mean. NaN values (for example ROC AUC of a single-class fold) are
// left out and counted in NaN. Folds of repeated cross-validation overlap,
// so these intervals are optimistic; they describe fold-to-fold spread.
//
// # JSON
//
// Summary, Stat and FoldScores marshal NaN and ±Inf as JSON null and
// unmarshal null back to NaN, so metrics.json is always valid JSON.
package metrics // import "github.com/mlstack/mlstack/pkg/metrics"
