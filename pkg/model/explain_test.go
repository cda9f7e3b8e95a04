package model_test

import (
	"context"
	"errors"
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/mlstack/mlstack/pkg/boost"
	"github.com/mlstack/mlstack/pkg/frame"
	"github.com/mlstack/mlstack/pkg/model"
)

// TestExplain: per-feature contributions are the booster's, per-column
// ones sum each one-hot column's indicators, and both sum to the margin.
func TestExplain(t *testing.T) {
	ctx := context.Background()
	train, err := frame.ReadCSV(ctx, strings.NewReader(mixedCSV(400, 1)), nil)
	if err != nil {
		t.Fatal(err)
	}
	m, err := model.Fit(ctx, train, mixedSpec())
	if err != nil {
		t.Fatal(err)
	}
	rows := readCSV(t, mixedRows, m.ReadOptions())
	e, err := m.Explain(rows)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(e.Outputs, m.Classes()) {
		t.Errorf("outputs %v, want the classes %v", e.Outputs, m.Classes())
	}
	var inputs []string
	for _, in := range m.Inputs {
		inputs = append(inputs, in.Name)
	}
	if !slices.Equal(e.Columns, inputs) {
		t.Errorf("columns %v, want the inputs %v", e.Columns, inputs)
	}
	// c is one-hot encoded: its indicators map to c; d (ordinal) and the
	// others map to themselves.
	for j, f := range e.Features {
		want := f
		if strings.HasPrefix(f, "c_") {
			want = "c"
		}
		if got := e.Columns[e.Source[j]]; got != want {
			t.Errorf("feature %s comes from %s, want %s", f, got, want)
		}
	}
	margin, err := m.Booster.PredictMargin(e.X)
	if err != nil {
		t.Fatal(err)
	}
	k := len(e.Outputs)
	r, _ := e.X.Dims()
	ci := slices.Index(e.Columns, "c")
	for g := range k {
		for i := range r {
			sf, sc := 0.0, 0.0
			for _, v := range e.ByFeature[g].RawRowView(i) {
				sf += v
			}
			for _, v := range e.ByColumn[g].RawRowView(i) {
				sc += v
			}
			if math.Abs(sf-margin[i*k+g]) > 1e-5 || math.Abs(sc-margin[i*k+g]) > 1e-5 {
				t.Errorf("output %d row %d: features sum to %v, columns to %v, margin %v", g, i, sf, sc, margin[i*k+g])
			}
			c := 0.0
			for j, f := range e.Features {
				if strings.HasPrefix(f, "c_") {
					c += e.ByFeature[g].At(i, j)
				}
			}
			if got := e.ByColumn[g].At(i, ci); math.Abs(got-c) > 1e-12 {
				t.Errorf("output %d row %d: column c %v, its indicators sum to %v", g, i, got, c)
			}
		}
	}
}

// TestExplainErrors: a booster without covers and rows without an input
// column are typed errors.
func TestExplainErrors(t *testing.T) {
	m := fitDiabetes(t)
	rows := readCSV(t, newPatients, m.ReadOptions())
	e, err := m.Explain(rows)
	if err != nil {
		t.Fatal(err)
	}
	if len(e.Outputs) != 1 || e.Outputs[0] != "margin" {
		t.Errorf("binary outputs %v, want [margin]", e.Outputs)
	}
	var ie *model.InputError
	if _, err := m.Explain(readCSV(t, "Age,Glucose\n21,89\n", nil)); !errors.As(err, &ie) {
		t.Errorf("missing columns: %v, want *model.InputError", err)
	}
	for i := range m.Booster.Trees {
		for j := range m.Booster.Trees[i].Nodes {
			m.Booster.Trees[i].Nodes[j].Hess = 0
		}
	}
	if _, err := m.Explain(rows); !errors.Is(err, boost.ErrNoCover) {
		t.Errorf("booster without covers: %v, want boost.ErrNoCover", err)
	}
}
