package mlflow

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// LoggedModel statuses (LoggedModelStatus in service.proto).
const (
	ModelPending      = "LOGGED_MODEL_PENDING"
	ModelReady        = "LOGGED_MODEL_READY"
	ModelUploadFailed = "LOGGED_MODEL_UPLOAD_FAILED"
)

// LoggedModel is an MLflow 3 logged model entity.
type LoggedModel struct {
	ModelID      string `json:"model_id"`
	ExperimentID string `json:"experiment_id"`
	Name         string `json:"name"`
	ArtifactURI  string `json:"artifact_uri"`
	Status       string `json:"status"`
	SourceRunID  string `json:"source_run_id"`
	ModelType    string `json:"model_type"`
	Tags         []Tag  `json:"tags"`
	// Metrics linked to the model (from its data; GetLoggedModel fills it).
	Metrics []Metric `json:"-"`
}

type loggedModelJSON struct {
	Model struct {
		Info LoggedModel `json:"info"`
		Data struct {
			Metrics []Metric `json:"metrics"`
		} `json:"data"`
	} `json:"model"`
}

// CreateLoggedModelOptions are the optional fields of CreateLoggedModel.
type CreateLoggedModelOptions struct {
	Name        string // "" lets the server pick one
	SourceRunID string
	ModelType   string
	Params      map[string]string
	Tags        map[string]string
}

// CreateLoggedModel creates a logged model in status LOGGED_MODEL_PENDING.
func (c *Client) CreateLoggedModel(ctx context.Context, experimentID string, opts CreateLoggedModelOptions) (*LoggedModel, error) {
	body := map[string]any{"experiment_id": experimentID}
	if opts.Name != "" {
		body["name"] = opts.Name
	}
	if opts.SourceRunID != "" {
		body["source_run_id"] = opts.SourceRunID
	}
	if opts.ModelType != "" {
		body["model_type"] = opts.ModelType
	}
	if len(opts.Params) > 0 {
		ps := make([]Param, 0, len(opts.Params))
		for k, v := range opts.Params {
			ps = append(ps, Param{k, v})
		}
		body["params"] = ps
	}
	if len(opts.Tags) > 0 {
		body["tags"] = tagList(opts.Tags)
	}
	var out loggedModelJSON
	if err := c.call(ctx, request{method: "POST", path: api + "logged-models", body: body}, &out); err != nil {
		return nil, err
	}
	return &out.Model.Info, nil
}

// GetLoggedModel returns a logged model.
func (c *Client) GetLoggedModel(ctx context.Context, modelID string) (*LoggedModel, error) {
	var out loggedModelJSON
	if err := c.call(ctx, request{method: "GET", path: api + "logged-models/" + url.PathEscape(modelID), idempotent: true}, &out); err != nil {
		return nil, err
	}
	out.Model.Info.Metrics = out.Model.Data.Metrics
	return &out.Model.Info, nil
}

// FinalizeLoggedModel sets a logged model's status (ModelReady or ModelUploadFailed).
func (c *Client) FinalizeLoggedModel(ctx context.Context, modelID, status string) error {
	return c.call(ctx, request{method: "PATCH", path: api + "logged-models/" + url.PathEscape(modelID),
		body: map[string]any{"model_id": modelID, "status": status}, idempotent: true}, nil)
}

// SearchLoggedModels returns the logged models of an experiment matching
// filter (e.g. "name = 'model'"), following page tokens.
func (c *Client) SearchLoggedModels(ctx context.Context, experimentID, filter string) ([]LoggedModel, error) {
	var all []LoggedModel
	token := ""
	for {
		body := map[string]any{"experiment_ids": []string{experimentID}, "max_results": 100}
		if filter != "" {
			body["filter"] = filter
		}
		if token != "" {
			body["page_token"] = token
		}
		var out struct {
			Models []struct {
				Info LoggedModel `json:"info"`
			} `json:"models"`
			NextPageToken string `json:"next_page_token"`
		}
		if err := c.call(ctx, request{method: "POST", path: api + "logged-models/search", body: body, idempotent: true}, &out); err != nil {
			return nil, err
		}
		for _, m := range out.Models {
			all = append(all, m.Info)
		}
		if out.NextPageToken == "" {
			return all, nil
		}
		token = out.NextPageToken
	}
}

// LogOutputs links logged models to a run as its outputs.
func (c *Client) LogOutputs(ctx context.Context, runID string, models ...ModelOutput) error {
	return c.call(ctx, request{method: "POST", path: api + "runs/outputs",
		body: map[string]any{"run_id": runID, "models": models}}, nil)
}

// XGBoostModel describes an XGBoost model to save in the MLflow model
// format (the xgboost flavour with model_format json).
type XGBoostModel struct {
	// JSON is the booster as XGBoost JSON (Booster.save_model("x.json")).
	JSON []byte
	// ModelClass is the Python class that loads it; "" means
	// xgboost.core.Booster (use xgboost.sklearn.XGBClassifier or
	// XGBRegressor for sklearn-style predict).
	ModelClass string
	// XGBoostVersion is recorded as xgb_version and pinned in the
	// requirements; "" means the version written in the JSON.
	XGBoostVersion string
	// MLflowVersion pins mlflow in requirements.txt; "" means DefaultMLflowVersion.
	MLflowVersion string
	// PythonVersion is recorded for pyfunc and python_env.yaml; "" means
	// DefaultPythonVersion.
	PythonVersion string
	// ExtraRequirements are added to requirements.txt.
	ExtraRequirements []string
}

// Defaults for XGBoostModel.
const (
	DefaultMLflowVersion = "3.17.2"
	DefaultPythonVersion = "3.11"
)

// modelMeta are the identity fields written into MLmodel.
type modelMeta struct {
	ArtifactPath string
	ModelID      string
	RunID        string
	Created      time.Time
}

// WriteXGBoostModel writes an MLflow model directory for m into dir
// (created if needed): MLmodel (xgboost and python_function flavours),
// model.json, requirements.txt, conda.yaml and python_env.yaml. The
// identity fields of MLmodel (run_id, model_id, artifact_path) are left
// out; LogModel writes them.
func WriteXGBoostModel(dir string, m XGBoostModel) error {
	return writeXGBoostModel(dir, m, modelMeta{Created: time.Now()})
}

func (m XGBoostModel) withDefaults() (XGBoostModel, error) {
	if len(m.JSON) == 0 {
		return m, fmt.Errorf("%w: XGBoost model JSON is empty", ErrInvalid)
	}
	var head struct {
		Learner json.RawMessage `json:"learner"`
		Version []int           `json:"version"`
	}
	if err := json.Unmarshal(m.JSON, &head); err != nil || head.Learner == nil {
		return m, fmt.Errorf("%w: model is not XGBoost JSON (want an object with \"learner\" and \"version\")", ErrInvalid)
	}
	if m.ModelClass == "" {
		m.ModelClass = "xgboost.core.Booster"
	}
	if m.XGBoostVersion == "" && len(head.Version) == 3 {
		m.XGBoostVersion = fmt.Sprintf("%d.%d.%d", head.Version[0], head.Version[1], head.Version[2])
	}
	if m.MLflowVersion == "" {
		m.MLflowVersion = DefaultMLflowVersion
	}
	if m.PythonVersion == "" {
		m.PythonVersion = DefaultPythonVersion
	}
	return m, nil
}

func writeXGBoostModel(dir string, m XGBoostModel, meta modelMeta) error {
	m, err := m.withDefaults()
	if err != nil {
		return err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	reqs := []string{"mlflow==" + m.MLflowVersion}
	if m.XGBoostVersion != "" {
		reqs = append(reqs, "xgboost=="+m.XGBoostVersion)
	} else {
		reqs = append(reqs, "xgboost")
	}
	reqs = append(reqs, m.ExtraRequirements...)
	y := func(s string) string { b, _ := json.Marshal(s); return string(b) } // JSON strings are YAML strings
	var ml strings.Builder
	if meta.ArtifactPath != "" {
		fmt.Fprintf(&ml, "artifact_path: %s\n", y(meta.ArtifactPath))
	}
	fmt.Fprintf(&ml, `flavors:
  python_function:
    data: model.json
    env:
      conda: conda.yaml
      virtualenv: python_env.yaml
    loader_module: mlflow.xgboost
    python_version: %s
  xgboost:
    code: null
    data: model.json
    model_class: %s
    model_format: json
    xgb_version: %s
mlflow_version: %s
`, y(m.PythonVersion), y(m.ModelClass), y(m.XGBoostVersion), y(m.MLflowVersion))
	if meta.ModelID != "" {
		fmt.Fprintf(&ml, "model_id: %s\n", y(meta.ModelID))
	}
	fmt.Fprintf(&ml, "model_size_bytes: %d\n", len(m.JSON))
	if meta.ModelID != "" {
		fmt.Fprintf(&ml, "model_uuid: %s\n", y(meta.ModelID))
	}
	if meta.RunID != "" {
		fmt.Fprintf(&ml, "run_id: %s\n", y(meta.RunID))
	}
	fmt.Fprintf(&ml, "utc_time_created: %s\n", y(meta.Created.UTC().Format("2006-01-02 15:04:05.000000")))

	var conda strings.Builder
	fmt.Fprintf(&conda, "channels:\n- conda-forge\ndependencies:\n- python=%s\n- pip\n- pip:\n", m.PythonVersion)
	for _, r := range reqs {
		fmt.Fprintf(&conda, "  - %s\n", r)
	}
	conda.WriteString("name: mlflow-env\n")
	pyenv := fmt.Sprintf("python: %s\nbuild_dependencies:\n- pip\n- setuptools\n- wheel\ndependencies:\n- -r requirements.txt\n", m.PythonVersion)

	files := []struct {
		name string
		data []byte
	}{
		{"model.json", m.JSON},
		{"MLmodel", []byte(ml.String())},
		{"requirements.txt", []byte(strings.Join(reqs, "\n") + "\n")},
		{"conda.yaml", []byte(conda.String())},
		{"python_env.yaml", []byte(pyenv)},
	}
	for _, f := range files {
		if err := os.WriteFile(filepath.Join(dir, f.name), f.data, 0o644); err != nil {
			return err
		}
	}
	return nil
}

// LogModelOptions are the optional parts of LogModel.
type LogModelOptions struct {
	// Name of the logged model; "" means "model", so that
	// runs:/<run_id>/model resolves to it (MLflow 3 resolves
	// runs:/<id>/<name> by searching the run's logged models by name).
	Name string
	// Step links the model to the run's metrics of that step.
	Step int64
	// Params and Tags are set on the logged model. The run's params are
	// added to Params, as the Python client does.
	Params, Tags map[string]string
	// RegisteredModelName, when set, registers the model as a new version
	// of that registered model (created if missing).
	RegisteredModelName string
	// Alias, with RegisteredModelName, points this alias at the new version.
	Alias string
	// Dataset, when set, is the dataset the run's metrics were computed
	// on: the metric points linked to the model carry its name and digest
	// (the UI's "Datasets used" of the model), and it is logged as a run
	// input if it is not one already.
	Dataset *Dataset
	// spoolID identifies a model record of the spool; a Run's sender and
	// Sync set it so that a second attempt finds the logged model an
	// interrupted one created.
	spoolID string
}

// ModelInfo tells where a logged model went.
type ModelInfo struct {
	ModelID     string // m-…
	ModelURI    string // models:/m-…
	RunModelURI string // runs:/<run_id>/<name>
	ArtifactURI string
	Version     string // registered version, "" when not registered
	PageURL     string // the model's page in the MLflow UI
}

// TagSpoolModel marks the logged models a Run creates (live or through
// Sync) with <spool id>/<record>: a second attempt at the same LogModel
// finds the model the first one created, even when its answer was lost.
const TagSpoolModel = "mlstack.spool.model"

// normalize fills the default name and checks the options.
func (o *LogModelOptions) normalize() error {
	if o.Name == "" {
		o.Name = "model"
	}
	if err := ValidateKey("model name", o.Name); err != nil {
		return err
	}
	if err := validateAlias(o.Alias); err != nil {
		return err
	}
	if o.Alias != "" && o.RegisteredModelName == "" {
		return fmt.Errorf("%w: alias %q needs RegisteredModelName", ErrInvalid, o.Alias)
	}
	if o.Dataset != nil {
		if err := o.Dataset.validate(); err != nil {
			return err
		}
	}
	return nil
}

// LogModel logs an XGBoost model for a run the way mlflow.xgboost.log_model
// does in MLflow 3: it creates the logged model (linked to the run through
// source_run_id and runs/outputs), writes the model directory to the
// model's artifact_uri, marks it LOGGED_MODEL_READY (UPLOAD_FAILED on
// error) and optionally registers a version and sets an alias. Python then
// loads it with mlflow.xgboost.load_model("runs:/<run_id>/model"),
// mlflow.pyfunc.load_model(...) or "models:/<name>@<alias>".
func (c *Client) LogModel(ctx context.Context, runID string, m XGBoostModel, opts LogModelOptions) (*ModelInfo, error) {
	m, err := m.withDefaults()
	if err != nil {
		return nil, err
	}
	if err := opts.normalize(); err != nil {
		return nil, err
	}
	run, err := c.GetRun(ctx, runID)
	if err != nil {
		return nil, err
	}
	var lm *LoggedModel
	if opts.spoolID != "" { // replay: reuse the model a crashed sync created
		found, err := c.SearchLoggedModels(ctx, run.Info.ExperimentID, "name = "+quote(opts.Name))
		if err != nil {
			return nil, err
		}
		for i := range found {
			if found[i].SourceRunID != runID {
				continue
			}
			for _, t := range found[i].Tags {
				if t.Key == TagSpoolModel && t.Value == opts.spoolID {
					lm = &found[i]
				}
			}
		}
	}
	if lm == nil {
		params := map[string]string{}
		for _, p := range run.Data.Params {
			params[p.Key] = p.Value
		}
		for k, v := range opts.Params {
			params[k] = v
		}
		// The model is logged from where its run was: the run's source
		// tags win over this process's, and explicit tags over both.
		tags := systemTags(c.user())
		for _, k := range []string{TagUser, TagSourceName, TagSourceType, TagGitCommit} {
			if v, ok := run.Tag(k); ok {
				tags[k] = v
			}
		}
		for k, v := range opts.Tags {
			tags[k] = v
		}
		if opts.spoolID != "" {
			tags[TagSpoolModel] = opts.spoolID
		}
		lm, err = c.CreateLoggedModel(ctx, run.Info.ExperimentID, CreateLoggedModelOptions{
			Name: opts.Name, SourceRunID: runID, Params: params, Tags: tags})
		if err != nil {
			return nil, err
		}
	}
	info := &ModelInfo{ModelID: lm.ModelID, ModelURI: "models:/" + lm.ModelID,
		RunModelURI: "runs:/" + runID + "/" + opts.Name, ArtifactURI: lm.ArtifactURI,
		PageURL: c.ModelPageURL(run.Info.ExperimentID, lm.ModelID)}
	fail := func(err error) (*ModelInfo, error) {
		if ferr := c.FinalizeLoggedModel(context.WithoutCancel(ctx), lm.ModelID, ModelUploadFailed); ferr != nil {
			err = errors.Join(err, ferr)
		}
		return nil, err
	}
	linked := false
	for _, o := range run.Outputs.ModelOutputs {
		linked = linked || o.ModelID == lm.ModelID
	}
	if !linked {
		if err := c.LogOutputs(ctx, runID, ModelOutput{ModelID: lm.ModelID, Step: opts.Step}); err != nil {
			return fail(err)
		}
	}
	// As Python's log_model_metrics_for_step: the run's metric points at
	// opts.Step are logged again with the model id, which links them to
	// the model (the server keeps them in the logged-model metrics table
	// and drops repeats).
	// With a dataset, the linked points also carry its name and digest,
	// as Python's mlflow.log_metric(..., dataset=, model_id=) does: the
	// UI lists them as the model's "Datasets used". Like Python, the
	// dataset is logged as a run input first when it is not one yet.
	// System metrics (system/...) describe the machine, not the model,
	// and are not linked (Python links every metric of the step).
	if d := opts.Dataset; d != nil {
		logged := false
		for _, in := range run.Inputs.DatasetInputs {
			logged = logged || (in.Dataset.Name == d.Name && in.Dataset.Digest == d.Digest)
		}
		if !logged {
			if err := c.LogInputs(ctx, runID, DatasetInput{Dataset: *d}); err != nil {
				return fail(err)
			}
		}
	}
	var linkedMetrics []Metric
	for _, m := range run.Data.Metrics {
		if strings.HasPrefix(m.Key, SystemMetricPrefix) {
			continue
		}
		h, err := c.GetMetricHistory(ctx, runID, m.Key)
		if err != nil {
			return fail(err)
		}
		for _, p := range h {
			if p.Step == opts.Step && p.ModelID == "" {
				p.ModelID = lm.ModelID
				if d := opts.Dataset; d != nil {
					p.DatasetName, p.DatasetDigest = d.Name, d.Digest
				}
				linkedMetrics = append(linkedMetrics, p)
			}
		}
	}
	if len(linkedMetrics) > 0 {
		if err := c.LogBatch(ctx, runID, linkedMetrics, nil, nil); err != nil {
			return fail(err)
		}
	}
	tmp, err := os.MkdirTemp("", "mlflow-model-")
	if err != nil {
		return fail(err)
	}
	defer os.RemoveAll(tmp)
	meta := modelMeta{ArtifactPath: lm.ArtifactURI, ModelID: lm.ModelID, RunID: runID, Created: time.Now()}
	if err := writeXGBoostModel(tmp, m, meta); err != nil {
		return fail(err)
	}
	store, err := c.ArtifactStore(lm.ArtifactURI)
	if err != nil {
		return fail(err)
	}
	if err := store.Upload(ctx, tmp, ""); err != nil {
		return fail(err)
	}
	if err := c.FinalizeLoggedModel(ctx, lm.ModelID, ModelReady); err != nil {
		return nil, err
	}
	if opts.RegisteredModelName != "" {
		mv, err := c.registerOnce(ctx, opts.RegisteredModelName, info.ModelURI, runID, lm.ModelID)
		if err != nil {
			return info, err
		}
		info.Version = mv.Version
		if opts.Alias != "" {
			if err := c.SetModelAlias(ctx, opts.RegisteredModelName, opts.Alias, mv.Version); err != nil {
				return info, err
			}
		}
	}
	return info, nil
}

// ModelVersion is a registered model version.
type ModelVersion struct {
	Name    string   `json:"name"`
	Version string   `json:"version"`
	Source  string   `json:"source"`
	RunID   string   `json:"run_id"`
	ModelID string   `json:"model_id"`
	Status  string   `json:"status"`
	Aliases []string `json:"aliases"`
}

// CreateRegisteredModel creates a registered model; an existing one is fine.
func (c *Client) CreateRegisteredModel(ctx context.Context, name string) error {
	err := c.call(ctx, request{method: "POST", path: api + "registered-models/create",
		body: map[string]any{"name": name}, idempotent: true}, nil)
	if errors.Is(err, ErrAlreadyExists) {
		return nil
	}
	return err
}

// CreateModelVersion registers source (e.g. models:/m-…) as a new version.
func (c *Client) CreateModelVersion(ctx context.Context, name, source, runID, modelID string) (*ModelVersion, error) {
	body := map[string]any{"name": name, "source": source}
	if runID != "" {
		body["run_id"] = runID
	}
	if modelID != "" {
		body["model_id"] = modelID
	}
	var out struct {
		ModelVersion ModelVersion `json:"model_version"`
	}
	if err := c.call(ctx, request{method: "POST", path: api + "model-versions/create", body: body}, &out); err != nil {
		return nil, err
	}
	return &out.ModelVersion, nil
}

// SearchModelVersions returns the versions matching filter (e.g. "name='x'").
func (c *Client) SearchModelVersions(ctx context.Context, filter string) ([]ModelVersion, error) {
	var all []ModelVersion
	token := ""
	for {
		q := url.Values{"filter": {filter}, "max_results": {"1000"}}
		if token != "" {
			q.Set("page_token", token)
		}
		var out struct {
			ModelVersions []ModelVersion `json:"model_versions"`
			NextPageToken string         `json:"next_page_token"`
		}
		if err := c.call(ctx, request{method: "GET", path: api + "model-versions/search", query: q, idempotent: true}, &out); err != nil {
			return nil, err
		}
		all = append(all, out.ModelVersions...)
		if out.NextPageToken == "" {
			return all, nil
		}
		token = out.NextPageToken
	}
}

// registerOnce registers modelID under name unless a version with that
// model_id exists already (so a replayed sync does not add a version).
func (c *Client) registerOnce(ctx context.Context, name, source, runID, modelID string) (*ModelVersion, error) {
	if err := c.CreateRegisteredModel(ctx, name); err != nil {
		return nil, err
	}
	vs, err := c.SearchModelVersions(ctx, "name = "+quote(name)+" and run_id = "+quote(runID))
	if err != nil {
		return nil, err
	}
	for i := range vs {
		if vs[i].ModelID == modelID || vs[i].Source == source {
			return &vs[i], nil
		}
	}
	return c.CreateModelVersion(ctx, name, source, runID, modelID)
}

// SetModelAlias points alias of a registered model at version.
func (c *Client) SetModelAlias(ctx context.Context, name, alias, version string) error {
	return c.call(ctx, request{method: "POST", path: api + "registered-models/alias",
		body: map[string]any{"name": name, "alias": alias, "version": version}, idempotent: true}, nil)
}

// GetModelVersionByAlias returns the version an alias points at.
func (c *Client) GetModelVersionByAlias(ctx context.Context, name, alias string) (*ModelVersion, error) {
	var out struct {
		ModelVersion ModelVersion `json:"model_version"`
	}
	err := c.call(ctx, request{method: "GET", path: api + "registered-models/alias",
		query: url.Values{"name": {name}, "alias": {alias}}, idempotent: true}, &out)
	if err != nil {
		return nil, err
	}
	return &out.ModelVersion, nil
}
