package tune

import (
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"

	"github.com/mlstack/mlstack/internal/testenv"
)

// The Parzen estimator's log densities equal Optuna's _ParzenEstimator
// on the same observations: every kind of distribution with 0, 1, 2 and
// 6 observations, points inside and at the ends; and 40 observations
// (past 25 the weights ramp) of the continuous parameters. Observations
// never tie within a numerical parameter: numpy's argsort is not stable
// (its SIMD sort orders ties by build), so tied observations get their
// bandwidths in an order that is not reproducible even in Python; Go
// assigns them in stable order.
func TestParzenMatchesOptuna(t *testing.T) {
	full := Space{
		{Name: "f", Dist: Float{Low: -3, High: 5}},
		{Name: "flog", Dist: Float{Low: 1e-4, High: 1, Log: true}},
		{Name: "fstep", Dist: Float{Low: 0, High: 1, Step: 0.1}},
		{Name: "i", Dist: Int{Low: 1, High: 12}},
		{Name: "ilog", Dist: Int{Low: 1, High: 1000, Log: true}},
		{Name: "istep", Dist: Int{Low: 2, High: 20, Step: 3}},
		{Name: "c", Dist: Categorical{Choices: []any{"gbtree", "dart", 3.5, true}}},
	}
	rng := rand.New(rand.NewPCG(7, 7))
	type tcase struct {
		Names  []string    `json:"names"`
		Obs    [][]float64 `json:"obs"`    // per param, internal representation
		Points [][]float64 `json:"points"` // per point, per param
		Go     []float64   `json:"-"`
	}
	var cases []*tcase
	for _, n := range []int{0, 1, 2, 6, 40} {
		space := full
		if n > 25 {
			space = full[:2]
		}
		var trials []*Trial
		seen := map[string]bool{}
	draw:
		for seed := uint64(0); len(trials) < n; seed++ {
			p := NewRandom(seed).mustSample(space)
			for _, q := range space {
				if _, cat := q.Dist.(Categorical); !cat && seen[fmt.Sprint(q.Name, p[q.Name])] {
					continue draw
				}
			}
			for _, q := range space {
				seen[fmt.Sprint(q.Name, p[q.Name])] = true
			}
			trials = append(trials, &Trial{Number: len(trials), Params: p})
		}
		s := NewTPE(1)
		pz, err := s.parzen(space, trials)
		if err != nil {
			t.Fatal(err)
		}
		c := &tcase{Obs: make([][]float64, len(space))}
		for i, q := range space {
			c.Names = append(c.Names, q.Name)
			c.Obs[i] = []float64{}
			for _, tr := range trials {
				x, _ := q.Dist.internal(tr.Params[q.Name])
				c.Obs[i] = append(c.Obs[i], x)
			}
		}
		for range 30 {
			c.Points = append(c.Points, pz.sample(rng))
		}
		c.Points = append(c.Points,
			[]float64{-3, 1e-4, 0, 1, 1, 2, 0}[:len(space)],
			[]float64{5, 1, 1, 12, 1000, 20, 3}[:len(space)])
		for _, x := range c.Points {
			c.Go = append(c.Go, pz.logPDF(x))
		}
		cases = append(cases, c)
	}
	out := testenv.RunPython(t, `
import json, sys
import numpy as np
from optuna.distributions import FloatDistribution, IntDistribution, CategoricalDistribution
from optuna.samplers._tpe.parzen_estimator import _ParzenEstimator, _ParzenEstimatorParameters
from optuna.samplers._tpe.sampler import default_weights
full = {
  "f": FloatDistribution(-3, 5),
  "flog": FloatDistribution(1e-4, 1, log=True),
  "fstep": FloatDistribution(0, 1, step=0.1),
  "i": IntDistribution(1, 12),
  "ilog": IntDistribution(1, 1000, log=True),
  "istep": IntDistribution(2, 20, step=3),
  "c": CategoricalDistribution(["gbtree", "dart", 3.5, True]),
}
params = _ParzenEstimatorParameters(prior_weight=1.0, consider_magic_clip=True,
  consider_endpoints=False, weights=default_weights, multivariate=True)
res = []
for c in json.load(open(sys.argv[1])):
    space = {k: full[k] for k in c["names"]}
    obs = {k: np.asarray(v, dtype=float) for k, v in zip(space, c["obs"])}
    pe = _ParzenEstimator(obs, space, params)
    pts = np.asarray(c["points"], dtype=float)
    res.append(pe.log_pdf({k: pts[:, i] for i, k in enumerate(space)}).tolist())
print(json.dumps(res))
`, []string{writeJSON(t, cases)}, "PYTHONWARNINGS=ignore")
	var want [][]float64
	if err := json.Unmarshal(out, &want); err != nil {
		t.Fatalf("optuna output: %v\n%s", err, out)
	}
	for i, c := range cases {
		for j, g := range c.Go {
			if w := want[i][j]; math.Abs(g-w) > 1e-9*math.Max(1, math.Abs(w)) {
				t.Errorf("case %d (%d obs) point %v: log pdf %.12g, optuna %.12g", i, len(c.Obs[0]), c.Points[j], g, w)
			}
		}
	}
}

// writeJSON writes v to a file in the test's temporary directory and
// returns its path, for a Python peer to read.
func writeJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "in.json")
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func (r *Random) mustSample(space Space) Params {
	p, err := r.Sample(&History{Space: space})
	if err != nil {
		panic(err)
	}
	return p
}

// Median's decisions equal Optuna's MedianPruner (with the same
// settings) on 300 random histories: both directions, 0–9 completed
// trials with gaps and NaNs among their reports, warm-up and intervals.
func TestMedianMatchesOptuna(t *testing.T) {
	type scenario struct {
		Maximize  bool             `json:"maximize"`
		Startup   int              `json:"startup"`
		Warmup    int              `json:"warmup"`
		Interval  int              `json:"interval"`
		MinTrials int              `json:"min_trials"`
		Done      []map[string]any `json:"done"`    // completed trials' intermediate values (step → value, NaN as "nan")
		Current   map[string]any   `json:"current"` // the running trial's
		Go        bool             `json:"-"`
	}
	rng := rand.New(rand.NewPCG(3, 3))
	value := func() float64 {
		if rng.IntN(15) == 0 {
			return math.NaN()
		}
		return math.Round(rng.Float64()*1000) / 1000
	}
	enc := func(m map[int]float64) map[string]any {
		out := map[string]any{}
		for k, v := range m {
			if math.IsNaN(v) {
				out[fmt.Sprint(k)] = "nan"
			} else {
				out[fmt.Sprint(k)] = v
			}
		}
		return out
	}
	var scenarios []*scenario
	for range 300 {
		sc := &scenario{Maximize: rng.IntN(2) == 0, Startup: rng.IntN(4), Warmup: rng.IntN(3),
			Interval: 1 + rng.IntN(2), MinTrials: 1 + rng.IntN(3), Done: []map[string]any{}}
		dir := Minimize
		if sc.Maximize {
			dir = Maximize
		}
		h := &History{Space: Space{{Name: "x", Dist: Float{Low: 0, High: 1}}}, Direction: dir}
		for i := range rng.IntN(10) {
			iv := map[int]float64{}
			for s := range 5 {
				if rng.IntN(5) > 0 {
					iv[s] = value()
				}
			}
			h.Trials = append(h.Trials, &Trial{Number: i, State: Complete, Value: 0.5, Intermediate: iv})
			sc.Done = append(sc.Done, enc(iv))
		}
		cur := &Trial{Number: len(h.Trials), State: Running, Intermediate: map[int]float64{}}
		for s := range 1 + rng.IntN(5) {
			if rng.IntN(4) > 0 || s == 0 {
				cur.Intermediate[s] = value()
			}
		}
		h.Trials = append(h.Trials, cur)
		sc.Current = enc(cur.Intermediate)
		m := &Median{NStartupTrials: sc.Startup, NWarmupSteps: sc.Warmup, IntervalSteps: sc.Interval, NMinTrials: sc.MinTrials}
		sc.Go = m.Prune(h, cur)
		scenarios = append(scenarios, sc)
	}
	out := testenv.RunPython(t, `
import json, sys
import optuna
from optuna.trial import create_trial, TrialState
from optuna.distributions import FloatDistribution
optuna.logging.set_verbosity(optuna.logging.ERROR)
def iv(m):
    return {int(k): float(v) for k, v in m.items()}
res = []
for sc in json.load(open(sys.argv[1])):
    study = optuna.create_study(direction="maximize" if sc["maximize"] else "minimize")
    d = {"x": FloatDistribution(0, 1)}
    for t in sc["done"]:
        study.add_trial(create_trial(value=0.5, params={"x": 0.5}, distributions=d, intermediate_values=iv(t)))
    cur = create_trial(state=TrialState.RUNNING, params={"x": 0.5}, distributions=d, intermediate_values=iv(sc["current"]))
    p = optuna.pruners.MedianPruner(n_startup_trials=sc["startup"], n_warmup_steps=sc["warmup"],
        interval_steps=sc["interval"], n_min_trials=sc["min_trials"])
    res.append(bool(p.prune(study, cur)))
print(json.dumps(res))
`, []string{writeJSON(t, scenarios)}, "PYTHONWARNINGS=ignore")
	var want []bool
	if err := json.Unmarshal(out, &want); err != nil {
		t.Fatalf("optuna output: %v\n%s", err, out)
	}
	pruned := 0
	for i, sc := range scenarios {
		if sc.Go != want[i] {
			t.Errorf("scenario %d %+v: Go prunes %v, optuna %v", i, *sc, sc.Go, want[i])
		}
		if want[i] {
			pruned++
		}
	}
	if pruned < 20 || pruned > 280 {
		t.Errorf("%d of 300 scenarios pruned: the table does not exercise both outcomes", pruned)
	}
}
