package mlflow

import (
	"encoding/json"
	"fmt"
	"math"
	"strconv"
)

// Experiment is an MLflow experiment.
type Experiment struct {
	ID               string `json:"experiment_id"`
	Name             string `json:"name"`
	ArtifactLocation string `json:"artifact_location"`
	LifecycleStage   string `json:"lifecycle_stage"` // "active" or "deleted"
	CreationTime     int64  `json:"creation_time"`
	LastUpdateTime   int64  `json:"last_update_time"`
	Tags             []Tag  `json:"tags,omitempty"`
}

// Run statuses accepted by UpdateRun.
const (
	StatusRunning   = "RUNNING"
	StatusScheduled = "SCHEDULED"
	StatusFinished  = "FINISHED"
	StatusFailed    = "FAILED"
	StatusKilled    = "KILLED"
)

// RunInfo is the metadata of a run.
type RunInfo struct {
	RunID          string `json:"run_id"`
	RunName        string `json:"run_name"`
	ExperimentID   string `json:"experiment_id"`
	UserID         string `json:"user_id"`
	Status         string `json:"status"`
	StartTime      int64  `json:"start_time"`
	EndTime        int64  `json:"end_time"`
	ArtifactURI    string `json:"artifact_uri"`
	LifecycleStage string `json:"lifecycle_stage"`
}

// RunData holds the latest metrics, params and tags of a run.
type RunData struct {
	Metrics []Metric `json:"metrics"`
	Params  []Param  `json:"params"`
	Tags    []Tag    `json:"tags"`
}

// ModelOutput links a run to a logged model it produced.
type ModelOutput struct {
	ModelID string `json:"model_id"`
	Step    int64  `json:"step"`
}

// RunDetails is a run as the server returns it: info, data, inputs and
// outputs.
type RunDetails struct {
	Info    RunInfo   `json:"info"`
	Data    RunData   `json:"data"`
	Inputs  RunInputs `json:"inputs"`
	Outputs struct {
		ModelOutputs []ModelOutput `json:"model_outputs"`
	} `json:"outputs"`
}

// Param returns the value of param key and whether it is set.
func (r *RunDetails) Param(key string) (string, bool) {
	for _, p := range r.Data.Params {
		if p.Key == key {
			return p.Value, true
		}
	}
	return "", false
}

// Tag returns the value of tag key and whether it is set.
func (r *RunDetails) Tag(key string) (string, bool) {
	for _, p := range r.Data.Tags {
		if p.Key == key {
			return p.Value, true
		}
	}
	return "", false
}

// Metric returns the latest value of metric key and whether it is set.
func (r *RunDetails) Metric(key string) (Metric, bool) {
	for _, m := range r.Data.Metrics {
		if m.Key == key {
			return m, true
		}
	}
	return Metric{}, false
}

// Param is a run parameter.
type Param struct {
	Key   string `json:"key"`
	Value string `json:"value"`
}

// Tag is a run, experiment or model tag.
type Tag struct {
	Key   string `json:"key"`
	Value string `json:"value"`
}

// Metric is one point of a metric's history. Timestamp is in milliseconds
// since the Unix epoch. NaN and ±Inf values are allowed: they travel as the
// strings "NaN", "Infinity" and "-Infinity", as MLflow expects.
type Metric struct {
	Key       string  `json:"key"`
	Value     float64 `json:"value"`
	Timestamp int64   `json:"timestamp"`
	Step      int64   `json:"step"`
	ModelID   string  `json:"model_id,omitempty"`
	// DatasetName and DatasetDigest name the dataset the value was
	// computed on. The server keeps them only for points linked to a
	// logged model (ModelID set); the UI lists them as the model's
	// "Datasets used".
	DatasetName   string `json:"dataset_name,omitempty"`
	DatasetDigest string `json:"dataset_digest,omitempty"`
}

type metricJSON struct {
	Key           string    `json:"key"`
	Value         jsonFloat `json:"value"`
	Timestamp     int64     `json:"timestamp"`
	Step          int64     `json:"step"`
	ModelID       string    `json:"model_id,omitempty"`
	DatasetName   string    `json:"dataset_name,omitempty"`
	DatasetDigest string    `json:"dataset_digest,omitempty"`
}

// MarshalJSON encodes non-finite values as MLflow's strings.
func (m Metric) MarshalJSON() ([]byte, error) {
	return json.Marshal(metricJSON{m.Key, jsonFloat(m.Value), m.Timestamp, m.Step, m.ModelID, m.DatasetName, m.DatasetDigest})
}

// UnmarshalJSON accepts numbers and the strings "NaN", "Infinity", "-Infinity".
func (m *Metric) UnmarshalJSON(b []byte) error {
	var j metricJSON
	if err := json.Unmarshal(b, &j); err != nil {
		return err
	}
	*m = Metric{j.Key, float64(j.Value), j.Timestamp, j.Step, j.ModelID, j.DatasetName, j.DatasetDigest}
	return nil
}

// jsonFloat is a float64 that encodes NaN/±Inf as protobuf-JSON strings.
type jsonFloat float64

func (f jsonFloat) MarshalJSON() ([]byte, error) {
	v := float64(f)
	switch {
	case math.IsNaN(v):
		return []byte(`"NaN"`), nil
	case math.IsInf(v, 1):
		return []byte(`"Infinity"`), nil
	case math.IsInf(v, -1):
		return []byte(`"-Infinity"`), nil
	}
	return strconv.AppendFloat(nil, v, 'g', -1, 64), nil
}

func (f *jsonFloat) UnmarshalJSON(b []byte) error {
	if len(b) > 0 && b[0] == '"' {
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		switch s {
		case "NaN", "nan":
			*f = jsonFloat(math.NaN())
		case "Infinity", "inf":
			*f = jsonFloat(math.Inf(1))
		case "-Infinity", "-inf":
			*f = jsonFloat(math.Inf(-1))
		default:
			v, err := strconv.ParseFloat(s, 64)
			if err != nil {
				return fmt.Errorf("mlflow: metric value %q is not a number", s)
			}
			*f = jsonFloat(v)
		}
		return nil
	}
	var v float64
	if err := json.Unmarshal(b, &v); err != nil {
		return err
	}
	*f = jsonFloat(v)
	return nil
}

// FileInfo describes one artifact.
type FileInfo struct {
	Path     string `json:"path"`
	IsDir    bool   `json:"is_dir"`
	FileSize int64  `json:"file_size,omitempty"`
}
