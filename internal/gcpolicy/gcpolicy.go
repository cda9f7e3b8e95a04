// Package gcpolicy sets the garbage collector's pace from the size of the
// live heap, for programs whose heap is either small or very large.
//
// Go's default (GOGC=100) lets the heap grow to twice what is live before
// a collection: cheap in CPU, but for a run holding gigabytes of columns
// and matrices it doubles the peak. A low GOGC (25) keeps the peak at 1.25
// times the live heap for a few more collections. Adapt chooses per
// collection: the default while the live heap is under a threshold, where
// the doubling costs little memory, and the low value beyond it.
//
// Rules: it never overrides a GOGC the user set; the choice is made after
// each collection from /gc/heap/live:bytes (runtime/metrics); it allocates
// one small object per collection.
package gcpolicy

import (
	"os"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"sync/atomic"
)

// Policy is a heap-size rule for GOGC.
type Policy struct {
	Small     int    // GOGC while the live heap is under Threshold (Go's default 100)
	Large     int    // GOGC beyond it
	Threshold uint64 // live heap bytes
}

// Adapt applies p after every collection until stop is called. With GOGC
// set in the environment it does nothing.
func Adapt(p Policy) (stop func()) {
	if os.Getenv("GOGC") != "" {
		return func() {}
	}
	var stopped atomic.Bool
	current := p.Small
	sample := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
	var arm func()
	arm = func() {
		// A sentinel that only the next collection frees: its finalizer
		// runs once that collection is done.
		s := new([16]byte)
		runtime.SetFinalizer(s, func(*[16]byte) {
			if stopped.Load() {
				return
			}
			metrics.Read(sample)
			want := p.Small
			if sample[0].Value.Kind() == metrics.KindUint64 && sample[0].Value.Uint64() >= p.Threshold {
				want = p.Large
			}
			if want != current {
				debug.SetGCPercent(want)
				current = want
			}
			arm()
		})
	}
	debug.SetGCPercent(p.Small)
	arm()
	return func() { stopped.Store(true) }
}
