package main

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"
)

func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){
		"train": func() { os.Exit(run(context.Background(), os.Args[1:], os.Stdout, os.Stderr)) },
	})
}

// TestScript runs the CLI scripts in testdata/script: every bad input the
// command must explain, with its exit code, and that nothing reaches the
// spool when a config is refused.
func TestScript(t *testing.T) {
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	testscript.Run(t, testscript.Params{
		Dir:                 "testdata/script",
		RequireExplicitExec: true,
		Setup: func(env *testscript.Env) error {
			env.Setenv("CONFIGS", filepath.Join(root, "configs"))
			env.Setenv("MLSTACK_MLFLOW_SPOOL", filepath.Join(env.WorkDir, "spool"))
			env.Setenv("MLFLOW_TRACKING_URI", "")
			env.Setenv("HOME", env.WorkDir)
			return nil
		},
	})
}
