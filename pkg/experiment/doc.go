// Package experiment runs a machine-learning experiment described by a YAML
// file: load data, clean it, validate a model by cross-validation, fit the
// final model, and log everything to MLflow (or the offline spool). The
// `train` command is a thin shell around Run.
//
// # Configuration
//
// A config is versioned (`version: 1`) and parsed strictly: an unknown key, a
// value of the wrong type or a missing required key is a *ConfigError naming
// file:line:column, the key's path and the expected form. Values may refer to
// environment variables as ${NAME}. Overrides given as path=value (the
// command's --set) are applied to the YAML before decoding, so they are
// checked the same way.
//
// # Limits
//
// A config file is a regular file of at most MaxConfigBytes. Aliases are
// expanded by the decoder under MaxConfigNodes values and MaxAliasDepth
// nesting; an alias inside its own anchor is an error at its line.
// model.params.n_estimators is at most MaxEstimators unless the run allows
// large models (Options.AllowLarge, train --allow-large). Once the data is
// read, and before a run is opened, a classification target must hold text
// labels or class ids 0..K-1 with none missing (as XGBClassifier requires),
// K ≤ MaxClasses, and a sampling_strategy count must name a class and be at
// most MaxSamplingFactor × the rows; each is a *ConfigError at its key.
//
// # Secrets
//
// Any key whose name contains api_key, token, password or secret (see
// redact.IsSecretName) is a secret, and so is any value that refers to a
// secret-named variable (note: ${ROBOFLOW_API_KEY}). A secret written
// literally in the file draws a warning naming its location; every secret
// is replaced by "[REDACTED]" in what is logged or written (the resolved
// config, params, tags, the spool, the terminal, errors). Credentials in
// URLs (http://u:PW@host/x.csv?api_key=K) and the value of any secret-named
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
// unreachable the run goes on in the spool (see pkg/mlflow), stderr gets
// one warning, and the summary says so and how to send it (train sync);
// Options.RequireServer makes that an error.
//
// # Trainers
//
// The model section names a trainer. Trainers register themselves with
// Register(name, factory) from an init function, so adding one is one new
// file. Built in: classification (gradient-boosted trees from pkg/boost with
// cleaning and resampling fitted inside every fold), regression, and
// detection (a small YOLO-style detector from pkg/detect on a YOLO-format
// image dataset, trained with GoMLX; it reads its own data).
//
// # Rules
//   - Nothing fitted sees a fold's test rows: the cleaning pipeline, the
//     resampler and the model are fitted on the training rows of each fold.
//   - A config that fails validation logs nothing to MLflow and writes
//     nothing but its error.
//   - The boosted-tree trainers fit and score through pkg/model (model.Fit,
//     the bundle's PredictProba and Predict): one fit and one predict for
//     the folds, the final model, the notebooks and `train predict`.
//   - The output directory holds model/ (the final model bundle, an MLflow
//     model directory: see pkg/model), metrics.json, oof_predictions.csv,
//     pipeline.json, schema.json, charts/ and config.resolved.yaml; the same
//     files are the run's MLflow artifacts, model/ its logged model.
//   - Results depend only on the config (seed included), not on the number
//     of workers.
package experiment
