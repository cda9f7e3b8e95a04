package classification

import (
	"errors"
	"strings"
	"testing"

	"github.com/mlstack/mlstack/pkg/experiment/config"
	"github.com/mlstack/mlstack/pkg/frame"
)

// Labels become classes only as XGBClassifier takes them: text labels
// mapped by frame, or integers 0..K-1 with none missing, K ≤ MaxClasses.
func TestClassCount(t *testing.T) {
	many := make([]string, MaxClasses+1)
	for i := range many {
		many[i] = "c" + strings.Repeat("x", i%7)
	}
	tests := []struct {
		name    string
		classes []string
		y       []float64
		want    int
		err     string
	}{
		{"binary", nil, []float64{0, 1, 1, 0}, 2, ""},
		{"one class", nil, []float64{0, 0}, 2, ""},
		{"three", nil, []float64{2, 0, 1}, 3, ""},
		{"text", []string{"a", "b", "c"}, []float64{0, 1, 2}, 3, ""},
		{"minus one", nil, []float64{-1, 1, -1}, 0, `column "y" holds the label -1: classification needs class ids 0..K-1`},
		{"half", nil, []float64{0, 0.5, 1}, 0, `column "y" holds the label 0.5`},
		{"billion", nil, []float64{0, 1e9}, 0, `column "y" holds the label 1e+09: more than 10000 classes`},
		{"gap", nil, []float64{0, 2, 5}, 0, "holds the labels 0, 2, 5…: class ids must be 0..5 with none missing, like XGBClassifier (no label is 1)"},
		{"from one", nil, []float64{1, 2}, 0, "(no label is 0)"},
		{"too many text classes", many, []float64{0}, 0, `column "y" has 10001 distinct values, more than 10000 classes`},
		{"no rows", nil, nil, 0, `column "y" has no rows`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			k, err := classCount(&frame.Target{Name: "y", Classes: tt.classes}, tt.y)
			if tt.err == "" {
				if err != nil || k != tt.want {
					t.Errorf("classCount = %d, %v; want %d", k, err, tt.want)
				}
				return
			}
			var fe *config.FieldError
			if !errors.As(err, &fe) || fe.Path != "data.target" || !strings.Contains(fe.Msg, tt.err) {
				t.Errorf("err = %v, want a FieldError at data.target saying %q", err, tt.err)
			}
		})
	}
}

func TestCheckSampling(t *testing.T) {
	tests := []struct {
		name     string
		strategy any
		classes  []string
		path     string
		err      string
	}{
		{"fine", map[string]any{"0": 500, "1": 500}, nil, "", ""},
		{"a billion each", map[string]any{"0": 1000000000, "1": 1000000000}, nil, "resample.sampling_strategy.0", "1000000000 rows asked, more than 100× the 768 rows of the data"},
		{"just over", map[string]any{"1": 76801}, nil, "resample.sampling_strategy.1", "76801 rows asked"},
		{"unknown numeric class", map[string]any{"7": 10}, nil, "resample.sampling_strategy.7", `"7" is not a class of y (classes: 0, 1)`},
		{"unknown text class", map[string]any{"maybe": 10}, []string{"no", "yes"}, "resample.sampling_strategy.maybe", `"maybe" is not a class of y (classes: no, yes)`},
		{"ratio", 0.5, nil, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := config.DefaultConfig()
			c.Resample.Method, c.Resample.SamplingStrategy = "smote", tt.strategy
			err := checkSampling(&c, &frame.Target{Name: "y", Classes: tt.classes}, 2, 768)
			if tt.err == "" {
				if err != nil {
					t.Errorf("err = %v", err)
				}
				return
			}
			var fe *config.FieldError
			if !errors.As(err, &fe) || fe.Path != tt.path || !strings.Contains(fe.Msg, tt.err) {
				t.Errorf("err = %v, want a FieldError at %s saying %q", err, tt.path, tt.err)
			}
		})
	}
}
