// Package crash turns a panic — always a bug, since nothing that comes from
// data, configs, files or the network may panic — into exit status 3 and a
// stack file the user can attach to a report, instead of Go's exit status 2
// (which the commands use for usage and config errors).
//
// Rules:
//   - A command defers Handle in the function that computes its exit
//     status; every other goroutine recovers its own panics (a panic in a
//     goroutine cannot be recovered anywhere else) and hands them to its
//     owner as a *PanicError: started with a Group's Go, whose Wait
//     returns the first one, or deferring Recover directly.
//   - PanicIn injects a panic into the goroutines of a given name, so that
//     each package can test that a bug in its workers ends as an error.
//   - Code that has no error to return (a parallel loop deep inside a
//     computation) may re-panic on the owner's goroutine with the error
//     of its Group's Wait: Recover and Handle keep that error, and so the
//     stack of the goroutine that panicked first.
//   - A command that gets a *PanicError back (errors.As) calls Report.
//   - Report writes the panic value and its stack to a new file in the
//     temporary directory and prints "PROG: internal error, please report:
//     VALUE" and the file's path; it returns ExitInternal.
package crash

import (
	"errors"
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"strings"
	"time"

	"github.com/mlstack/mlstack/internal/redact"
)

// ExitInternal is the exit status of a command that hit a bug.
const ExitInternal = 3

// PanicError is a recovered panic with the stack of the goroutine that
// panicked.
type PanicError struct {
	Value any
	Stack []byte
}

func (e *PanicError) Error() string { return fmt.Sprintf("internal error: panic: %v", e.Value) }

// Recover, deferred directly, turns a panic of the current goroutine into a
// *PanicError stored in *errp:
//
//	defer crash.Recover(&err)
func Recover(errp *error) {
	if v := recover(); v != nil {
		*errp = panicError(v)
	}
}

// panicError is the error of the recovered value v: v itself when it is
// an error wrapping a *PanicError (a worker's panic passed up by its
// owner, whose stack is the one to report), else a new *PanicError with
// the current goroutine's stack.
func panicError(v any) error {
	if err, ok := v.(error); ok && errors.As(err, new(*PanicError)) {
		return err
	}
	return &PanicError{Value: v, Stack: debug.Stack()}
}

// Handle, deferred directly by a command's run function, reports a panic
// (see Report) and sets *code to ExitInternal:
//
//	func run(...) (code int) {
//		defer crash.Handle(stderr, "train", &code)
func Handle(stderr io.Writer, prog string, code *int) {
	if v := recover(); v != nil {
		*code = Report(stderr, prog, panicError(v))
	}
}

// Report writes e's stack to a file, tells the user where, and returns
// ExitInternal. err may wrap e (the message then shows err's context).
func Report(stderr io.Writer, prog string, err error) int {
	var e *PanicError
	if !errors.As(err, &e) {
		e = &PanicError{Value: err}
	}
	msg := redact.String(strings.TrimPrefix(err.Error(), "internal error: "))
	fmt.Fprintf(stderr, "%s: internal error, please report: %s\n", prog, msg)
	path, werr := writeStack(prog, err, e)
	if werr != nil {
		fmt.Fprintf(stderr, "%s: could not write the stack to a file (%v); here it is:\n%s", prog, werr, e.Stack)
	} else {
		fmt.Fprintf(stderr, "%s: the stack is in %s; please attach it to the report\n", prog, path)
	}
	return ExitInternal
}

func writeStack(prog string, err error, e *PanicError) (string, error) {
	f, ferr := os.CreateTemp("", "mlstack-"+strings.ReplaceAll(prog, " ", "-")+"-crash-*.txt")
	if ferr != nil {
		return "", ferr
	}
	bi, _ := debug.ReadBuildInfo()
	ver := "unknown"
	if bi != nil {
		ver = bi.Main.Version + " " + bi.GoVersion
	}
	// The file is meant to be shared: URLs in the arguments lose their secrets.
	args := redact.String(fmt.Sprintf("%q", os.Args[1:]))
	_, werr := fmt.Fprintf(f, "%s internal error at %s (build %s)\nargs: %s\nerror: %s\n\n%s",
		prog, time.Now().UTC().Format(time.RFC3339), ver, args, redact.String(err.Error()), e.Stack)
	if cerr := f.Close(); werr == nil {
		werr = cerr
	}
	return f.Name(), werr
}
