package model_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"gonum.org/v1/gonum/mat"

	"github.com/mlstack/mlstack/internal/testenv"
	"github.com/mlstack/mlstack/pkg/boost"
	"github.com/mlstack/mlstack/pkg/clean"
	"github.com/mlstack/mlstack/pkg/frame"
	"github.com/mlstack/mlstack/pkg/internal/sampletest"
	"github.com/mlstack/mlstack/pkg/model"
	"github.com/mlstack/mlstack/pkg/resample"
)

func TestMain(m *testing.M) { testenv.Main(m) }

func sample(t testing.TB, name string) *frame.Frame { return sampletest.Frame(t, name) }

func readCSV(t testing.TB, text string, opts *frame.ReadOptions) *frame.Frame {
	t.Helper()
	f, err := frame.ReadCSV(context.Background(), strings.NewReader(text), opts)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// diabetesSpec is the seed experiment (configs/classification.yaml) with
// fewer trees.
func diabetesSpec() *model.Spec {
	pipe := clean.New(
		&clean.ZeroAsMissing{Columns: []string{"Glucose", "BloodPressure", "SkinThickness", "Insulin", "BMI"}},
		&clean.Impute{Strategy: clean.Median},
	)
	return &model.Spec{Target: "Outcome", Pipeline: pipe, Seed: 42,
		Params: boost.Params{NEstimators: 30, MaxDepth: 4, LearningRate: 0.1, Subsample: 0.9}}
}

func fitDiabetes(t testing.TB) *model.Model {
	t.Helper()
	m, err := model.Fit(context.Background(), sample(t, "diabetes"), diabetesSpec())
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// newPatients are raw rows as a user has them: columns in another order,
// an extra id column, zeros meaning "not measured" and a missing BMI.
const newPatients = `id,Age,Glucose,BloodPressure,SkinThickness,Insulin,BMI,DiabetesPedigreeFunction,Pregnancies
p1,21,89,66,23,94,28.1,0.167,1
p2,51,166,72,19,175,25.8,0.587,5
p3,45,0,70,0,0,30.5,0.350,3
p4,32,183,64,0,0,,0.672,8
`

func TestFitPredict(t *testing.T) {
	m := fitDiabetes(t)
	if m.Task != model.Classification || m.Target() != "Outcome" || strings.Join(m.Classes(), ",") != "0,1" {
		t.Fatalf("task %s, target %s, classes %v", m.Task, m.Target(), m.Classes())
	}
	if got := len(m.Inputs); got != 8 {
		t.Fatalf("%d inputs, want the 8 feature columns", got)
	}
	// Whole numbers without missing values are what pandas reads as int64.
	for _, in := range m.Inputs {
		if want := in.Name != "BMI" && in.Name != "DiabetesPedigreeFunction"; in.Integer != want || in.Kind != frame.Numeric {
			t.Errorf("input %s: %v, integer %v; want numeric, integer %v", in.Name, in.Kind, in.Integer, want)
		}
	}
	rows := readCSV(t, newPatients, m.ReadOptions())
	labels, err := m.Predict(rows)
	if err != nil {
		t.Fatal(err)
	}
	proba, err := m.PredictProba(rows)
	if err != nil {
		t.Fatal(err)
	}
	if r, c := proba.Dims(); r != 4 || c != 2 {
		t.Fatalf("PredictProba is %d×%d, want 4×2", r, c)
	}
	for i := range 4 {
		p := proba.At(i, 1)
		if math.Abs(proba.At(i, 0)+p-1) > 1e-12 {
			t.Errorf("row %d: probabilities %v, %v do not sum to 1", i, proba.At(i, 0), p)
		}
		want := 0.0
		if p > m.Threshold {
			want = 1
		}
		if got := labels.Float(i); got != want {
			t.Errorf("row %d: label %v, want %v (p = %v)", i, got, want, p)
		}
	}
	// The pipeline makes a zero Glucose the training median: the same
	// score as giving the median.
	X, err := m.Features(rows)
	if err != nil {
		t.Fatal(err)
	}
	if X.At(2, 1) == 0 || math.IsNaN(X.At(3, 5)) {
		t.Errorf("features of raw rows were not cleaned: %v", X.RawRowView(2))
	}
	sc, err := m.Score(rows)
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(sc.Names(), ","); got != "prediction,probability" {
		t.Errorf("Score columns %s", got)
	}
}

// Raw rows are found by name: order, extra columns and the target change nothing.
func TestPredictColumnOrder(t *testing.T) {
	m := fitDiabetes(t)
	all := sample(t, "diabetes")
	want, err := m.PredictProba(all)
	if err != nil {
		t.Fatal(err)
	}
	names := all.Names()
	reversed := make([]string, len(names))
	for i, n := range names {
		reversed[len(names)-1-i] = n
	}
	noTarget, _ := all.Drop("Outcome")
	rev, _ := all.Select(reversed...)
	extra, _ := all.With(frame.NewCategorical("comment", make([]string, all.Len()), nil))
	for name, rows := range map[string]*frame.Frame{"no target": noTarget, "reversed": rev, "extra column": extra} {
		got, err := m.PredictProba(rows)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		for i := range all.Len() {
			if got.At(i, 1) != want.At(i, 1) {
				t.Fatalf("%s: row %d: %v, want %v", name, i, got.At(i, 1), want.At(i, 1))
			}
		}
	}
}

func TestInputErrors(t *testing.T) {
	m := fitDiabetes(t)
	badGlucose := strings.Replace(newPatients, "p3,45,0", "p3,45,high", 1)
	noAge := "Pregnancies,Glucose,BloodPressure,SkinThickness,Insulin,BMI,DiabetesPedigreeFunction\n1,2,3,4,5,6,0.5\n"
	asCSV := func(name string) *frame.ReadOptions { o := m.ReadOptions(); o.Name = name; return o }
	for _, tc := range []struct {
		name, csv string
		opts      *frame.ReadOptions // nil: read with inferred kinds, then Predict
		want      []string           // in the message
		as        any                // error type expected, by errors.As
	}{
		{"missing column, frame", noAge, nil, []string{`"Age"`, "no such column"}, new(*model.InputError)},
		{"missing column, CSV", noAge, asCSV("new.csv"), []string{`"Age"`, "no such column"}, new(*frame.ColumnError)},
		{"text in a number column, frame", badGlucose, nil, []string{`"Glucose"`, "row 2", `"high"`, "a number"}, new(*model.InputError)},
		{"text in a number column, CSV", badGlucose, asCSV("new.csv"), []string{"new.csv:4", `"Glucose"`, `"high"`}, new(*frame.ParseError)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rows, err := frame.ReadCSV(context.Background(), strings.NewReader(tc.csv), tc.opts)
			if err == nil {
				_, err = m.Predict(rows)
			}
			if err == nil {
				t.Fatal("no error")
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q lacks %q", err, w)
				}
			}
			if !errors.As(err, tc.as) {
				t.Errorf("error %T (%v) is not a %T", err, err, tc.as)
			}
		})
	}
}

func TestSaveLoad(t *testing.T) {
	m := fitDiabetes(t)
	dir := t.TempDir()
	if err := m.Save(dir); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"MLmodel", "model.json", "model.txt", "mlstack.json", "pipeline.json", "schema.json",
		"code/mlstack_model.py", "requirements.txt", "python_env.yaml", "input_example.json", "serving_input_example.json"} {
		if _, err := os.Stat(filepath.Join(dir, name)); err != nil {
			t.Errorf("bundle lacks %s: %v", name, err)
		}
	}
	back, err := model.Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	all := sample(t, "diabetes")
	a, _ := m.PredictProba(all)
	b, err := back.PredictProba(all)
	if err != nil {
		t.Fatal(err)
	}
	for i := range all.Len() {
		if a.At(i, 1) != b.At(i, 1) {
			t.Fatalf("row %d: loaded model gives %v, fitted %v", i, b.At(i, 1), a.At(i, 1))
		}
	}
	if back.Training != nil || back.Example == nil || back.Example.Len() != 5 {
		t.Errorf("loaded: Training %v, Example %v", back.Training, back.Example)
	}
	// Saving the loaded model gives the same bundle files.
	dir2 := t.TempDir()
	if err := back.Save(dir2); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"model.json", "mlstack.json", "pipeline.json", "schema.json", "input_example.json"} {
		x, _ := os.ReadFile(filepath.Join(dir, name))
		y, _ := os.ReadFile(filepath.Join(dir2, name))
		if string(x) != string(y) {
			t.Errorf("%s differs after Load and Save", name)
		}
	}
}

func TestLoadRefuses(t *testing.T) {
	m := fitDiabetes(t)
	dir := t.TempDir()
	if err := m.Save(dir); err != nil {
		t.Fatal(err)
	}
	edit := func(t *testing.T, name string, fn func(map[string]any)) string {
		d := t.TempDir()
		if err := os.CopyFS(d, os.DirFS(dir)); err != nil {
			t.Fatal(err)
		}
		if name != "" {
			var v map[string]any
			b, _ := os.ReadFile(filepath.Join(d, name))
			json.Unmarshal(b, &v)
			fn(v)
			b, _ = json.Marshal(v)
			os.WriteFile(filepath.Join(d, name), b, 0o644)
		}
		return d
	}
	for _, tc := range []struct {
		name string
		dir  func(t *testing.T) string
		is   error
		want string
	}{
		{"newer format", func(t *testing.T) string {
			return edit(t, "mlstack.json", func(v map[string]any) { v["format"] = model.FormatVersion + 1 })
		}, model.ErrNewerFormat, fmt.Sprintf("format %d, this program reads up to %d", model.FormatVersion+1, model.FormatVersion)},
		{"no manifest", func(t *testing.T) string {
			d := edit(t, "", nil)
			os.Remove(filepath.Join(d, "mlstack.json"))
			return d
		}, model.ErrFormat, "no mlstack.json"},
		{"unfitted pipeline", func(t *testing.T) string {
			return edit(t, "pipeline.json", func(v map[string]any) { v["fitted"] = false })
		}, model.ErrFormat, "not fitted"},
		{"schema and booster disagree", func(t *testing.T) string {
			return edit(t, "schema.json", func(v map[string]any) { v["features"] = v["features"].([]any)[1:] })
		}, model.ErrFormat, "7 features, the booster 8"},
		{"bad threshold", func(t *testing.T) string {
			return edit(t, "mlstack.json", func(v map[string]any) { v["threshold"] = 1.5 })
		}, model.ErrFormat, "threshold 1.5"},
		{"no directory", func(t *testing.T) string { return filepath.Join(t.TempDir(), "absent") }, model.ErrFormat, "no mlstack.json"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := model.Load(tc.dir(t))
			if !errors.Is(err, tc.is) || !strings.Contains(fmt.Sprint(err), tc.want) {
				t.Errorf("Load: %v; want an error wrapping %v saying %q", err, tc.is, tc.want)
			}
		})
	}
}

func TestOpenLocal(t *testing.T) {
	m := fitDiabetes(t)
	dir := t.TempDir()
	if err := m.Save(dir); err != nil {
		t.Fatal(err)
	}
	for _, uri := range []string{dir, "file://" + filepath.ToSlash(dir)} {
		if _, err := model.Open(context.Background(), uri); err != nil {
			t.Errorf("Open(%s): %v", uri, err)
		}
	}
	t.Setenv("MLFLOW_TRACKING_URI", "")
	for uri, want := range map[string]string{
		"models:/diabetes@champion": "set MLFLOW_TRACKING_URI",
		"gs://bucket/model":         `scheme "gs"`,
	} {
		_, err := model.Open(context.Background(), uri)
		if !errors.Is(err, model.ErrURI) || !strings.Contains(err.Error(), want) {
			t.Errorf("Open(%s): %v; want ErrURI saying %q", uri, err, want)
		}
	}
}

// Regression: Predict gives values; PredictProba refuses.
func TestRegression(t *testing.T) {
	f := sample(t, "telco_churn")
	spec := &model.Spec{Target: "monthly_charges", Seed: 1,
		Pipeline: clean.New(&clean.DropColumns{Columns: []string{"churn", "total_charges"}}, &clean.Encode{Unknown: clean.UnknownIgnore}),
		Params:   boost.Params{Objective: boost.RegSquaredError, NEstimators: 20, MaxDepth: 3}}
	m, err := model.Fit(context.Background(), f, spec)
	if err != nil {
		t.Fatal(err)
	}
	if m.Task != model.Regression || m.Classes() != nil {
		t.Fatalf("task %s, classes %v", m.Task, m.Classes())
	}
	for _, in := range m.Inputs {
		if in.Name == "churn" || in.Name == "total_charges" || in.Name == "monthly_charges" {
			t.Errorf("input %s is dropped by the pipeline or is the target", in.Name)
		}
	}
	rows, _ := f.Drop("churn", "total_charges", "monthly_charges")
	v, err := m.Predict(rows.Head(10))
	if err != nil {
		t.Fatal(err)
	}
	if v.Kind() != frame.Numeric || v.Len() != 10 {
		t.Errorf("Predict: %v column of %d", v.Kind(), v.Len())
	}
	if _, err := m.PredictProba(rows); !errors.Is(err, model.ErrNotClassifier) {
		t.Errorf("PredictProba of a regression model: %v", err)
	}
}

// Fit draws everything from the seed: two fits agree, another seed differs.
func TestFitDeterministic(t *testing.T) {
	f := sample(t, "diabetes")
	spec := diabetesSpec()
	spec.Resample = func(ctx context.Context, X *mat.Dense, y []float64, _ *frame.Schema, rnd *rand.Rand) (*mat.Dense, []float64, error) {
		return resample.SMOTE{K: 5, Workers: 1}.Resample(ctx, X, y, rnd)
	}
	fit := func(seed uint64) []float64 {
		s := *spec
		s.Seed = seed
		m, err := model.Fit(context.Background(), f, &s)
		if err != nil {
			t.Fatal(err)
		}
		if n, n0 := len(m.Training.YFit), len(m.Training.Y); n <= n0 {
			t.Fatalf("SMOTE added no rows: %d → %d", n0, n)
		}
		p, err := m.PredictProba(f)
		if err != nil {
			t.Fatal(err)
		}
		return mat.Col(nil, 1, p)
	}
	a, b, c := fit(1), fit(1), fit(2)
	if !slices.Equal(a, b) {
		t.Error("two fits with one seed differ")
	}
	if slices.Equal(a, c) {
		t.Error("fits with seeds 1 and 2 are identical")
	}
}
