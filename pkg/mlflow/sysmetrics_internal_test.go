package mlflow

import (
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"testing"
	"time"

	"github.com/mlstack/mlstack/internal/testenv"
)

// psutilPy prints what mlflow.system_metrics' monitors read through
// psutil, in the units they log.
const psutilPy = `
import json, os, psutil
m = psutil.virtual_memory()
d = psutil.disk_usage(os.sep)
n = psutil.net_io_counters()
print(json.dumps({
  "mem_mb": m.used / 1e6, "mem_pct": m.used / m.total * 100,
  "disk_pct": d.percent, "disk_mb": d.used / 1e6, "disk_free_mb": d.free / 1e6,
  "rx_mb": n.bytes_recv / 1e6, "tx_mb": n.bytes_sent / 1e6,
}))
`

// TestSystemMetricsMatchPsutil reads the machine with the Go sampler and
// with psutil (what MLflow's SystemMetricsMonitor uses) a moment apart:
// the figures agree within what the machine can change in between.
func TestSystemMetricsMatchPsutil(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("reads /proc")
	}
	s := newSysSampler("/proc", "/")
	out := testenv.RunPython(t, psutilPy, nil)
	got := s.sample()
	var raw map[string]float64
	if err := json.Unmarshal(out, &raw); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	rx, tx, err := readNetDev("/proc")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name      string
		go_, py   float64
		tolerance float64
	}{
		{"system_memory_usage_percentage", got["system_memory_usage_percentage"], raw["mem_pct"], 3},
		{"system_memory_usage_megabytes", got["system_memory_usage_megabytes"], raw["mem_mb"], 0.03 * raw["mem_mb"]},
		{"disk_usage_percentage", got["disk_usage_percentage"], raw["disk_pct"], 0.5},
		{"disk_usage_megabytes", got["disk_usage_megabytes"], raw["disk_mb"], 500},
		{"disk_available_megabytes", got["disk_available_megabytes"], raw["disk_free_mb"], 500},
		{"network bytes received (MB)", rx / 1e6, raw["rx_mb"], 5},
		{"network bytes sent (MB)", tx / 1e6, raw["tx_mb"], 5},
	} {
		if math.IsNaN(c.go_) || math.Abs(c.go_-c.py) > c.tolerance {
			t.Errorf("%s: Go %v, psutil %v (tolerance %v)", c.name, c.go_, c.py, c.tolerance)
		}
	}
	for _, k := range SystemMetricNames {
		if _, ok := got[k]; !ok {
			t.Errorf("sample lacks %s: %v", k, got)
		}
	}
}

// TestCPUPercentSeesLoad keeps one core busy between two samples: the
// system-wide figure is at least about that core's share.
func TestCPUPercentSeesLoad(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("reads /proc")
	}
	s := newSysSampler("/proc", "/")
	stop := time.Now().Add(400 * time.Millisecond)
	x := 0.0
	for time.Now().Before(stop) {
		x += math.Sqrt(x + 1)
	}
	v := s.sample()["cpu_utilization_percentage"]
	if floor := 100 / float64(runtime.NumCPU()) * 0.6; v < floor || v > 100 {
		t.Errorf("cpu_utilization_percentage = %v with a busy core of %d, want in [%.0f, 100]", v, runtime.NumCPU(), floor)
	}
}

// TestSysSamplerFixtures reads fixed /proc files: an old kernel without
// MemAvailable, guest time counted once, and interfaces summed.
func TestSysSamplerFixtures(t *testing.T) {
	dir := t.TempDir()
	write := func(name, s string) {
		p := filepath.Join(dir, name)
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("stat", "cpu  100 0 100 700 100 0 0 0 50 0\ncpu0 1 2 3 4\n")
	write("meminfo", "MemTotal: 1000000 kB\nMemFree: 200000 kB\nBuffers: 50000 kB\nCached: 200000 kB\nSReclaimable: 50000 kB\n")
	write("net/dev", "Inter-|   Receive |  Transmit\n face |bytes packets|bytes\n    lo: 1000000 1 0 0 0 0 0 0 2000000 1 0 0 0 0 0 0\n  eth0: 3000000 1 0 0 0 0 0 0 4000000 1 0 0 0 0 0 0\n")
	s := newSysSampler(dir, dir)
	write("stat", "cpu  200 0 200 800 100 0 0 0 100 0\n")
	write("net/dev", "    lo: 1500000 1 0 0 0 0 0 0 2000000 1 0 0 0 0 0 0\n  eth0: 3000000 1 0 0 0 0 0 0 5000000 1 0 0 0 0 0 0\n")
	got := s.sample()
	// total ticks 1000 → 1300 and busy 200 → 400 once guest time (in user
	// already) and idle+iowait are taken out: 200 of 300.
	want := map[string]float64{
		"cpu_utilization_percentage":     66.7,
		"system_memory_usage_megabytes":  512,
		"system_memory_usage_percentage": 50,
		"network_receive_megabytes":      0.5,
		"network_transmit_megabytes":     1,
	}
	for k, w := range want {
		if math.Abs(got[k]-w) > 1e-9 {
			t.Errorf("%s = %v, want %v", k, got[k], w)
		}
	}
}
