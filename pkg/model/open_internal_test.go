package model

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/mlstack/mlstack/internal/crash"
	"github.com/mlstack/mlstack/pkg/boost"
	"github.com/mlstack/mlstack/pkg/dataset"
	"github.com/mlstack/mlstack/pkg/frame"
	"github.com/mlstack/mlstack/pkg/mlflow"
)

// A bundle read from an MLflow artifact store is downloaded on a goroutine
// per file; a panic there (a bug, here injected) is the loader's error, a
// *crash.PanicError, not a crash and not ErrFormat.
func TestDownloadPanic(t *testing.T) {
	b, err := dataset.Sample("diabetes")
	if err != nil {
		t.Fatal(err)
	}
	f, err := frame.ReadBytes(context.Background(), b, &frame.ReadOptions{Name: "diabetes.csv"})
	if err != nil {
		t.Fatal(err)
	}
	m, err := Fit(context.Background(), f, &Spec{Target: "Outcome", Params: boost.Params{NEstimators: 3}})
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if err := m.Save(dir); err != nil {
		t.Fatal(err)
	}
	c, err := mlflow.New("http://127.0.0.1:1", nil) // a file:// store never asks the server
	if err != nil {
		t.Fatal(err)
	}
	store, err := c.ArtifactStore("file://" + dir)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := loadStore(context.Background(), "file://"+dir, store, ""); err != nil {
		t.Fatalf("without a panic: %v", err)
	}
	undo := crash.PanicIn("model: download")
	defer undo()
	_, err = loadStore(context.Background(), "file://"+dir, store, "")
	if !errors.As(err, new(*crash.PanicError)) || errors.Is(err, ErrFormat) || !strings.Contains(err.Error(), "model: download: internal error: panic:") {
		t.Errorf("err = %v, want the download's panic as a *crash.PanicError", err)
	}
}
