package model_test

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/mlstack/mlstack/internal/testenv"
	"github.com/mlstack/mlstack/pkg/boost"
	"github.com/mlstack/mlstack/pkg/clean"
	"github.com/mlstack/mlstack/pkg/frame"
	"github.com/mlstack/mlstack/pkg/model"
)

// mixedCSV returns n rows of synthetic data with every column kind the
// cleaning steps handle, missing values in each, zeros in a, and a
// three-class target:
//
//	id  numeric, dropped        a  float, zeros = missing   b  whole numbers (long)
//	c   category, one-hot       d  ordered category          e  Yes/No
//	f   True/False              g, h categories exported as ordinal codes
func mixedCSV(n int, seed uint64) string {
	r := rand.New(rand.NewPCG(seed, 1))
	pick := func(missing float64, vals ...string) string {
		if r.Float64() < missing {
			return ""
		}
		return vals[r.IntN(len(vals))]
	}
	var b strings.Builder
	b.WriteString("id,a,b,c,d,e,f,g,h,species\n")
	for i := range n {
		a := strconv.FormatFloat(math.Round(r.NormFloat64()*300)/100+2, 'f', -1, 64)
		switch {
		case r.Float64() < 0.1:
			a = "0"
		case r.Float64() < 0.05:
			a = ""
		}
		bv := r.IntN(40)
		c, d := pick(0.05, "red", "green", "blue"), pick(0.05, "lo", "mid", "hi")
		score := float64(bv)/20 + map[string]float64{"red": 1, "green": -0.5}[c] + map[string]float64{"hi": 1, "lo": -1}[d]
		species := "alpha"
		switch {
		case score+r.NormFloat64()*0.5 > 1.5:
			species = "gamma"
		case score+r.NormFloat64()*0.5 > 0.3:
			species = "beta"
		}
		fmt.Fprintf(&b, "%d,%s,%d,%s,%s,%s,%s,%s,%s,%s\n", i, a, bv, c, d,
			pick(0.05, "Yes", "No"), pick(0.05, "True", "False"), pick(0.05, "x", "y", "z"), pick(0.05, "u", "v"), species)
	}
	return b.String()
}

// mixedRows are rows to score: zeros, missing values in every column (b
// aside: a missing value in a long column is refused by MLflow's
// signature check), unseen categories, other boolean tokens, extra columns
// and another column order.
const mixedRows = `species,h,g,f,e,d,c,b,a,id,note
,u,x,True,Yes,lo,red,3,0,1,a
,v,y,False,No,mid,green,39,1.5,2,b
,,z,,,,,0,,3,c
,w,q,True,Yes,top,purple,100,-50,4,d
,u,,False,,hi,,12,99,5,e
,v,x,,No,lo,blue,7,0.25,6,f
`

// mixedMissingLong adds a row with a missing value in b (long): only the
// loader's own predict takes it.
const mixedMissingLong = mixedRows + ",u,x,True,Yes,lo,red,,2,7,g\n"

func mixedSpec() *model.Spec {
	pipe := clean.New(
		&clean.DropDuplicates{},
		&clean.DropColumns{Columns: []string{"id"}},
		&clean.ZeroAsMissing{Columns: []string{"a"}},
		&clean.Impute{Strategy: clean.Median, Columns: []string{"a"}},
		&clean.Impute{Strategy: clean.MostFrequent, Columns: []string{"h"}},
		&clean.Impute{Strategy: clean.Constant, FillValue: "No", Columns: []string{"e"}},
		&clean.Encode{Method: clean.OneHot, Columns: []string{"c"}}, // unknown: ignore, the default, in Go and in Python
		&clean.Encode{Method: clean.Ordinal, Unknown: clean.UnknownIgnore, Columns: []string{"d"}},
		&clean.Clip{Columns: []string{"a", "b"}, Factor: 1},
		&clean.Standardize{},
	)
	return &model.Spec{Target: "species", Pipeline: pipe, Ordinal: true, Seed: 3,
		Params: boost.Params{Objective: boost.MultiSoftprob, NumClass: 3, NEstimators: 25, MaxDepth: 3}}
}

// compareWithPython scores the CSV at path in Go (read with the model's
// ReadOptions) and checks Python's result against it: the same labels and
// probabilities within 1e-6.
func compareWithPython(t *testing.T, m *model.Model, path string, py *testenv.PyfuncResult) {
	t.Helper()
	o := m.ReadOptions()
	o.Name = path
	rows, err := frame.Open(context.Background(), path, o)
	if err != nil {
		t.Fatal(err)
	}
	pred, err := m.Predict(rows)
	if err != nil {
		t.Fatal(err)
	}
	if len(py.Labels) != rows.Len() {
		t.Fatalf("Python gave %d predictions for %d rows", len(py.Labels), rows.Len())
	}
	worst := 0.0
	for i := range rows.Len() {
		if m.Task == model.Regression {
			worst = math.Max(worst, math.Abs(pred.Float(i)-py.Values[i]))
			continue
		}
		if got, want := py.Labels[i], pred.String(i); got != want {
			t.Errorf("row %d: Python label %q, Go %q", i, got, want)
		}
	}
	if m.Task == model.Classification {
		proba, err := m.PredictProba(rows)
		if err != nil {
			t.Fatal(err)
		}
		for i := range rows.Len() {
			for j, p := range py.Proba[i] {
				worst = math.Max(worst, math.Abs(p-proba.At(i, j)))
			}
		}
	}
	if worst > 1e-6 {
		t.Errorf("Python and Go differ by up to %g > 1e-6", worst)
	}
	t.Logf("%d rows: max |Python - Go| = %.3g", rows.Len(), worst)
}

func writeFile(t *testing.T, name, text string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestPythonParity fits models on raw data, saves them, and scores raw
// rows with mlflow.pyfunc.load_model(dir).predict(pandas.read_csv(rows)):
// the labels and probabilities must equal Go's within 1e-6, and loading
// must not warn (the pinned versions are the installed ones).
func TestPythonParity(t *testing.T) {
	ctx := context.Background()
	type check struct {
		name string
		m    *model.Model
		job  testenv.PyfuncJob
	}
	var checks []check
	for _, tc := range []struct {
		name       string
		train      *frame.Frame
		spec       *model.Spec
		rows       string
		directRows string // rows only the loader's own predict takes
	}{
		{"every step, multiclass", readCSV(t, mixedCSV(600, 1), nil), mixedSpec(), mixedRows, mixedMissingLong},
		{"diabetes", sample(t, "diabetes"), diabetesSpec(), newPatients + "p5,60,0,0,0,0,0,0,0\n", ""},
	} {
		m, err := model.Fit(ctx, tc.train, tc.spec)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		dir := filepath.Join(t.TempDir(), "model")
		if err := m.Save(dir); err != nil {
			t.Fatal(err)
		}
		checks = append(checks, check{tc.name, m, testenv.PyfuncJob{URI: dir, CSV: writeFile(t, "rows.csv", tc.rows)}})
		if tc.directRows != "" {
			checks = append(checks, check{tc.name + ", past the signature", m,
				testenv.PyfuncJob{URI: dir, CSV: writeFile(t, "direct.csv", tc.directRows), Direct: true}})
		}
	}
	jobs := make([]testenv.PyfuncJob, len(checks))
	for i, c := range checks {
		jobs[i] = c.job
	}
	for i, py := range testenv.Pyfunc(t, jobs) {
		t.Run(checks[i].name, func(t *testing.T) {
			if len(py.Warnings) > 0 {
				t.Errorf("mlflow warned when loading the model:\n%s", strings.Join(py.Warnings, "\n"))
			}
			compareWithPython(t, checks[i].m, checks[i].job.CSV, py)
		})
	}
}

// The Python loader handles every step pkg/clean has.
func TestLoaderSteps(t *testing.T) {
	out := testenv.RunPython(t, `
import sys
sys.path.insert(0, sys.argv[1])
import mlstack_model
print(",".join(sorted(mlstack_model.STEPS)))
`, []string{"python"})
	if got, want := strings.TrimSpace(string(out)), strings.Join(clean.StepNames(), ","); got != want {
		t.Errorf("the Python loader has steps %s, pkg/clean %s", got, want)
	}
}

// A bundle of a newer format is refused in Python too.
func TestLoaderRefusesNewerFormat(t *testing.T) {
	m := fitDiabetes(t)
	dir := t.TempDir()
	if err := m.Save(dir); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(filepath.Join(dir, "mlstack.json"))
	b = []byte(strings.Replace(string(b), fmt.Sprintf(`"format": %d`, model.FormatVersion), fmt.Sprintf(`"format": %d`, model.FormatVersion+1), 1))
	if err := os.WriteFile(filepath.Join(dir, "mlstack.json"), b, 0o644); err != nil {
		t.Fatal(err)
	}
	out := testenv.RunPython(t, `
import sys
sys.path.insert(0, sys.argv[1] + "/code")
import mlstack_model
try:
    mlstack_model.load(sys.argv[1])
except mlstack_model.FormatError as e:
    print(e)
`, []string{dir})
	if want := fmt.Sprintf("format %d is newer than this loader reads (%d)", model.FormatVersion+1, model.FormatVersion); !strings.Contains(string(out), want) {
		t.Errorf("Python load of a newer bundle: %q; want %q", out, want)
	}
}
