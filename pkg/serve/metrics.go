package serve

import (
	"fmt"
	"io"
	"maps"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// latencyBuckets are the upper bounds (seconds) of the latency histogram.
var latencyBuckets = []float64{0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10}

// metrics are the server's Prometheus metrics, written in the text
// exposition format (version 0.0.4) by write.
type metrics struct {
	mu       sync.Mutex
	requests map[[2]string]*atomic.Uint64 // path, code

	buckets  []atomic.Uint64 // one per latencyBuckets, then +Inf
	latNanos atomic.Int64
	latCount atomic.Uint64

	rows     atomic.Uint64
	inFlight atomic.Int64
	rejected atomic.Uint64 // 503: saturated
	swaps    atomic.Uint64
}

func newMetrics() *metrics {
	return &metrics{requests: map[[2]string]*atomic.Uint64{}, buckets: make([]atomic.Uint64, len(latencyBuckets)+1)}
}

// request counts a finished request; latency is recorded for scoring.
func (m *metrics) request(path string, code int, d time.Duration, scoring bool) {
	k := [2]string{path, strconv.Itoa(code)}
	m.mu.Lock()
	c := m.requests[k]
	if c == nil {
		c = new(atomic.Uint64)
		m.requests[k] = c
	}
	m.mu.Unlock()
	c.Add(1)
	if !scoring {
		return
	}
	s := d.Seconds()
	i, _ := slices.BinarySearch(latencyBuckets, s)
	m.buckets[i].Add(1)
	m.latNanos.Add(int64(d))
	m.latCount.Add(1)
}

// write writes the metrics; cur is the model served (nil before one is),
// reg the registry's state.
func (m *metrics) write(w io.Writer, cur *Loaded, reg *RegistryState) {
	var b strings.Builder
	help := func(name, typ, text string) {
		fmt.Fprintf(&b, "# HELP %s %s\n# TYPE %s %s\n", name, text, name, typ)
	}
	help("mlstack_serve_requests_total", "counter", "HTTP requests by path and status code.")
	m.mu.Lock()
	keys := slices.SortedFunc(maps.Keys(m.requests), func(a, b [2]string) int { return strings.Compare(a[0]+" "+a[1], b[0]+" "+b[1]) })
	for _, k := range keys {
		fmt.Fprintf(&b, "mlstack_serve_requests_total{path=%s,code=%s} %d\n", label(k[0]), label(k[1]), m.requests[k].Load())
	}
	m.mu.Unlock()
	help("mlstack_serve_request_duration_seconds", "histogram", "Latency of POST /invocations, from the request read to the answer written.")
	var cum uint64
	for i := range m.buckets {
		cum += m.buckets[i].Load()
		le := "+Inf"
		if i < len(latencyBuckets) {
			le = strconv.FormatFloat(latencyBuckets[i], 'g', -1, 64)
		}
		fmt.Fprintf(&b, "mlstack_serve_request_duration_seconds_bucket{le=%q} %d\n", le, cum)
	}
	fmt.Fprintf(&b, "mlstack_serve_request_duration_seconds_sum %s\n", strconv.FormatFloat(float64(m.latNanos.Load())/1e9, 'g', -1, 64))
	fmt.Fprintf(&b, "mlstack_serve_request_duration_seconds_count %d\n", cum)
	help("mlstack_serve_rows_scored_total", "counter", "Rows scored.")
	fmt.Fprintf(&b, "mlstack_serve_rows_scored_total %d\n", m.rows.Load())
	help("mlstack_serve_in_flight_requests", "gauge", "Scoring requests admitted and not finished.")
	fmt.Fprintf(&b, "mlstack_serve_in_flight_requests %d\n", m.inFlight.Load())
	help("mlstack_serve_rejected_total", "counter", "Scoring requests refused with 503 because the server was saturated.")
	fmt.Fprintf(&b, "mlstack_serve_rejected_total %d\n", m.rejected.Load())
	help("mlstack_serve_model_swaps_total", "counter", "Models swapped in after the first.")
	fmt.Fprintf(&b, "mlstack_serve_model_swaps_total %d\n", m.swaps.Load())
	help("mlstack_serve_model_info", "gauge", "The model served: its URI and registered version (1 while served).")
	if cur != nil {
		fmt.Fprintf(&b, "mlstack_serve_model_info{uri=%s,version=%s} 1\n", label(cur.URI), label(cur.Version))
	}
	help("mlstack_serve_registry_up", "gauge", "1 if the last registry check succeeded, 0 if it failed.")
	up := 1
	if reg != nil && reg.Err != "" {
		up = 0
	}
	fmt.Fprintf(&b, "mlstack_serve_registry_up %d\n", up)
	if reg != nil && !reg.LastSuccess.IsZero() {
		help("mlstack_serve_registry_last_success_timestamp_seconds", "gauge", "Unix time of the last successful registry check.")
		fmt.Fprintf(&b, "mlstack_serve_registry_last_success_timestamp_seconds %d\n", reg.LastSuccess.Unix())
	}
	io.WriteString(w, b.String())
}

// label quotes a label value as the exposition format wants.
func label(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`)
	return `"` + r.Replace(s) + `"`
}
