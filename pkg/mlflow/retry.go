package mlflow

import (
	"context"
	"iter"
	"math"
	"time"
)

// retries yields attempt numbers 0..MaxRetries, sleeping with exponential
// backoff and jitter before each attempt after the first, and stops when
// ctx is done or, with RetryFor, when the next attempt would start after
// begun+RetryFor. Modelled on minio-go's newRetryTimer (retry.go): sleep =
// min(max, base*2^attempt), then scaled by a random factor in [0.5, 1)
// so that clients that failed together do not retry together.
func (c *Client) retries(ctx context.Context, begun time.Time) iter.Seq[int] {
	return func(yield func(int) bool) {
		for attempt := 0; attempt <= c.opts.MaxRetries; attempt++ {
			if attempt > 0 {
				sleep := c.backoff(attempt - 1)
				if c.opts.RetryFor > 0 {
					left := c.opts.RetryFor - time.Since(begun)
					if left <= 0 {
						return
					}
					// The last attempt starts at the end of the window
					// with a second to run (attempt caps it at what is left).
					sleep = min(sleep, max(left-time.Second, 0))
				}
				t := time.NewTimer(sleep)
				select {
				case <-ctx.Done():
					t.Stop()
					return
				case <-t.C:
				}
			}
			if !yield(attempt) {
				return
			}
		}
	}
}

func (c *Client) backoff(attempt int) time.Duration {
	d := float64(c.opts.RetryBaseDelay) * math.Pow(2, float64(min(attempt, 30)))
	if m := float64(c.opts.RetryMaxDelay); d > m {
		d = m
	}
	return time.Duration(d * (0.5 + 0.5*c.random()))
}
