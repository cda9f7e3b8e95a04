package model

import (
	"bytes"
	"context"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"

	"github.com/mlstack/mlstack"
	"github.com/mlstack/mlstack/internal/crash"
	"github.com/mlstack/mlstack/pkg/boost"
	"github.com/mlstack/mlstack/pkg/clean"
	"github.com/mlstack/mlstack/pkg/frame"
	"github.com/mlstack/mlstack/pkg/mlflow"
)

// FormatVersion is the version of the bundle format this package writes
// (the "format" of mlstack.json). Load reads every version up to it and
// refuses newer ones with ErrNewerFormat.
const FormatVersion = 1

// Files of a bundle directory, besides those of the MLflow model format
// (MLmodel, model.json, requirements.txt, conda.yaml, python_env.yaml,
// input_example.json, serving_input_example.json).
const (
	ManifestFile = "mlstack.json"  // format, task, inputs, threshold, missing tokens
	PipelineFile = "pipeline.json" // the fitted cleaning pipeline (pkg/clean JSON)
	SchemaFile   = "schema.json"   // the feature schema and target (pkg/frame JSON)
	BoosterFile  = "model.json"    // the booster as XGBoost JSON
	LightGBMFile = "model.txt"     // the booster as LightGBM text, for leaves
	LoaderFile   = "code/" + LoaderModule + ".py"
)

// LoaderModule is the Python module of the python_function flavour that
// scores raw rows (shipped in the model's code/ directory).
const LoaderModule = "mlstack_model"

//go:embed python/mlstack_model.py
var loaderPy []byte

// maxFileSize bounds what Load reads of any one file of a bundle.
const maxFileSize = 1 << 30

// manifest is mlstack.json.
type manifest struct {
	Format    int      `json:"format"`
	Task      Task     `json:"task"`
	Threshold float64  `json:"threshold"`
	Missing   []string `json:"missing"`
	Inputs    []Input  `json:"inputs"`
}

// Save writes the bundle into dir (created if needed, files of the same
// names replaced) as an MLflow model directory: what a run logs, what
// mlflow.pyfunc.load_model(dir) scores raw rows with, and what Load reads
// back. See the package documentation for its files.
func (m *Model) Save(dir string) error {
	xm, err := m.MLflow()
	if err != nil {
		return err
	}
	if err := mlflow.WriteXGBoostModel(dir, *xm); err != nil {
		return fmt.Errorf("model: save %s: %w", dir, err)
	}
	return nil
}

// MLflow returns the bundle as an MLflow model, for Save and for
// mlflow.Run.LogModel: the xgboost flavour (the booster, loadable with
// mlflow.xgboost), the mlstack flavour (mlstack.json, pipeline.json,
// schema.json, model.txt) and a python_function flavour whose loader
// (code/mlstack_model.py) applies the pipeline to raw rows before the
// booster; the signature (raw input columns, output, and the
// predict_method parameter of a classifier); up to five training rows as
// the input example; and requirements pinned to the versions of
// requirements-dev.txt, which the tests load the model with.
func (m *Model) MLflow() (*mlflow.XGBoostModel, error) {
	if err := m.validate(); err != nil {
		return nil, fmt.Errorf("model: %w", err)
	}
	files := map[string][]byte{LoaderFile: loaderPy}
	var err error
	put := func(name string, v any) {
		if err == nil {
			files[name], err = json.MarshalIndent(v, "", "  ")
		}
	}
	put(ManifestFile, manifest{Format: FormatVersion, Task: m.Task, Threshold: m.Threshold, Missing: m.Missing, Inputs: m.Inputs})
	put(PipelineFile, m.Pipeline)
	put(SchemaFile, m.Schema)
	if err != nil {
		return nil, fmt.Errorf("model: %w", err)
	}
	var js, lgb bytes.Buffer
	if err := m.Booster.WriteXGBoostJSON(&js); err != nil {
		return nil, fmt.Errorf("model: %w", err)
	}
	if err := m.Booster.WriteLightGBM(&lgb); err != nil {
		return nil, fmt.Errorf("model: %w", err)
	}
	files[LightGBMFile] = lgb.Bytes()
	class := "xgboost.sklearn.XGBClassifier"
	if m.Task == Regression {
		class = "xgboost.sklearn.XGBRegressor"
	}
	return &mlflow.XGBoostModel{
		JSON: js.Bytes(), ModelClass: class,
		XGBoostVersion: mlstack.PythonPin("xgboost"), MLflowVersion: mlstack.PythonPin("mlflow"),
		ExtraRequirements: []string{"numpy==" + mlstack.PythonPin("numpy"), "pandas==" + mlstack.PythonPin("pandas")},
		Loader:            LoaderModule,
		Flavors: map[string]map[string]string{"mlstack": {
			"data": ManifestFile, "format": strconv.Itoa(FormatVersion), "pipeline": PipelineFile, "schema": SchemaFile, "lightgbm": LightGBMFile,
		}},
		Files:        files,
		Signature:    m.signature(),
		InputExample: m.example(),
	}, nil
}

// pandasBool reports whether pandas reads a boolean column with these
// tokens as bool (its default true_values and false_values).
func pandasBool(tokens []string) bool {
	switch tokens[0] + "/" + tokens[1] {
	case "false/true", "False/True", "FALSE/TRUE":
		return true
	}
	return false
}

// inputType is the MLflow type of a raw input column: what pandas reads
// from a CSV of the training data.
func inputType(in Input) string {
	switch {
	case in.Kind == frame.Numeric && in.Integer:
		return "long"
	case in.Kind == frame.Numeric:
		return "double"
	case in.Kind == frame.Boolean && pandasBool(in.Tokens):
		return "boolean"
	}
	return "string"
}

// labelType is the MLflow type of the predictions: the values of a
// regression model, the labels of a classifier (numbers for a numeric
// target, long when they are whole).
func (m *Model) labelType() string {
	if m.Task == Regression {
		return "double"
	}
	if m.Schema.Target.Kind != frame.Numeric {
		return "string"
	}
	for _, c := range m.Classes() {
		if v, err := strconv.ParseFloat(c, 64); err != nil || v != math.Trunc(v) {
			return "double"
		}
	}
	return "long"
}

func (m *Model) signature() *mlflow.Signature {
	s := &mlflow.Signature{Outputs: []mlflow.ColSpec{{Type: m.labelType(), Required: true}}}
	for _, in := range m.Inputs {
		s.Inputs = append(s.Inputs, mlflow.ColSpec{Type: inputType(in), Name: in.Name, Required: true})
	}
	if m.Task == Classification {
		s.Params = []mlflow.ParamSpec{{Name: "predict_method", Type: "string", Default: "predict"}}
	}
	return s
}

// example returns Example in MLflow's split form (nil without one).
func (m *Model) example() *mlflow.DataFrame {
	if m.Example == nil || m.Example.Len() == 0 {
		return nil
	}
	e, err := m.MLflowInput(m.Example)
	if err != nil {
		return nil
	}
	return e
}

// MLflowInput returns raw rows in MLflow's "split" form, each value typed
// as the signature declares its column (see the package documentation),
// nil for a missing value: the input example's form, and the body of a
// request to `mlflow models serve` as {"dataframe_split": ...}.
func (m *Model) MLflowInput(rows *frame.Frame) (*mlflow.DataFrame, error) {
	in, err := m.conform(rows)
	if err != nil {
		return nil, err
	}
	e := &mlflow.DataFrame{Data: make([][]any, 0, in.Len())}
	for _, inp := range m.Inputs {
		e.Columns = append(e.Columns, inp.Name)
	}
	for i := range in.Len() {
		row := make([]any, len(m.Inputs))
		for j, inp := range m.Inputs {
			c := in.ColumnAt(j)
			if c.IsNA(i) {
				continue
			}
			switch t := inputType(inp); {
			case t == "long" && c.Float(i) == math.Trunc(c.Float(i)) && math.Abs(c.Float(i)) <= 1<<53:
				row[j] = int64(c.Float(i))
			case t == "long" || t == "double":
				row[j] = c.Float(i)
			case t == "boolean":
				row[j] = c.Float(i) == 1
			default:
				row[j] = c.String(i)
			}
		}
		e.Data = append(e.Data, row)
	}
	return e, nil
}

// Load reads the bundle Save wrote into dir.
func Load(dir string) (*Model, error) {
	return load(context.Background(), dir, func(_ context.Context, name string) (io.ReadCloser, error) {
		return os.Open(filepath.Join(dir, filepath.FromSlash(name)))
	})
}

// opener opens a file of a bundle by its name in the bundle.
type opener func(ctx context.Context, name string) (io.ReadCloser, error)

// load reads a bundle through open; src names it in errors.
func load(ctx context.Context, src string, open opener) (*Model, error) {
	read := func(name string) ([]byte, error) {
		rc, err := open(ctx, name)
		if err != nil {
			return nil, err
		}
		defer rc.Close()
		b, err := io.ReadAll(io.LimitReader(rc, maxFileSize+1))
		if err == nil && len(b) > maxFileSize {
			err = fmt.Errorf("%w: %s is larger than %d bytes", ErrFormat, name, maxFileSize)
		}
		return b, err
	}
	fail := func(name string, err error) (*Model, error) {
		if !errors.Is(err, ErrFormat) && !errors.Is(err, ErrNewerFormat) && !isNotExist(err) && !errors.As(err, new(*crash.PanicError)) {
			err = fmt.Errorf("%w: %w", ErrFormat, err)
		}
		return nil, fmt.Errorf("model: %s: %s: %w", src, name, err)
	}
	b, err := read(ManifestFile)
	if isNotExist(err) {
		return nil, fmt.Errorf("model: %s: %w: no %s (an MLflow model logged without its cleaning pipeline cannot score raw rows)", src, ErrFormat, ManifestFile)
	}
	if err != nil {
		return fail(ManifestFile, err)
	}
	var mf manifest
	if err := json.Unmarshal(b, &mf); err != nil {
		return fail(ManifestFile, err)
	}
	switch {
	case mf.Format > FormatVersion:
		return fail(ManifestFile, fmt.Errorf("%w: format %d, this program reads up to %d; update mlstack", ErrNewerFormat, mf.Format, FormatVersion))
	case mf.Format < 1:
		return fail(ManifestFile, fmt.Errorf("%w: format %d", ErrFormat, mf.Format))
	}
	m := &Model{Task: mf.Task, Threshold: mf.Threshold, Missing: mf.Missing, Inputs: mf.Inputs,
		Pipeline: &clean.Pipeline{}, Schema: &frame.Schema{}}
	for _, f := range []struct {
		name string
		v    any
	}{{PipelineFile, m.Pipeline}, {SchemaFile, m.Schema}} {
		if b, err = read(f.name); err == nil {
			err = json.Unmarshal(b, f.v)
		}
		if err != nil {
			return fail(f.name, err)
		}
	}
	if b, err = read(BoosterFile); err == nil {
		m.Booster, err = boost.ReadXGBoostJSON(bytes.NewReader(b))
	}
	if err != nil {
		return fail(BoosterFile, err)
	}
	if err := m.validate(); err != nil {
		return nil, fmt.Errorf("model: %s: %w", src, err)
	}
	b, err = read("input_example.json")
	switch {
	case err == nil:
		if m.Example, err = m.readExample(b); err != nil {
			return fail("input_example.json", err)
		}
	case !isNotExist(err):
		return fail("input_example.json", err)
	}
	return m, nil
}

func isNotExist(err error) bool {
	return errors.Is(err, fs.ErrNotExist) || errors.Is(err, mlflow.ErrNotFound) || isStorageNotFound(err)
}

// readExample decodes an input example written by Save: at most
// MaxExampleRows rows, each value null or of its input's type (a number
// for a numeric column, a token, true, false, 0 or 1 for a boolean one,
// any scalar for a category).
func (m *Model) readExample(b []byte) (*frame.Frame, error) {
	var df struct {
		Columns []string            `json:"columns"`
		Data    [][]json.RawMessage `json:"data"`
	}
	if err := json.Unmarshal(b, &df); err != nil {
		return nil, err
	}
	if len(df.Data) > MaxExampleRows {
		return nil, fmt.Errorf("%w: %d rows, at most %d", ErrFormat, len(df.Data), MaxExampleRows)
	}
	for i, row := range df.Data {
		if len(row) != len(df.Columns) {
			return nil, fmt.Errorf("%w: row %d has %d values for %d columns", ErrFormat, i, len(row), len(df.Columns))
		}
	}
	cols := make([]*frame.Column, len(m.Inputs))
	for j, in := range m.Inputs {
		k := slices.Index(df.Columns, in.Name)
		if k < 0 {
			return nil, fmt.Errorf("%w: no column %q", ErrFormat, in.Name)
		}
		num := make([]float64, len(df.Data))
		str, na := make([]string, len(df.Data)), make([]bool, len(df.Data))
		for i, row := range df.Data {
			var v any
			if err := json.Unmarshal(row[k], &v); err != nil {
				return nil, err
			}
			bad := func() error {
				return fmt.Errorf("%w: row %d, column %q: %s is not a %v value", ErrFormat, i, in.Name, row[k], in.Kind)
			}
			switch v := v.(type) {
			case nil:
				num[i], na[i] = math.NaN(), true
			case float64:
				if in.Kind == frame.Boolean && v != 0 && v != 1 {
					return nil, bad()
				}
				num[i], str[i] = v, strconv.FormatFloat(v, 'g', -1, 64)
			case bool:
				if in.Kind == frame.Numeric {
					return nil, bad()
				}
				num[i], str[i] = 0, in.tokenOr(0)
				if v {
					num[i], str[i] = 1, in.tokenOr(1)
				}
			case string:
				str[i] = v
				switch {
				case in.Kind == frame.Categorical:
				case in.Kind == frame.Boolean && v == in.tokenOr(0):
					num[i] = 0
				case in.Kind == frame.Boolean && v == in.tokenOr(1):
					num[i] = 1
				default:
					return nil, bad()
				}
			default:
				return nil, bad()
			}
		}
		switch in.Kind {
		case frame.Numeric:
			cols[j] = frame.NewNumeric(in.Name, num)
		case frame.Boolean:
			cols[j] = frame.NewBoolean(in.Name, num, in.Tokens[0], in.Tokens[1])
		default:
			cols[j] = frame.NewCategorical(in.Name, str, na)
		}
	}
	return frame.New(cols...)
}

// tokenOr returns token k of a boolean input, "" for other kinds.
func (in Input) tokenOr(k int) string {
	if len(in.Tokens) == 2 {
		return in.Tokens[k]
	}
	return ""
}
