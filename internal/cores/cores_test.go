package cores_test

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"github.com/mlstack/mlstack/internal/cores"
)

func TestBorrow(t *testing.T) {
	tests := []struct {
		name           string
		slots, running int
		ask, want      int
	}{
		{"all busy", 2, 2, 1, 0},
		{"one idle", 2, 1, 1, 1},
		{"more asked than idle", 4, 1, 8, 3},
		{"none asked", 4, 0, 0, 0},
		{"negative asked", 4, 0, -1, 0},
		{"overcommitted", 1, 2, 1, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := cores.NewPool(tt.slots)
			for range tt.running {
				p.Acquire()
			}
			if got := p.Borrow(tt.ask); got != tt.want {
				t.Errorf("Borrow(%d) = %d, want %d", tt.ask, got, tt.want)
			}
		})
	}
}

func TestNilPool(t *testing.T) {
	var p *cores.Pool
	p.Acquire()
	p.Release()
	p.Return(3)
	if got := p.Borrow(2); got != 0 {
		t.Errorf("nil pool lent %d", got)
	}
	if cores.FromContext(context.Background()) != nil {
		t.Error("a context without a pool has one")
	}
}

// Borrowers and workers racing never lend more than is idle, and every
// slot comes back.
func TestConcurrent(t *testing.T) {
	const slots = 4
	p := cores.NewPool(slots)
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 1000 {
				p.Acquire()
				n := p.Borrow(3)
				if n < 0 || n > 3 {
					t.Errorf("borrowed %d", n)
				}
				p.Return(n)
				p.Release()
			}
		}()
	}
	wg.Wait()
	if got := p.Borrow(slots + 1); got != slots {
		t.Errorf("after the race %d slots are idle, want %d", got, slots)
	}
}

func Example() {
	p := cores.NewPool(2) // two workers
	p.Acquire()           // the first starts a job
	p.Acquire()           // the second starts one
	fmt.Println(p.Borrow(1))
	p.Release() // the second is done and has nothing left to do
	n := p.Borrow(1)
	fmt.Println(n) // the first job's next loop runs on both cores
	p.Return(n)
	// Output:
	// 0
	// 1
}
