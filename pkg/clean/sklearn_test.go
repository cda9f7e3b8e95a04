package clean

import (
	"bytes"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mlstack/mlstack/internal/testenv"
	"github.com/mlstack/mlstack/pkg/dataset"
	"github.com/mlstack/mlstack/pkg/frame"
)

// The parity tests fit on one part of a real sample and transform another,
// in Go and with scikit-learn, and compare every output value to 1e-9.

const sklearnCode = `
import json, sys
import numpy as np, pandas as pd
from sklearn.impute import SimpleImputer
from sklearn.preprocessing import StandardScaler, OneHotEncoder, OrdinalEncoder

def arr(a):
    return [[None if np.isnan(v) else float(v) for v in row] for row in np.asarray(a, dtype=float)]

out = {}
train, test = pd.read_csv(sys.argv[1]), pd.read_csv(sys.argv[2])
if sys.argv[3] == "diabetes":
    zero = ["Glucose", "BloodPressure", "SkinThickness", "Insulin", "BMI"]
    for d in (train, test):
        d[zero] = d[zero].replace(0, np.nan)
    X, T = train.drop(columns="Outcome"), test.drop(columns="Outcome")
    for s in ["mean", "median", "most_frequent"]:
        out[s] = arr(SimpleImputer(strategy=s).fit(X).transform(T))
    sc = StandardScaler().fit(X)
    out["scaler"] = {"mean": list(sc.mean_), "scale": list(sc.scale_), "X": arr(sc.transform(T))}
    q1, q3 = np.nanpercentile(X, 25, axis=0), np.nanpercentile(X, 75, axis=0)
    out["clip"] = arr(np.clip(T, q1 - 1.5*(q3-q1), q3 + 1.5*(q3-q1)))
else:
    cat = [c for c in train.columns if not pd.api.types.is_numeric_dtype(train[c]) and c != "churn"]
    oh = OneHotEncoder(handle_unknown="ignore").fit(train[cat])
    out["onehot"] = {"names": list(oh.get_feature_names_out()), "X": arr(oh.transform(test[cat]).toarray())}
    od = OrdinalEncoder(handle_unknown="use_encoded_value", unknown_value=np.nan).fit(train[cat])
    out["ordinal"] = {"names": cat, "X": arr(od.transform(test[cat]))}
    out["dedup"] = len(train.drop_duplicates())
print(json.dumps(out))
`

// split writes the rows of a sample for which keep is true (and the
// others) as train and test CSV files, and returns them read as frames.
func split(t *testing.T, name string, keep func(i int, line string) bool) (trainPath, testPath string, train, test *frame.Frame) {
	t.Helper()
	b, err := dataset.Sample(name)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.SplitAfter(strings.TrimSuffix(string(b), "\n"), "\n")
	var tr, te bytes.Buffer
	tr.WriteString(lines[0])
	te.WriteString(lines[0])
	for i, l := range lines[1:] {
		if keep(i, l) {
			tr.WriteString(l)
		} else {
			te.WriteString(l)
		}
	}
	dir := t.TempDir()
	trainPath, testPath = filepath.Join(dir, "train.csv"), filepath.Join(dir, "test.csv")
	for p, buf := range map[string]*bytes.Buffer{trainPath: &tr, testPath: &te} {
		if err := os.WriteFile(p, buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return trainPath, testPath, read(t, tr.String()), read(t, te.String())
}

// compare checks X (Go) against want (scikit-learn, nil for NaN) and
// returns the largest absolute difference.
func compare(t *testing.T, what string, g *frame.Frame, want [][]*float64) float64 {
	t.Helper()
	X, _, err := g.Matrix(nil)
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
	r, c := X.Dims()
	if r != len(want) || c != len(want[0]) {
		t.Fatalf("%s: Go %dx%d, scikit-learn %dx%d", what, r, c, len(want), len(want[0]))
	}
	worst := 0.0
	for i := range r {
		for j := range c {
			got, w := X.At(i, j), want[i][j]
			if w == nil {
				if !math.IsNaN(got) {
					t.Fatalf("%s: [%d,%d] = %v, scikit-learn NaN", what, i, j, got)
				}
				continue
			}
			d := math.Abs(got - *w)
			worst = math.Max(worst, d)
			if !(d <= 1e-9) {
				t.Fatalf("%s: [%d,%d] = %.17g, scikit-learn %.17g", what, i, j, got, *w)
			}
		}
	}
	return worst
}

func decode[T any](t *testing.T, raw json.RawMessage) T {
	t.Helper()
	var v T
	if err := json.Unmarshal(raw, &v); err != nil {
		t.Fatal(err)
	}
	return v
}

var diabetesZero = []string{"Glucose", "BloodPressure", "SkinThickness", "Insulin", "BMI"}

func TestSklearnDiabetes(t *testing.T) {
	testenv.Python(t)
	trainPath, testPath, train, test := split(t, "diabetes", func(i int, _ string) bool { return i%4 != 0 })
	var out map[string]json.RawMessage
	if err := json.Unmarshal(testenv.RunPython(t, sklearnCode, []string{trainPath, testPath, "diabetes"}), &out); err != nil {
		t.Fatal(err)
	}
	test, _ = test.Drop("Outcome") // scored data has no label

	run := func(steps ...Step) (*Pipeline, *frame.Frame) {
		p := New(append([]Step{&ZeroAsMissing{Columns: diabetesZero}}, steps...)...)
		p.Target = "Outcome"
		if _, err := p.FitTransform(train); err != nil {
			t.Fatal(err)
		}
		g, err := p.Transform(test)
		if err != nil {
			t.Fatal(err)
		}
		return p, g
	}
	for _, st := range []Strategy{Mean, Median, MostFrequent} {
		_, g := run(&Impute{Strategy: st})
		d := compare(t, "SimpleImputer "+string(st), g, decode[[][]*float64](t, out[string(st)]))
		t.Logf("SimpleImputer(strategy=%q): %d values, max |diff| %.3g", st, g.Len()*8, d)
	}

	p, g := run(&Standardize{})
	sc := decode[struct {
		Mean, Scale []float64
		X           [][]*float64
	}](t, out["scaler"])
	d := compare(t, "StandardScaler", g, sc.X)
	fit := p.Steps[1].(*Standardize).Fitted.Scales
	for j, s := range fit {
		if math.Abs(s.Mean-sc.Mean[j]) > 1e-9 || math.Abs(s.Scale-sc.Scale[j]) > 1e-9 {
			t.Errorf("StandardScaler %s: mean %v scale %v, scikit-learn %v %v", s.Column, s.Mean, s.Scale, sc.Mean[j], sc.Scale[j])
		}
	}
	t.Logf("StandardScaler (NaN in 5 columns): %d values, max |diff| %.3g", g.Len()*8, d)

	_, g = run(&Clip{})
	d = compare(t, "IQR clip", g, decode[[][]*float64](t, out["clip"]))
	t.Logf("IQR clip vs numpy nanpercentile: max |diff| %.3g", d)
}

func TestSklearnTelco(t *testing.T) {
	testenv.Python(t)
	// Train without two-year contracts and mailed checks, so that the test
	// part has categories unknown at fit time.
	trainPath, testPath, train, test := split(t, "telco_churn", func(i int, l string) bool {
		return i%3 != 0 && !strings.Contains(l, "Two year") && !strings.Contains(l, "Mailed check")
	})
	var out map[string]json.RawMessage
	if err := json.Unmarshal(testenv.RunPython(t, sklearnCode, []string{trainPath, testPath, "telco"}), &out); err != nil {
		t.Fatal(err)
	}
	dedup, err := New(&DropDuplicates{}).FitTransform(train)
	if want := decode[int](t, out["dedup"]); err != nil || dedup.Len() != want {
		t.Errorf("drop_duplicates kept %d of %d rows (%v), pandas %d", dedup.Len(), train.Len(), err, want)
	}
	for _, m := range []Method{OneHot, Ordinal} {
		want := decode[struct {
			Names []string
			X     [][]*float64
		}](t, out[map[Method]string{OneHot: "onehot", Ordinal: "ordinal"}[m]])
		p := New(&Encode{Method: m, Unknown: UnknownIgnore})
		p.Target = "churn"
		if _, err := p.FitTransform(train); err != nil {
			t.Fatal(err)
		}
		g, err := p.Transform(test)
		if err != nil {
			t.Fatal(err)
		}
		g, err = g.Select(want.Names...)
		if err != nil {
			t.Fatalf("%s: scikit-learn's feature names not in Go output: %v", m, err)
		}
		d := compare(t, string(m), g, want.X)
		unknown := 0
		for _, row := range want.X {
			for _, v := range row {
				if v == nil {
					unknown++
				}
			}
		}
		t.Logf("%s: %d rows x %d features, max |diff| %v; %d NaN (unknown) values", m, g.Len(), len(want.Names), d, unknown)
	}
}
