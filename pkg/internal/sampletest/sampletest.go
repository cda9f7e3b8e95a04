// Package sampletest reads the built-in samples (pkg/dataset) for the
// tests of the library, so that every package loads them the same way: as
// pkg/frame reads a CSV file named NAME.csv, with no option. It is for
// tests only; a failure ends the test with t.Fatal.
package sampletest

import (
	"context"
	"testing"

	"gonum.org/v1/gonum/mat"

	"github.com/mlstack/mlstack/pkg/dataset"
	"github.com/mlstack/mlstack/pkg/frame"
)

// Frame reads the built-in sample name (see dataset.Samples).
func Frame(t testing.TB, name string) *frame.Frame {
	t.Helper()
	b, err := dataset.Sample(name)
	if err != nil {
		t.Fatal(err)
	}
	f, err := frame.ReadBytes(context.Background(), b, &frame.ReadOptions{Name: name + ".csv"})
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// XY exports f's features and its label column with opts (see frame.XY):
// X, the labels (class ids for a classification target) and the schema.
func XY(t testing.TB, f *frame.Frame, label string, opts *frame.ExportOptions) (*mat.Dense, []float64, *frame.Schema) {
	t.Helper()
	X, y, schema, err := f.XY(label, opts)
	if err != nil {
		t.Fatal(err)
	}
	return X, y, schema
}
