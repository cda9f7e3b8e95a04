package model_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/mlstack/mlstack/internal/testenv"
	"github.com/mlstack/mlstack/pkg/model"
)

// craftedBundle is a bundle Save could not have written: one file of a
// real bundle edited.
type craftedBundle struct {
	name string
	base string // "diabetes" (binary, two steps) or "mixed" (every step, three classes)
	file string
	edit func(v map[string]any) // edits the file's JSON; nil: raw does
	raw  func(b []byte) []byte  // edits the file's bytes
	want string                 // in Load's error; "" when Load accepts the bundle (it reads less than xgboost)
	py   string                 // in the Python loader's FormatError; "" when it does not read the file
}

// craftedBundles are the hostile bundles Load and the Python loader must
// refuse with an error naming the problem.
func craftedBundles() []craftedBundle {
	replace := func(old, new string) func([]byte) []byte {
		return func(b []byte) []byte { return bytes.Replace(b, []byte(old), []byte(new), 1) }
	}
	list := func(v any) []any { return v.([]any) }
	obj := func(v any) map[string]any { return v.(map[string]any) }
	step := func(v map[string]any, i int) map[string]any { return obj(list(v["steps"])[i]) }
	fitted := func(v map[string]any, i int, field string, j int) map[string]any {
		return obj(list(obj(step(v, i)["fitted"])[field])[j])
	}
	feature := func(v map[string]any, j int) map[string]any { return obj(list(v["features"])[j]) }
	input := func(v map[string]any, j int) map[string]any { return obj(list(v["inputs"])[j]) }
	learner := func(v map[string]any) map[string]any { return obj(obj(v["learner"])["learner_model_param"]) }
	tree := func(v map[string]any, i int) map[string]any {
		return obj(list(obj(obj(obj(v["learner"])["gradient_booster"])["model"])["trees"])[i])
	}
	return []craftedBundle{
		// mlstack.json
		{name: "threshold NaN literal", base: "diabetes", file: model.ManifestFile, raw: replace(`"threshold": 0.5`, `"threshold": NaN`),
			want: "mlstack.json: not a valid model bundle: invalid character 'N'", py: "mlstack.json: NaN"},
		{name: "threshold as text", base: "diabetes", file: model.ManifestFile, edit: func(v map[string]any) { v["threshold"] = "NaN" },
			want: "mlstack.json: not a valid model bundle: json: cannot unmarshal string", py: "threshold 'NaN' is not a number"},
		{name: "threshold out of range", base: "diabetes", file: model.ManifestFile, raw: replace(`"threshold": 0.5`, `"threshold": 1e999`),
			want: "mlstack.json: not a valid model bundle: json: cannot unmarshal number 1e999", py: "mlstack.json: number 1e999 is out of range"},
		{name: "threshold 1", base: "diabetes", file: model.ManifestFile, edit: func(v map[string]any) { v["threshold"] = 1 },
			want: "threshold 1 is not in (0, 1)", py: "threshold 1 is not in (0, 1)"},
		{name: "no inputs", base: "diabetes", file: model.ManifestFile, edit: func(v map[string]any) { v["inputs"] = []any{} },
			want: "no input columns", py: "no input columns"},
		{name: "repeated input", base: "diabetes", file: model.ManifestFile, edit: func(v map[string]any) { input(v, 1)["name"] = "Pregnancies" },
			want: `input "Pregnancies": empty, repeated or of no known kind`, py: `input 'Pregnancies': empty, repeated or of no known kind`},
		{name: "input of no known kind", base: "diabetes", file: model.ManifestFile, edit: func(v map[string]any) { input(v, 0)["kind"] = "text" },
			want: `unknown kind "text"`, py: `input 'Pregnancies': empty, repeated or of no known kind`},
		{name: "input is the target", base: "diabetes", file: model.ManifestFile, edit: func(v map[string]any) { input(v, 0)["name"] = "Outcome" },
			want: `input "Outcome" is the target`, py: `input 'Outcome' is the target`},
		{name: "one boolean token", base: "mixed", file: model.ManifestFile, edit: func(v map[string]any) { input(v, 4)["tokens"] = []any{"No"} },
			want: `boolean input "e": want 2 distinct tokens`, py: `boolean input 'e': want 2 distinct tokens`},
		// pipeline.json
		{name: "too many steps", base: "diabetes", file: model.PipelineFile, edit: func(v map[string]any) {
			for range model.MaxSteps {
				v["steps"] = append(list(v["steps"]), map[string]any{"step": "drop_duplicates"})
			}
		}, want: "pipeline.json: 1002 steps, at most 1000", py: "pipeline.json: 1002 steps, at most 1000"},
		{name: "NaN fill value", base: "diabetes", file: model.PipelineFile, edit: func(v map[string]any) { fitted(v, 1, "fills", 0)["value"] = "NaN" },
			want: `step 1 (impute): invalid fitted state: column "Pregnancies": invalid option: fill_value "NaN" is not a finite number`,
			py:   `step 1 (impute): column 'Pregnancies': fill value 'NaN' is not a finite number`},
		{name: "hexadecimal fill value", base: "diabetes", file: model.PipelineFile, edit: func(v map[string]any) { fitted(v, 1, "fills", 0)["value"] = "0x1p1" },
			want: `fill_value "0x1p1" is not a number`, py: `fill value '0x1p1' is not a finite number`},
		{name: "unknown step field", base: "diabetes", file: model.PipelineFile, edit: func(v map[string]any) { step(v, 1)["colour"] = "red" },
			want: `step 1 (impute): json: unknown field "colour"`, py: `step 1 (impute): unknown field 'colour'`},
		{name: "zero scale", base: "mixed", file: model.PipelineFile, edit: func(v map[string]any) { fitted(v, 9, "scales", 0)["scale"] = 0 },
			want: `step 9 (standardize): invalid fitted state: column "a": scale 0 is not positive`, py: `step 9 (standardize): column 'a': scale 0 is not positive`},
		{name: "unsorted levels", base: "mixed", file: model.PipelineFile, edit: func(v map[string]any) {
			fitted(v, 6, "columns", 0)["levels"] = []any{"red", "green", "blue"}
		}, want: `column "c": levels "red" and "green" are not sorted and distinct`, py: `column 'c': levels 'red' and 'green' are not sorted and distinct`},
		{name: "inverted clip", base: "mixed", file: model.PipelineFile, edit: func(v map[string]any) { fitted(v, 8, "bounds", 1)["lower"] = 100 },
			want: `column "b": lower bound 100 above the upper bound 51`, py: `column 'b': lower bound 100 above the upper bound 51`},
		{name: "fill of another kind", base: "mixed", file: model.PipelineFile, edit: func(v map[string]any) { fitted(v, 5, "fills", 0)["kind"] = "categorical" },
			want: `the pipeline does not apply to the inputs: clean: step 5 (impute): column "e": wrong column kind: boolean, want categorical`,
			py:   `the pipeline does not apply to the inputs: clean: step 5 (impute): column 'e': wrong column kind: boolean, want categorical`},
		{name: "a step missing", base: "mixed", file: model.PipelineFile, edit: func(v map[string]any) {
			v["steps"] = append(list(v["steps"])[:6], list(v["steps"])[7:]...)
		}, want: `the pipeline gives the columns ["a" (numeric), "b" (numeric), "c" (categorical)`, py: `the pipeline gives the columns ['a' (numeric), 'b' (numeric), 'c' (categorical)`},
		{name: "pipeline of another target", base: "diabetes", file: model.PipelineFile, edit: func(v map[string]any) { v["target"] = "Other" },
			want: `the pipeline's target "Other" is not the schema's "Outcome"`, py: `the pipeline's target 'Other' is not the schema's 'Outcome'`},
		// schema.json
		{name: "renamed feature", base: "diabetes", file: model.SchemaFile, edit: func(v map[string]any) { feature(v, 0)["name"] = "Pregnancy" },
			want: `the pipeline gives the columns ["Pregnancies" (numeric)`, py: `the pipeline gives the columns ['Pregnancies' (numeric)`},
		{name: "repeated feature", base: "diabetes", file: model.SchemaFile, edit: func(v map[string]any) { feature(v, 1)["name"] = "Pregnancies" },
			want: `schema.json: feature 1 "Pregnancies": empty, repeated or of no known kind`, py: `schema.json: feature 1 'Pregnancies': empty, repeated or of no known kind`},
		{name: "too many levels", base: "mixed", file: model.SchemaFile, edit: func(v map[string]any) {
			lv := make([]any, model.MaxLevels+1)
			for i := range lv {
				lv[i] = strconv.Itoa(i)
			}
			feature(v, 8)["levels"] = lv
		}, want: `schema.json: feature "g": 1048577 levels, at most 1048576`, py: `schema.json: feature 'g': 1048577 levels, at most 1048576`},
		{name: "NaN class", base: "diabetes", file: model.SchemaFile, edit: func(v map[string]any) { obj(v["target"])["classes"] = []any{"0", "NaN"} },
			want: `class "NaN" of the numeric target "Outcome" is not a finite number`, py: `class 'NaN' of the numeric target 'Outcome' is not a finite number`},
		{name: "classes fewer than outputs", base: "mixed", file: model.SchemaFile, edit: func(v map[string]any) {
			obj(v["target"])["classes"] = []any{"alpha", "beta"}
		}, want: "2 classes, but the booster has 3 outputs", py: "2 classes, but the booster has 3 outputs"},
		{name: "repeated class", base: "mixed", file: model.SchemaFile, edit: func(v map[string]any) {
			obj(v["target"])["classes"] = []any{"alpha", "alpha", "gamma"}
		}, want: `class "alpha" is listed twice`, py: `class 'alpha' is listed twice`},
		{name: "no target", base: "diabetes", file: model.SchemaFile, edit: func(v map[string]any) { delete(v, "target") },
			want: "the feature schema or its target is missing", py: "the feature schema or its target is missing"},
		// model.json
		{name: "booster of another task", base: "diabetes", file: model.BoosterFile,
			raw: replace(`"objective":{"name":"binary:logistic"`, `"objective":{"name":"reg:squarederror"`), want: `task "classification", but the booster's objective reg:squarederror is regression`,
			py: `task 'classification', but the booster's objective reg:squarederror is regression`},
		{name: "num_class beyond the bound", base: "diabetes", file: model.BoosterFile, edit: func(v map[string]any) { learner(v)["num_class"] = "1000000000" },
			want: `num_class "1000000000": want an integer in [0, 10000]`, py: `num_class '1000000000': want an integer in [0, 10000]`},
		{name: "base_score NaN", base: "diabetes", file: model.BoosterFile, edit: func(v map[string]any) { learner(v)["base_score"] = "NaN" },
			want: `base_score "NaN": want a finite number`, py: `base_score 'NaN': want a finite number`},
		{name: "split on no feature", base: "diabetes", file: model.BoosterFile, edit: func(v map[string]any) { list(tree(v, 0)["split_indices"])[0] = 999999 },
			want: "tree 0 node 0 splits on feature 999999 of 8", py: "tree 0 node 0 splits on feature 999999 of 8"},
		{name: "node its own child", base: "diabetes", file: model.BoosterFile, edit: func(v map[string]any) { list(tree(v, 0)["left_children"])[0] = 0 },
			want: "tree 0 node 0 has bad children 0,", py: "tree 0 node 0 has bad children 0,"},
		// Go does not read parents; xgboost follows them unchecked.
		{name: "parent out of range", base: "diabetes", file: model.BoosterFile, edit: func(v map[string]any) { list(tree(v, 0)["parents"])[1] = 999999 },
			py: "tree 0: parents do not match the children"},
		// input_example.json, which only Go reads
		{name: "example value not boolean", base: "mixed", file: "input_example.json", edit: func(v map[string]any) { list(list(v["data"])[0])[4] = 5 },
			want: `input_example.json: not a valid model bundle: row 0, column "e": 5 is not a boolean value`},
		{name: "example value an object", base: "mixed", file: "input_example.json", edit: func(v map[string]any) { list(list(v["data"])[0])[0] = map[string]any{} },
			want: `row 0, column "a": {} is not a numeric value`},
		{name: "example too long", base: "mixed", file: "input_example.json", edit: func(v map[string]any) {
			for len(list(v["data"])) <= model.MaxExampleRows {
				v["data"] = append(list(v["data"]), list(v["data"])[0])
			}
		}, want: "1001 rows, at most 1000"},
	}
}

// craftedBases saves the two real bundles the crafted ones start from.
func craftedBases(t *testing.T) map[string]string {
	t.Helper()
	dirs := map[string]string{}
	for name, fit := range map[string]func() (*model.Model, error){
		"diabetes": func() (*model.Model, error) {
			return model.Fit(context.Background(), sample(t, "diabetes"), diabetesSpec())
		},
		"mixed": func() (*model.Model, error) {
			s := mixedSpec()
			s.Params.NEstimators = 5
			return model.Fit(context.Background(), readCSV(t, mixedCSV(200, 1), nil), s)
		},
	} {
		m, err := fit()
		if err != nil {
			t.Fatal(err)
		}
		dirs[name] = filepath.Join(t.TempDir(), name)
		if err := m.Save(dirs[name]); err != nil {
			t.Fatal(err)
		}
	}
	return dirs
}

// craft copies the base bundle of c and edits one of its files.
func craft(t *testing.T, bases map[string]string, c craftedBundle) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "bundle")
	if err := os.CopyFS(dir, os.DirFS(bases[c.base])); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, c.file)
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if c.edit != nil {
		var v map[string]any
		if err := json.Unmarshal(b, &v); err != nil {
			t.Fatal(err)
		}
		c.edit(v)
		if b, err = json.MarshalIndent(v, "", "  "); err != nil {
			t.Fatal(err)
		}
	} else if nb := c.raw(b); bytes.Equal(nb, b) {
		t.Fatalf("%s: the edit changed nothing", c.name)
	} else {
		b = nb
	}
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

// Every crafted bundle is an error wrapping ErrFormat that says what is
// wrong; none panics.
func TestLoadCrafted(t *testing.T) {
	bases := craftedBases(t)
	for _, c := range craftedBundles() {
		t.Run(c.name, func(t *testing.T) {
			_, err := model.Load(craft(t, bases, c))
			t.Log(err)
			if c.want == "" {
				if err != nil {
					t.Errorf("Load: %v, want the bundle loaded", err)
				}
				return
			}
			if !errors.Is(err, model.ErrFormat) || !strings.Contains(fmt.Sprint(err), c.want) {
				t.Errorf("Load: %v\nwant an error wrapping ErrFormat saying %s", err, c.want)
			}
		})
	}
}

// The Python loader (mlflow.pyfunc's, code/mlstack_model.py) refuses the
// crafted bundles it reads with a FormatError that says what is wrong, as
// Load does.
func TestLoaderRefusesCrafted(t *testing.T) {
	testenv.SkipShort(t, "Python (the pyfunc loader)")
	bases := craftedBases(t)
	var cases []craftedBundle
	var dirs []string
	for _, c := range craftedBundles() {
		if c.py == "" {
			continue
		}
		cases = append(cases, c)
		dirs = append(dirs, craft(t, bases, c))
	}
	out := testenv.RunPython(t, `
import sys
sys.path.insert(0, sys.argv[1])
import mlstack_model
for d in sys.argv[2:]:
    try:
        mlstack_model.load(d)
        print("loaded")
    except mlstack_model.FormatError as e:
        print("FormatError: " + str(e).replace("\n", " "))
    except Exception as e:
        print("%s: %s" % (type(e).__name__, str(e).replace("\n", " ")))
`, append([]string{filepath.Join(bases["diabetes"], "code")}, dirs...))
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	if len(lines) != len(cases) {
		t.Fatalf("%d answers for %d bundles:\n%s", len(lines), len(cases), out)
	}
	for i, c := range cases {
		t.Log(lines[i])
		if !strings.HasPrefix(lines[i], "FormatError: ") || !strings.Contains(lines[i], c.py) {
			t.Errorf("%s: Python says %s\nwant a FormatError saying %s", c.name, lines[i], c.py)
		}
	}
	// The real bundles still load.
	out = testenv.RunPython(t, `
import sys
sys.path.insert(0, sys.argv[1])
import mlstack_model
for d in sys.argv[2:]:
    mlstack_model.load(d)
print("ok")
`, []string{filepath.Join(bases["diabetes"], "code"), bases["diabetes"], bases["mixed"]})
	if strings.TrimSpace(string(out)) != "ok" {
		t.Errorf("real bundles: %s", out)
	}
}
