package experiment_test

import (
	"fmt"
	"io"

	"github.com/mlstack/mlstack/pkg/experiment"
	// The trainers the tests of Run use: a trainer is available when its
	// package is imported.
	_ "github.com/mlstack/mlstack/pkg/experiment/classification"
	_ "github.com/mlstack/mlstack/pkg/experiment/regression"
)

// notesTo writes a run's notes to w, a line each (as train does on stderr).
func notesTo(w io.Writer) func(experiment.Note) {
	return func(n experiment.Note) { fmt.Fprintln(w, n.Text) }
}
