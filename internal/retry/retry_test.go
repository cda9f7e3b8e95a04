package retry_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/mlstack/mlstack/internal/retry"
)

func TestDelay(t *testing.T) {
	half := func() float64 { return 0.5 }
	tests := []struct {
		name string
		p    retry.Policy
		n    int
		want time.Duration
	}{
		{"first wait is Base", retry.Policy{Base: time.Second}, 1, time.Second},
		{"doubles", retry.Policy{Base: time.Second}, 4, 8 * time.Second},
		{"no cap", retry.Policy{Base: time.Second}, 11, 1024 * time.Second},
		{"capped", retry.Policy{Base: time.Second, Max: 5 * time.Second}, 4, 5 * time.Second},
		{"cap above the wait", retry.Policy{Base: time.Second, Max: 5 * time.Second}, 3, 4 * time.Second},
		{"huge n stays finite", retry.Policy{Base: time.Second, Max: time.Minute}, 1000, time.Minute},
		{"jitter scales into [0.5, 1)", retry.Policy{Base: time.Second, Jitter: half}, 3, 3 * time.Second},
		{"jitter after the cap", retry.Policy{Base: time.Second, Max: 2 * time.Second, Jitter: half}, 5, 1500 * time.Millisecond},
		{"jitter 0 halves", retry.Policy{Base: time.Second, Jitter: func() float64 { return 0 }}, 1, 500 * time.Millisecond},
	}
	for _, tt := range tests {
		if got := tt.p.Delay(tt.n); got != tt.want {
			t.Errorf("%s: Delay(%d) = %v, want %v", tt.name, tt.n, got, tt.want)
		}
	}
}

func TestSeq(t *testing.T) {
	count := func(ctx context.Context, p retry.Policy) (n int, took time.Duration) {
		t0 := time.Now()
		for a := range p.Seq(ctx) {
			if a != n {
				t.Fatalf("attempt %d yielded as %d", n, a)
			}
			n++
		}
		return n, time.Since(t0)
	}
	ms := time.Millisecond
	if n, took := count(context.Background(), retry.Policy{Attempts: 4, Base: 10 * ms}); n != 4 || took < 70*ms {
		t.Errorf("4 attempts: %d attempts in %v, want 4 in ≥ 70ms (10+20+40)", n, took)
	}
	if n, _ := count(context.Background(), retry.Policy{}); n != 1 {
		t.Errorf("zero policy: %d attempts, want 1", n)
	}
	// Until: attempts at 0 and ~50ms (the 100ms wait cut to Until-Reserve), then none.
	p := retry.Policy{Attempts: 10, Base: 100 * ms, Until: time.Now().Add(60 * ms), Reserve: 10 * ms}
	if n, took := count(context.Background(), p); n != 2 || took > 90*ms {
		t.Errorf("Until: %d attempts in %v, want 2 within 90ms", n, took)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if n, _ := count(ctx, retry.Policy{Attempts: 3}); n != 0 {
		t.Errorf("done context: %d attempts, want 0", n)
	}
	ctx, cancel = context.WithTimeout(context.Background(), 20*ms)
	defer cancel()
	if n, took := count(ctx, retry.Policy{Attempts: 3, Base: time.Hour}); n != 1 || took > time.Second {
		t.Errorf("context ending a wait: %d attempts in %v, want 1 at once", n, took)
	}
}

var errTemporary = errors.New("temporary")

func TestDo(t *testing.T) {
	temporary := func(err error) bool { return errors.Is(err, errTemporary) }
	ms := time.Millisecond
	tests := []struct {
		name      string
		fails     []error // the error of each attempt; past the end, success
		attempts  int
		retryable func(error) bool
		calls     int
		want      error
	}{
		{"success first", nil, 3, temporary, 1, nil},
		{"success after two failures", []error{errTemporary, errTemporary}, 3, temporary, 3, nil},
		{"attempts run out", []error{errTemporary, errTemporary, errTemporary}, 3, temporary, 3, errTemporary},
		{"not retryable", []error{errors.ErrUnsupported}, 3, temporary, 1, errors.ErrUnsupported},
		{"nil classifier retries all", []error{errors.ErrUnsupported}, 2, nil, 2, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			calls := 0
			err := retry.Do(context.Background(), retry.Policy{Attempts: tt.attempts, Base: ms}, tt.retryable, func(context.Context, int) error {
				calls++
				if calls <= len(tt.fails) {
					return fmt.Errorf("attempt %d: %w", calls, tt.fails[calls-1])
				}
				return nil
			})
			if calls != tt.calls || !errors.Is(err, tt.want) || (tt.want == nil) != (err == nil) {
				t.Errorf("%d calls, err %v; want %d calls, err %v", calls, err, tt.calls, tt.want)
			}
		})
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*ms)
	defer cancel()
	err := retry.Do(ctx, retry.Policy{Attempts: 3, Base: time.Hour}, nil, func(context.Context, int) error { return errTemporary })
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("a context ending the wait: err %v, want context.DeadlineExceeded", err)
	}
}

func ExampleDo() {
	p := retry.Policy{Attempts: 3, Base: time.Millisecond}
	err := retry.Do(context.Background(), p, nil, func(ctx context.Context, attempt int) error {
		fmt.Println("attempt", attempt)
		if attempt < 2 {
			return errTemporary
		}
		return nil
	})
	fmt.Println(err)
	// Output:
	// attempt 0
	// attempt 1
	// attempt 2
	// <nil>
}
