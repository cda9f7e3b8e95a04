package tune

import (
	"encoding/json"
	"errors"
	"math"
	"reflect"
	"strings"
	"sync"
	"testing"
)

func TestSpaceValidate(t *testing.T) {
	tests := []struct {
		name  string
		space Space
		want  string // substring of the error; "" for valid
	}{
		{"empty", Space{}, "no parameters to search"},
		{"valid", Space{{"a", Float{Low: 0, High: 1}}, {"b", Int{Low: 1, High: 9, Log: true}}, {"c", Categorical{Choices: []any{"x", 1, 2.5, true}}}}, ""},
		{"log low zero", Space{{"eta", Float{Low: 0, High: 1, Log: true}}}, `parameter "eta": a log-uniform range needs low > 0, got low 0`},
		{"log low negative int", Space{{"d", Int{Low: -1, High: 9, Log: true}}}, "needs low ≥ 1"},
		{"no choices", Space{{"booster", Categorical{}}}, `parameter "booster": a categorical parameter needs at least one choice`},
		{"low above high", Space{{"x", Float{Low: 2, High: 1}}}, "low (2) is greater than high (1)"},
		{"int low above high", Space{{"x", Int{Low: 2, High: 1}}}, "low (2) is greater than high (1)"},
		{"nan", Space{{"x", Float{Low: math.NaN(), High: 1}}}, "finite"},
		{"log and step", Space{{"x", Float{Low: 1, High: 2, Log: true, Step: 0.5}}}, "log and step"},
		{"negative step", Space{{"x", Float{Low: 1, High: 2, Step: -1}}}, "step must be positive"},
		{"int log step", Space{{"x", Int{Low: 1, High: 20, Log: true, Step: 2}}}, "step 1"},
		{"duplicate", Space{{"x", Float{High: 1}}, {"x", Float{High: 1}}}, `parameter "x": listed twice`},
		{"duplicate choice", Space{{"x", Categorical{Choices: []any{"a", "a"}}}}, "appears twice"},
		{"bad choice type", Space{{"x", Categorical{Choices: []any{[]int{1}}}}}, "only strings, numbers and booleans"},
		{"no name", Space{{"", Float{High: 1}}}, "no name"},
		{"nil dist", Space{{"x", nil}}, "no distribution"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.space.Validate()
			if tt.want == "" {
				if err != nil {
					t.Fatalf("Validate: %v", err)
				}
				return
			}
			var se *SpaceError
			if !errors.As(err, &se) || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Validate = %v, want a *SpaceError containing %q", err, tt.want)
			}
		})
	}
}

// Every sampler keeps every value inside its distribution, on its grid.
func TestSamplersStayInRange(t *testing.T) {
	space := Space{
		{"f", Float{Low: -1, High: 1}},
		{"flog", Float{Low: 1e-3, High: 10, Log: true}},
		{"fstep", Float{Low: 0.1, High: 1, Step: 0.25}}, // grid 0.1, 0.35, 0.6, 0.85
		{"i", Int{Low: -3, High: 3}},
		{"ilog", Int{Low: 1, High: 64, Log: true}},
		{"istep", Int{Low: 0, High: 10, Step: 4}}, // grid 0, 4, 8
		{"c", Categorical{Choices: []any{"a", "b"}}},
		{"fixed", Float{Low: 2, High: 2}},
	}
	for name, s := range map[string]Sampler{"random": NewRandom(1), "tpe": NewTPE(1)} {
		st, err := NewStudy(space, Maximize, s, nil)
		if err != nil {
			t.Fatal(err)
		}
		seen := map[string]map[any]bool{}
		for range 60 {
			tr, err := st.Ask()
			if err != nil {
				t.Fatal(err)
			}
			for _, q := range space {
				v := tr.Params[q.Name]
				if _, ok := q.Dist.internal(v); !ok {
					t.Fatalf("%s: %s = %v (%T) outside %+v", name, q.Name, v, v, q.Dist)
				}
				if seen[q.Name] == nil {
					seen[q.Name] = map[any]bool{}
				}
				seen[q.Name][v] = true
			}
			fs := tr.Params["fstep"].(float64)
			if k := (fs - 0.1) / 0.25; math.Abs(k-math.Round(k)) > 1e-9 || fs > 0.85+1e-9 {
				t.Fatalf("%s: fstep %v is off its grid", name, fs)
			}
			if is := tr.Params["istep"].(int); is%4 != 0 {
				t.Fatalf("%s: istep %v is off its grid", name, is)
			}
			if _, err := st.Tell(tr.Number, Outcome{State: Complete, Value: tr.Params["f"].(float64)}); err != nil {
				t.Fatal(err)
			}
		}
		if len(seen["istep"]) != 3 || len(seen["c"]) != 2 || len(seen["fixed"]) != 1 {
			t.Errorf("%s: values seen %v", name, seen)
		}
	}
}

func TestGridVisitsEveryPointOnce(t *testing.T) {
	space := Space{
		{"a", Int{Low: 1, High: 3}},
		{"b", Categorical{Choices: []any{"x", "y"}}},
		{"c", Float{Low: 0, High: 0.5, Step: 0.25}},
	}
	g, err := NewGrid(space, 7, 1000)
	if err != nil {
		t.Fatal(err)
	}
	if g.Len() != 18 {
		t.Fatalf("grid of %d points, want 18", g.Len())
	}
	st, _ := NewStudy(space, Minimize, g, nil)
	seen := map[string]bool{}
	for range 18 {
		tr, err := st.Ask()
		if err != nil {
			t.Fatal(err)
		}
		k := gridKey(space, tr.Params)
		if seen[k] {
			t.Fatalf("point %s twice", k)
		}
		seen[k] = true
	}
	if _, err := st.Ask(); !errors.Is(err, ErrGridExhausted) {
		t.Fatalf("19th Ask: %v, want ErrGridExhausted", err)
	}

	// A resumed grid search skips the points its restored trials had.
	done := st.Trials()[:5]
	g2, _ := NewGrid(space, 7, 1000)
	st2, _ := NewStudy(space, Minimize, g2, nil)
	for _, tr := range done {
		if err := st2.Restore(tr); err != nil {
			t.Fatal(err)
		}
	}
	for range 13 {
		tr, err := st2.Ask()
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range done {
			if gridKey(space, d.Params) == gridKey(space, tr.Params) {
				t.Fatalf("resumed grid repeats %v", tr.Params)
			}
		}
	}
	if _, err := st2.Ask(); !errors.Is(err, ErrGridExhausted) {
		t.Fatalf("resumed grid: %v, want ErrGridExhausted", err)
	}

	if _, err := NewGrid(Space{{"x", Float{Low: 0, High: 1}}}, 1, 10); err == nil || !strings.Contains(err.Error(), "needs choices or a step") {
		t.Errorf("continuous grid: %v", err)
	}
	if _, err := NewGrid(Space{{"x", Int{Low: 0, High: 100}}, {"y", Int{Low: 0, High: 100}}}, 1, 1000); err == nil || !strings.Contains(err.Error(), "more than 1000 points") {
		t.Errorf("huge grid: %v", err)
	}
}

func TestTellAndBest(t *testing.T) {
	st, _ := NewStudy(Space{{"x", Float{High: 1}}}, Maximize, NewRandom(1), NewMedian())
	a, _ := st.Ask()
	b, _ := st.Ask()
	c, _ := st.Ask()
	d, _ := st.Ask()
	if _, err := st.Report(b.Number, 0, 0.25); err != nil {
		t.Fatal(err)
	}
	if tr, _ := st.Tell(a.Number, Outcome{State: Complete, Value: math.NaN()}); tr.State != Fail || !strings.Contains(tr.Err, "NaN") {
		t.Errorf("NaN objective: %+v, want FAIL", tr)
	}
	if tr, _ := st.Tell(b.Number, Outcome{State: Pruned}); tr.Value != 0.25 {
		t.Errorf("pruned trial value %v, want its last report 0.25", tr.Value)
	}
	st.Tell(c.Number, Outcome{State: Complete, Value: 0.5})
	st.Tell(d.Number, Outcome{State: Fail, Err: "data unreadable"})
	if _, err := st.Tell(c.Number, Outcome{State: Complete, Value: 0.9}); !errors.Is(err, ErrFinished) {
		t.Errorf("second Tell: %v, want ErrFinished", err)
	}
	if _, err := st.Report(99, 0, 1); !errors.Is(err, ErrUnknownTrial) {
		t.Errorf("unknown trial: %v", err)
	}
	best, ok := st.Best()
	if !ok || best.Number != c.Number {
		t.Errorf("best %+v, want trial %d", best, c.Number)
	}
	counts := st.Counts()
	if counts[Complete] != 1 || counts[Pruned] != 1 || counts[Fail] != 2 {
		t.Errorf("counts %v", counts)
	}
}

// Trials asked, reported and told from many goroutines at once (as the
// local executor runs them) keep the study consistent; run with -race.
func TestStudyConcurrent(t *testing.T) {
	st, _ := NewStudy(Space{{"x", Float{Low: -1, High: 1}}, {"k", Int{Low: 1, High: 5}}}, Minimize, NewTPE(3), NewMedian())
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			for range 15 {
				tr, err := st.Ask()
				if err != nil {
					t.Error(err)
					return
				}
				x := tr.Params["x"].(float64)
				state := Complete
				for step := range 3 {
					if prune, _ := st.Report(tr.Number, step, x*x+float64(step)); prune {
						state = Pruned
						break
					}
				}
				st.Tell(tr.Number, Outcome{State: state, Value: x * x})
			}
		})
	}
	wg.Wait()
	trials := st.Trials()
	if len(trials) != 60 {
		t.Fatalf("%d trials, want 60", len(trials))
	}
	for i, tr := range trials {
		if tr.Number != i || !tr.State.Finished() {
			t.Fatalf("trial %d: %+v", i, tr)
		}
	}
}

func TestParamsJSONKeepsKinds(t *testing.T) {
	p := Params{"eta": 1.0, "depth": 6, "booster": "dart", "flag": true}
	b, err := json.Marshal(p)
	if err != nil {
		t.Fatal(err)
	}
	var q Params
	if err := json.Unmarshal(b, &q); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(p, q) {
		t.Fatalf("round trip %s: %#v, want %#v", b, q, p)
	}
	for _, bad := range []string{`{"x": {}}`, `{"x": 3}`, `[1]`} {
		if err := json.Unmarshal([]byte(bad), &q); err == nil {
			t.Errorf("%s decoded", bad)
		}
	}
}

// A parameter the objective depends on strongly outranks a weak one,
// which outranks noise.
func TestImportance(t *testing.T) {
	space := Space{
		{"strong", Float{Low: 1e-3, High: 1, Log: true}},
		{"weak", Int{Low: 0, High: 10}},
		{"noise", Float{Low: 0, High: 1}},
		{"kind", Categorical{Choices: []any{"a", "b"}}},
		{"fixed", Int{Low: 3, High: 3}},
	}
	st, _ := NewStudy(space, Minimize, NewRandom(4), nil)
	for range 300 {
		tr, _ := st.Ask()
		v := math.Log10(tr.Params["strong"].(float64))*3 + float64(tr.Params["weak"].(int))/4
		if tr.Params["kind"] == "b" {
			v += 1
		}
		st.Tell(tr.Number, Outcome{State: Complete, Value: v})
	}
	imp, err := Importance(st.Trials(), space)
	if err != nil {
		t.Fatal(err)
	}
	var sum float64
	for _, v := range imp {
		sum += v
	}
	if math.Abs(sum-1) > 1e-9 || imp["fixed"] != 0 {
		t.Errorf("importances %v: want a sum of 1 and 0 for the fixed parameter", imp)
	}
	if !(imp["strong"] > imp["weak"] && imp["weak"] > imp["kind"] && imp["kind"] > imp["noise"] && imp["noise"] < 0.01) {
		t.Errorf("importances %v: want strong > weak > kind > noise ≈ 0", imp)
	}
	if _, err := Importance(st.Trials()[:2], space); err == nil {
		t.Error("importance from 2 trials")
	}
}
