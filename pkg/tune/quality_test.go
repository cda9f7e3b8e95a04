package tune

import (
	"encoding/json"
	"math"
	"math/rand/v2"
	"slices"
	"strconv"
	"testing"

	"github.com/mlstack/mlstack/internal/testenv"
)

// An objective of the TPE quality test, written once here and once in
// the Python peer below (same names, same formulas).
type objective struct {
	name  string
	space Space
	f     func(p Params, noise *rand.Rand) float64
}

var objectives = []objective{
	{
		name: "bowl",
		space: Space{
			{Name: "x1", Dist: Float{Low: -5, High: 5}},
			{Name: "x2", Dist: Float{Low: -5, High: 5}},
			{Name: "x3", Dist: Float{Low: -5, High: 5}},
			{Name: "x4", Dist: Float{Low: -5, High: 5}},
			{Name: "n", Dist: Int{Low: -5, High: 5}},
			{Name: "c", Dist: Categorical{Choices: []any{"a", "b", "c"}}},
		},
		f: func(p Params, _ *rand.Rand) float64 {
			s := map[any]float64{"a": 3, "b": 0, "c": 1}[p["c"]]
			for _, k := range []string{"x1", "x2", "x3", "x4"} {
				x := p[k].(float64) - 1
				s += x * x
			}
			n := float64(p["n"].(int) - 2)
			return s + n*n
		},
	},
	{
		name: "branin",
		space: Space{
			{Name: "x", Dist: Float{Low: -5, High: 10}},
			{Name: "y", Dist: Float{Low: 0, High: 15}},
		},
		f: func(p Params, _ *rand.Rand) float64 {
			x, y := p["x"].(float64), p["y"].(float64)
			b, c := 5.1/(4*math.Pi*math.Pi), 5/math.Pi
			t := y - b*x*x + c*x - 6
			return t*t + 10*(1-1/(8*math.Pi))*math.Cos(x) + 10
		},
	},
	{
		name: "noisy",
		space: Space{
			{Name: "lr", Dist: Float{Low: 1e-4, High: 1, Log: true}},
			{Name: "depth", Dist: Int{Low: 1, High: 12}},
			{Name: "sub", Dist: Float{Low: 0.1, High: 1, Step: 0.05}},
		},
		f: func(p Params, noise *rand.Rand) float64 {
			l := math.Log10(p["lr"].(float64)) + 2
			d := float64(p["depth"].(int) - 6)
			s := p["sub"].(float64) - 0.8
			return l*l + d*d/10 + 4*s*s + 0.1*noise.NormFloat64()
		},
	},
}

const qualitySeeds, qualityTrials = 30, 50

// bestOf runs one seeded study of qualityTrials trials and returns its
// best value.
func bestOf(t *testing.T, o objective, sampler Sampler, seed uint64) float64 {
	st, err := NewStudy(o.space, Minimize, sampler, nil)
	if err != nil {
		t.Fatal(err)
	}
	noise := rand.New(rand.NewPCG(seed, 99))
	for range qualityTrials {
		tr, err := st.Ask()
		if err != nil {
			t.Fatal(err)
		}
		if _, err := st.Tell(tr.Number, Outcome{State: Complete, Value: o.f(tr.Params, noise)}); err != nil {
			t.Fatal(err)
		}
	}
	b, _ := st.Best()
	return b.Value
}

// TPE finds as good a point as Optuna's TPESampler: on three objectives
// over 30 seeds × 50 trials, the median of mlstack's best values lies
// within the interquartile range of Optuna's (or below it) and beats
// random search's median.
//
// Why 30 seeds and not 10: with 10 the test would fail on noise, not on
// quality. Measured on the bowl over 200 seeds (2026-12-07): mlstack's
// median best 2.14 (IQR 1.31–3.54), Optuna 5.1's 2.45 (IQR 1.58–3.69),
// random search 10.9; a Mann–Whitney U test finds no difference
// (p = 0.24). Cut into twenty windows of 10 seeds, mlstack's median is
// above Optuna's third quartile in 2 windows, and Optuna's own median is
// above the Q3 of Optuna's next 10 seeds in 3 (seeds 0–9 are one of
// mlstack's two).
func TestTPEQualityAgainstOptuna(t *testing.T) {
	out := testenv.RunPython(t, `
import json, math, sys
import numpy as np
import optuna
optuna.logging.set_verbosity(optuna.logging.ERROR)
def bowl(tr, rng):
    s = {"a": 3, "b": 0, "c": 1}[tr.suggest_categorical("c", ["a", "b", "c"])]
    for k in ["x1", "x2", "x3", "x4"]:
        s += (tr.suggest_float(k, -5, 5) - 1) ** 2
    return s + (tr.suggest_int("n", -5, 5) - 2) ** 2
def branin(tr, rng):
    x, y = tr.suggest_float("x", -5, 10), tr.suggest_float("y", 0, 15)
    b, c = 5.1 / (4 * math.pi ** 2), 5 / math.pi
    return (y - b * x * x + c * x - 6) ** 2 + 10 * (1 - 1 / (8 * math.pi)) * math.cos(x) + 10
def noisy(tr, rng):
    l = math.log10(tr.suggest_float("lr", 1e-4, 1, log=True)) + 2
    d = tr.suggest_int("depth", 1, 12) - 6
    s = tr.suggest_float("sub", 0.1, 1, step=0.05) - 0.8
    return l * l + d * d / 10 + 4 * s * s + 0.1 * rng.standard_normal()
res = {}
for name, f in [("bowl", bowl), ("branin", branin), ("noisy", noisy)]:
    res[name] = []
    for seed in range(int(sys.argv[1])):
        rng = np.random.default_rng(seed)
        st = optuna.create_study(sampler=optuna.samplers.TPESampler(seed=seed))
        st.optimize(lambda tr: f(tr, rng), n_trials=int(sys.argv[2]))
        res[name].append(st.best_value)
print(json.dumps(res))
`, []string{strconv.Itoa(qualitySeeds), strconv.Itoa(qualityTrials)}, "PYTHONWARNINGS=ignore")
	var optuna map[string][]float64
	if err := json.Unmarshal(out, &optuna); err != nil {
		t.Fatalf("optuna output: %v\n%s", err, out)
	}
	for _, o := range objectives {
		var tpe, random []float64
		for seed := range uint64(qualitySeeds) {
			tpe = append(tpe, bestOf(t, o, NewTPE(seed), seed))
			random = append(random, bestOf(t, o, NewRandom(seed), seed))
		}
		opt := optuna[o.name]
		q1, q3 := percentile(opt, 25), percentile(opt, 75)
		med, rmed := percentile(tpe, 50), percentile(random, 50)
		t.Logf("%s: mlstack TPE median best %.4g; optuna median %.4g IQR [%.4g, %.4g]; random median %.4g",
			o.name, med, percentile(opt, 50), q1, q3, rmed)
		if med > q3 {
			t.Errorf("%s: TPE's median best %.4g is worse than Optuna's third quartile %.4g (Optuna: %v, mlstack: %v)",
				o.name, med, q3, slices.Sorted(slices.Values(opt)), slices.Sorted(slices.Values(tpe)))
		}
		if med >= rmed {
			t.Errorf("%s: TPE's median best %.4g does not beat random search's %.4g", o.name, med, rmed)
		}
	}
}
