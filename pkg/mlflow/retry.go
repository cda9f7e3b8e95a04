package mlflow

import (
	"context"
	"iter"
	"time"

	"github.com/mlstack/mlstack/internal/retry"
)

// retries yields attempt numbers 0..MaxRetries by the module's retry
// policy (internal/retry): exponential backoff from RetryBaseDelay,
// capped at RetryMaxDelay, with jitter, stopping when ctx is done or, with
// RetryFor, when the next attempt would start after begun+RetryFor (the
// last attempt starts at the end of the window with a second to run).
func (c *Client) retries(ctx context.Context, begun time.Time) iter.Seq[int] {
	p := retry.Policy{
		Attempts: c.opts.MaxRetries + 1,
		Base:     c.opts.RetryBaseDelay,
		Max:      c.opts.RetryMaxDelay,
		Jitter:   c.random,
	}
	if c.opts.RetryFor > 0 {
		p.Until, p.Reserve = begun.Add(c.opts.RetryFor), time.Second
	}
	return p.Seq(ctx)
}
