package mlflow

import (
	"bufio"
	"bytes"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// SystemMetricPrefix starts the keys of system metrics, as in
// mlflow.system_metrics ("system/cpu_utilization_percentage").
const SystemMetricPrefix = "system/"

// SystemMetricNames are the metrics a run with Config.SystemMetrics logs
// (after SystemMetricPrefix), named and computed as the CPU, disk and
// network monitors of mlflow.system_metrics compute them with psutil:
//
//	cpu_utilization_percentage       busy share of all CPUs since the last sample (psutil.cpu_percent)
//	system_memory_usage_megabytes    MemTotal - MemAvailable, in 10⁶ bytes
//	system_memory_usage_percentage   the same over MemTotal
//	disk_usage_percentage            used / (used + available to users) of the file system holding /
//	disk_usage_megabytes             used bytes of that file system, in 10⁶ bytes
//	disk_available_megabytes         bytes available to users, in 10⁶ bytes
//	network_receive_megabytes        bytes received by all interfaces since the run began, in 10⁶
//	network_transmit_megabytes       bytes sent, likewise
//
// They are read from /proc and statfs(2); on systems without them the
// metrics that cannot be read are left out. GPU metrics are not logged.
var SystemMetricNames = []string{
	"cpu_utilization_percentage", "system_memory_usage_megabytes", "system_memory_usage_percentage",
	"disk_usage_percentage", "disk_usage_megabytes", "disk_available_megabytes",
	"network_receive_megabytes", "network_transmit_megabytes",
}

// DefaultSystemMetricsInterval is the sampling period of system metrics,
// mlflow.system_metrics' default.
const DefaultSystemMetricsInterval = 10 * time.Second

// systemMetricsSettings returns the sampling period and the key prefix
// from cfg and the variables Python reads:
// MLFLOW_SYSTEM_METRICS_SAMPLING_INTERVAL (seconds) and
// MLFLOW_SYSTEM_METRICS_NODE_ID ("system/<node>/...").
func systemMetricsSettings(cfg Config) (time.Duration, string, error) {
	every := cfg.SystemMetricsInterval
	if every <= 0 {
		every = DefaultSystemMetricsInterval
		if v := os.Getenv("MLFLOW_SYSTEM_METRICS_SAMPLING_INTERVAL"); v != "" {
			s, err := strconv.ParseFloat(v, 64)
			if err != nil || !(s > 0) || s > 1e6 {
				return 0, "", fmt.Errorf("%w: MLFLOW_SYSTEM_METRICS_SAMPLING_INTERVAL=%q is not a positive number of seconds", ErrInvalid, v)
			}
			every = time.Duration(s * float64(time.Second))
		}
	}
	prefix := SystemMetricPrefix
	if node := os.Getenv("MLFLOW_SYSTEM_METRICS_NODE_ID"); node != "" {
		prefix += node + "/"
		if err := ValidateKey("metric", prefix+SystemMetricNames[0]); err != nil {
			return 0, "", fmt.Errorf("MLFLOW_SYSTEM_METRICS_NODE_ID: %w", err)
		}
	}
	return every, prefix, nil
}

// sampleSystem logs system metrics every period until sysStop closes.
// Sample n is logged at step n, as mlflow.system_metrics does.
func (r *Run) sampleSystem(every time.Duration, prefix string) {
	s := newSysSampler("/proc", "/")
	t := time.NewTicker(every)
	defer t.Stop()
	for step := int64(0); ; step++ {
		select {
		case <-r.sysStop:
			return
		case now := <-t.C:
			vals := s.sample()
			for _, k := range SystemMetricNames {
				if v, ok := vals[k]; ok {
					r.LogMetricAt(prefix+k, v, step, now)
				}
			}
		}
	}
}

// sysSampler reads system counters; CPU and network figures are relative
// to the previous sample and to the first one.
type sysSampler struct {
	proc, disk string
	cpu        cpuTimes
	cpuOK      bool
	rx0, tx0   float64
	netOK      bool
}

func newSysSampler(proc, disk string) *sysSampler {
	s := &sysSampler{proc: proc, disk: disk}
	s.cpu, s.cpuOK = readCPUTimes(proc)
	if rx, tx, err := readNetDev(proc); err == nil {
		s.rx0, s.tx0, s.netOK = rx, tx, true
	}
	return s
}

func round1(v float64) float64 { return math.Round(v*10) / 10 }

// sample returns the metrics that could be read.
func (s *sysSampler) sample() map[string]float64 {
	out := map[string]float64{}
	if t, ok := readCPUTimes(s.proc); ok && s.cpuOK {
		out["cpu_utilization_percentage"] = round1(cpuPercent(s.cpu, t))
		s.cpu = t
	} else if ok {
		s.cpu, s.cpuOK = t, true
	}
	if total, avail, err := readMemInfo(s.proc); err == nil && total > 0 {
		used := total - avail
		out["system_memory_usage_megabytes"] = round1(used / 1e6)
		out["system_memory_usage_percentage"] = round1(used / total * 100)
	}
	if used, free, err := diskUsage(s.disk); err == nil && used+free > 0 {
		out["disk_usage_percentage"] = round1(used / (used + free) * 100)
		out["disk_usage_megabytes"] = round1(used / 1e6)
		out["disk_available_megabytes"] = round1(free / 1e6)
	}
	if rx, tx, err := readNetDev(s.proc); err == nil && s.netOK {
		out["network_receive_megabytes"] = (rx - s.rx0) / 1e6
		out["network_transmit_megabytes"] = (tx - s.tx0) / 1e6
	}
	return out
}

// cpuTimes are the aggregate "cpu" line of /proc/stat, in ticks.
type cpuTimes struct{ busy, total float64 }

// readCPUTimes reads /proc/stat the way psutil counts it: total excludes
// guest and guest_nice (already in user and nice); busy is total minus
// idle and iowait.
func readCPUTimes(proc string) (cpuTimes, bool) {
	f, err := os.Open(filepath.Join(proc, "stat"))
	if err != nil {
		return cpuTimes{}, false
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) < 5 || fields[0] != "cpu" {
			continue
		}
		var v [10]float64
		for i := 1; i < len(fields) && i <= 10; i++ {
			v[i-1], _ = strconv.ParseFloat(fields[i], 64)
		}
		var total float64
		for _, x := range v {
			total += x
		}
		total -= v[8] + v[9] // guest, guest_nice
		return cpuTimes{busy: total - v[3] - v[4], total: total}, true
	}
	return cpuTimes{}, false
}

func cpuPercent(a, b cpuTimes) float64 {
	dt := b.total - a.total
	if dt <= 0 {
		return 0
	}
	return min(100, max(0, (b.busy-a.busy)/dt*100))
}

// readMemInfo returns MemTotal and MemAvailable in bytes; without
// MemAvailable (kernels before 3.14) it estimates the latter as
// MemFree + Buffers + Cached + SReclaimable.
func readMemInfo(proc string) (total, avail float64, err error) {
	b, err := os.ReadFile(filepath.Join(proc, "meminfo"))
	if err != nil {
		return 0, 0, err
	}
	m := map[string]float64{}
	for _, line := range bytes.Split(b, []byte("\n")) {
		f := strings.Fields(string(line))
		if len(f) >= 2 {
			v, _ := strconv.ParseFloat(f[1], 64)
			m[strings.TrimSuffix(f[0], ":")] = v * 1024
		}
	}
	total = m["MemTotal"]
	avail, ok := m["MemAvailable"]
	if !ok || avail == 0 {
		avail = m["MemFree"] + m["Buffers"] + m["Cached"] + m["SReclaimable"]
	}
	if avail > total {
		avail = m["MemFree"]
	}
	return total, avail, nil
}

// diskUsage returns the bytes used and available to unprivileged users
// on the file system holding path, as psutil.disk_usage does.
func diskUsage(path string) (used, free float64, err error) {
	var st syscall.Statfs_t
	if err := syscall.Statfs(path, &st); err != nil {
		return 0, 0, err
	}
	bs := float64(st.Frsize)
	if bs == 0 {
		bs = float64(st.Bsize)
	}
	return float64(st.Blocks-st.Bfree) * bs, float64(st.Bavail) * bs, nil
}

// readNetDev returns the bytes received and sent by all interfaces
// (loopback included, as psutil.net_io_counters counts them).
func readNetDev(proc string) (rx, tx float64, err error) {
	b, err := os.ReadFile(filepath.Join(proc, "net", "dev"))
	if err != nil {
		return 0, 0, err
	}
	for _, line := range bytes.Split(b, []byte("\n")) {
		_, rest, ok := bytes.Cut(line, []byte(":"))
		if !ok {
			continue
		}
		f := strings.Fields(string(rest))
		if len(f) < 9 {
			continue
		}
		r, _ := strconv.ParseFloat(f[0], 64)
		t, _ := strconv.ParseFloat(f[8], 64)
		rx += r
		tx += t
	}
	return rx, tx, nil
}
