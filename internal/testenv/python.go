package testenv

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// Python returns the interpreter of the project's test virtualenv (made by
// scripts/setup-python.sh, which `make test` runs), where the peers live:
// xgboost, scikit-learn, imbalanced-learn, pandas and mlflow.
// MLSTACK_VENV overrides the location.
func Python(t testing.TB) string {
	t.Helper()
	SkipShort(t, "Python (the test venv)")
	venv := os.Getenv("MLSTACK_VENV")
	if venv == "" {
		out, err := script("setup-python.sh", "--path")
		if err != nil {
			Unavailable(t, "cannot locate the Python venv: %v", err)
		}
		venv = out
	}
	py := filepath.Join(venv, "bin", "python")
	if _, err := os.Stat(filepath.Join(venv, ".complete")); err != nil {
		Unavailable(t, "Python venv %s is not installed: run scripts/setup-python.sh (make test does)", venv)
	}
	return py
}

// RunPython runs code with the venv's interpreter and returns its stdout.
// The test fails with the interpreter's stderr when the script fails.
// Extra args are passed as sys.argv[1:]; env entries (KEY=VALUE) are added.
func RunPython(t testing.TB, code string, args []string, env ...string) []byte {
	t.Helper()
	cmd := exec.Command(Python(t), append([]string{"-c", code}, args...)...)
	cmd.Env = append(os.Environ(), env...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("python failed: %v\n%s", err, stderr.String())
	}
	return stdout.Bytes()
}

// script runs one of the repo's scripts/ and returns its trimmed stdout.
func script(name string, args ...string) (string, error) {
	root, err := RepoRoot()
	if err != nil {
		return "", err
	}
	cmd := exec.Command("bash", append([]string{filepath.Join(root, "scripts", name)}, args...)...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return "", &scriptError{name: name, err: err, stderr: strings.TrimSpace(stderr.String())}
	}
	return strings.TrimSpace(string(out)), nil
}

type scriptError struct {
	name   string
	err    error
	stderr string
}

func (e *scriptError) Error() string {
	return "scripts/" + e.name + ": " + e.err.Error() + ": " + e.stderr
}
func (e *scriptError) Unwrap() error { return e.err }
