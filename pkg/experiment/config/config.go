package config

import "fmt"

// Version is the config version this package reads.
const Version = 1

// Config is one experiment. Zero fields take the defaults of DefaultConfig.
type Config struct {
	Version int        `yaml:"version"`
	Name    string     `yaml:"name"` // experiment name; the MLflow experiment unless tracking.experiment is set
	Seed    uint64     `yaml:"seed"`
	Data    DataConfig `yaml:"data"`
	// Prepare are the dataset-level steps, run once on the whole table
	// before it is split (pandas lines on df before the split; see
	// clean.Preparation): drop_duplicates, dropna, drop_rows, drop_columns,
	// astype.
	Prepare []map[string]any `yaml:"prepare"`
	// Clean are the fitted cleaning steps, fitted on the training rows of
	// each fold and applied to its test rows (scikit-learn transformers in
	// a Pipeline; see clean.Pipeline): impute, encode, clip, ...
	Clean      []map[string]any `yaml:"clean"`
	Resample   ResampleConfig   `yaml:"resample"`
	Model      ModelConfig      `yaml:"model"`
	Validation ValidationConfig `yaml:"validation"`
	Metrics    MetricsConfig    `yaml:"metrics"`
	Artifacts  ArtifactsConfig  `yaml:"artifacts"`
	Tracking   TrackingConfig   `yaml:"tracking"`
	// Search, when present, makes the run a hyperparameter search over
	// model.params (see SearchConfig).
	Search *SearchConfig `yaml:"search,omitempty"`
}

// SearchConfig is a hyperparameter search (pkg/tune) over model.params:
// each trial cross-validates the config with its parameters set as
// `--set model.params.NAME=VALUE` would, folds one after another, and
// reports the objective's running value after each fold to the pruner.
// Optuna's words: algorithm tpe (TPESampler's defaults), random or grid;
// n_trials; timeout; direction; a median pruner like MedianPruner.
type SearchConfig struct {
	Algorithm   string                 `yaml:"algorithm"`   // tpe (default), random or grid
	NTrials     *int                   `yaml:"n_trials"`    // trials to run; grid: default every point
	Timeout     string                 `yaml:"timeout"`     // no new trial after it, e.g. 30m (Go duration)
	Objective   string                 `yaml:"objective"`   // a metric's mean, e.g. roc_auc_mean
	Direction   string                 `yaml:"direction"`   // maximize (default) or minimize
	Seed        *uint64                `yaml:"seed"`        // the sampler's seed; default: seed
	Parallelism int                    `yaml:"parallelism"` // trials at once; 0: all cores
	Pruner      string                 `yaml:"pruner"`      // median (default) or none
	Params      map[string]SearchParam `yaml:"params"`      // model.params to search, by name
}

// SearchParam is one searched parameter: type float or int with low,
// high and optionally log (log-uniform) or step; categorical with
// choices; or fixed with value.
type SearchParam struct {
	Type    string   `yaml:"type"`
	Low     *float64 `yaml:"low,omitempty"`
	High    *float64 `yaml:"high,omitempty"`
	Log     bool     `yaml:"log,omitempty"`
	Step    *float64 `yaml:"step,omitempty"`
	Choices []any    `yaml:"choices,omitempty"`
	Value   any      `yaml:"value,omitempty"`
}

// DataConfig says where the data is and what to predict.
type DataConfig struct {
	// Source is sample:NAME (built in), a local path, file://..., s3://bucket/key,
	// http(s)://... or kaggle:owner/dataset[/file].
	Source string `yaml:"source"`
	// Target is the label column.
	Target string `yaml:"target"`
	// Positive names the positive class of a binary target (labelled 1;
	// scikit-learn's pos_label). Default: 1 for a 0/1 target, the true
	// token for a yes/no (true/false) one; a binary target of other labels
	// (text) requires it. A multiclass target maps its sorted values to
	// 0..k-1 (see frame.XY).
	Positive string `yaml:"positive"`
	// Missing lists extra tokens read as missing, beside the defaults.
	Missing []string `yaml:"missing"`
}

// ResampleConfig configures the resampler applied to training folds.
type ResampleConfig struct {
	Method     string `yaml:"method"`      // none (default), smote or smotenc
	KNeighbors int    `yaml:"k_neighbors"` // default 5
	// SamplingStrategy is "auto" (default), a float ratio, or a map of
	// class label to target count.
	SamplingStrategy any `yaml:"sampling_strategy"`
}

// ModelConfig picks a trainer and its parameters.
type ModelConfig struct {
	Trainer string `yaml:"trainer"` // a registered trainer: classification, regression, detection, ...
	// Params are the trainer's parameters (XGBoost names for the
	// boosted-tree trainers), decoded by the trainer into its own typed
	// struct with Params.Decode.
	Params Params `yaml:"params"`
}

// ValidationConfig configures cross-validation.
type ValidationConfig struct {
	Method    string  `yaml:"method"`    // repeated_stratified_kfold (default), stratified_kfold, kfold, repeated_kfold
	NSplits   int     `yaml:"n_splits"`  // default 5
	NRepeats  int     `yaml:"n_repeats"` // default 10 for repeated methods, else 1
	Workers   int     `yaml:"workers"`   // folds at once; 0 = all cores
	Threshold float64 `yaml:"threshold"` // decision threshold for binary metrics; default 0.5
}

// MetricsConfig says what to report.
type MetricsConfig struct {
	// Names of the metrics to report; empty means all the trainer computes.
	Names []string `yaml:"names"`
	// Confidence is the level of the intervals; default 0.95.
	Confidence float64 `yaml:"confidence"`
	// Interval is student_t (default) or bootstrap.
	Interval string `yaml:"interval"`
}

// ArtifactsConfig says what to write and log besides metrics.
type ArtifactsConfig struct {
	Charts         *bool `yaml:"charts"`          // default true
	OOFPredictions *bool `yaml:"oof_predictions"` // default true
	Model          *bool `yaml:"model"`           // default true
	SHAP           *int  `yaml:"shap"`            // rows explained for the SHAP charts; default DefaultSHAPRows, 0 none
}

// TrackingConfig says where the run is logged. The server comes from
// MLFLOW_TRACKING_URI (never from the file, which may be shared); with none
// the run goes to the offline spool.
type TrackingConfig struct {
	Experiment    string            `yaml:"experiment"`     // default: name
	RunName       string            `yaml:"run_name"`       // default: the config's name
	RegisterModel string            `yaml:"register_model"` // registered model name, optional
	Alias         string            `yaml:"alias"`          // alias of the registered version, optional
	Tags          map[string]string `yaml:"tags"`
	Offline       bool              `yaml:"offline"` // force the spool
	// SystemMetrics samples CPU, memory, disk and network every 10 s
	// during the run (MLflow's system/... metrics); default true.
	SystemMetrics *bool `yaml:"system_metrics"`
}

// DefaultConfig returns the defaults every config starts from.
func DefaultConfig() Config {
	yes := true
	return Config{
		Version:  Version,
		Seed:     42,
		Resample: ResampleConfig{Method: "none", KNeighbors: 5, SamplingStrategy: "auto"},
		Model:    ModelConfig{Trainer: "classification"},
		Validation: ValidationConfig{
			Method: "repeated_stratified_kfold", NSplits: 5, Threshold: 0.5,
		},
		Metrics:   MetricsConfig{Confidence: 0.95, Interval: "student_t"},
		Artifacts: ArtifactsConfig{Charts: &yes, OOFPredictions: &yes, Model: &yes},
	}
}

// Repeats returns the number of repeats the validation method implies.
func (v ValidationConfig) Repeats() int {
	if v.NRepeats > 0 {
		return v.NRepeats
	}
	switch v.Method {
	case "repeated_stratified_kfold", "repeated_kfold":
		return 10
	}
	return 1
}

// ExperimentName is the MLflow experiment: tracking.experiment, else the
// config's name.
func (c *Config) ExperimentName() string {
	if c.Tracking.Experiment != "" {
		return c.Tracking.Experiment
	}
	return c.Name
}

// On reports a tri-state switch such as artifacts.charts (nil = the default,
// true).
func On(b *bool) bool { return b == nil || *b }

func (c *Config) String() string {
	return fmt.Sprintf("%s: %s on %s (target %s), %s %d×%d", c.Name, c.Model.Trainer, c.Data.Source, c.Data.Target,
		c.Validation.Method, c.Validation.NSplits, c.Validation.Repeats())
}
