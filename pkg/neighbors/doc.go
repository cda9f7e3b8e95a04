// Package neighbors finds the exact k nearest neighbours of rows by
// Euclidean distance: scikit-learn's NearestNeighbors (fit, then
// kneighbors), with the same algorithm names. pkg/resample's SMOTE and
// SMOTENC use it; it is a package of its own so that anything else needing
// neighbours uses the same search.
//
//	ix, err := neighbors.Fit(ctx, X, &neighbors.Options{Algorithm: neighbors.KDTree})
//	res, err := ix.KNeighbors(ctx, nil, 5) // each row's 5 nearest other rows
//
// # Exact, and the same for every algorithm
//
// Every algorithm returns the same neighbours and the same distances, bit
// for bit:
//   - The squared distance of two rows is defined by one computation:
//     (a₀−b₀)² + (a₁−b₁)² + …, each term rounded, summed left to right,
//     without fused multiply-add. The neighbours of a query are the k rows
//     smallest in (squared distance, row index): exact ties, duplicate rows
//     included, go to the lower index. Result.Dist holds the square roots.
//   - The algorithms differ only in which rows they skip. A row or a tree
//     node is skipped only when a lower bound of its squared distance is
//     strictly above the current k-th one, and every bound is rigorous. The
//     k-d tree's box distances and the partial sums of its leaf scans (the
//     first few columns of a row, in another order than the definition's),
//     the ball tree's triangle-inequality bounds and brute force's
//     ‖a‖² + ‖b‖² − 2a·b estimates (from a matrix product, which cancels
//     badly) are all compared after widening by a proven bound on their
//     rounding error (see margins.go). Every row that is not skipped gets
//     the exact squared distance above.
//   - Results do not depend on Options.Workers, nor on the algorithm.
//
// # Order and self-exclusion
//
// KNeighbors(ctx, nil, k) queries the fitted rows themselves, each
// excluding itself by index, like scikit-learn's kneighbors() without X.
// Both return the same neighbour distances; among rows at exactly the same
// distance, scikit-learn's order is whatever its tree or sort produces, ours
// is by lower index. imbalanced-learn's SMOTE does something else: it calls
// kneighbors(X) with n_neighbors = k+1 and drops the first column, assuming
// it is the row itself. With duplicate rows that column may be a copy
// instead, so a row's own index can then be among its k "neighbours" (and
// one of the copies is left out); here a row is never its own neighbour,
// and its copies come first, at distance 0, by index.
//
// # Algorithms
//
//   - KDTree: scikit-learn's KDTree layout (a complete binary tree split at
//     the median of the widest coordinate, leaves of LeafSize to
//     2·LeafSize rows), searched depth first, nearer child first, pruned by
//     box distance. Each leaf stores its rows column by column, columns
//     ordered by spread, and is scanned column by column over the rows
//     still within the k-th distance: most rows drop out after a few
//     columns, which makes the tree pay off in more dimensions than
//     scikit-learn's. On amd64 with AVX-512 or AVX2 the leaf scan and the
//     box distances run in assembly, sixteen rows (or eight or four
//     columns) at a time; elsewhere, and with the purego build tag, in Go.
//     All give the same results (the assembly's sums are compared through
//     the same margins).
//   - BallTree: the same layout with bounding balls around the mean of each
//     node. It is slower than KDTree on every data set we measured; it is
//     there for parity with scikit-learn.
//   - Brute: blocks of 64 queries against panels of 192 rows; gonum's BLAS
//     multiplies them, the margin-widened estimate selects candidates, the
//     exact distance ranks them. Memory beyond the data is a few blocks per
//     worker, never proportional to n².
//   - Auto: scikit-learn picks brute force above 15 features. That rule
//     does not fit our data: on 20,000 rows shaped like the benchmark's big
//     table (42 features after one-hot) the k-d tree is 20 times faster
//     than brute force, and the gap grows with n. Brute force wins on many
//     independent columns where the tree cannot prune: sparse ones always
//     (3,000 rows of 256 columns, one value in 20 set: 4 times faster),
//     dense normal ones of 32 or more only with the Go leaf scan (with
//     AVX-512 the tree stays ahead up to 64 and is about even at 600).
//     Auto therefore
//     measures: it builds the k-d tree, runs 64 pilot queries spread over
//     the rows, and estimates the cost of the whole search with a cost
//     model of the loops that run here, fitted on this package's
//     timings of both algorithms (BenchmarkAutoCostModel; brute force's
//     cost is known in advance: n² pairs, cheaper when most values are
//     zero); it keeps the tree or switches to brute force. As
//     scikit-learn, it also goes to brute force when the expected number of
//     neighbours (Options.NNeighbors) is at least half the rows.
//     Index.Algorithm reports the choice.
//
// Queries run on Options.Workers goroutines and stop early, returning
// ctx.Err(), when ctx is cancelled.
//
// # Errors
//
// Non-finite values are an error naming the row and column (*InputError), as
// are empty data and unknown options. Asking for more neighbours than there
// are rows (other rows, when the rows query themselves) is an
// *NNeighborsError with scikit-learn's message: "Expected n_neighbors <=
// n_samples_fit, but n_neighbors = 6, n_samples_fit = 3". A panic in a
// worker goroutine, always a bug, is returned as an error wrapping
// *crash.PanicError (internal/crash), which commands report with exit
// status 3, rather than crashing the program.
//
// # Performance
//
// On the tall benchmark table's positive class (30,000 × 13) a k-d tree
// query reads about 1,200 rows (4%) in 20 leaves and computes 66 node
// bounds: 4 µs of one core with AVX-512 (7 µs with the Go scan), against
// about 44 µs for scikit-learn's KDTree. On a big-table
// training fold (160,000 × 42) the 5 nearest neighbours of every row took
// 32.6 s (9.7 s of CPU, on two heavily shared cores) against 457 s for
// scikit-learn's NearestNeighbors, which chooses brute force there.
// BenchmarkKNeighbors times every algorithm on data shaped like each
// benchmark table; docs/BENCHMARKS.md (smote) has the figures and the
// commands, make bench-smote among them.
package neighbors // import "github.com/mlstack/mlstack/pkg/neighbors"
