// Package resample rebalances classification data before training:
// SMOTE and SMOTENC with imbalanced-learn's semantics.
//
// # Rules
//
//   - X holds one sample per row (finite values only; see below), y holds
//     class ids 0..k-1. A label that is not a class id is an error;
//     len(y) != rows of X panics.
//   - Output: the original rows, unchanged and in order, then the synthetic
//     rows class by class in increasing class id; y likewise. This is what
//     cv.Resampler requires.
//   - How many rows each class gains is a Strategy: Auto (imbalanced-learn's
//     "auto" = "not majority"), Ratio (a float strategy, binary only) or
//     Targets (per-class counts after resampling). Impossible strategies
//     return errors wrapping ErrStrategy.
//   - Neighbours are searched within the class only, Euclidean, by
//     pkg/neighbors (exact; every algorithm gives the same neighbours): a
//     row's K nearest other rows of its class, ties in distance broken by
//     lower row index. imbalanced-learn instead asks scikit-learn for K+1
//     neighbours and drops the first, assuming it is the row itself; with
//     duplicate rows that first one can be a copy, so there a row can be
//     its own "neighbour" (adding copies of itself) while here it never
//     is, and its copies come first, at distance 0. Without duplicates the
//     neighbour sets are the same (up to exact ties at the K-th distance).
//   - A class that must grow needs at least K+1 rows: TooFewSamplesError
//     names the class and counts and ends with scikit-learn's message
//     ("Expected n_neighbors <= n_samples_fit, but n_neighbors = 6,
//     n_samples_fit = 3"). Classes that gain nothing are not checked, as in
//     imbalanced-learn. Values must be finite: NaN (impute first) and ±Inf
//     are errors naming the column and row.
//   - A panic in a worker goroutine (a bug) is returned as an error
//     wrapping *crash.PanicError (internal/crash), for exit status 3.
//   - Randomness comes from the *rand.Rand passed to Resample (math/rand/v2):
//     the same generator state gives the same rows, whatever Workers and
//     Algorithm are. The stream is not NumPy's, so the rows differ from
//     imbalanced-learn's for the same seed while the counts, and the
//     geometry (every synthetic row lies on the segment from a row to one
//     of its K nearest neighbours of the same class), are the same.
//
// # Performance
//
// The neighbour search dominates. It used to be an exact brute force over
// the n(n−1)/2 pairs of each class, O(n²·d): 18 of the 49 CPU seconds of
// the benchmark pipeline on the tall table. pkg/neighbors' Auto now picks a
// k-d tree for it (and brute force where a tree would not pay off), with
// the same result bit for bit; the tree's inner loops run in AVX-512 or
// AVX2 assembly where the CPU has it. On the tall table (250,000 × 13,
// 190,000 new rows) SMOTE takes 0.12 s on two cores (AVX-512) against
// 0.87–1.08 s for imbalanced-learn's fit_resample, which runs on one core:
// 7.3 to 9.0 times faster. Figures and the command, make bench-smote, are
// in docs/BENCHMARKS.md (smote).
// Synthetic rows are interpolated from a compact copy of the class, not
// from X, to keep the random reads in cache.
package resample // import "github.com/mlstack/mlstack/pkg/resample"
