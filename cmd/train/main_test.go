package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/mlstack/mlstack/internal/crash"
	"github.com/mlstack/mlstack/pkg/experiment/config"
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
		Cmds:                map[string]func(*testscript.TestScript, bool, []string){"status": status},
		Setup: func(env *testscript.Env) error {
			env.Setenv("CONFIGS", filepath.Join(root, "configs"))
			env.Setenv("MLSTACK_MLFLOW_SPOOL", filepath.Join(env.WorkDir, "spool"))
			env.Setenv("MLFLOW_TRACKING_URI", "")
			env.Setenv("HOME", env.WorkDir)
			return nil
		},
	})
}

// status N exec PROG ARGS... runs PROG like exec and checks that it exits with
// status N (exec only tells zero from non-zero); stdout and stderr are
// kept for the next commands.
func status(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) < 2 {
		ts.Fatalf("usage: status N PROG [ARGS...]")
	}
	want, err := strconv.Atoi(args[0])
	if err != nil {
		ts.Fatalf("status: %q is not a number", args[0])
	}
	if args[1] == "exec" { // status N exec PROG ARGS... reads like exec
		args = append(args[:1], args[2:]...)
	}
	err = ts.Exec(args[1], args[2:]...)
	got := 0
	if err != nil {
		m := regexp.MustCompile(`exit status (\d+)`).FindStringSubmatch(err.Error())
		if m == nil {
			ts.Fatalf("status: %v", err)
		}
		got, _ = strconv.Atoi(m[1])
	}
	if got != want {
		ts.Fatalf("%s exited with status %d, want %d", args[1], got, want)
	}
}

// The exit status tells what went wrong: a recovered panic (a bug) is 3 and
// names a stack file, a config error 2, anything else 1.
func TestFailedStatus(t *testing.T) {
	tests := []struct {
		err  error
		want int
		out  string
	}{
		{fmt.Errorf("cv: fold 1: %w", &crash.PanicError{Value: "boom", Stack: []byte("goroutine 7")}), 3, "train: internal error, please report: cv: fold 1: internal error: panic: boom\ntrain: the stack is in "},
		{&config.ConfigError{File: "x.yaml", Line: 3, Column: 1, Path: "seed", Msg: "bad"}, 2, "train: x.yaml:3:1: seed: bad\n"},
		{errors.New("data: no such file"), 1, "train: data: no such file\n"},
	}
	for _, tt := range tests {
		var stderr strings.Builder
		if got := failed(&stderr, "train", tt.err); got != tt.want || !strings.HasPrefix(stderr.String(), tt.out) {
			t.Errorf("failed(%v) = %d, %q; want %d, %q", tt.err, got, stderr.String(), tt.want, tt.out)
		}
		if tt.want == 3 {
			path := strings.TrimSuffix(strings.SplitN(stderr.String(), "the stack is in ", 2)[1], "; please attach it to the report\n")
			b, err := os.ReadFile(path)
			if err != nil || !strings.Contains(string(b), "goroutine 7") {
				t.Errorf("stack file %s: %v %q", path, err, b)
			}
			os.Remove(path)
		}
	}
}

// A bug in any worker goroutine (here an injected panic) ends the run with
// exit status 3 and a stack file, never with a crash of the program: the
// SMOTE workers and the neighbour search inside the folds, and the
// tracking run's sender.
func TestWorkerPanicExitStatus(t *testing.T) {
	t.Setenv("MLFLOW_TRACKING_URI", "")
	t.Setenv("MLSTACK_MLFLOW_SPOOL", t.TempDir())
	for _, worker := range []string{"resample: interpolate", "neighbors: search", "mlflow: sender"} {
		t.Run(worker, func(t *testing.T) {
			undo := crash.PanicIn(worker)
			defer undo()
			var stdout, stderr strings.Builder
			code := run(context.Background(), []string{"--config", "../../configs/classification.yaml", "--out", filepath.Join(t.TempDir(), "out"),
				"--set", "validation.n_repeats=1", "--set", "model.params.n_estimators=5"}, &stdout, &stderr)
			out := stderr.String()
			if code != crash.ExitInternal || !strings.Contains(out, "train: internal error, please report:") || !strings.Contains(out, worker+": internal error: panic:") {
				t.Fatalf("exit status %d, stderr:\n%s", code, out)
			}
			t.Log(strings.SplitN(out, "\n", 2)[0])
			m := regexp.MustCompile(`the stack is in (\S+);`).FindStringSubmatch(out)
			if m == nil {
				t.Fatalf("no stack file named in %q", out)
			}
			b, err := os.ReadFile(m[1])
			os.Remove(m[1])
			if err != nil || !strings.Contains(string(b), "crash.PanicIn") {
				t.Errorf("stack file %s: %v\n%s", m[1], err, b)
			}
		})
	}
}
