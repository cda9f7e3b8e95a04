// Package resample rebalances classification data before training:
// SMOTE and SMOTENC with imbalanced-learn's semantics.
//
// # Rules
//
//   - X holds one sample per row (NaN is not allowed: impute first; the
//     error names the column), y holds class ids 0..k-1. A label that is not
//     a class id is an error; len(y) != rows of X panics.
//   - Output: the original rows, unchanged and in order, then the synthetic
//     rows class by class in increasing class id; y likewise. This is what
//     cv.Resampler requires.
//   - How many rows each class gains is a Strategy: Auto (imbalanced-learn's
//     "auto" = "not majority"), Ratio (a float strategy, binary only) or
//     Targets (per-class counts after resampling). Impossible strategies
//     return errors wrapping ErrStrategy.
//   - Neighbours are searched within the class only, Euclidean, excluding
//     the row itself; a class that must grow needs at least K+1 rows
//     (TooFewSamplesError names the class and counts). Classes that gain
//     nothing are not checked, as in imbalanced-learn.
//   - Randomness comes from the *rand.Rand passed to Resample (math/rand/v2):
//     the same generator state gives the same rows, whatever Workers is. The
//     stream is not NumPy's, so the rows differ from imbalanced-learn's for
//     the same seed while the counts, and the geometry (every synthetic row
//     lies on the segment from a row to one of its K nearest neighbours of
//     the same class), are the same.
//
// # Performance
//
// The neighbour search is an exact brute force over the n(n−1)/2 pairs of
// each class, tiled (64-row blocks, 4-row register blocking) and run on
// Workers goroutines: O(n_class² · d). BenchmarkSMOTE100kx30 (100,000 × 30,
// 10% minority, 80,000 new rows) takes about 0.7 s of CPU per run, 1.6–1.9 s
// wall on a 2-core machine at load average 13 (0.84 s wall was measured with
// a slower kernel on the same machine at lower load).
// Classes of several 10^4 rows grow quadratically; a tree index would help
// low-dimensional data.
package resample // import "github.com/mlstack/mlstack/pkg/resample"
