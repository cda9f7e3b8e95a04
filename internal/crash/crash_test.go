package crash

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"regexp"
	"strings"
	"testing"
)

func run(stderr *bytes.Buffer, f func()) (code int) {
	defer Handle(stderr, "prog", &code)
	f()
	return 0
}

func stackFile(t *testing.T, out string) string {
	t.Helper()
	m := regexp.MustCompile(`the stack is in (\S+);`).FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("no stack file named in %q", out)
	}
	t.Cleanup(func() { os.Remove(m[1]) })
	b, err := os.ReadFile(m[1])
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestHandle(t *testing.T) {
	var stderr bytes.Buffer
	code := run(&stderr, func() { panic("boom") })
	if code != ExitInternal {
		t.Errorf("code = %d, want %d", code, ExitInternal)
	}
	out := stderr.String()
	if !strings.HasPrefix(out, "prog: internal error, please report: panic: boom\n") {
		t.Errorf("stderr = %q", out)
	}
	if st := stackFile(t, out); !strings.Contains(st, "crash.TestHandle") || !strings.Contains(st, "panic: boom") {
		t.Errorf("stack file lacks the panic or its frames:\n%s", st)
	}
	if code := run(&stderr, func() {}); code != 0 {
		t.Errorf("no panic: code = %d", code)
	}
}

func TestRecoverInGoroutine(t *testing.T) {
	errc := make(chan error)
	go func() {
		var err error
		defer func() { errc <- err }()
		defer Recover(&err)
		var m map[string]int
		m["x"] = 1
	}()
	err := fmt.Errorf("fold 3: %w", <-errc)
	var pe *PanicError
	if !errors.As(err, &pe) {
		t.Fatalf("err = %v, want a *PanicError", err)
	}
	var stderr bytes.Buffer
	if code := Report(&stderr, "prog", err); code != ExitInternal {
		t.Errorf("code = %d", code)
	}
	if !strings.Contains(stderr.String(), "internal error, please report: fold 3: internal error: panic: assignment to entry in nil map") {
		t.Errorf("stderr = %q", stderr.String())
	}
	if st := stackFile(t, stderr.String()); !strings.Contains(st, "TestRecoverInGoroutine") {
		t.Errorf("stack file lacks the goroutine's frames:\n%s", st)
	}
}

func TestReportRedactsURLs(t *testing.T) {
	var stderr bytes.Buffer
	Report(&stderr, "prog", &PanicError{Value: "GET https://h/x?api_key=s3cr3t failed"})
	out := stderr.String()
	if strings.Contains(out, "s3cr3t") || strings.Contains(stackFile(t, out), "s3cr3t") {
		t.Errorf("a secret leaked: %s", out)
	}
}
