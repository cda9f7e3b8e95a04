// Package experiment runs a machine-learning experiment described by a YAML
// file: read the config (package config), load the data, hand both to the
// config's trainer (cross-validation and the final model), write the
// outputs and log everything to MLflow (or the offline spool). The `train`
// command is a thin shell around Run: it renders what Run reports.
//
// # Trainers
//
// The model section names a trainer. A trainer is a package that calls
// Register(name, factory) from its init function, so a program has the
// trainers it imports, and links nothing of the others (GoMLX comes with
// the detection trainer only). Built in: classification and regression
// (gradient-boosted trees from pkg/boost with cleaning and resampling
// fitted inside every fold; their shared code is package boosted), and
// detection (a small YOLO-style detector from pkg/detect on a YOLO-format
// image dataset, trained with GoMLX; it reads its own data). A trainer
// outside this module registers the same way (testdata/externaltrainer):
// it decodes model.params with config.Params.Decode, may implement
// OwnData and DataChecker, and returns an Outcome.
//
// # Limits
//
// The config's own limits are package config's. Once the data is read,
// and before a run is opened (a dry run stops there): the target must be a
// column (else "did you mean"); the dataset-level steps (prepare:) run once
// on the whole table (clean.Preparation), a column they name must exist;
// the trainer checks the data against the config (DataChecker): for
// classification, a target of text labels or class ids 0..K-1 with none
// missing (as XGBClassifier requires), at most classification.MaxClasses
// of them, a positive class that is one of them (required for a text
// binary target), at least n_splits rows of each class, and
// sampling_strategy counts that name a class and are at most
// classification.MaxSamplingFactor × the rows; and the cleaning pipeline
// is fitted once on all rows and its features exported as training will,
// so a column a step names that is not there, or a categorical column no
// step encodes, is found now and not at fold 0. Each is a
// *config.ConfigError at its key.
//
// # Rows
//
// Job.Data is the table after prepare:, and Job.Lines the data file line
// of each of its rows: an error about a row in a fold (a category unknown
// to an encode step with unknown: error) names the line, whatever
// prepare dropped and whichever fold the row is in.
//
// # Secrets
//
// Any key whose name contains api_key, token, password or secret (see
// redact.IsSecretName) is a secret, and so is any value that refers to a
// secret-named variable (note: ${ROBOFLOW_API_KEY}). A secret written
// literally in the file draws a warning naming its location; every secret
// is replaced by "[REDACTED]" in what is logged or written (the resolved
// config, params, tags, the spool, notes, errors). Credentials in URLs
// (http://u:PW@host/x.csv?api_key=K) and the value of any secret-named
// environment variable are masked wherever they appear. Put secrets in the
// environment and write ${NAME} instead.
//
// # Tracking
//
// A run is named after the config's name (tracking.run_name overrides it)
// and is "logged from" the config file. Its data is its MLflow dataset
// input (context "train"): the file name, the source URI, the schema as
// pandas.read_csv would infer it, rows and columns, and the SHA-256 of the
// bytes read, computed while the CSV is parsed, or taken from ingest's
// manifest.json when the s3:// object came through ingest (tag
// mlstack.manifest). The logged model's metrics name the same dataset.
// tracking.system_metrics (default true) samples CPU, memory, disk and
// network every 10 s into system/... metrics. When the MLflow server is
// unreachable the run goes on in the spool (see pkg/mlflow), a Notice says
// so, and the Report says where the run is (train sync sends it);
// Options.RequireServer makes that an error.
//
// # Rules
//   - Run prints nothing: it returns a Report (the Plan of a dry run, the
//     Outcome, where the results went) and tells Options.Notes and
//     Options.Progress what happens while it goes; cmd/train renders them.
//   - Nothing fitted sees a fold's test rows: the cleaning pipeline, the
//     resampler and the model are fitted on the training rows of each fold.
//     The dataset-level steps (prepare:) fit nothing; they run once before
//     the split, so a duplicate they drop has no copy left in a test fold.
//   - A config that fails validation, or data that contradicts it, logs
//     nothing to MLflow and writes nothing but its error.
//   - The output directory holds model/ (the final model bundle, an MLflow
//     model directory: see pkg/model), metrics.json, oof_predictions.csv,
//     pipeline.json, schema.json, charts/ and config.resolved.yaml; the same
//     files are the run's MLflow artifacts, model/ its logged model.
//   - Results depend only on the config (seed included), not on the number
//     of workers.
package experiment
