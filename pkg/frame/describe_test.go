package frame

import (
	"encoding/json"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/mlstack/mlstack/internal/testenv"
)

func TestQuantile(t *testing.T) {
	x := []float64{1, 2, 3, 4, 10}
	tests := []struct{ q, want float64 }{
		// numpy.quantile([1,2,3,4,10], q) with the default linear method.
		{0, 1}, {0.25, 2}, {0.5, 3}, {0.75, 4}, {1, 10}, {0.9, 7.6}, {0.1, 1.4},
	}
	for _, tt := range tests {
		if got := Quantile(x, tt.q); math.Abs(got-tt.want) > 1e-12 {
			t.Errorf("Quantile(%v, %v) = %v, want %v", x, tt.q, got, tt.want)
		}
	}
	if !math.IsNaN(Quantile(nil, 0.5)) {
		t.Error("Quantile(nil) is not NaN")
	}
	if !panics(func() { Quantile(x, 1.5) }) {
		t.Error("Quantile(x, 1.5) did not panic")
	}
}

func TestDescribe(t *testing.T) {
	f := small(t)
	d := f.Describe()
	x := d.Columns[0]
	// x = 1, 2, NA, 4, 5: mean 3, sample variance (4+1+1+4)/3.
	if x.Count != 4 || x.Missing != 1 || x.Mean != 3 || math.Abs(x.Std-math.Sqrt(10.0/3)) > 1e-15 ||
		x.Min != 1 || x.Q25 != 1.75 || x.Q50 != 3 || x.Q75 != 4.25 || x.Max != 5 {
		t.Errorf("Describe x = %+v", x)
	}
	c := d.Columns[1]
	if c.Count != 4 || c.Missing != 1 || c.Unique != 2 || c.Top != "u" || c.Freq != 3 || !math.IsNaN(c.Mean) {
		t.Errorf("Describe c = %+v", c)
	}
	s := d.String()
	for _, sub := range []string{"column  kind", "mean", "top", "3.000000", "1.825742"} {
		if !strings.Contains(s, sub) {
			t.Errorf("Describe().String() lacks %q:\n%s", sub, s)
		}
	}
	var b strings.Builder
	if n, err := d.WriteTo(&b); err != nil || b.String() != s || n != int64(len(s)) {
		t.Errorf("WriteTo = %d, %v; differs from String", n, err)
	}
	if h := d.HTML(); !strings.Contains(h, "<td style=\"text-align:right\">3.000000</td>") {
		t.Errorf("HTML() =\n%s", h)
	}
	// A numeric-only description has no unique/top/freq columns.
	num, _ := f.Select("x")
	if s := num.Describe().String(); strings.Contains(s, "top") {
		t.Errorf("numeric-only Describe has top:\n%s", s)
	}
}

// TestDescribePandas compares Describe with pandas' describe() on the
// built-in samples.
func TestDescribePandas(t *testing.T) {
	const code = `
import json, sys, pandas as pd
df = pd.read_csv(sys.argv[1])
out = {}
for c in df.columns:
    s = df[c]
    if pd.api.types.is_numeric_dtype(s):
        d = s.describe()
        out[c] = {"kind": "numeric", "count": int(d["count"]), "mean": d["mean"], "std": d["std"],
                  "min": d["min"], "25%": d["25%"], "50%": d["50%"], "75%": d["75%"], "max": d["max"]}
    else:
        vc = s.value_counts()
        tie = len(vc) > 1 and vc.iloc[0] == vc.iloc[1]
        out[c] = {"kind": "object", "count": int(s.count()), "unique": int(s.nunique()),
                  "top": None if tie else str(vc.index[0]), "freq": int(vc.iloc[0])}
print(json.dumps(out))
`
	testenv.Python(t) // skips (or fails in CI) early when the venv is missing
	for _, name := range sampleNames {
		b := sampleBytes(t, name)
		path := filepath.Join(t.TempDir(), name+".csv")
		if err := os.WriteFile(path, b, 0o644); err != nil {
			t.Fatal(err)
		}
		var want map[string]map[string]any
		if err := json.Unmarshal(testenv.RunPython(t, code, []string{path}), &want); err != nil {
			t.Fatal(err)
		}
		f := sample(t, name)
		if len(want) != len(f.Names()) {
			t.Fatalf("%s: pandas has %d columns, frame %d", name, len(want), len(f.Names()))
		}
		checked, worst := 0, 0.0
		for _, s := range f.Describe().Columns {
			w := want[s.Name]
			if w == nil {
				t.Errorf("%s: pandas has no column %q", name, s.Name)
				continue
			}
			if isNum := w["kind"] == "numeric"; isNum != (s.Kind == Numeric) {
				t.Errorf("%s.%s: kind %v, pandas %v", name, s.Name, s.Kind, w["kind"])
				continue
			}
			if float64(s.Count) != w["count"].(float64) {
				t.Errorf("%s.%s: count %d, pandas %v", name, s.Name, s.Count, w["count"])
			}
			if s.Kind == Numeric {
				for key, got := range map[string]float64{"mean": s.Mean, "std": s.Std, "min": s.Min,
					"25%": s.Q25, "50%": s.Q50, "75%": s.Q75, "max": s.Max} {
					want := w[key].(float64)
					diff := math.Abs(got-want) / math.Max(1, math.Abs(want))
					worst = math.Max(worst, diff)
					if diff > 1e-9 {
						t.Errorf("%s.%s: %s = %.17g, pandas %.17g", name, s.Name, key, got, want)
					}
					checked++
				}
				continue
			}
			if float64(s.Unique) != w["unique"].(float64) || float64(s.Freq) != w["freq"].(float64) {
				t.Errorf("%s.%s: unique %d freq %d, pandas %v %v", name, s.Name, s.Unique, s.Freq, w["unique"], w["freq"])
			}
			if top, ok := w["top"].(string); ok && top != s.Top {
				t.Errorf("%s.%s: top %q, pandas %q", name, s.Name, s.Top, top)
			}
			checked++
		}
		t.Logf("%s: %d statistics match pandas; largest difference %.3g (relative above 1)", name, checked, worst)
	}
}

func TestMedianEqualsSortedQuantile(t *testing.T) {
	rnd := rand.New(rand.NewPCG(1, 2))
	for _, n := range []int{1, 2, 3, 4, 5, 16, 17, 100, 101, 1000, 4097} {
		for _, distinct := range []int{1, 2, 7, 1 << 30} { // many ties, few ties
			x := make([]float64, n)
			for i := range x {
				x[i] = float64(rnd.IntN(distinct)) * 0.1
				if distinct > 100 {
					x[i] = rnd.NormFloat64() * 1e3
				}
			}
			sorted := slices.Clone(x)
			slices.Sort(sorted)
			want := Quantile(sorted, 0.5)
			if got := Median(x); math.Float64bits(got) != math.Float64bits(want) {
				t.Errorf("n=%d distinct=%d: Median = %v, sorted Quantile = %v", n, distinct, got, want)
			}
		}
	}
	for _, x := range [][]float64{{3, 2, 1}, {1, 1, 1, 1}, {5, 4, 3, 2, 1, 0}, {-1e308, 0, 1e308}} {
		sorted := slices.Clone(x)
		slices.Sort(sorted)
		if got, want := Median(x), Quantile(sorted, 0.5); got != want {
			t.Errorf("%v: Median = %v, want %v", sorted, got, want)
		}
	}
	if !math.IsNaN(Median(nil)) {
		t.Error("Median(nil) is not NaN")
	}
}

func BenchmarkMedian(b *testing.B) {
	rnd := rand.New(rand.NewPCG(1, 2))
	x := make([]float64, 200_000)
	for i := range x {
		x[i] = math.Round(rnd.NormFloat64()*100) / 10
	}
	y := make([]float64, len(x))
	b.Run("select", func(b *testing.B) {
		for b.Loop() {
			copy(y, x)
			Median(y)
		}
	})
	b.Run("sort", func(b *testing.B) {
		for b.Loop() {
			copy(y, x)
			slices.Sort(y)
			Quantile(y, 0.5)
		}
	})
}
