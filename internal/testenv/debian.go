package testenv

import (
	"bytes"
	"os"
	"os/exec"
	"strings"
	"testing"
)

// DebianPython is Debian's system interpreter, where the python3-xgboost
// package (xgboost 1.7.x) installs.
const DebianPython = "/usr/bin/python3"

// DebianXGBoost returns the Debian interpreter after checking that it
// imports xgboost 1.7.x (Debian bookworm's python3-xgboost, the oldest
// xgboost our model files must load in). Without it the test is
// Unavailable: `apt-get install -y python3-xgboost`.
func DebianXGBoost(t testing.TB) string {
	t.Helper()
	SkipShort(t, "Debian's python3-xgboost")
	out, err := exec.Command(DebianPython, "-c", "import xgboost; print(xgboost.__version__)").Output()
	if err != nil {
		Unavailable(t, "Debian python3-xgboost is not installed (%s -c 'import xgboost': %v): run apt-get install -y python3-xgboost", DebianPython, err)
	}
	if v := strings.TrimSpace(string(out)); !strings.HasPrefix(v, "1.7.") {
		Unavailable(t, "%s has xgboost %s, want Debian's 1.7.x (apt-get install -y python3-xgboost)", DebianPython, v)
	}
	return DebianPython
}

// RunInterpreter is RunPython with an explicit interpreter (e.g. the
// result of DebianXGBoost).
func RunInterpreter(t testing.TB, python, code string, args []string, env ...string) []byte {
	t.Helper()
	cmd := exec.Command(python, append([]string{"-c", code}, args...)...)
	cmd.Env = append(os.Environ(), env...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("%s failed: %v\n%s", python, err, stderr.String())
	}
	return stdout.Bytes()
}
