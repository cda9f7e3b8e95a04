package model_test

import (
	"context"
	"errors"
	"math"
	"os"
	"path/filepath"
	"testing"

	"github.com/mlstack/mlstack/pkg/frame"
	"github.com/mlstack/mlstack/pkg/model"
)

// fuzzFiles are the files of a bundle FuzzLoad varies, in its argument
// order.
var fuzzFiles = []string{model.ManifestFile, model.PipelineFile, model.SchemaFile, model.BoosterFile, "input_example.json"}

// seedBundle fits a small model and returns its files as FuzzLoad takes
// them.
func seedBundle(f *testing.F, train *frame.Frame, spec *model.Spec) [][]byte {
	f.Helper()
	spec.Params.NEstimators, spec.Params.MaxDepth = 2, 2
	m, err := model.Fit(context.Background(), train, spec)
	if err != nil {
		f.Fatal(err)
	}
	dir := f.TempDir()
	if err := m.Save(dir); err != nil {
		f.Fatal(err)
	}
	files := make([][]byte, len(fuzzFiles))
	for i, name := range fuzzFiles {
		if files[i], err = os.ReadFile(filepath.Join(dir, name)); err != nil {
			f.Fatal(err)
		}
	}
	return files
}

// FuzzLoad: no bundle makes Load panic or allocate beyond its files' size;
// a refused one is an error wrapping ErrFormat (or ErrNewerFormat); an
// accepted one scores its input example and a row of missing values
// without panicking.
func FuzzLoad(f *testing.F) {
	for _, files := range [][][]byte{
		seedBundle(f, sample(f, "diabetes"), diabetesSpec()),
		seedBundle(f, readCSV(f, mixedCSV(200, 1), nil), mixedSpec()),
	} {
		f.Add(files[0], files[1], files[2], files[3], files[4])
	}
	f.Fuzz(func(t *testing.T, manifest, pipeline, schema, booster, example []byte) {
		dir := t.TempDir()
		for i, b := range [][]byte{manifest, pipeline, schema, booster, example} {
			if err := os.WriteFile(filepath.Join(dir, fuzzFiles[i]), b, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		m, err := model.Load(dir)
		if err != nil {
			if !errors.Is(err, model.ErrFormat) && !errors.Is(err, model.ErrNewerFormat) {
				t.Fatalf("Load error wraps neither ErrFormat nor ErrNewerFormat: %v", err)
			}
			return
		}
		rows := []*frame.Frame{missingRow(m)}
		if m.Example != nil {
			rows = append(rows, m.Example)
		}
		for _, r := range rows {
			m.Score(r)
			m.Predict(r)
		}
		if _, err := m.MLflow(); err != nil {
			t.Fatalf("a loaded bundle cannot be logged again: %v", err)
		}
	})
}

// missingRow is one raw row with every input missing.
func missingRow(m *model.Model) *frame.Frame {
	cols := make([]*frame.Column, len(m.Inputs))
	for j, in := range m.Inputs {
		switch in.Kind {
		case frame.Numeric:
			cols[j] = frame.NewNumeric(in.Name, []float64{math.NaN()})
		case frame.Boolean:
			cols[j] = frame.NewBoolean(in.Name, []float64{math.NaN()}, in.Tokens[0], in.Tokens[1])
		default:
			cols[j] = frame.NewCategorical(in.Name, []string{""}, []bool{true})
		}
	}
	f, err := frame.New(cols...)
	if err != nil {
		panic(err)
	}
	return f
}
