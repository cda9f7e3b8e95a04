// Package cv splits data into stratified cross-validation folds and runs a
// fold function over them.
//
// # Splitters
//
// StratifiedKFold and RepeatedStratifiedKFold follow scikit-learn's
// algorithm (sklearn/model_selection/_split.py, StratifiedKFold since 0.22):
//   - classes are taken in order of first appearance in y;
//   - the class-sorted labels are dealt round-robin to the folds, so each
//     fold holds, for every class, the same number of samples as
//     scikit-learn's (per-class counts differ by at most one between folds,
//     fold sizes by at most one);
//   - within a class, fold membership is assigned in row order (no shuffle)
//     or by a random permutation (shuffle);
//   - every sample is in exactly one test fold per repeat; train and test
//     indices are sorted ascending;
//   - each repeat draws a fresh permutation from one random stream seeded by
//     Seed, so a seed fixes every split. The stream is math/rand/v2's PCG,
//     not NumPy's, so the permutations (not the counts) differ from
//     scikit-learn's.
//
// Unlike scikit-learn, which only warns when some class has fewer members
// than the number of folds, Split returns an error naming that class and its
// count: such a class would be missing from some folds' training data.
// NSplits < 2 is an error too. Zero fields take scikit-learn's defaults.
//
// # Running folds
//
// RunFolds calls a FoldFunc for every split — the caller's function fits
// everything it needs (cleaning, a Resampler such as SMOTE, the model) on
// the training rows of the split only and predicts its test rows — and
// scores the out-of-fold predictions (metrics.BinaryScores,
// metrics.MulticlassScores or metrics.RegressionScores). The rules:
//   - Folds run in parallel on at most Options.Workers goroutines. Every
//     fold derives its own seed from Options.Seed and its position
//     (FoldSeed), and results are stored by position, so the output is
//     identical for any number of workers. Each fold's context carries an
//     internal/cores pool of the workers' slots: once no fold is left to
//     start, the folds still running may borrow the idle workers' cores
//     for their parallel loops (pkg/boost does), so the last fold of
//     5-fold cross-validation on two cores does not run on one.
//   - Options.Progress, if set, is called once per finished fold with
//     (done, total); calls are serialised and done increases by one.
//   - A cancelled context stops the run: no new fold starts, the running
//     ones see ctx, and RunFolds returns ctx.Err().
//   - A Resampler returns the training rows it was given, unchanged and in
//     order, followed by its synthetic rows; it is never applied to test
//     rows, so synthetic rows never reach a test fold.
//   - Labels must be class ids 0..k-1 with k ≤ MaxClasses; any other label
//     (negative, fractional, NaN, too large) is a *LabelError naming its
//     row. Callers map their labels to ids first.
//   - A NaN or infinite prediction (a model that diverged) fails its fold
//     with an error naming the row; the metrics never see it.
//   - A panic inside a fold is a bug: it is recovered and returned as a
//     *crash.PanicError (internal/crash) carrying the stack, so a command
//     can report it instead of dying.
package cv // import "github.com/mlstack/mlstack/pkg/cv"
