// Package retry is the one retry policy of the module: how many attempts,
// how long to wait between them, and when to stop. The callers (the MLflow
// client, pkg/dataset's downloads and its Roboflow export requests) say
// which errors are worth another attempt; this package only counts and
// waits.
//
// The rules:
//   - Attempts counts every attempt, the first included; fewer than one
//     means one.
//   - The wait before attempt n+1 (n ≥ 1 attempts made) is Base·2^(n−1),
//     capped at Max when Max > 0. With Jitter set, it is then scaled by
//     0.5 + 0.5·Jitter(), a factor in [0.5, 1), so that clients that failed
//     together do not retry together (minio-go's newRetryTimer does the
//     same).
//   - With Until set, no attempt starts at or after Until, and a wait is
//     shortened so that the next attempt starts by Until − Reserve (it has
//     Reserve to run); an attempt whose wait was so shortened is the last.
//   - Waits watch the context: a done context ends the retries at once.
//     Do then returns the context's error; an attempt that fails because
//     the context is done is not retried.
package retry // import "github.com/mlstack/mlstack/internal/retry"

import (
	"context"
	"iter"
	"math"
	"time"
)

// Policy says how often and how long to retry. The zero Policy makes one
// attempt.
type Policy struct {
	// Attempts is the number of attempts, the first included.
	Attempts int
	// Base is the wait after the first failed attempt, doubled after each
	// further one; Max, if positive, caps it.
	Base, Max time.Duration
	// Jitter, if not nil, returns a random number in [0, 1) that scales
	// each wait into [0.5, 1) of itself.
	Jitter func() float64
	// Until, if not zero, is when the retries end: no attempt starts at or
	// after it, and a wait is cut so that the attempt after it, the last,
	// starts by Until − Reserve.
	Until   time.Time
	Reserve time.Duration
}

// Delay is the wait after n failed attempts (n ≥ 1), before Until is
// applied.
func (p Policy) Delay(n int) time.Duration {
	d := float64(p.Base) * math.Pow(2, float64(min(max(n-1, 0), 30)))
	if p.Max > 0 {
		d = min(d, float64(p.Max))
	}
	if p.Jitter != nil {
		d *= 0.5 + 0.5*p.Jitter()
	}
	return time.Duration(d)
}

// Seq yields the attempt numbers 0, 1, ..., Attempts−1, waiting Delay
// before each after the first. It stops early when ctx is done (during a
// wait or before an attempt) or when Until has come; the caller breaks
// out of the loop when an attempt succeeds or fails for good.
func (p Policy) Seq(ctx context.Context) iter.Seq[int] {
	return func(yield func(int) bool) {
		last := false
		for attempt := range max(p.Attempts, 1) {
			if attempt > 0 {
				if last {
					return
				}
				wait := p.Delay(attempt)
				if !p.Until.IsZero() {
					left := time.Until(p.Until)
					if left <= 0 {
						return
					}
					if cut := max(left-p.Reserve, 0); cut < wait {
						wait, last = cut, true
					}
				}
				if Sleep(ctx, wait) != nil {
					return
				}
			} else if ctx.Err() != nil {
				return
			}
			if !yield(attempt) {
				return
			}
		}
	}
}

// Do calls f until it succeeds, fails with an error retryable does not
// accept (nil retryable accepts every error), or the policy ends, and
// returns f's last error. When ctx is done, Do returns without another
// attempt: ctx's error if it ended a wait, else f's last error.
func Do(ctx context.Context, p Policy, retryable func(error) bool, f func(ctx context.Context, attempt int) error) error {
	var last error
	for attempt := range p.Seq(ctx) {
		last = f(ctx, attempt)
		if last == nil || ctx.Err() != nil || (retryable != nil && !retryable(last)) {
			return last
		}
	}
	if last == nil {
		return ctx.Err() // no attempt was made
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	return last
}

// Sleep waits d, or until ctx is done, and returns ctx's error in that
// case.
func Sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
