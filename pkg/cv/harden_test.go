package cv_test

import (
	"context"
	"errors"
	"math"
	"strings"
	"testing"

	"gonum.org/v1/gonum/mat"

	"github.com/mlstack/mlstack/internal/crash"
	"github.com/mlstack/mlstack/pkg/cv"
)

// Labels that are not class ids are an error of RunFolds, not a
// panic (issue 16: a target of {-1, 1} crashed train with exit 2).
func TestLabelsNotClassIDs(t *testing.T) {
	tests := []struct {
		name string
		y    []float64
		row  int
	}{
		{"minus one", []float64{1, -1, 1, -1, 1, -1}, 1},
		{"half", []float64{0, 0.5, 1, 0, 0.5, 1}, 1},
		{"billion", []float64{0, 1e9, 0, 1e9, 0, 1e9}, 1},
		{"NaN", []float64{0, 1, math.NaN(), 0, 1, 0}, 2},
		{"Inf", []float64{0, 1, 0, math.Inf(1), 1, 0}, 3},
		{"just over MaxClasses", []float64{0, 1, cv.MaxClasses, 0, 1, 0}, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var le *cv.LabelError
			splits := []cv.Split{{Train: []int{0, 1, 2}, Test: []int{3, 4, 5}}}
			fit := func(context.Context, cv.Split, uint64) (*cv.FoldOutput, error) {
				t.Fatal("fit called")
				return nil, nil
			}
			if _, err := cv.RunFolds(context.Background(), tt.y, splits, fit, nil); !errors.As(err, &le) || le.Row != tt.row {
				t.Errorf("RunFolds: err = %v, want a *LabelError at row %d", err, tt.row)
			}
		})
	}
}

// A model that diverged (NaN or infinite predictions) fails its fold with
// an error naming the row, instead of panicking in the metrics.
func TestNonFinitePredictions(t *testing.T) {
	y := []float64{0, 1, 0, 1, 2, 2}
	splits := []cv.Split{{Train: []int{0, 1, 4}, Test: []int{2, 3, 5}}}
	tests := []struct {
		name       string
		regression bool
		out        *cv.FoldOutput
		want       string
	}{
		{"binary NaN", false, &cv.FoldOutput{Score: []float64{0.1, math.NaN(), 0.2}}, "the probability NaN for row 3"},
		{"binary Inf", false, &cv.FoldOutput{Score: []float64{math.Inf(1), 0.1, 0.2}}, "the probability +Inf for row 2"},
		{"multiclass NaN", false, &cv.FoldOutput{Proba: mat.NewDense(3, 3, []float64{1, 0, 0, 0, 1, 0, 0, 0, math.NaN()})}, "the probability NaN for row 5"},
		{"regression -Inf", true, &cv.FoldOutput{Score: []float64{1, 2, math.Inf(-1)}}, "the value -Inf for row 5"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			yy := y
			if !tt.regression && tt.out.Proba == nil {
				yy = []float64{0, 1, 0, 1, 1, 0}
			}
			fit := func(context.Context, cv.Split, uint64) (*cv.FoldOutput, error) { return tt.out, nil }
			_, err := cv.RunFolds(context.Background(), yy, splits, fit, &cv.Options{Regression: tt.regression})
			if err == nil || !strings.Contains(err.Error(), tt.want) || !strings.Contains(err.Error(), "diverged") {
				t.Errorf("err = %v, want it to say %q", err, tt.want)
			}
		})
	}
}

// A panic inside a fold (a bug) comes back as a *crash.PanicError, so the
// command can report it as an internal error instead of dying.
func TestFoldPanicRecovered(t *testing.T) {
	y := []float64{0, 1, 0, 1}
	splits := []cv.Split{{Train: []int{0, 1}, Test: []int{2, 3}}, {Train: []int{2, 3}, Test: []int{0, 1}}}
	fit := func(ctx context.Context, sp cv.Split, _ uint64) (*cv.FoldOutput, error) {
		var s []float64
		_ = s[len(sp.Test)] // index out of range
		return nil, nil
	}
	_, err := cv.RunFolds(context.Background(), y, splits, fit, &cv.Options{Workers: 1})
	var pe *crash.PanicError
	if !errors.As(err, &pe) || !strings.Contains(err.Error(), "cv: repeat 0 fold 0: internal error: panic: runtime error: index out of range") {
		t.Fatalf("err = %v, want a recovered panic", err)
	}
	if !strings.Contains(string(pe.Stack), "TestFoldPanicRecovered") {
		t.Errorf("stack lacks the panicking frame:\n%s", pe.Stack)
	}
}
