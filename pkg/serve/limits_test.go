package serve_test

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/mlstack/mlstack/pkg/serve"
)

// TestTooLarge sends a 100 MB body, with and without Content-Length: 413
// without the server reading it all.
func TestTooLarge(t *testing.T) {
	m, _ := models(t)
	_, url := start(t, m, serve.Options{MaxBodyBytes: 1 << 20})
	const size = 100 << 20
	for _, chunked := range []bool{false, true} {
		pr, pw := io.Pipe()
		var sent atomic.Int64 // written by the sender, read after the answer
		go func() {
			buf := make([]byte, 64<<10)
			for sent.Load() < size {
				n, err := pw.Write(buf)
				sent.Add(int64(n))
				if err != nil {
					return
				}
			}
			pw.Close()
		}()
		req, _ := http.NewRequest("POST", url+"/invocations", pr)
		req.Header.Set("Content-Type", "application/json")
		if !chunked {
			req.ContentLength = size
		}
		resp, err := http.DefaultClient.Do(req)
		pr.CloseWithError(io.ErrClosedPipe)
		if err != nil {
			t.Fatalf("chunked=%v: %v", chunked, err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		var e struct {
			Code string `json:"error_code"`
		}
		json.Unmarshal(b, &e)
		if resp.StatusCode != http.StatusRequestEntityTooLarge || e.Code != serve.CodeRequestTooLarge {
			t.Errorf("chunked=%v: %d %s, want 413", chunked, resp.StatusCode, b)
		}
		if n := sent.Load(); n > 20<<20 {
			t.Errorf("chunked=%v: the client sent %d MB before the answer", chunked, n>>20)
		}
	}
}

// TestSaturated holds the only scoring slot with a request whose body
// never ends: the next request is 503 with Retry-After, and once the slot
// is free requests succeed again.
func TestSaturated(t *testing.T) {
	m, _ := models(t)
	s, url := start(t, m, serve.Options{MaxInFlight: 1, QueueWait: 50 * time.Millisecond})
	pr, pw := io.Pipe()
	held := make(chan error, 1)
	go func() {
		req, _ := http.NewRequest("POST", url+"/invocations", pr)
		req.Header.Set("Content-Type", "text/csv")
		resp, err := http.DefaultClient.Do(req)
		if err == nil {
			resp.Body.Close()
		}
		held <- err
	}()
	pw.Write([]byte("a,b,c,e\n"))
	deadline := time.Now().Add(5 * time.Second)
	for !strings.Contains(metricsText(t, url), "mlstack_serve_in_flight_requests 1") {
		if time.Now().After(deadline) {
			t.Fatal("the slow request never took its slot")
		}
		time.Sleep(10 * time.Millisecond)
	}
	resp, err := http.Post(url+"/invocations", "text/csv", strings.NewReader("a,b,c,e\n1,2,red,Yes\n"))
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 503 || resp.Header.Get("Retry-After") == "" || !strings.Contains(string(b), serve.CodeTemporarilyUnavailable) {
		t.Errorf("saturated: %d (Retry-After %q) %s, want 503", resp.StatusCode, resp.Header.Get("Retry-After"), b)
	}
	pw.Write([]byte("1,2,red,Yes\n"))
	pw.Close()
	if err := <-held; err != nil {
		t.Fatal(err)
	}
	if code, out := post(t, url, "text/csv", "a,b,c,e\n1,2,red,Yes\n"); code != 200 {
		t.Errorf("after the slot freed: %d %s", code, out)
	}
	if !strings.Contains(metricsText(t, url), "mlstack_serve_rejected_total 1") {
		t.Error("the 503 is not counted in /metrics")
	}
	_ = s
}

func metricsText(t testing.TB, url string) string {
	t.Helper()
	resp, err := http.Get(url + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return string(b)
}

// TestSlowloris: a client that trickles its headers, or its body, is
// disconnected at the read timeouts.
func TestSlowloris(t *testing.T) {
	m, _ := models(t)
	_, url := start(t, m, serve.Options{ReadHeaderTimeout: 300 * time.Millisecond, ReadTimeout: 600 * time.Millisecond})
	addr := strings.TrimPrefix(url, "http://")
	for _, tc := range []struct {
		name, first string
		limit       time.Duration
	}{
		{"headers", "POST /invocations HTTP/1.1\r\nHost: x\r\n", 300 * time.Millisecond},
		{"body", "POST /invocations HTTP/1.1\r\nHost: x\r\nContent-Type: text/csv\r\nContent-Length: 1000\r\n\r\na,b", 600 * time.Millisecond},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, err := net.Dial("tcp", addr)
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			t0 := time.Now()
			io.WriteString(c, tc.first)
			done := make(chan struct{})
			go func() { // a byte every 100 ms, as slowloris does
				defer close(done)
				for range 50 {
					time.Sleep(100 * time.Millisecond)
					if _, err := io.WriteString(c, "X"); err != nil {
						return
					}
				}
			}()
			c.SetReadDeadline(time.Now().Add(5 * time.Second))
			io.Copy(io.Discard, bufio.NewReader(c)) // until the server closes
			if d := time.Since(t0); d > tc.limit+2*time.Second {
				t.Errorf("the connection lived %v, the timeout is %v", d, tc.limit)
			}
			c.Close()
			<-done
		})
	}
}

// TestManyConnections opens 10,000 connections at once: the server
// accepts MaxConns of them, keeps its goroutines and memory bounded,
// does not crash, and serves again once they are gone.
func TestManyConnections(t *testing.T) {
	const n, maxConns = 10000, 500
	var lim syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim); err == nil && lim.Cur < 2*n+1000 {
		want := lim
		want.Cur = min(lim.Max, 2*n+1000)
		syscall.Setrlimit(syscall.RLIMIT_NOFILE, &want)
		t.Cleanup(func() { syscall.Setrlimit(syscall.RLIMIT_NOFILE, &lim) })
	}
	m, _ := models(t)
	_, url := start(t, m, serve.Options{MaxConns: maxConns, ReadHeaderTimeout: 2 * time.Second})
	addr := strings.TrimPrefix(url, "http://")
	runtime.GC()
	var before runtime.MemStats
	runtime.ReadMemStats(&before)
	g0 := runtime.NumGoroutine()

	var (
		mu    sync.Mutex
		conns []net.Conn
		wg    sync.WaitGroup
	)
	sem := make(chan struct{}, 256)
	for range n {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			c, err := net.DialTimeout("tcp", addr, 2*time.Second)
			if err != nil {
				return // the backlog is full: the kernel refuses, the server is unharmed
			}
			io.WriteString(c, "POST /invocations HTTP/1.1\r\nHost: x\r\n") // headers never finished
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
		}()
	}
	wg.Wait()
	// The client's goroutines are gone; the server's are bounded by maxConns.
	if g := runtime.NumGoroutine() - g0; g > maxConns+100 {
		t.Errorf("%d goroutines more than before for %d connections (MaxConns %d)", g, len(conns), maxConns)
	}
	var after runtime.MemStats
	runtime.ReadMemStats(&after)
	if grow := int64(after.HeapInuse) - int64(before.HeapInuse); grow > 256<<20 {
		t.Errorf("heap grew by %d MB for %d connections", grow>>20, len(conns))
	}
	t.Logf("%d of %d connections open, %d goroutines, heap +%d MB", len(conns), n, runtime.NumGoroutine()-g0, (int64(after.HeapInuse)-int64(before.HeapInuse))>>20)
	for _, c := range conns {
		c.Close()
	}
	deadline := time.Now().Add(30 * time.Second)
	for {
		code, out := post(t, url, "text/csv", "a,b,c,e\n1,2,red,Yes\n")
		if code == 200 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no answer after the connections closed: %d %s", code, out)
		}
	}
}

// TestWideBodies: bodies of a great many keys or columns are answered in
// time linear in their size (a search per key per input would take
// minutes here), with a short message.
func TestWideBodies(t *testing.T) {
	m, _ := models(t)
	_, url := start(t, m, serve.Options{MaxBodyBytes: 64 << 20})
	const n = 200000
	var keys, header strings.Builder
	for i := range n {
		fmt.Fprintf(&keys, `"k%d": 0, `, i)
		fmt.Fprintf(&header, "k%d,", i)
	}
	for _, tc := range []struct {
		name, ct, body string
		status         int
	}{
		{"top-level keys", "application/json", "{" + keys.String() + `"x": 1}`, 400},
		{"record members", "application/json", `{"dataframe_records": [{` + keys.String() + `"a": 1, "b": 2, "c": "red", "e": "Yes"}]}`, 200},
		{"inputs columns", "application/json", `{"inputs": {` + strings.ReplaceAll(keys.String(), ": 0", ": [0]") + `"a": [1], "b": [2], "c": ["red"], "e": ["Yes"]}}`, 200},
		{"split columns", "application/json", `{"dataframe_split": {"columns": ["` + strings.ReplaceAll(header.String(), ",", `", "`) + `a", "b", "c", "e"], "data": [[` + strings.Repeat("0, ", n) + `1, 2, "red", "Yes"]]}}`, 200},
		{"CSV header", "text/csv", header.String() + "a,b,c,e\n" + strings.Repeat("0,", n) + "1,2,red,Yes\n", 200},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t0 := time.Now()
			code, out := post(t, url, tc.ct, tc.body)
			if code != tc.status || len(out) > 2000 {
				t.Errorf("%d (%d bytes): %.300s", code, len(out), out)
			}
			if d := time.Since(t0); d > 10*time.Second {
				t.Errorf("%d keys took %v", n, d)
			}
		})
	}
}

// TestBodyBudget holds a request whose body never ends and has no
// Content-Length, so it holds MaxBodyBytes of MaxInFlightBytes: with a
// budget of one body the next request is 503 although slots are free;
// with two, a small one is served alongside; once the body ends the
// budget is back.
func TestBodyBudget(t *testing.T) {
	m, _ := models(t)
	const body = 4096
	for _, tc := range []struct {
		budget int64
		want   int
	}{{body, 503}, {2 * body, 200}} {
		_, url := start(t, m, serve.Options{MaxBodyBytes: body, MaxInFlightBytes: tc.budget, MaxInFlight: 4, QueueWait: 50 * time.Millisecond})
		pr, pw := io.Pipe()
		held := make(chan error, 1)
		go func() {
			req, _ := http.NewRequest("POST", url+"/invocations", pr) // chunked: no Content-Length
			req.Header.Set("Content-Type", "text/csv")
			resp, err := http.DefaultClient.Do(req)
			if err == nil {
				resp.Body.Close()
			}
			held <- err
		}()
		pw.Write([]byte("a,b,c,e\n"))
		deadline := time.Now().Add(5 * time.Second)
		for !strings.Contains(metricsText(t, url), "mlstack_serve_in_flight_requests 1") {
			if time.Now().After(deadline) {
				t.Fatal("the slow request never took its slot")
			}
			time.Sleep(10 * time.Millisecond)
		}
		time.Sleep(20 * time.Millisecond) // its bytes are taken right after its slot
		code, out := post(t, url, "text/csv", "a,b,c,e\n1,2,red,Yes\n")
		if code != tc.want || tc.want == 503 && !strings.Contains(string(out), "bytes of requests") {
			t.Errorf("budget %d with a chunked body held: %d %s, want %d", tc.budget, code, out, tc.want)
		}
		pw.Write([]byte("1,2,red,Yes\n"))
		pw.Close()
		if err := <-held; err != nil {
			t.Fatal(err)
		}
		if code, out := post(t, url, "text/csv", "a,b,c,e\n1,2,red,Yes\n"); code != 200 {
			t.Errorf("budget %d, after the body ended: %d %s", tc.budget, code, out)
		}
	}
}
