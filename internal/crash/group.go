package crash

import (
	"fmt"
	"sync"
	"sync/atomic"
)

// Group runs goroutines and turns a panic in any of them into an error
// instead of a crash of the program: each goroutine that Go starts defers
// Recover, and Wait returns the first *PanicError (wrapped with the
// goroutine's name), so the caller hands it up like any other error and
// the command reports it (Report, exit status 3). The zero value is
// ready; a Group must not be copied after first use.
//
//	var g crash.Group
//	for w := range workers {
//		g.Go("neighbors: search", func() { ... })
//	}
//	if err := g.Wait(); err != nil {
//		return err
//	}
//
// Go may be called from a goroutine of the group (a recursive split) as
// long as Wait has not returned. The other goroutines are not stopped by
// a panic; a loop that should end early checks Failed.
type Group struct {
	// OnPanic, if set, is called with the error as soon as a goroutine
	// panics, on that goroutine: for long-lived goroutines whose owner
	// must hear of the bug before it waits for them.
	OnPanic func(error)

	wg     sync.WaitGroup
	failed atomic.Bool
	mu     sync.Mutex
	err    error
}

// Go runs f on a new goroutine of the group. name says what the goroutine
// does ("mlflow: sender"); it prefixes the error of a panic and is what
// PanicIn matches.
func (g *Group) Go(name string, f func()) {
	g.wg.Add(1)
	go func() {
		defer g.wg.Done()
		var err error
		defer g.caught(name, &err)
		defer Recover(&err)
		if p := injected.Load(); p != nil && *p == name {
			panic("crash.PanicIn: injected panic in " + name)
		}
		f()
	}()
}

// caught records the error Recover left in *errp, if any.
func (g *Group) caught(name string, errp *error) {
	if *errp == nil {
		return
	}
	err := fmt.Errorf("%s: %w", name, *errp)
	g.failed.Store(true)
	g.mu.Lock()
	if g.err == nil {
		g.err = err
	}
	g.mu.Unlock()
	if g.OnPanic != nil {
		g.OnPanic(err)
	}
}

// Wait waits for every goroutine of the group and returns the first panic
// among them as an error wrapping a *PanicError, or nil.
func (g *Group) Wait() error {
	g.wg.Wait()
	return g.Err()
}

// Err returns the first panic so far, without waiting.
func (g *Group) Err() error {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.err
}

// Failed reports whether a goroutine of the group has panicked: workers
// of a long loop check it to stop early.
func (g *Group) Failed() bool { return g.failed.Load() }

var injected atomic.Pointer[string]

// PanicIn makes every goroutine that a Group starts under name panic
// before it runs its function, until undo is called. It is for tests that
// check a bug in a worker becomes an error (and exit status 3) rather than
// a crash; tests that use it must not run in parallel with others that
// start such goroutines.
func PanicIn(name string) (undo func()) {
	injected.Store(&name)
	return func() { injected.CompareAndSwap(&name, nil) }
}
