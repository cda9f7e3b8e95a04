// Package cores lends the cores of idle workers to the parallel loops of
// the work still running, so that the last of several parallel jobs (the
// last cross-validation folds) does not run on one core while the others
// idle.
//
// Rules:
//   - A Pool counts idle worker slots. A worker Acquires a slot when it
//     starts a job and Releases it when the job ends; a parallel loop
//     inside a job Borrows up to n idle slots for its extra goroutines and
//     Returns them when the loop ends, so a slot is lent for one loop at a
//     time (milliseconds), never for a whole job.
//   - Borrowing never waits and never takes a slot below zero; a worker's
//     Acquire never waits either (a slot lent out a moment ago makes the
//     count negative until that loop returns it), so lending can delay
//     nothing but the loop that borrowed.
//   - What a job computes must not depend on how many goroutines its
//     loops get: the pool changes when work runs, not its result.
//   - The methods of a nil *Pool lend nothing, so code without a pool in
//     its context behaves as before.
package cores

import (
	"context"
	"sync/atomic"
)

// Pool counts the idle slots of a group of workers. The zero value has
// none.
type Pool struct {
	idle atomic.Int64
}

// NewPool returns a pool of n idle slots: the workers, before any starts.
func NewPool(n int) *Pool {
	p := new(Pool)
	p.idle.Store(int64(n))
	return p
}

// Acquire takes a slot for a worker's job.
func (p *Pool) Acquire() {
	if p != nil {
		p.idle.Add(-1)
	}
}

// Release gives a worker's slot back when its job ends.
func (p *Pool) Release() {
	if p != nil {
		p.idle.Add(1)
	}
}

// Borrow takes up to n idle slots and returns how many it took (0 when
// none is idle, n ≤ 0 or p is nil).
func (p *Pool) Borrow(n int) int {
	if p == nil || n <= 0 {
		return 0
	}
	for {
		v := p.idle.Load()
		t := min(v, int64(n))
		if t <= 0 {
			return 0
		}
		if p.idle.CompareAndSwap(v, v-t) {
			return int(t)
		}
	}
}

// Return gives back n borrowed slots.
func (p *Pool) Return(n int) {
	if p != nil && n > 0 {
		p.idle.Add(int64(n))
	}
}

type key struct{}

// NewContext returns ctx carrying p: the pool the jobs run under ctx may
// borrow from.
func NewContext(ctx context.Context, p *Pool) context.Context {
	return context.WithValue(ctx, key{}, p)
}

// FromContext returns the pool ctx carries, or nil.
func FromContext(ctx context.Context) *Pool {
	p, _ := ctx.Value(key{}).(*Pool)
	return p
}
