package crash

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
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
		//lint:ignore SA5000 the panic under test
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

func TestGroup(t *testing.T) {
	var g Group
	var heard []error
	var mu sync.Mutex
	g.OnPanic = func(err error) { mu.Lock(); heard = append(heard, err); mu.Unlock() }
	for i := range 4 {
		g.Go("worker", func() {
			if i == 2 {
				var s []int
				_ = s[i]
			}
		})
	}
	err := g.Wait()
	var pe *PanicError
	if !errors.As(err, &pe) || !strings.HasPrefix(err.Error(), "worker: internal error: panic: runtime error: index out of range") {
		t.Fatalf("Wait = %v, want the worker's panic as a *PanicError", err)
	}
	if !g.Failed() || len(heard) != 1 || heard[0] != err {
		t.Errorf("Failed %v, OnPanic heard %v", g.Failed(), heard)
	}
	if !strings.Contains(string(pe.Stack), "crash.TestGroup") {
		t.Errorf("the stack lacks the goroutine's frames:\n%s", pe.Stack)
	}
	var ok Group
	for range 3 {
		ok.Go("fine", func() {})
	}
	if err := ok.Wait(); err != nil || ok.Failed() {
		t.Errorf("no panic: Wait = %v, Failed %v", err, ok.Failed())
	}
}

// A goroutine of a group may start others (a recursive split).
func TestGroupNested(t *testing.T) {
	var g Group
	var n atomic.Int32
	var split func(depth int)
	split = func(depth int) {
		n.Add(1)
		if depth == 3 {
			panic("leaf")
		}
		if depth < 3 {
			g.Go("split", func() { split(depth + 1) })
			split(depth + 1)
		}
	}
	g.Go("split", func() { split(0) })
	if err := g.Wait(); err == nil || !strings.Contains(err.Error(), "split: internal error: panic: leaf") {
		t.Fatalf("Wait = %v", err)
	}
	if n.Load() != 15 {
		t.Errorf("%d calls, want 15", n.Load())
	}
}

func TestPanicIn(t *testing.T) {
	undo := PanicIn("target")
	var g, h Group
	ran := false
	g.Go("target", func() { ran = true })
	h.Go("other", func() {})
	if err := g.Wait(); ran || err == nil || !strings.Contains(err.Error(), "injected panic in target") {
		t.Errorf("injected: ran %v, Wait = %v", ran, err)
	}
	if err := h.Wait(); err != nil {
		t.Errorf("another name panicked: %v", err)
	}
	undo()
	g = Group{}
	g.Go("target", func() {})
	if err := g.Wait(); err != nil {
		t.Errorf("after undo: %v", err)
	}
}

// An owner with no error to return re-panics with its Group's error:
// Handle reports the worker's panic and stack, not the owner's.
func TestRepanicKeepsWorkerStack(t *testing.T) {
	var stderr bytes.Buffer
	code := run(&stderr, func() {
		var g Group
		g.Go("test: worker", workerBoom)
		if err := g.Wait(); err != nil {
			panic(err)
		}
	})
	out := stderr.String()
	if code != ExitInternal || !strings.HasPrefix(out, "prog: internal error, please report: test: worker: internal error: panic: worker boom\n") {
		t.Fatalf("code %d, stderr %q", code, out)
	}
	if st := stackFile(t, out); !strings.Contains(st, "crash.workerBoom") {
		t.Errorf("the stack file lacks the worker's frames:\n%s", st)
	}
}

func workerBoom() { panic("worker boom") }
