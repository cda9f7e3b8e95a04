package classification

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/mlstack/mlstack/pkg/experiment"
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

// The positive class is data.positive, else 1 of a 0/1 target or the true
// token of a yes/no one; a text binary target must name it. The balance
// counts the classes in label order, and stratified folds need n_splits
// rows of each class.
func TestBalance(t *testing.T) {
	tests := []struct {
		name, csv, positive string
		splits              int
		classes             []string
		counts              []int
		want, rule          string
		path, err           string
	}{
		{name: "0/1", csv: "x,y\n1,0\n2,1\n3,0\n4,1\n5,0\n", classes: []string{"0", "1"}, counts: []int{3, 2}, want: "1", rule: "default for a 0/1 target"},
		{name: "yes/no", csv: "x,y\n1,No\n2,Yes\n3,No\n4,Yes\n", classes: []string{"No", "Yes"}, counts: []int{2, 2}, want: "Yes", rule: "default for a yes/no target"},
		{name: "given", csv: "x,y\n1,good\n2,bad\n3,good\n4,bad\n5,good\n", positive: "bad", classes: []string{"good", "bad"}, counts: []int{3, 2}, want: "bad", rule: "data.positive"},
		{name: "yes/no given no", csv: "x,y\n1,No\n2,Yes\n3,No\n4,Yes\n", positive: "No", classes: []string{"Yes", "No"}, counts: []int{2, 2}, want: "No", rule: "data.positive"},
		{name: "text needs positive", csv: "x,y\n1,good\n2,bad\n", path: "data.positive", err: `missing: the target "y" has the classes "bad" and "good"; name the positive one`},
		{name: "not a class", csv: "x,y\n1,good\n2,bad\n", positive: "Bad", path: "data.positive", err: `"Bad" is not a class of y (did you mean "bad"?); classes: bad, good`},
		{name: "numeric given as written otherwise", csv: "x,y\n1,0\n2,1\n3,0\n", positive: "1.0", classes: []string{"0", "1"}, counts: []int{2, 1}, want: "1", rule: "data.positive"},
		{name: "numeric not a class", csv: "x,y\n1,0\n2,1\n", positive: "2", path: "data.positive", err: `"2" is not a class of y`},
		{name: "multiclass", csv: "x,y\n1,a\n2,b\n3,c\n", classes: []string{"a", "b", "c"}, counts: []int{1, 1, 1}},
		{name: "too few for the folds", csv: "x,y\n1,0\n2,1\n3,0\n4,0\n", splits: 2, path: "validation.n_splits", err: "2 folds, but class 1 of y has only 1 rows"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			data, err := frame.ReadBytes(context.Background(), []byte(tt.csv), nil)
			if err != nil {
				t.Fatal(err)
			}
			c := config.DefaultConfig()
			c.Data.Target, c.Data.Positive = "y", tt.positive
			c.Validation.NSplits = 1 // no fold check unless asked
			if tt.splits > 0 {
				c.Validation.NSplits = tt.splits
			}
			b, err := balance(&c, data)
			if tt.err != "" {
				var fe *config.FieldError
				if !errors.As(err, &fe) || fe.Path != tt.path || !strings.Contains(fe.Msg, tt.err) {
					t.Fatalf("err = %v, want a FieldError at %s saying %q", err, tt.path, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(b.Classes, tt.classes) || !slices.Equal(b.Counts, tt.counts) || b.Positive != tt.want || !strings.HasPrefix(b.Rule, tt.rule) {
				t.Errorf("balance = %+v, want classes %v counts %v positive %q (%s)", b, tt.classes, tt.counts, tt.want, tt.rule)
			}
		})
	}
}

// SMOTE needs k_neighbors + 1 rows of each class it oversamples among a
// fold's training rows.
func TestCheckNeighbors(t *testing.T) {
	b := &experiment.Balance{Classes: []string{"no", "yes"}, Counts: []int{90, 10}}
	tests := []struct {
		method   string
		k, folds int
		strategy any
		err      string
	}{
		{"smote", 5, 2, "auto", "5 neighbours need 6 rows of class yes in each fold's training rows, and with 10 rows in all and 2 folds some folds train on 5"},
		{"smote", 4, 2, "auto", ""},
		{"smote", 7, 5, 0.5, ""},
		{"smote", 8, 4, 0.5, "some folds train on 7"},
		{"none", 50, 5, "auto", ""},
		{"smote", 50, 5, map[string]any{"yes": 100}, ""}, // left to the run
	}
	for _, tt := range tests {
		c := config.DefaultConfig()
		c.Resample.Method, c.Resample.KNeighbors, c.Resample.SamplingStrategy = tt.method, tt.k, tt.strategy
		c.Validation.NSplits = tt.folds
		err := checkNeighbors(&c, b)
		if tt.err == "" {
			if err != nil {
				t.Errorf("%+v: %v", tt, err)
			}
			continue
		}
		var fe *config.FieldError
		if !errors.As(err, &fe) || fe.Path != "resample.k_neighbors" || !strings.Contains(fe.Msg, tt.err) {
			t.Errorf("%+v: err = %v, want %q at resample.k_neighbors", tt, err, tt.err)
		}
	}
}
