// Package testenv gives tests real servers and real peer tools: MinIO,
// an MLflow tracking server, PostgreSQL and the Python libraries the Go code
// is checked against. Nothing here is a mock.
//
// Rules:
//   - Servers listen on free 127.0.0.1 ports and keep their data in a
//     temporary directory; each starts at most once per test binary and is
//     stopped by Main when the tests end. A package that uses servers has
//     func TestMain(m *testing.M) { testenv.Main(m) }.
//   - A missing prerequisite (binary, venv) fails the test with a message
//     naming what to install when CI is set; elsewhere the test is skipped
//     and the reason printed. `make test` installs everything first.
//   - Under `go test -short` outside CI (make test-fast, the inner loop),
//     every test that needs a server, Python, GoNB or a browser, or trains
//     for minutes, is skipped (SkipShort): the servers, Python and Chromium
//     entry points here call it. In CI, -short skips none of them, so make
//     test runs everything.
//   - Tests share a server, so each test uses its own bucket, experiment or
//     database names (see Name).
package testenv

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// InCI reports whether the tests run under CI (the CI variable is set and
// not "false"), where nothing may be skipped.
func InCI() bool {
	v := os.Getenv("CI")
	return v != "" && v != "false" && v != "0"
}

// Unavailable stops the test because a prerequisite is missing: t.Fatalf in
// CI, t.Skipf (with the reason) elsewhere.
func Unavailable(t testing.TB, format string, args ...any) {
	t.Helper()
	msg := "testenv: " + fmt.Sprintf(format, args...)
	if InCI() {
		t.Fatal(msg)
	}
	t.Skip(msg + " (skipped outside CI)")
}

// SkipShort skips the test under -short outside CI: it needs what (a real
// server, Python, a browser, minutes of training), which the fast tier
// (make test-fast) leaves to make test.
func SkipShort(t testing.TB, what string) {
	t.Helper()
	if testing.Short() && !InCI() {
		t.Skipf("testenv: -short: needs %s (make test runs it)", what)
	}
}

// RepoRoot returns the root of the repository (the directory holding go.mod
// of module github.com/mlstack/mlstack), found by walking up from the
// working directory.
func RepoRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		b, err := os.ReadFile(filepath.Join(dir, "go.mod"))
		if err == nil && strings.HasPrefix(string(b), "module github.com/mlstack/mlstack\n") {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("testenv: repository root (go.mod of github.com/mlstack/mlstack) not found")
		}
		dir = parent
	}
}

var nameSeq atomic.Int64

// Name returns a name unique within this test binary run, safe as an S3
// bucket, MLflow experiment or database name: lowercase letters, digits and
// dashes, starting with prefix.
func Name(prefix string) string {
	return fmt.Sprintf("%s-%d-%d-%d", prefix, os.Getpid(), time.Now().UnixNano()%1e6, nameSeq.Add(1))
}
