package mlflow

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"path/filepath"
	"strings"

	"github.com/mlstack/mlstack/internal/redact"
)

// Dataset is an MLflow dataset entity: what mlflow.data's Dataset becomes
// when Python logs it with mlflow.log_input. Source and Schema are JSON
// strings, as in the REST API.
type Dataset struct {
	Name   string `json:"name"`
	Digest string `json:"digest"`
	// SourceType is one of the types the UI knows: local, s3, http,
	// external, code (mlflow/data/*_dataset_source.py).
	SourceType string `json:"source_type"`
	// Source is the source as JSON: {"uri": ...} for local and s3,
	// {"url": ...} for http and external.
	Source string `json:"source"`
	// Schema is {"mlflow_colspec": [...]}, as PandasDataset writes it.
	Schema string `json:"schema,omitempty"`
	// Profile is a JSON object (PandasDataset: num_rows, num_elements).
	Profile string `json:"profile,omitempty"`
}

// DatasetInput is a dataset used by a run, with input tags such as
// TagDatasetContext.
type DatasetInput struct {
	Dataset Dataset `json:"dataset"`
	Tags    []Tag   `json:"tags,omitempty"`
}

// TagDatasetContext is the input tag mlflow.log_input sets from its
// context argument ("train", "eval", ...).
const TagDatasetContext = "mlflow.data.context"

// Dataset limits of the server (mlflow/utils/validation.py).
const (
	MaxDatasetNameSize    = 500
	MaxDatasetDigestSize  = 36
	MaxDatasetSourceSize  = 65535
	MaxDatasetSchemaSize  = 1048575
	MaxDatasetProfileSize = 16777215
	MaxInputTagKeySize    = 255
	MaxInputTagValueSize  = 500
)

// DatasetColumn is one column of a dataset's schema: an MLflow ColSpec.
// Type is an MLflow data type: double, long, integer, float, string,
// boolean, binary or datetime.
type DatasetColumn struct {
	Name     string `json:"name"`
	Type     string `json:"type"`
	Required bool   `json:"required"`
}

// TableDataset describes a table file for NewTableDataset.
type TableDataset struct {
	// Name of the dataset; "" means the last element of URI.
	Name string
	// URI the data was read from: a path, file://, s3://, http(s)://, or
	// another scheme (kaggle:, sample:), which becomes an "external" or
	// "code" source. Credentials in http(s) URIs are masked.
	URI string
	// SHA256 of the bytes read, lowercase hex (64 characters).
	SHA256  string
	Rows    int
	Columns []DatasetColumn
	// Profile entries added to num_rows, num_elements and sha256.
	Profile map[string]any
}

// NewTableDataset returns the Dataset for a table file the way
// mlflow.data.from_pandas describes one, with one difference: the digest is
// the data's SHA-256, cut to its first 32 hex digits because the server
// keeps at most 36 characters (Python uses 8 digits of an MD5 of the
// parsed frame). The whole SHA-256 is in the profile, under "sha256".
func NewTableDataset(t TableDataset) (Dataset, error) {
	if len(t.SHA256) != 64 || strings.Trim(strings.ToLower(t.SHA256), "0123456789abcdef") != "" {
		return Dataset{}, fmt.Errorf("%w: dataset %s: SHA-256 %q is not 64 hex digits", ErrInvalid, t.URI, t.SHA256)
	}
	typ, src := DatasetSource(t.URI)
	name := t.Name
	if name == "" {
		name = datasetName(t.URI)
	}
	cols := t.Columns
	if cols == nil {
		cols = []DatasetColumn{}
	}
	schema, err := json.Marshal(map[string]any{"mlflow_colspec": cols})
	if err != nil {
		return Dataset{}, err
	}
	prof := map[string]any{"num_rows": t.Rows, "num_elements": t.Rows * len(t.Columns), "sha256": strings.ToLower(t.SHA256)}
	for k, v := range t.Profile {
		prof[k] = v
	}
	profile, err := json.Marshal(prof)
	if err != nil {
		return Dataset{}, fmt.Errorf("%w: dataset profile: %v", ErrInvalid, err)
	}
	d := Dataset{Name: name, Digest: strings.ToLower(t.SHA256[:32]), SourceType: typ, Source: src,
		Schema: string(schema), Profile: string(profile)}
	return d, d.validate()
}

// DatasetSource returns the source type and source JSON of a dataset read
// from uri, as mlflow.data's sources write them: s3:// gives
// ("s3", {"uri": ...}), http(s):// ("http", {"url": ...}) with its
// credentials and secret query parameters masked (redact.URL), a path or file:// ("local", {"uri": <absolute path>}),
// kaggle:owner/dataset ("external", {"url": <the dataset's Kaggle page>}),
// any other scheme ("code", {"uri": ...}).
func DatasetSource(uri string) (sourceType, source string) {
	js := func(k, v string) string { b, _ := json.Marshal(map[string]string{k: v}); return string(b) }
	u, err := url.Parse(uri)
	switch {
	case err == nil && u.Scheme == "s3":
		return "s3", js("uri", uri)
	case err == nil && (u.Scheme == "http" || u.Scheme == "https"):
		return "http", js("url", redact.URL(uri))
	case err == nil && u.Scheme == "file":
		return "local", js("uri", u.Path)
	case err == nil && u.Scheme == "kaggle":
		ref := strings.Trim(u.Opaque+u.Path, "/")
		if parts := strings.Split(ref, "/"); len(parts) >= 2 {
			ref = parts[0] + "/" + parts[1]
		}
		return "external", js("url", "https://www.kaggle.com/datasets/"+ref)
	case err != nil || u.Scheme == "" || len(u.Scheme) == 1:
		if abs, err := filepath.Abs(uri); err == nil {
			uri = abs
		}
		return "local", js("uri", uri)
	}
	return "code", js("uri", uri)
}

func datasetName(uri string) string {
	if u, err := url.Parse(uri); err == nil && u.Scheme != "" && len(u.Scheme) > 1 {
		p := strings.TrimRight(u.Opaque+u.Path, "/")
		if i := strings.LastIndexAny(p, "/:"); i >= 0 {
			p = p[i+1:]
		}
		if p != "" {
			return p
		}
		return u.Host
	}
	return filepath.Base(uri)
}

// redacted returns d with secrets masked in its text fields.
func (d Dataset) redacted() Dataset {
	d.Name, d.Source, d.Schema, d.Profile = redact.String(d.Name), redact.String(d.Source), redact.String(d.Schema), redact.String(d.Profile)
	return d
}

func (d Dataset) validate() error {
	switch {
	case d.Name == "" || len(d.Name) > MaxDatasetNameSize:
		return fmt.Errorf("%w: dataset name must have 1..%d characters", ErrInvalid, MaxDatasetNameSize)
	case d.Digest == "" || len(d.Digest) > MaxDatasetDigestSize:
		return fmt.Errorf("%w: dataset %s: digest must have 1..%d characters", ErrInvalid, d.Name, MaxDatasetDigestSize)
	case d.SourceType == "" || d.Source == "":
		return fmt.Errorf("%w: dataset %s: source type and source are required", ErrInvalid, d.Name)
	case len(d.Source) > MaxDatasetSourceSize:
		return fmt.Errorf("%w: dataset %s: source is %d bytes, the limit is %d", ErrInvalid, d.Name, len(d.Source), MaxDatasetSourceSize)
	case len(d.Schema) > MaxDatasetSchemaSize:
		return fmt.Errorf("%w: dataset %s: schema is %d bytes, the limit is %d", ErrInvalid, d.Name, len(d.Schema), MaxDatasetSchemaSize)
	case len(d.Profile) > MaxDatasetProfileSize:
		return fmt.Errorf("%w: dataset %s: profile is %d bytes, the limit is %d", ErrInvalid, d.Name, len(d.Profile), MaxDatasetProfileSize)
	}
	return nil
}

func (in DatasetInput) validate() error {
	if err := in.Dataset.validate(); err != nil {
		return err
	}
	for _, t := range in.Tags {
		if t.Key == "" || len(t.Key) > MaxInputTagKeySize || len(t.Value) > MaxInputTagValueSize {
			return fmt.Errorf("%w: dataset %s: input tag %q: key 1..%d, value at most %d characters", ErrInvalid,
				in.Dataset.Name, t.Key, MaxInputTagKeySize, MaxInputTagValueSize)
		}
	}
	return nil
}

// LogInputs records datasets as inputs of a run (POST runs/log-inputs).
// Logging the same dataset (name and digest) again is a no-op on the
// server, so the request is retried like a read.
func (c *Client) LogInputs(ctx context.Context, runID string, inputs ...DatasetInput) error {
	for _, in := range inputs {
		if err := in.validate(); err != nil {
			return err
		}
	}
	return c.call(ctx, request{method: "POST", path: api + "runs/log-inputs",
		body: map[string]any{"run_id": runID, "datasets": inputs}, idempotent: true}, nil)
}

// RunInputs are the inputs of a run as GetRun returns them.
type RunInputs struct {
	DatasetInputs []DatasetInput `json:"dataset_inputs"`
}
