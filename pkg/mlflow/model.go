package mlflow

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"math"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
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
// format: the xgboost flavour with model_format json, a python_function
// flavour, and optionally more flavours, files, a signature and an input
// example.
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

	// Loader, when not empty, is the Python module the python_function
	// flavour loads the model with (its _load_pyfunc(model_dir) returns
	// an object with predict(data, params=None)) instead of
	// mlflow.xgboost. The module must be a file of Files under code/,
	// which MLflow puts on sys.path before importing it.
	Loader string
	// Flavors are more flavours of MLmodel beside xgboost and
	// python_function: flavour name → its fields.
	Flavors map[string]map[string]string
	// Files are more files of the model directory: slash-separated
	// relative path → content. They may not replace a file written for
	// the flavours (MLmodel, model.json, the environment files, the input
	// example).
	Files map[string][]byte
	// Signature describes the model's inputs, outputs and parameters
	// (nil: none).
	Signature *Signature
	// InputExample is a few input rows, written as input_example.json
	// and serving_input_example.json (nil: none).
	InputExample *DataFrame
}

// Signature is an MLflow model signature (mlflow.models.ModelSignature)
// with column-based inputs and outputs, as MLmodel stores it.
type Signature struct {
	Inputs  []ColSpec
	Outputs []ColSpec
	// Params are the parameters predict accepts (nil: none).
	Params []ParamSpec
}

// ColSpec is one column of a signature (mlflow.types.ColSpec).
type ColSpec struct {
	// Type is an MLflow data type: double, float, long, integer, string,
	// boolean, binary or datetime.
	Type string `json:"type"`
	// Name is the column name; "" for an unnamed output.
	Name string `json:"name,omitempty"`
	// Required columns must be present in the input.
	Required bool `json:"required"`
}

// ParamSpec is one inference parameter of a signature
// (mlflow.types.ParamSpec), a scalar with a default.
type ParamSpec struct {
	Name    string `json:"name"`
	Type    string `json:"type"` // an MLflow data type, as ColSpec.Type
	Default any    `json:"default"`
	Shape   []int  `json:"shape"` // nil: a scalar
}

// DataFrame is a pandas DataFrame in its "split" JSON form, as MLflow
// stores input examples and as `mlflow models serve` takes
// {"dataframe_split": ...}: column names and rows. A value is a string, a
// bool, an int or int64, a finite float64 or nil (missing). Its JSON
// writes a float64 with a decimal point or an exponent (2 as 2.0), so that
// pandas reads the column as float64 whatever its values, and an integer
// without one (int64).
type DataFrame struct {
	Columns []string `json:"columns"`
	Data    [][]any  `json:"data"`
}

// UnmarshalJSON reads the split form: a number with a decimal point or an
// exponent as float64, others as int64.
func (d *DataFrame) UnmarshalJSON(b []byte) error {
	var raw struct {
		Columns []string `json:"columns"`
		Rows    [][]any  `json:"data"`
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	if err := dec.Decode(&raw); err != nil {
		return err
	}
	for _, row := range raw.Rows {
		for j, v := range row {
			n, ok := v.(json.Number)
			if !ok {
				continue
			}
			var err error
			if strings.ContainsAny(n.String(), ".eE") {
				row[j], err = n.Float64()
			} else {
				row[j], err = n.Int64()
			}
			if err != nil {
				return fmt.Errorf("data frame value %s: %w", n, err)
			}
		}
	}
	d.Columns, d.Data = raw.Columns, raw.Rows
	return nil
}

// MarshalJSON writes the split form, floats always as floats.
func (d DataFrame) MarshalJSON() ([]byte, error) {
	cols := d.Columns
	if cols == nil {
		cols = []string{}
	}
	head, err := json.Marshal(cols)
	if err != nil {
		return nil, err
	}
	b := append([]byte(`{"columns":`), head...)
	b = append(b, `,"data":[`...)
	for i, row := range d.Data {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, '[')
		for j, v := range row {
			if j > 0 {
				b = append(b, ',')
			}
			if x, ok := v.(float64); ok {
				if math.IsNaN(x) || math.IsInf(x, 0) {
					return nil, fmt.Errorf("%w: data frame row %d column %d: %v (use nil for a missing value)", ErrInvalid, i, j, x)
				}
				s := strconv.FormatFloat(x, 'g', -1, 64)
				if !strings.ContainsAny(s, ".e") {
					s += ".0"
				}
				b = append(b, s...)
				continue
			}
			vb, err := json.Marshal(v)
			if err != nil {
				return nil, err
			}
			b = append(b, vb...)
		}
		b = append(b, ']')
	}
	return append(b, "]}"...), nil
}

// Defaults for XGBoostModel.
const (
	DefaultMLflowVersion = "3.17.2"
	DefaultPythonVersion = "3.11"
)

// Files of the model directory written for the flavours.
const (
	inputExampleFile   = "input_example.json"
	servingExampleFile = "serving_input_example.json"
)

var flavourFiles = []string{"MLmodel", "model.json", "requirements.txt", "conda.yaml", "python_env.yaml", inputExampleFile, servingExampleFile}

// modelMeta are the identity fields written into MLmodel.
type modelMeta struct {
	ArtifactPath string
	ModelID      string
	RunID        string
	Created      time.Time
}

// WriteXGBoostModel writes an MLflow model directory for m into dir
// (created if needed): MLmodel (xgboost and python_function flavours, and
// those of m.Flavors), model.json, requirements.txt, conda.yaml,
// python_env.yaml, m.Files, and the input example when m has one. The
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
	for name := range m.Files {
		if !fs.ValidPath(name) || name == "." || slices.Contains(flavourFiles, name) {
			return m, fmt.Errorf("%w: model file %q: want a relative slash-separated path that is not one of %s", ErrInvalid, name, strings.Join(flavourFiles, ", "))
		}
	}
	for name, fields := range m.Flavors {
		if !yamlKey(name) || name == "xgboost" || name == "python_function" {
			return m, fmt.Errorf("%w: flavour name %q", ErrInvalid, name)
		}
		for k := range fields {
			if !yamlKey(k) {
				return m, fmt.Errorf("%w: flavour %s: field name %q", ErrInvalid, name, k)
			}
		}
	}
	if m.Loader != "" {
		if _, ok := m.Files["code/"+strings.ReplaceAll(m.Loader, ".", "/")+".py"]; !ok {
			return m, fmt.Errorf("%w: python_function loader %q is not among the model files (want code/%s.py)", ErrInvalid, m.Loader, strings.ReplaceAll(m.Loader, ".", "/"))
		}
	}
	if e := m.InputExample; e != nil {
		for i, row := range e.Data {
			if len(row) != len(e.Columns) {
				return m, fmt.Errorf("%w: input example row %d has %d values for %d columns", ErrInvalid, i, len(row), len(e.Columns))
			}
			for j, v := range row {
				switch v := v.(type) {
				case nil, string, bool, int, int64:
				case float64:
					if math.IsNaN(v) || math.IsInf(v, 0) {
						return m, fmt.Errorf("%w: input example row %d column %q: %v (use nil for a missing value)", ErrInvalid, i, e.Columns[j], v)
					}
				default:
					return m, fmt.Errorf("%w: input example row %d column %q: %T is not a string, bool, number or nil", ErrInvalid, i, e.Columns[j], v)
				}
			}
		}
	}
	return m, nil
}

// yamlKey reports whether s can be written as a plain YAML key: letters,
// digits and underscores.
func yamlKey(s string) bool {
	for _, r := range s {
		if !(r == '_' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9') {
			return false
		}
	}
	return s != ""
}

// yamlString quotes s for YAML: a JSON string is a YAML double-quoted
// scalar.
func yamlString(s string) string { b, _ := json.Marshal(s); return string(b) }

// jsonText encodes v as the JSON text MLmodel holds for signatures.
func jsonText(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

// writeXGBoostModel is WriteXGBoostModel with MLmodel's identity fields
// from meta: it gathers the model's files, then describes them (MLmodel)
// and their Python environment, and writes them all under dir.
func writeXGBoostModel(dir string, m XGBoostModel, meta modelMeta) error {
	m, err := m.withDefaults()
	if err != nil {
		return err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	files, err := m.payload()
	if err != nil {
		return err
	}
	size := 0
	for _, b := range files {
		size += len(b)
	}
	reqs := m.requirements()
	files["MLmodel"] = []byte(m.mlmodel(meta, size))
	files["requirements.txt"] = []byte(strings.Join(reqs, "\n") + "\n")
	files["conda.yaml"] = []byte(m.condaYAML(reqs))
	files["python_env.yaml"] = []byte(fmt.Sprintf("python: %s\nbuild_dependencies:\n- pip\n- setuptools\n- wheel\ndependencies:\n- -r requirements.txt\n", m.PythonVersion))
	for _, name := range slices.Sorted(maps.Keys(files)) {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(p, files[name], 0o644); err != nil {
			return err
		}
	}
	return nil
}

// payload returns the files MLmodel counts in model_size_bytes: model.json,
// m.Files and the input example (split and serving forms).
func (m XGBoostModel) payload() (map[string][]byte, error) {
	files := map[string][]byte{"model.json": m.JSON}
	for name, b := range m.Files {
		files[name] = b
	}
	if e := m.InputExample; e != nil {
		split, err := json.Marshal(e)
		if err != nil {
			return nil, fmt.Errorf("%w: input example: %v", ErrInvalid, err)
		}
		serving, err := json.MarshalIndent(map[string]json.RawMessage{"dataframe_split": split}, "", "  ")
		if err != nil {
			return nil, err
		}
		files[inputExampleFile], files[servingExampleFile] = split, serving
	}
	return files, nil
}

// requirements are the pip requirements of the model's environment.
func (m XGBoostModel) requirements() []string {
	reqs := []string{"mlflow==" + m.MLflowVersion}
	if m.XGBoostVersion != "" {
		reqs = append(reqs, "xgboost=="+m.XGBoostVersion)
	} else {
		reqs = append(reqs, "xgboost")
	}
	return append(reqs, m.ExtraRequirements...)
}

// condaYAML is conda.yaml for the pip requirements reqs.
func (m XGBoostModel) condaYAML(reqs []string) string {
	var conda strings.Builder
	fmt.Fprintf(&conda, "channels:\n- conda-forge\ndependencies:\n- python=%s\n- pip\n- pip:\n", m.PythonVersion)
	for _, r := range reqs {
		fmt.Fprintf(&conda, "  - %s\n", r)
	}
	conda.WriteString("name: mlflow-env\n")
	return conda.String()
}

// mlmodel is the MLmodel file, its keys in the sorted order Python's
// yaml.safe_dump writes; size is model_size_bytes.
func (m XGBoostModel) mlmodel(meta modelMeta, size int) string {
	y := yamlString
	var ml strings.Builder
	if meta.ArtifactPath != "" {
		fmt.Fprintf(&ml, "artifact_path: %s\n", y(meta.ArtifactPath))
	}
	m.writeFlavors(&ml)
	fmt.Fprintf(&ml, "mlflow_version: %s\n", y(m.MLflowVersion))
	if meta.ModelID != "" {
		fmt.Fprintf(&ml, "model_id: %s\n", y(meta.ModelID))
	}
	fmt.Fprintf(&ml, "model_size_bytes: %d\n", size)
	if meta.ModelID != "" {
		fmt.Fprintf(&ml, "model_uuid: %s\n", y(meta.ModelID))
	}
	if meta.RunID != "" {
		fmt.Fprintf(&ml, "run_id: %s\n", y(meta.RunID))
	}
	if m.InputExample != nil {
		fmt.Fprintf(&ml, "saved_input_example_info:\n  artifact_path: %s\n  pandas_orient: split\n  serving_input_path: %s\n  type: dataframe\n",
			inputExampleFile, servingExampleFile)
	}
	if s := m.Signature; s != nil {
		inputs, outputs := s.Inputs, s.Outputs
		if inputs == nil {
			inputs = []ColSpec{}
		}
		if outputs == nil {
			outputs = []ColSpec{}
		}
		params := "null"
		if len(s.Params) > 0 {
			params = y(jsonText(s.Params))
		}
		fmt.Fprintf(&ml, "signature:\n  inputs: %s\n  outputs: %s\n  params: %s\n", y(jsonText(inputs)), y(jsonText(outputs)), params)
	}
	fmt.Fprintf(&ml, "utc_time_created: %s\n", y(meta.Created.UTC().Format("2006-01-02 15:04:05.000000")))
	return ml.String()
}

// writeFlavors writes MLmodel's flavors: xgboost, python_function and
// m.Flavors, sorted by name.
func (m XGBoostModel) writeFlavors(ml *strings.Builder) {
	y := yamlString
	ml.WriteString("flavors:\n")
	for _, name := range slices.Sorted(maps.Keys(m.Flavors)) {
		if name > "python_function" {
			break
		}
		writeFlavor(ml, name, m.Flavors[name])
	}
	if m.Loader != "" {
		fmt.Fprintf(ml, `  python_function:
    code: code
    env:
      conda: conda.yaml
      virtualenv: python_env.yaml
    loader_module: %s
    python_version: %s
`, y(m.Loader), y(m.PythonVersion))
	} else {
		fmt.Fprintf(ml, `  python_function:
    data: model.json
    env:
      conda: conda.yaml
      virtualenv: python_env.yaml
    loader_module: mlflow.xgboost
    python_version: %s
`, y(m.PythonVersion))
	}
	for _, name := range slices.Sorted(maps.Keys(m.Flavors)) {
		if name > "python_function" && name < "xgboost" {
			writeFlavor(ml, name, m.Flavors[name])
		}
	}
	fmt.Fprintf(ml, `  xgboost:
    code: null
    data: model.json
    model_class: %s
    model_format: json
    xgb_version: %s
`, y(m.ModelClass), y(m.XGBoostVersion))
	for _, name := range slices.Sorted(maps.Keys(m.Flavors)) {
		if name > "xgboost" {
			writeFlavor(ml, name, m.Flavors[name])
		}
	}
}

// writeFlavor writes one flavour of MLmodel with its fields sorted.
func writeFlavor(w *strings.Builder, name string, fields map[string]string) {
	fmt.Fprintf(w, "  %s:\n", name)
	if len(fields) == 0 {
		w.WriteString("    {}\n")
	}
	for _, k := range slices.Sorted(maps.Keys(fields)) {
		fmt.Fprintf(w, "    %s: %s\n", k, yamlString(fields[k]))
	}
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
	lm, err := c.loggedModelFor(ctx, run, runID, opts)
	if err != nil {
		return nil, err
	}
	info := &ModelInfo{ModelID: lm.ModelID, ModelURI: "models:/" + lm.ModelID,
		RunModelURI: "runs:/" + runID + "/" + opts.Name, ArtifactURI: lm.ArtifactURI,
		PageURL: c.ModelPageURL(run.Info.ExperimentID, lm.ModelID)}
	err = c.linkModel(ctx, run, runID, lm.ModelID, opts)
	if err == nil {
		err = c.uploadModel(ctx, runID, lm, m)
	}
	if err != nil {
		if ferr := c.FinalizeLoggedModel(context.WithoutCancel(ctx), lm.ModelID, ModelUploadFailed); ferr != nil {
			err = errors.Join(err, ferr)
		}
		return nil, err
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

// loggedModelFor returns the logged model for LogModel: on a replay
// (opts.spoolID set) the one a crashed attempt created, if any, else a new
// one with the run's params and source tags.
func (c *Client) loggedModelFor(ctx context.Context, run *RunDetails, runID string, opts LogModelOptions) (*LoggedModel, error) {
	if opts.spoolID != "" { // replay: reuse the model a crashed sync created
		found, err := c.SearchLoggedModels(ctx, run.Info.ExperimentID, "name = "+quote(opts.Name))
		if err != nil {
			return nil, err
		}
		var lm *LoggedModel
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
		if lm != nil {
			return lm, nil
		}
	}
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
	return c.CreateLoggedModel(ctx, run.Info.ExperimentID, CreateLoggedModelOptions{
		Name: opts.Name, SourceRunID: runID, Params: params, Tags: tags})
}

// linkModel links the logged model to its run: as a run output (unless it
// is one already), and through the run's metrics at opts.Step.
//
// As Python's log_model_metrics_for_step: the run's metric points at
// opts.Step are logged again with the model id, which links them to the
// model (the server keeps them in the logged-model metrics table and drops
// repeats). With a dataset, the linked points also carry its name and
// digest, as Python's mlflow.log_metric(..., dataset=, model_id=) does: the
// UI lists them as the model's "Datasets used". Like Python, the dataset is
// logged as a run input first when it is not one yet. System metrics
// (system/...) describe the machine, not the model, and are not linked
// (Python links every metric of the step).
func (c *Client) linkModel(ctx context.Context, run *RunDetails, runID, modelID string, opts LogModelOptions) error {
	linked := false
	for _, o := range run.Outputs.ModelOutputs {
		linked = linked || o.ModelID == modelID
	}
	if !linked {
		if err := c.LogOutputs(ctx, runID, ModelOutput{ModelID: modelID, Step: opts.Step}); err != nil {
			return err
		}
	}
	if d := opts.Dataset; d != nil {
		logged := false
		for _, in := range run.Inputs.DatasetInputs {
			logged = logged || (in.Dataset.Name == d.Name && in.Dataset.Digest == d.Digest)
		}
		if !logged {
			if err := c.LogInputs(ctx, runID, DatasetInput{Dataset: *d}); err != nil {
				return err
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
			return err
		}
		for _, p := range h {
			if p.Step == opts.Step && p.ModelID == "" {
				p.ModelID = modelID
				if d := opts.Dataset; d != nil {
					p.DatasetName, p.DatasetDigest = d.Name, d.Digest
				}
				linkedMetrics = append(linkedMetrics, p)
			}
		}
	}
	if len(linkedMetrics) > 0 {
		return c.LogBatch(ctx, runID, linkedMetrics, nil, nil)
	}
	return nil
}

// uploadModel writes the model directory (MLmodel and the flavor's files)
// to a temporary directory and uploads it to the logged model's
// artifact_uri.
func (c *Client) uploadModel(ctx context.Context, runID string, lm *LoggedModel, m XGBoostModel) error {
	tmp, err := os.MkdirTemp("", "mlflow-model-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	meta := modelMeta{ArtifactPath: lm.ArtifactURI, ModelID: lm.ModelID, RunID: runID, Created: time.Now()}
	if err := writeXGBoostModel(tmp, m, meta); err != nil {
		return err
	}
	store, err := c.ArtifactStore(lm.ArtifactURI)
	if err != nil {
		return err
	}
	return store.Upload(ctx, tmp, "")
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

// GetModelVersion returns version (a number, as "3") of a registered model.
func (c *Client) GetModelVersion(ctx context.Context, name, version string) (*ModelVersion, error) {
	var out struct {
		ModelVersion ModelVersion `json:"model_version"`
	}
	err := c.call(ctx, request{method: "GET", path: api + "model-versions/get",
		query: url.Values{"name": {name}, "version": {version}}, idempotent: true}, &out)
	if err != nil {
		return nil, err
	}
	return &out.ModelVersion, nil
}
