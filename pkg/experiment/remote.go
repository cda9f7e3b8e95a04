package experiment

import (
	"cmp"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"sync"

	"github.com/mlstack/mlstack/internal/redact"
	"github.com/mlstack/mlstack/pkg/frame"
	"github.com/mlstack/mlstack/pkg/tune"
	"github.com/mlstack/mlstack/pkg/tune/remote"
)

// trialSpec is what a worker needs to run a trial of a search: the config
// file's bytes and name, and the overrides the coordinator was given. The
// data comes from the config's data.source, so it must be readable from
// the workers (s3://, https://, sample:).
type trialSpec struct {
	File       string   `json:"file"`
	Config     []byte   `json:"config"`
	Overrides  []string `json:"overrides"`
	AllowLarge bool     `json:"allow_large"`
}

var unsafeID = regexp.MustCompile(`[^A-Za-z0-9_-]+`)

// newSearchID names a new search: the config's name and 8 random hex
// digits.
func newSearchID(name string) string {
	b := make([]byte, 4)
	rand.Read(b)
	base := strings.Trim(unsafeID.ReplaceAllString(name, "-"), "-")
	if len(base) > 40 {
		base = base[:40]
	}
	return cmp.Or(base, "search") + "-" + hex.EncodeToString(b)
}

// searchRemote runs the study's trials on `train worker`s through NATS.
func searchRemote(ctx context.Context, o Options, ts *trialSpec, study *tune.Study, opts tune.Options) error {
	wire := *ts
	wire.File = filepath.Base(ts.File) // the workers' errors name the file, not this machine's path
	spec, err := json.Marshal(wire)
	if err != nil {
		return err
	}
	nc, js, err := remote.Connect(o.Executor, "mlstack-train")
	if err != nil {
		return err
	}
	defer nc.Close()
	id := o.Resume
	if id == "" {
		id = newSearchID(filepath.Base(strings.TrimSuffix(o.ConfigPath, filepath.Ext(o.ConfigPath))))
	}
	o.Notes(Note{Kind: Info, Text: fmt.Sprintf("search %s on %s: start workers with `train worker --nats %s`; resume with --resume %s",
		id, redact.URL(o.Executor), redact.URL(o.Executor), id)})
	if opts.Parallelism == runtime.GOMAXPROCS(0) {
		opts.Parallelism = 8 // trials queued at once; the workers decide how many run
	}
	c := &remote.Coordinator{NC: nc, JS: js, Search: id, Spec: spec}
	return c.Run(ctx, study, opts)
}

// WorkerOptions configure a search worker.
type WorkerOptions struct {
	URL  string // NATS server(s), nats://HOST:PORT[,...]
	Name string // in results and logs; default the host name and pid
	Log  *slog.Logger
}

// Work runs trials of any search from the NATS work queue until ctx ends
// (`train worker`). Each trial reads its search's config and data (the
// data is read once per search and kept while the worker runs its trials).
func Work(ctx context.Context, o WorkerOptions) error {
	if o.Name == "" {
		host, _ := os.Hostname()
		o.Name = fmt.Sprintf("%s-%d", host, os.Getpid())
	}
	nc, js, err := remote.Connect(o.URL, "mlstack-worker-"+o.Name)
	if err != nil {
		return err
	}
	defer nc.Close()
	w := &remote.Worker{NC: nc, JS: js, Name: o.Name, Log: o.Log, Run: (&trialRunner{}).run}
	return w.Serve(ctx)
}

// trialRunner runs trials on a worker, keeping the last search's data.
type trialRunner struct {
	mu    sync.Mutex
	key   string // the data and prepare sections whose data is loaded
	data  *frame.Frame
	lines []int // the data file line of each row of data
}

func (r *trialRunner) run(ctx context.Context, b []byte, t tune.Trial, report tune.Report) (tune.Result, error) {
	var spec trialSpec
	if err := json.Unmarshal(b, &spec); err != nil {
		return tune.Result{}, fmt.Errorf("trial spec: %w", err)
	}
	p, err := spec.parse(t.Params)
	if err != nil {
		return tune.Result{}, err
	}
	if p.Config.Search == nil {
		return tune.Result{}, errors.New("the config has no search section")
	}
	trainer, _ := lookup(p.Config.Model.Trainer)
	scorer, ok := trainer.(Scorer)
	if !ok || readsOwnData(trainer) {
		return tune.Result{}, fmt.Errorf("the %s trainer cannot be searched", p.Config.Model.Trainer)
	}
	key := fmt.Sprintf("%+v %v", p.Config.Data, p.Config.Prepare) // fmt sorts map keys
	r.mu.Lock()
	if r.key != key {
		r.data, r.lines, r.key = nil, nil, ""
		f, err := LoadData(ctx, p.Config.Data)
		if err != nil {
			r.mu.Unlock()
			return tune.Result{}, fmt.Errorf("data: %w", err)
		}
		f, lines, err := prepareRows(p, f, true) // the dataset-level steps, as the run's
		if err != nil {
			r.mu.Unlock()
			return tune.Result{}, err
		}
		r.data, r.lines, r.key = f, lines, key
	}
	data, lines := r.data, r.lines
	r.mu.Unlock()
	return scoreTrial(ctx, p, data, lines, scorer, runtime.GOMAXPROCS(0), report)
}
