// Command configdoc writes docs/CONFIG.md, the config reference, from the
// schema itself: the Config struct of pkg/experiment/config (yaml keys,
// types, doc comments, defaults from DefaultConfig), the dataset-level and
// fitted steps of pkg/clean (their options and doc comments) and the
// boosted-tree parameters of pkg/boost (keys, aliases, doc comments). Run
// it from the repository root after changing any of them:
//
//	go run ./cmd/configdoc
//
// (or go generate ./pkg/experiment/config). Its test fails when
// docs/CONFIG.md is not what it would write.
package main

import (
	"bytes"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"reflect"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/mlstack/mlstack/pkg/boost"
	"github.com/mlstack/mlstack/pkg/clean"
	"github.com/mlstack/mlstack/pkg/experiment/config"
)

// Output is the file written, from the repository root.
const Output = "docs/CONFIG.md"

func main() {
	root, err := repoRoot()
	if err == nil {
		var b []byte
		if b, err = Generate(root); err == nil {
			err = os.WriteFile(filepath.Join(root, Output), b, 0o644)
		}
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "configdoc:", err)
		os.Exit(1)
	}
}

// repoRoot is the closest directory up from the working one with go.mod.
func repoRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		up := filepath.Dir(dir)
		if up == dir {
			return "", fmt.Errorf("no go.mod above the working directory")
		}
		dir = up
	}
}

// comments are the doc comments of the fields of a package's struct types,
// by "Type.Field", and of its types, by "Type".
type comments map[string]string

func parseComments(dir string) (comments, error) {
	fset := token.NewFileSet()
	names, err := filepath.Glob(filepath.Join(dir, "*.go"))
	if err != nil {
		return nil, err
	}
	var files []*ast.File
	for _, name := range names {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, parser.ParseComments)
		if err != nil {
			return nil, err
		}
		files = append(files, f)
	}
	c := comments{}
	for _, f := range files {
		for _, d := range f.Decls {
			gd, ok := d.(*ast.GenDecl)
			if !ok || gd.Tok != token.TYPE {
				continue
			}
			for _, sp := range gd.Specs {
				ts := sp.(*ast.TypeSpec)
				doc := gd.Doc
				if ts.Doc != nil {
					doc = ts.Doc
				}
				c[ts.Name.Name] = text(doc, nil)
				st, ok := ts.Type.(*ast.StructType)
				if !ok {
					continue
				}
				for _, fl := range st.Fields.List {
					for _, n := range fl.Names {
						c[ts.Name.Name+"."+n.Name] = text(fl.Doc, fl.Comment)
					}
				}
			}
		}
	}
	return c, nil
}

func text(doc, line *ast.CommentGroup) string {
	var s string
	if doc != nil {
		s = doc.Text()
	}
	if line != nil {
		s = strings.TrimSpace(s + " " + line.Text())
	}
	return strings.Join(strings.Fields(s), " ")
}

// python are the Python equivalents of config keys (pandas, scikit-learn,
// imbalanced-learn, xgboost, MLflow), where there is one.
var python = map[string]string{
	"name":                       "mlflow.set_experiment(name)",
	"seed":                       "random_state=seed (folds, SMOTE, XGBoost)",
	"data.source":                "pd.read_csv(source)",
	"data.target":                "y = df[target]; X = df.drop(columns=target)",
	"data.positive":              "pos_label=positive (scikit-learn metrics); y = (df[target] == positive)",
	"data.missing":               "pd.read_csv(na_values=[...])",
	"prepare":                    "pandas lines on df before the split (see below)",
	"clean":                      "sklearn Pipeline steps fitted inside each fold (see below)",
	"resample.method":            "imblearn SMOTE / SMOTENC inside an imblearn Pipeline",
	"resample.k_neighbors":       "SMOTE(k_neighbors=...)",
	"resample.sampling_strategy": "SMOTE(sampling_strategy=...)",
	"model.trainer":              "XGBClassifier / XGBRegressor",
	"model.params":               "XGBClassifier(**params) (see below)",
	"validation.method":          "RepeatedStratifiedKFold / StratifiedKFold(shuffle=True) / KFold / RepeatedKFold",
	"validation.n_splits":        "n_splits=",
	"validation.n_repeats":       "n_repeats=",
	"validation.workers":         "cross_validate(n_jobs=...)",
	"validation.threshold":       "(proba >= threshold) for the label metrics",
	"metrics.names":              "cross_validate(scoring=[...])",
	"tracking.experiment":        "mlflow.set_experiment(...)",
	"tracking.run_name":          "mlflow.start_run(run_name=...)",
	"tracking.register_model":    "mlflow.register_model(...)",
	"tracking.alias":             "MlflowClient().set_registered_model_alias(...)",
	"tracking.tags":              "mlflow.set_tags(...)",
	"tracking.system_metrics":    "mlflow.start_run(log_system_metrics=True)",
	"search":                     "optuna.create_study(...).optimize(...)",
	"search.algorithm":           "TPESampler / RandomSampler / GridSampler",
	"search.n_trials":            "optimize(n_trials=...)",
	"search.timeout":             "optimize(timeout=...)",
	"search.direction":           "create_study(direction=...)",
	"search.pruner":              "MedianPruner()",
}

// Generate returns the config reference.
func Generate(root string) ([]byte, error) {
	cfgDoc, err := parseComments(filepath.Join(root, "pkg/experiment/config"))
	if err != nil {
		return nil, err
	}
	cleanDoc, err := parseComments(filepath.Join(root, "pkg/clean"))
	if err != nil {
		return nil, err
	}
	boostDoc, err := parseComments(filepath.Join(root, "pkg/boost"))
	if err != nil {
		return nil, err
	}
	var b bytes.Buffer
	b.WriteString(header)
	b.WriteString("## Keys\n\n| key | type | default | Python equivalent | meaning |\n|---|---|---|---|---|\n")
	def := config.DefaultConfig()
	keys(&b, cfgDoc, reflect.TypeFor[config.Config](), reflect.ValueOf(def), "")

	b.WriteString(prepareText)
	for _, name := range clean.PrepNames() {
		opts, py := clean.PrepOptions(name)
		steps(&b, cleanDoc, name, py, reflect.TypeOf(clean.NewPrep(name)).Elem(), opts)
	}
	b.WriteString(cleanText)
	for _, name := range clean.StepNames() {
		opts, py := clean.StepOptions(name)
		if name == "drop_duplicates" {
			continue // refused in a config: see prepare
		}
		steps(&b, cleanDoc, name, py, reflect.TypeOf(clean.NewStep(name)).Elem(), opts)
	}

	b.WriteString(paramsText)
	b.WriteString("| parameter | aliases | type | meaning |\n|---|---|---|---|\n")
	pt := reflect.TypeFor[boost.Params]()
	for i := range pt.NumField() {
		f := pt.Field(i)
		name := strings.Split(f.Tag.Get("yaml"), ",")[0]
		if name == "" || name == "-" {
			continue
		}
		fmt.Fprintf(&b, "| `%s` | %s | %s | %s |\n", name, code(strings.ReplaceAll(f.Tag.Get("alias"), ",", "`, `")), typeName(f.Type), cell(boostDoc["Params."+f.Name]))
	}
	return b.Bytes(), nil
}

// keys writes a row per key of struct type t (value v holds the
// defaults), recursing into struct fields.
func keys(b *bytes.Buffer, doc comments, t reflect.Type, v reflect.Value, prefix string) {
	for i := range t.NumField() {
		f := t.Field(i)
		name := strings.Split(f.Tag.Get("yaml"), ",")[0]
		if name == "" || name == "-" {
			continue
		}
		path := name
		if prefix != "" {
			path = prefix + "." + name
		}
		ft := f.Type
		fv := v.Field(i)
		if ft.Kind() == reflect.Pointer && ft.Elem().Kind() == reflect.Struct {
			ft, fv = ft.Elem(), reflect.Zero(ft.Elem())
		}
		meaning := doc[t.Name()+"."+f.Name]
		if meaning == "" && ft.Kind() == reflect.Struct {
			meaning = doc[ft.Name()]
		}
		fmt.Fprintf(b, "| `%s` | %s | %s | %s | %s |\n", path, typeName(f.Type), defaultOf(fv), code(python[path]), cell(meaning))
		if ft.Kind() == reflect.Struct && ft.Name() != "Params" {
			keys(b, doc, ft, fv, path)
		}
	}
}

// steps writes the section of one step: its Python equivalent, its doc
// comment, and a row per option.
func steps(b *bytes.Buffer, doc comments, name, py string, t reflect.Type, opts []string) {
	fmt.Fprintf(b, "### `%s`\n\nPython: `%s`\n\n%s\n\n", name, py, doc[t.Name()])
	if len(opts) == 0 {
		b.WriteString("No options.\n\n")
		return
	}
	b.WriteString("| option | type | meaning |\n|---|---|---|\n")
	for _, o := range opts {
		for i := range t.NumField() {
			f := t.Field(i)
			if strings.Split(f.Tag.Get("json"), ",")[0] == o {
				fmt.Fprintf(b, "| `%s` | %s | %s |\n", o, typeName(f.Type), cell(doc[t.Name()+"."+f.Name]))
			}
		}
	}
	b.WriteString("\n")
}

func typeName(t reflect.Type) string {
	switch t.Kind() {
	case reflect.Pointer:
		return typeName(t.Elem())
	case reflect.Slice:
		return "list of " + typeName(t.Elem())
	case reflect.Map:
		return "map of " + typeName(t.Key()) + " to " + typeName(t.Elem())
	case reflect.Struct:
		if t.Name() == "Params" {
			return "mapping (the trainer's parameters)"
		}
		return "mapping"
	case reflect.Interface:
		return "any"
	case reflect.Uint64:
		return "integer ≥ 0"
	case reflect.Int:
		return "integer"
	case reflect.Float64:
		return "number"
	case reflect.Bool:
		return "boolean"
	}
	return "string"
}

func defaultOf(v reflect.Value) string {
	if !v.IsValid() || v.IsZero() {
		return ""
	}
	if v.Kind() == reflect.Struct {
		return ""
	}
	if v.Kind() == reflect.Pointer {
		v = v.Elem()
	}
	out, err := yaml.Marshal(v.Interface())
	if err != nil {
		return ""
	}
	return "`" + strings.TrimSpace(string(out)) + "`"
}

// code is s as inline code in a table cell ("" stays empty).
func code(s string) string {
	if s == "" {
		return ""
	}
	return "`" + strings.ReplaceAll(s, "|", `\|`) + "`"
}

// cell makes text safe in a Markdown table cell.
func cell(s string) string {
	return strings.ReplaceAll(s, "|", `\|`)
}
