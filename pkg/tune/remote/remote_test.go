package remote_test

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/mlstack/mlstack/internal/testenv"
	"github.com/mlstack/mlstack/pkg/tune"
	"github.com/mlstack/mlstack/pkg/tune/remote"
)

// The test binary is also the worker and coordinator processes the
// tests kill: MLSTACK_REMOTE_ROLE selects the role.
func TestMain(m *testing.M) {
	switch os.Getenv("MLSTACK_REMOTE_ROLE") {
	case "worker":
		os.Exit(workerMain())
	case "coordinator":
		os.Exit(coordinatorMain())
	}
	testenv.Main(m)
}

var space = tune.Space{
	{Name: "x", Dist: tune.Float{Low: -2, High: 2}},
	{Name: "depth", Dist: tune.Int{Low: 1, High: 8}},
}

// testConfig makes redelivery quick: a killed worker's trial moves on
// after 3 s.
var testConfig = remote.Config{AckWait: 3 * time.Second, MaxDeliver: 4}

// appendLine appends one line to a shared record file (O_APPEND: whole
// lines from several processes).
func appendLine(path, line string) {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		panic(err)
	}
	defer f.Close()
	fmt.Fprintln(f, line)
}

func readLines(t *testing.T, path string) []string {
	t.Helper()
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []string
	for s := bufio.NewScanner(f); s.Scan(); {
		out = append(out, s.Text())
	}
	return out
}

// run is the trial every worker runs: five "folds" of 150 ms, reporting
// the running score; the search's spec names the record file; trials
// whose number is 2 mod 7 cannot read their data.
func run(name string) remote.Runner {
	return func(ctx context.Context, spec []byte, t tune.Trial, report tune.Report) (tune.Result, error) {
		search, records, _ := strings.Cut(string(spec), " ")
		appendLine(records, fmt.Sprintf("start %s %d %s", search, t.Number, name))
		if t.Number%7 == 2 {
			return tune.Result{}, errors.New("cannot read s3://mlstack-data/missing.csv: NoSuchKey")
		}
		x := t.Params["x"].(float64)
		v := x*x + float64(t.Params["depth"].(int))/10
		for fold := range 5 {
			select {
			case <-time.After(150 * time.Millisecond):
			case <-ctx.Done():
				return tune.Result{}, ctx.Err()
			}
			if report(fold, v+float64(4-fold)/10) {
				appendLine(records, fmt.Sprintf("pruned %s %d %s", search, t.Number, name))
				return tune.Result{}, tune.ErrPruned
			}
		}
		appendLine(records, fmt.Sprintf("end %s %d %s", search, t.Number, name))
		return tune.Result{Value: v, Metrics: map[string]float64{"folds": 5}}, nil
	}
}

func workerMain() int {
	name := os.Getenv("MLSTACK_REMOTE_NAME")
	nc, js, err := remote.Connect(os.Getenv("MLSTACK_REMOTE_URL"), name)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer nc.Close()
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
	defer stop()
	w := &remote.Worker{NC: nc, JS: js, Name: name, Run: run(name), Config: testConfig,
		Log: slog.New(slog.NewTextHandler(os.Stderr, nil))}
	if err := w.Serve(ctx); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	return 0
}

// coordinator runs a search to the end, recording each OnTrial call.
func coordinator(ctx context.Context, url, search, records string, nTrials int) error {
	nc, js, err := remote.Connect(url, "coordinator")
	if err != nil {
		return err
	}
	defer nc.Close()
	study, err := tune.NewStudy(space, tune.Minimize, tune.NewTPE(1), tune.NewMedian())
	if err != nil {
		return err
	}
	c := &remote.Coordinator{NC: nc, JS: js, Search: search, Spec: []byte(search + " " + records), Config: testConfig,
		Log: slog.New(slog.NewTextHandler(os.Stderr, nil))}
	return c.Run(ctx, study, tune.Options{NTrials: nTrials, Parallelism: 3, OnTrial: func(t tune.Trial) {
		appendLine(records, fmt.Sprintf("logged %s %d %s %s", search, t.Number, t.State, strings.ReplaceAll(t.Err, " ", "_")))
	}})
}

func coordinatorMain() int {
	n, _ := strconv.Atoi(os.Getenv("MLSTACK_REMOTE_TRIALS"))
	err := coordinator(context.Background(), os.Getenv("MLSTACK_REMOTE_URL"), os.Getenv("MLSTACK_REMOTE_SEARCH"), os.Getenv("MLSTACK_REMOTE_RECORDS"), n)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	return 0
}

// proc is a worker or coordinator process of the test.
type proc struct {
	cmd  *exec.Cmd
	log  string
	done chan struct{} // closed when the process has exited
	err  error
}

func spawn(t *testing.T, role string, env ...string) *proc {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), append([]string{"MLSTACK_REMOTE_ROLE=" + role}, env...)...)
	logf, err := os.Create(filepath.Join(t.TempDir(), role+".log"))
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stdout, cmd.Stderr = logf, logf
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	p := &proc{cmd: cmd, log: logf.Name(), done: make(chan struct{})}
	go func() { p.err = cmd.Wait(); logf.Close(); close(p.done) }()
	t.Cleanup(func() {
		cmd.Process.Kill()
		<-p.done
		if t.Failed() {
			b, _ := os.ReadFile(logf.Name())
			t.Logf("%s log:\n%s", role, b)
		}
	})
	return p
}

// waitFor polls cond until it holds or the timeout passes.
func waitFor(t *testing.T, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %v waiting for %s", timeout, what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// record is what the record file says about one search.
type record struct {
	starts map[int][]string // trial → workers that started it, in order
	ends   map[int]int      // trial → completed runs
	logged map[int][]string // trial → logged states
	errs   map[int]string
}

func records(t *testing.T, path, search string) record {
	r := record{starts: map[int][]string{}, ends: map[int]int{}, logged: map[int][]string{}, errs: map[int]string{}}
	for _, line := range readLines(t, path) {
		f := strings.Fields(line)
		if len(f) < 4 || f[1] != search {
			continue
		}
		n, _ := strconv.Atoi(f[2])
		switch f[0] {
		case "start":
			r.starts[n] = append(r.starts[n], f[3])
		case "end":
			r.ends[n]++
		case "logged":
			r.logged[n] = append(r.logged[n], f[3])
			if len(f) > 4 {
				r.errs[n] = f[4]
			}
		}
	}
	return r
}

// checkDone asserts every trial of a finished search was logged exactly
// once, failing data gave FAIL trials with the reason, and no trial
// ended twice.
func checkDone(t *testing.T, r record, nTrials int) {
	t.Helper()
	states := map[string]int{}
	for n := range nTrials {
		if len(r.logged[n]) != 1 {
			t.Errorf("trial %d logged %d times (%v)", n, len(r.logged[n]), r.logged[n])
			continue
		}
		states[r.logged[n][0]]++
		if n%7 == 2 && (r.logged[n][0] != "FAIL" || !strings.Contains(r.errs[n], "cannot_read_s3://")) {
			t.Errorf("trial %d (unreadable data) logged %v %q, want FAIL with the read error", n, r.logged[n], r.errs[n])
		}
		if r.ends[n] > 1 {
			t.Errorf("trial %d completed %d times", n, r.ends[n])
		}
	}
	if len(r.logged) != nTrials {
		t.Errorf("%d trials logged, want %d", len(r.logged), nTrials)
	}
	if states["COMPLETE"] == 0 || states["FAIL"] == 0 {
		t.Errorf("states %v: want complete and failed trials", states)
	}
	t.Logf("states %v", states)
}

// One JetStream cluster of three nodes and three worker processes run
// three searches, each with a fault: a worker killed mid-trial, a NATS
// node stopped, the coordinator killed and started again.
func TestSearchOnJetStreamCluster(t *testing.T) {
	cluster := testenv.NATS(t, 3)
	recs := filepath.Join(t.TempDir(), "records")
	workers := make([]*proc, 3)
	for i := range workers {
		workers[i] = spawn(t, "worker", "MLSTACK_REMOTE_URL="+cluster.URL(), fmt.Sprintf("MLSTACK_REMOTE_NAME=w%d", i))
	}
	for i, w := range workers {
		waitFor(t, 60*time.Second, fmt.Sprintf("worker %d to be ready", i), func() bool {
			b, _ := os.ReadFile(w.log)
			return strings.Contains(string(b), "worker ready")
		})
	}
	const nTrials = 14

	t.Run("worker killed mid-trial", func(t *testing.T) {
		ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
		defer cancel()
		done := make(chan error, 1)
		go func() { done <- coordinator(ctx, cluster.URL(), "killworker", recs, nTrials) }()
		// Kill w0 in the middle of the first trial it runs that would complete.
		var victim int
		waitFor(t, 30*time.Second, "w0 to start a trial", func() bool {
			for n, ws := range records(t, recs, "killworker").starts {
				if n%7 != 2 && len(ws) > 0 && ws[0] == "w0" {
					victim = n
					return true
				}
			}
			return false
		})
		workers[0].cmd.Process.Signal(syscall.SIGKILL)
		if err := <-done; err != nil {
			t.Fatal(err)
		}
		r := records(t, recs, "killworker")
		checkDone(t, r, nTrials)
		if len(r.starts[victim]) < 2 || r.starts[victim][0] != "w0" || r.logged[victim][0] == "FAIL" {
			t.Errorf("trial %d, killed on w0: started by %v, logged %v; want it redelivered and finished", victim, r.starts[victim], r.logged[victim])
		}
		workers[0] = spawn(t, "worker", "MLSTACK_REMOTE_URL="+cluster.URL(), "MLSTACK_REMOTE_NAME=w0b")
	})

	t.Run("NATS node stopped", func(t *testing.T) {
		ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
		defer cancel()
		done := make(chan error, 1)
		go func() { done <- coordinator(ctx, cluster.URL(), "stopnode", recs, nTrials) }()
		waitFor(t, 30*time.Second, "3 trials logged", func() bool { return len(records(t, recs, "stopnode").logged) >= 3 })
		cluster.Stop(t, 0)
		if err := <-done; err != nil {
			t.Fatal(err)
		}
		checkDone(t, records(t, recs, "stopnode"), nTrials)
		cluster.Start(t, 0)
	})

	t.Run("coordinator killed and restarted", func(t *testing.T) {
		env := []string{"MLSTACK_REMOTE_URL=" + cluster.URL(), "MLSTACK_REMOTE_SEARCH=resume",
			"MLSTACK_REMOTE_RECORDS=" + recs, fmt.Sprintf("MLSTACK_REMOTE_TRIALS=%d", nTrials)}
		c := spawn(t, "coordinator", env...)
		waitFor(t, 30*time.Second, "5 trials logged", func() bool { return len(records(t, recs, "resume").logged) >= 5 })
		c.cmd.Process.Signal(syscall.SIGKILL)
		<-c.done
		before := records(t, recs, "resume")
		c = spawn(t, "coordinator", env...)
		select {
		case <-c.done:
			if c.err != nil {
				t.Fatalf("restarted coordinator: %v", c.err)
			}
		case <-time.After(90 * time.Second):
			t.Fatal("restarted coordinator did not finish in 90 s")
		}
		r := records(t, recs, "resume")
		checkDone(t, r, nTrials)
		for n := range before.logged {
			if len(r.starts[n]) != len(before.starts[n]) {
				t.Errorf("trial %d, finished before the restart, started again: %v then %v", n, before.starts[n], r.starts[n])
			}
		}
	})
}

// A single server: a search with a grid sampler ends when the grid does,
// and pruning works through the coordinator.
func TestSearchSingleServer(t *testing.T) {
	srv := testenv.NATS(t, 1)
	recs := filepath.Join(t.TempDir(), "records")
	nc, js, err := remote.Connect(srv.URL(), "test")
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	var wg sync.WaitGroup
	for i := range 2 {
		w := &remote.Worker{NC: nc, JS: js, Name: fmt.Sprintf("g%d", i), Run: run(fmt.Sprintf("g%d", i)), Config: testConfig}
		wg.Go(func() { w.Serve(ctx) })
	}
	grid, err := tune.NewGrid(tune.Space{{Name: "x", Dist: tune.Float{Low: -1, High: 1, Step: 0.5}}, {Name: "depth", Dist: tune.Int{Low: 1, High: 4}}}, 1, 100)
	if err != nil {
		t.Fatal(err)
	}
	study, _ := tune.NewStudy(grid2space(), tune.Minimize, grid, &tune.Median{NStartupTrials: 2, IntervalSteps: 1, NMinTrials: 1})
	c := &remote.Coordinator{NC: nc, JS: js, Search: "grid", Spec: []byte("grid " + recs), Config: testConfig}
	if err := c.Run(ctx, study, tune.Options{Timeout: time.Minute, Parallelism: 2}); err != nil {
		t.Fatal(err)
	}
	cancel()
	wg.Wait()
	counts := study.Counts()
	if len(study.Trials()) != 20 || counts[tune.Running] != 0 {
		t.Fatalf("%d trials %v, want the grid's 20, all finished", len(study.Trials()), counts)
	}
	if counts[tune.Pruned] == 0 {
		t.Errorf("no trial pruned: %v", counts)
	}
	if err := (&remote.Coordinator{NC: nc, JS: js, Search: "bad.id"}).Run(ctx, study, tune.Options{NTrials: 1}); err == nil {
		t.Error("a search id with a dot was accepted")
	}
}

func grid2space() tune.Space {
	return tune.Space{{Name: "x", Dist: tune.Float{Low: -1, High: 1, Step: 0.5}}, {Name: "depth", Dist: tune.Int{Low: 1, High: 4}}}
}
