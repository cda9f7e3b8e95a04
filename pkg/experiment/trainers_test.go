package experiment_test

// The trainers the tests of Run use: a trainer is available when its
// package is imported.
import (
	_ "github.com/mlstack/mlstack/pkg/experiment/classification"
	_ "github.com/mlstack/mlstack/pkg/experiment/regression"
)
