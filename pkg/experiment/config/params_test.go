package config_test

import (
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/mlstack/mlstack/pkg/experiment/config"
)

// knobs are a trainer's parameters, as a trainer declares them.
type knobs struct {
	Rounds  int      `yaml:"rounds" alias:"n_rounds" decode:"min=1"`
	Rate    float64  `yaml:"rate" alias:"eta" decode:"positive"`
	Seed    uint64   `yaml:"seed"`
	Weight  *float64 `yaml:"weight"`
	Metrics []string `yaml:"metrics" decode:"single"`
	Name    string   `yaml:"name"`
	Verbose bool     `yaml:"verbose"`
}

func params(t *testing.T, yaml string, set ...string) config.Params {
	t.Helper()
	p, err := config.Parse("p.yaml", []byte(base+"  params: "+yaml+"\n"), &config.Options{Overrides: set})
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	return p.Config.Model.Params
}

func TestParamsDecode(t *testing.T) {
	one := 1.5
	tests := []struct {
		yaml string
		set  []string
		want knobs
	}{
		{"{rounds: 10, rate: 0.1, seed: 7, weight: 1.5, metrics: [auc, rmse], name: x, verbose: true}", nil,
			knobs{Rounds: 10, Rate: 0.1, Seed: 7, Weight: &one, Metrics: []string{"auc", "rmse"}, Name: "x", Verbose: true}},
		{"{n_rounds: 1e3, eta: .5, metrics: auc}", nil, knobs{Rounds: 1000, Rate: 0.5, Metrics: []string{"auc"}}},
		{"{rounds: 100.0, weight: ~, name: ~}", nil, knobs{Rounds: 100}},
		{"{}", []string{"model.params.rounds=4", "model.params.metrics=[a]"}, knobs{Rounds: 4, Metrics: []string{"a"}}},
		{"{rate: '${MLSTACK_TEST_RATE}'}", nil, knobs{Rate: 0.25}},
	}
	t.Setenv("MLSTACK_TEST_RATE", "0.25")
	for _, tt := range tests {
		var k knobs
		if err := params(t, tt.yaml, tt.set...).Decode(&k); err != nil {
			t.Errorf("%s: %v", tt.yaml, err)
			continue
		}
		if !reflect.DeepEqual(k, tt.want) {
			t.Errorf("%s: decoded %+v, want %+v", tt.yaml, k, tt.want)
		}
	}
}

func TestParamsDecodeErrors(t *testing.T) {
	tests := []struct {
		yaml string
		set  []string
		want string
	}{
		{"{round: 3}", nil, `p.yaml:8:12: model.params.round: unknown parameter; known: rounds, rate, seed, weight, metrics, name, verbose; aliases n_rounds, eta (did you mean "rounds"?)`},
		{"{Rounds: 3}", nil, "model.params.Rounds: unknown parameter"},
		{"{rounds: 0}", nil, "p.yaml:8:20: model.params.rounds: must be >= 1, got 0"},
		{"{rounds: 2.5}", nil, `model.params.rounds: expected an integer, got "2.5"`},
		{"{rate: 0}", nil, "model.params.rate: must be > 0, got 0"},
		{"{rate: .nan}", nil, `model.params.rate: must be finite, got ".nan"`},
		{"{rate: -.inf}", nil, `model.params.rate: must be finite, got "-.inf"`},
		{"{seed: -1}", nil, `model.params.seed: expected a non-negative integer, got "-1"`},
		{"{metrics: {a: 1}}", nil, "model.params.metrics: expected a list"},
		{"{verbose: maybe}", nil, `model.params.verbose: expected true or false, got "maybe"`},
		{"{rate: 0.1, eta: 0.2}", nil, "p.yaml:8:23: model.params.eta: key given twice (rate and eta are the same)"},
		{"{}", []string{"model.params.rounds=-2"}, "--set: model.params.rounds: must be >= 1, got -2"},
	}
	for _, tt := range tests {
		var k knobs
		err := params(t, tt.yaml, tt.set...).Decode(&k)
		var ce *config.ConfigError
		if !errors.As(err, &ce) || !errors.Is(err, config.ErrConfig) || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s %v: err = %v\nwant a *ConfigError containing %q", tt.yaml, tt.set, err, tt.want)
		}
	}
	// Keys given twice, and what is not a mapping, are refused when the
	// config is read, before any trainer decodes.
	for _, tt := range []struct{ yaml, want string }{
		{"{rounds: 1, rounds: 2}", "p.yaml:8:23: model.params.rounds: key given twice"},
		{"[rounds]", "p.yaml:8:11: model.params: expected a mapping (key: value lines), got a list"},
	} {
		_, err := config.Parse("p.yaml", []byte(base+"  params: "+tt.yaml+"\n"), nil)
		if !errors.Is(err, config.ErrConfig) || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: err = %v, want %q", tt.yaml, err, tt.want)
		}
	}
}

// A trainer declares its parameters as a struct with yaml (and alias,
// decode) tags, fills in its defaults and decodes model.params into it.
func ExampleParams_Decode() {
	src := `version: 1
name: example
data: {source: sample:diabetes, target: Outcome}
model:
  trainer: mine
  params: {depth: 4, eta: 0.1}
`
	p, err := config.Parse("example.yaml", []byte(src), nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	params := struct {
		Depth int     `yaml:"depth" decode:"min=1"`
		Rate  float64 `yaml:"learning_rate" alias:"eta" decode:"positive"`
		Trees int     `yaml:"trees" decode:"min=1"`
	}{Trees: 100} // the default
	err = p.Config.Model.Params.Decode(&params)
	fmt.Printf("%+v %v\n", params, err)

	p, _ = config.Parse("example.yaml", []byte(strings.Replace(src, "depth: 4", "dept: 4", 1)), nil)
	fmt.Println(p.Config.Model.Params.Decode(&params))
	// Output:
	// {Depth:4 Rate:0.1 Trees:100} <nil>
	// example.yaml:6:12: model.params.dept: unknown parameter; known: depth, learning_rate, trees; aliases eta (did you mean "depth"?)
}
