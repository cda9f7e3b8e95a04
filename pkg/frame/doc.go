// Package frame is a small tabular data frame for machine learning: read
// CSV, look at the data (Describe, ValueCounts, Head), reshape it (Select,
// Drop, Rename, Filter) and export a gonum feature matrix and label vector
// with a recorded Schema.
//
// # Reading
//
// ReadCSV reads from any io.Reader (ReadOptions.Name names the source in
// errors), ReadFile from a local path, and Open from a URI: local paths
// and file:// are read directly, other schemes (s3://) through
// ReadOptions.Opener, which pkg/storage provides. The first record is the
// header; an empty header cell is named "Unnamed: j" (j is the 0-based
// column index) as pandas does. Values are trimmed of surrounding spaces.
// Blank lines are skipped.
//
// Missing values are the tokens of ReadOptions.Missing, DefaultMissing
// ("", NA, N/A, n/a, NaN, nan, null, NULL, ?) by default.
//
// Reading streams: the input is cut into blocks of whole records, parsed
// in parallel (GOMAXPROCS goroutines) and appended in order, so a numeric
// value takes its float64 and one byte while reading, a categorical value
// a 4-byte code into its column's distinct values, and a boolean value one
// byte. CSV syntax is
// encoding/csv's (RFC 4180 quotes, "\r\n" line ends), and errors report
// the line encoding/csv reports. Memory follows the data: a record longer
// than a block makes its block grow, the fields of a ragged row past the
// header's are only counted, and a header may have at most MaxColumns
// fields.
//
// # Column kinds
//
// A column's kind is inferred from its non-missing values, unless forced
// with ReadOptions.Types:
//
//   - Numeric if every value parses as a float64 (also a column of 0 and
//     1 only, and an all-missing column). This is what pandas does, and
//     what models expect: 0/1 columns are already usable features.
//   - Boolean if every value is one of a single pair of tokens
//     false/true, False/True, FALSE/TRUE, no/yes, No/Yes or NO/YES
//     (case must match within the column). A boolean column exports as
//     0 (false) and 1 (true) without encoding and remembers its tokens.
//     Forcing Boolean also accepts 0/1.
//   - Categorical otherwise. A categorical feature must be encoded
//     (pkg/clean) before export, or exported as ordinal codes on request.
//
// Numeric missing values are NaN; Column.IsNA tells missing values of any
// kind.
//
// # Errors and panics
//
// Nothing in the data makes this package panic. Problems in the data are
// returned as errors that wrap a sentinel (ErrRaggedRow, ErrNotNumeric,
// ErrNoColumn, ErrOneClass, …) for errors.Is, inside a *ParseError (file,
// line, column, value) or a *ColumnError (column, and the available
// columns when it is absent) for errors.As. Programmer errors panic with a
// "frame:" prefix and are documented on each function: an index out of
// range, Float of a categorical column, an unknown column name inside a
// Filter predicate (a bug in the predicate).
//
// # Immutability
//
// Frames and Columns are immutable. Methods return new frames that may
// share column storage with the receiver; constructors such as NewNumeric
// take ownership of the slices they are given.
//
// # Export
//
// Matrix and XY build a *mat.Dense with one row per record (NaN for
// missing values) and a Schema listing feature names, kinds and category
// levels, and the target's class list. Schema.Matrix and Schema.Labels
// export new data the same way, for scoring. String targets map to
// 0..k-1 in sorted order (boolean targets: false 0, true 1), or positive
// class 1 with ExportOptions.Positive; see XY.
package frame // import "github.com/mlstack/mlstack/pkg/frame"
