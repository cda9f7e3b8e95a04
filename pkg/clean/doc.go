// Package clean is a fitted, serialisable data-cleaning pipeline for
// pkg/frame frames: the pandas and scikit-learn preprocessing of the seed
// notebook (drop duplicates and columns, zeros as missing, imputation,
// one-hot or ordinal encoding, IQR clipping, standardization).
//
// # Fit, then transform
//
// Pipeline.FitTransform fits each step on the output of the previous one
// and returns the cleaned training frame; Pipeline.Transform applies the
// fitted steps to new data (validation folds, test sets, rows being
// scored). Every fitted statistic comes from the data given to
// FitTransform only, so transforming held-out data leaks nothing.
// Refitting replaces all fitted state.
//
// # Dataset-level steps
//
// A Preparation (PrepareFromSpec: drop_duplicates, dropna, drop_rows,
// drop_columns, astype, with pandas' options and semantics) runs once on a
// whole table before it is split: it fits nothing, and returns for each
// row kept the index of the row it comes from. A config's
// drop_duplicates is one of these (the config's prepare: section): the
// pipeline step DropDuplicates, which drops duplicates among the rows it
// is fitted on, would leave copies of training rows in a fold's test rows.
// A *RowError names a row of the frame a step was given; SetLines makes
// it name the data file's line.
//
// Rules:
//   - Transform never drops rows: drop_duplicates acts at fit time only,
//     on training rows, and new data keeps one output row per input row.
//   - Pipeline.Target names the label column: it is excluded from every
//     default column set, a step listing it is an error (ErrTarget), and
//     new data need not contain it.
//   - Steps with an empty column list act on a documented default set
//     (numeric columns for impute mean/median, clip and standardize;
//     categorical columns for encode), resolved at fit time and recorded,
//     so Transform touches exactly the same columns.
//   - One-hot indicators are boolean columns (0/1), so a later
//     standardize or clip with default columns leaves them alone.
//   - Missing values stay missing through clip, standardize and encode;
//     only impute fills them.
//   - Statistics follow scikit-learn: SimpleImputer for impute (ties of
//     most_frequent go to the smallest value), StandardScaler (ddof=0,
//     NaN ignored, constant columns scaled by 1), OneHotEncoder and
//     OrdinalEncoder with sorted categories; quartiles as numpy.
//
// # Two ways to build a pipeline
//
// In Go (notebooks, programs), with the step types:
//
//	p := clean.New(
//		&clean.ZeroAsMissing{Columns: []string{"Glucose", "BMI"}},
//		&clean.Impute{Strategy: clean.Median},
//		&clean.Standardize{},
//	)
//	p.Target = "Outcome"
//
// From configuration, with FromSpec and []StepSpec, each a step name and
// options such as {step: impute, strategy: median, columns: [BMI]}.
// Unknown steps or options and bad values are errors that list what is
// accepted.
//
// # Serialisation
//
// json.Marshal of a *Pipeline gives {"version": 1, "target": …, "fitted":
// true, "steps": [{"step": "impute", "strategy": "median", "fitted":
// {…}}, …]}: the step options plus the fitted statistics, to be logged
// with a model. json.Unmarshal restores a pipeline whose Transform gives
// identical output. Fitted statistics must be finite (JSON has no NaN), so
// fitting a column with no values, or with infinite values, is an error.
// json.Unmarshal checks the statistics it reads as well: what no fit gives
// (a fill value of "NaN" or "Inf", which JSON carries as text; levels
// that are not sorted and distinct; a column twice; a clip bound above
// the other; a scale that is not positive) is a *StepError wrapping
// ErrBadState, so that a crafted file cannot make Transform misbehave.
// A columns option that names a column twice is an ErrBadOption.
//
// # Errors and panics
//
// Errors from data or configuration are returned, as *StepError values
// (step index and name) wrapping a sentinel of this package or of
// pkg/frame (frame.ErrNoColumn with the available columns). New panics on
// a nil step, a programmer error.
package clean // import "github.com/mlstack/mlstack/pkg/clean"
