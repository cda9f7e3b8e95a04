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
// Any key whose name contains api_key, token, password or secret (the full
// rule is internal/redact's IsSecretKey) is a secret.
// A secret written literally in the file draws a warning naming its location;
// every secret is replaced by "[REDACTED]" in what is logged or written (the
// resolved config, params, the terminal). Put secrets in the environment and
// write ${NAME} instead.
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
