package gcpolicy

import (
	"runtime"
	"runtime/metrics"
	"testing"
	"time"
)

func gogc() uint64 {
	s := []metrics.Sample{{Name: "/gc/gogc:percent"}}
	metrics.Read(s)
	return s[0].Value.Uint64()
}

// waitGOGC collects until GOGC is want (the policy applies after a
// collection, on the finalizer goroutine).
func waitGOGC(t *testing.T, want uint64) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for gogc() != want {
		if time.Now().After(deadline) {
			t.Fatalf("GOGC %d, want %d", gogc(), want)
		}
		runtime.GC()
		time.Sleep(10 * time.Millisecond)
	}
}

func TestAdapt(t *testing.T) {
	t.Setenv("GOGC", "")
	stop := Adapt(Policy{Small: 100, Large: 25, Threshold: 64 << 20})
	defer stop()
	waitGOGC(t, 100)
	big := make([]byte, 128<<20) // live, over the threshold
	for i := range big {
		big[i] = byte(i)
	}
	waitGOGC(t, 25)
	runtime.KeepAlive(big)
	big = nil
	waitGOGC(t, 100)
}

func TestAdaptLeavesUserGOGC(t *testing.T) {
	t.Setenv("GOGC", "50")
	before := gogc()
	stop := Adapt(Policy{Small: 100, Large: 25, Threshold: 1})
	defer stop()
	runtime.GC()
	time.Sleep(20 * time.Millisecond)
	if got := gogc(); got != before {
		t.Errorf("GOGC %d after Adapt with GOGC set, want %d untouched", got, before)
	}
}
