package serve_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/mlstack/mlstack/internal/testenv"
	"github.com/mlstack/mlstack/pkg/boost"
	"github.com/mlstack/mlstack/pkg/clean"
	"github.com/mlstack/mlstack/pkg/dataset"
	"github.com/mlstack/mlstack/pkg/frame"
	"github.com/mlstack/mlstack/pkg/mlflow"
	"github.com/mlstack/mlstack/pkg/model"
)

// TestServeVsMLflow is the benchmark behind scripts/bench-serve.sh (it
// runs only with MLSTACK_BENCH_SERVE=1): one registered model (diabetes,
// a cleaning pipeline and 100 trees of depth 4) served by
// `mlflow models serve --env-manager local` with its default workers and
// by cmd/serve, both from models:/<name>@champion, both checked to give
// the same predictions, then driven by the same load generator on
// loopback: concurrency 16, a fixed number of requests, 1 and 100 rows per
// request as JSON dataframe_split. Rounds alternate which server goes
// first; each side keeps its best figures.
func TestServeVsMLflow(t *testing.T) {
	if os.Getenv("MLSTACK_BENCH_SERVE") == "" {
		t.Skip("set MLSTACK_BENCH_SERVE=1 (scripts/bench-serve.sh) to run the serve vs mlflow models serve benchmark")
	}
	requests := envInt(t, "MLSTACK_BENCH_REQUESTS", 2000)
	rounds := envInt(t, "MLSTACK_BENCH_ROUNDS", 2)
	const concurrency = 16
	ctx := context.Background()
	srv := testenv.MLflow(t)
	raw, err := dataset.Sample("diabetes")
	if err != nil {
		t.Fatal(err)
	}
	d, err := frame.ReadBytes(ctx, raw, nil)
	if err != nil {
		t.Fatal(err)
	}
	m, err := model.Fit(ctx, d, &model.Spec{Target: "Outcome", Seed: 1,
		Pipeline: clean.New(&clean.ZeroAsMissing{Columns: []string{"Glucose", "BloodPressure", "BMI"}},
			&clean.Impute{Strategy: clean.Median, Columns: []string{"Glucose", "BloodPressure", "BMI"}}, &clean.Standardize{}),
		Params: boost.Params{Objective: boost.BinaryLogistic, NEstimators: 100, MaxDepth: 4}})
	if err != nil {
		t.Fatal(err)
	}
	reg := testenv.Name("bench-serve")
	run, err := mlflow.Open(ctx, mlflow.Config{TrackingURI: srv.URL, ExperimentName: reg, RunName: "bench", SpoolDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	xm, err := m.MLflow()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := run.LogModel(ctx, *xm, mlflow.LogModelOptions{RegisteredModelName: reg, Alias: "champion"}); err != nil {
		t.Fatal(err)
	}
	if err := run.Close(); err != nil {
		t.Fatal(err)
	}
	uri := "models:/" + reg + "@champion"
	body := func(n int) []byte {
		split, err := m.MLflowInput(d.Head(n))
		if err != nil {
			t.Fatal(err)
		}
		b, err := json.Marshal(map[string]any{"dataframe_split": split})
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	cases := []struct {
		name string
		body []byte
	}{{"1row", body(1)}, {"100rows", body(100)}}

	bin := filepath.Join(t.TempDir(), "serve")
	if out, err := exec.Command("go", "build", "-o", bin, "../../cmd/serve").CombinedOutput(); err != nil {
		t.Fatalf("go build cmd/serve: %v\n%s", err, out)
	}
	venv := filepath.Dir(filepath.Dir(testenv.Python(t)))
	servers := []struct {
		name string
		cmd  func(port int) *exec.Cmd
	}{
		{"mlflow", func(port int) *exec.Cmd {
			c := exec.Command(filepath.Join(venv, "bin", "mlflow"), "models", "serve", "-m", uri, "--env-manager", "local",
				"--host", "127.0.0.1", "--port", strconv.Itoa(port))
			c.Env = []string{"PATH=" + filepath.Join(venv, "bin") + ":" + os.Getenv("PATH")}
			return c
		}},
		{"serve", func(port int) *exec.Cmd {
			return exec.Command(bin, "--model", uri, "--port", strconv.Itoa(port)) // logging every request, as uvicorn does
		}},
	}
	type server struct {
		url     string
		startup time.Duration
	}
	started := map[string]server{}
	for _, s := range servers {
		port := freePort(t)
		c := s.cmd(port)
		c.Env = append(append(os.Environ(), srv.Env()...), c.Env...) // the last of a name wins
		logf, err := os.Create(filepath.Join(t.TempDir(), s.name+".log"))
		if err != nil {
			t.Fatal(err)
		}
		c.Stdout, c.Stderr = logf, logf
		t0 := time.Now()
		if err := c.Start(); err != nil {
			t.Fatal(err)
		}
		exited := make(chan error, 1)
		go func() { exited <- c.Wait() }()
		t.Cleanup(func() {
			c.Process.Signal(os.Interrupt)
			select {
			case <-exited:
			case <-time.After(15 * time.Second):
				c.Process.Kill()
				<-exited
			}
		})
		url := "http://127.0.0.1:" + strconv.Itoa(port)
		for {
			if code, _ := postBytes(http.DefaultClient, url, cases[0].body); code == 200 {
				break
			}
			select {
			case err := <-exited:
				exited <- err
				b, _ := os.ReadFile(logf.Name())
				t.Fatalf("%s exited (%v) before answering:\n%s", s.name, err, b)
			default:
			}
			if time.Since(t0) > 3*time.Minute {
				b, _ := os.ReadFile(logf.Name())
				t.Fatalf("%s did not answer within 3 minutes:\n%s", s.name, b)
			}
			time.Sleep(5 * time.Millisecond)
		}
		started[s.name] = server{url, time.Since(t0)}
	}
	for _, c := range cases {
		_, a := postBytes(http.DefaultClient, started["mlflow"].url, c.body)
		_, b := postBytes(http.DefaultClient, started["serve"].url, c.body)
		if !sameJSON(predictions(t, a), predictions(t, b), 1e-6) {
			t.Fatalf("%s: serve %s, mlflow %s", c.name, b, a)
		}
	}

	type result struct{ rps, p50, p99 float64 }
	best := map[[2]string]result{}
	for r := range rounds {
		for _, c := range cases {
			order := []string{"mlflow", "serve"}
			if r%2 == 1 {
				slices.Reverse(order)
			}
			for _, name := range order {
				res := load(t, started[name].url, c.body, concurrency, requests)
				k := [2]string{c.name, name}
				b, ok := best[k]
				if !ok || res.rps > b.rps {
					b.rps = res.rps
				}
				if !ok || res.p99 < b.p99 {
					b.p50, b.p99 = res.p50, res.p99
				}
				best[k] = b
			}
		}
	}
	minRatio, maxP99 := 0.0, 0.0
	for i, c := range cases {
		ml, sv := best[[2]string{c.name, "mlflow"}], best[[2]string{c.name, "serve"}]
		ratio, p99 := sv.rps/ml.rps, sv.p99/ml.p99
		fmt.Printf("serve case=%s requests=%d concurrency=%d mlflow: %.0f req/s p50=%.2fms p99=%.2fms | serve: %.0f req/s p50=%.2fms p99=%.2fms | throughput x%.1f p99 x%.3f\n",
			c.name, requests, concurrency, ml.rps, ml.p50, ml.p99, sv.rps, sv.p50, sv.p99, ratio, p99)
		if i == 0 || ratio < minRatio {
			minRatio = ratio
		}
		maxP99 = max(maxP99, p99)
	}
	fmt.Printf("serve startup (process start to first 200): mlflow=%.2fs serve=%.3fs\n", started["mlflow"].startup.Seconds(), started["serve"].startup.Seconds())
	fmt.Printf("serve throughput_ratio_vs_mlflow=%.1f p99_ratio_vs_mlflow=%.3f\n", minRatio, maxP99)
}

func envInt(t *testing.T, name string, def int) int {
	s := os.Getenv(name)
	if s == "" {
		return def
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 {
		t.Fatalf("%s=%q: want a positive whole number", name, s)
	}
	return n
}

func freePort(t *testing.T) int {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

func postBytes(c *http.Client, url string, body []byte) (int, []byte) {
	resp, err := c.Post(url+"/invocations", "application/json", bytes.NewReader(body))
	if err != nil {
		return 0, nil
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, b
}

// load is the load generator: n requests of body from concurrency
// clients over kept-alive connections; every answer must be 200. It
// returns the throughput (requests/s) and the p50 and p99 latency (ms).
func load(t *testing.T, url string, body []byte, concurrency, n int) (r struct{ rps, p50, p99 float64 }) {
	t.Helper()
	c := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: concurrency, MaxConnsPerHost: concurrency}}
	defer c.CloseIdleConnections()
	for range concurrency { // warm the connections and the server
		postBytes(c, url, body)
	}
	lat := make([]time.Duration, n)
	var (
		next   = make(chan int, n)
		wg     sync.WaitGroup
		mu     sync.Mutex
		failed int
	)
	for i := range n {
		next <- i
	}
	close(next)
	t0 := time.Now()
	for range concurrency {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				s := time.Now()
				code, _ := postBytes(c, url, body)
				lat[i] = time.Since(s)
				if code != 200 {
					mu.Lock()
					failed++
					mu.Unlock()
				}
			}
		}()
	}
	wg.Wait()
	el := time.Since(t0)
	if failed > 0 {
		t.Fatalf("%s: %d of %d requests failed", url, failed, n)
	}
	slices.Sort(lat)
	ms := func(q float64) float64 { return float64(lat[min(n-1, int(q*float64(n)))].Microseconds()) / 1000 }
	r.rps, r.p50, r.p99 = float64(n)/el.Seconds(), ms(0.50), ms(0.99)
	return r
}
