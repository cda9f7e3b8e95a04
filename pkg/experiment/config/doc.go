// Package config reads an experiment file: a versioned YAML document
// (`version: 1`) with the sections name, seed, data, prepare, clean, resample,
// model, validation, metrics, artifacts and tracking, decoded into Config.
//
// # Rules
//   - Strict: an unknown key, a value of the wrong type or a missing
//     required key is a *ConfigError (wrapping ErrConfig) naming
//     file:line:column, the key's path and the expected form; an unknown
//     key lists the keys its section takes, with the closest ("did you
//     mean"). A value given by an override (--set) is located at "--set".
//   - One decoder: the sections and a trainer's model.params are decoded
//     by the same code and rules. A trainer decodes model.params into its
//     own typed struct with Params.Decode; struct tags say the keys
//     (yaml:"max_depth"), other names for a key (alias:"eta") and rules on
//     the value written (decode:"min=1", "positive", "single").
//   - Values may refer to environment variables as ${NAME}. Any key whose
//     name contains api_key, token, password or secret (redact.IsSecretName)
//     is a secret, and so is a value that refers to a secret-named variable;
//     a secret written literally draws a Warning naming its location, and
//     every secret is replaced by Redacted in ResolvedYAML and Params.
//   - Bounded: a file is at most MaxConfigBytes; aliases are expanded by
//     the decoder under MaxConfigNodes values and MaxAliasDepth nesting, and
//     an alias inside its own anchor is an error at its line;
//     model.params.n_estimators is at most MaxEstimators unless
//     Options.AllowLarge. Nothing in a config can panic the decoder.
//   - Checks that need more than the file (the trainer's rules, the data)
//     are not here: they return a *FieldError naming the key, which
//     Parsed.Locate turns into a *ConfigError at the key's line.
//   - A check is one function per section (see validate.go); a new
//     section brings its type in config.go and its check beside the others.
//go:generate go run ../../../cmd/configdoc

package config
