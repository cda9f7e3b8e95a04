// Package model is the fitted model bundle: the cleaning pipeline
// (pkg/clean), the feature schema (pkg/frame) and the gradient-boosted
// trees (pkg/boost) fitted together, with the target, its classes and the
// decision threshold. It is the one type that fits and scores: the
// trainers of pkg/experiment, the notebooks and `train predict` all use it,
// and the same bundle scores raw rows in Python through MLflow.
//
//	m, err := model.Fit(ctx, train, &model.Spec{Target: "Outcome", Pipeline: pipe, Params: params})
//	labels, err := m.Predict(rows)      // raw rows, as read from the CSV
//	proba, err := m.PredictProba(rows)  // n × classes, as predict_proba
//	err = m.Save("out/model")           // an MLflow model directory
//	m, err = model.Open(ctx, "models:/diabetes-xgb@champion")
//
// # Raw rows in, predictions out
//
// Predict, PredictProba, Score and Features take raw rows: a frame with
// the training columns (Model.Inputs: every column but the target and the
// columns a drop_columns step removes), in any order; other columns,
// the target among them, are ignored. A missing input column is an
// *InputError naming it. A column of another kind is converted when every
// value fits (numbers given as text, 0/1 for a boolean), else the first
// value that does not is an *InputError naming the column and row. Read a
// CSV with ReadOptions to have the columns read as the training kinds and
// the training data's missing-value tokens: a bad value is then a
// *frame.ParseError naming the file, line and column.
//
// A classifier's Predict gives labels: the positive class (Classes()[1])
// when P(positive) > Threshold for a binary one, the most probable class
// otherwise; numbers for a numeric target, class names otherwise.
// PredictProba gives one column per class, as scikit-learn. A regression
// model's Predict gives values.
//
// # The bundle directory
//
// Save writes, and Load and Open read, one directory that is at once an
// MLflow model and the Go bundle:
//
//	MLmodel              flavours xgboost, mlstack and python_function; signature; input example
//	model.json           the booster, XGBoost JSON (the xgboost flavour: mlflow.xgboost.load_model)
//	model.txt            the booster, LightGBM text (github.com/dmitryikh/leaves)
//	mlstack.json         format version, task, inputs, threshold, missing-value tokens
//	pipeline.json        the fitted cleaning pipeline
//	schema.json          the feature schema and the target's classes
//	code/mlstack_model.py  the python_function loader
//	requirements.txt, python_env.yaml, conda.yaml
//	input_example.json, serving_input_example.json
//
// mlflow.pyfunc.load_model(uri).predict(df) runs code/mlstack_model.py,
// which applies pipeline.json to raw pandas rows step by step as pkg/clean
// does, exports schema.json's features as pkg/frame does and runs the
// booster with xgboost: on the same raw rows it gives Predict's labels and
// PredictProba's probabilities (params={"predict_method":
// "predict_proba"}) within 1e-6. As mlflow.xgboost's pyfunc for an
// XGBClassifier, predict returns labels by default. The signature lists
// the raw input columns with the types pandas reads from the training CSV
// (long for whole-number columns without missing values, double for other
// numbers, string for categories), so MLflow's schema check refuses a
// missing value in a long column, as it does for any model; Predict in Go
// takes it. (Declaring such a column double would not help: MLflow also
// refuses int64 where the signature says double, so the whole-number
// columns pandas reads from complete rows would be refused instead.)
// requirements.txt pins mlflow, xgboost, pandas and numpy to the
// versions of requirements-dev.txt.
//
// mlstack.json carries FormatVersion. Load refuses a bundle of a newer
// format with ErrNewerFormat, and a directory without mlstack.json (an
// MLflow model that is only a booster) with ErrFormat.
//
// # A bundle from elsewhere
//
// A bundle is a file someone may have crafted. Load reads each file up to
// 1 GiB, and refuses with an error wrapping ErrFormat, naming the file and
// what is wrong, a bundle that:
//
//   - exceeds a bound: MaxInputs input columns, MaxSteps pipeline steps,
//     MaxLevels categories in a column, MaxExampleRows example rows, and
//     the booster's own (boost.MaxFeatures features, boost.MaxClasses
//     classes), so that nothing is sized from a number in a file;
//   - carries a value no fit writes: a NaN or infinity, also spelt as text
//     ("NaN" as a fill value or a class of a numeric target), a threshold
//     outside (0, 1), a name given twice, levels out of order, a scale that
//     is not positive (pkg/clean's ErrBadState), an example value of
//     another type than its column;
//   - does not describe one model: the task against the booster's
//     objective, the classes against its outputs, and the pipeline, run on
//     a row of missing inputs, must give exactly the schema's features
//     (names, kinds, order), which the booster must score.
//
// The Python loader makes the same checks and raises its FormatError.
// FuzzLoad feeds Load crafted files; none may panic.
//
// # Rules
//
//   - Fit fits everything on its training rows only: the pipeline, the
//     resampler and the booster. A Spec may serve concurrent fits.
//   - A fit is a function of the rows, the Spec and Spec.Seed; the
//     resampler draws from a PCG seeded with the seed.
//   - A fitted or loaded Model is read-only: it is safe for concurrent
//     use by Predict, PredictProba, Score and Features.
//   - Nothing from data, a model file or the network makes this package
//     panic; files of a bundle are read up to 1 GiB each (see above). A
//     panic of a download goroutine, a bug, is returned as an error
//     wrapping *crash.PanicError of internal/crash.
package model // import "github.com/mlstack/mlstack/pkg/model"
