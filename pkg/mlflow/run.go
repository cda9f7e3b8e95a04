package mlflow

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/mlstack/mlstack/internal/crash"
	"github.com/mlstack/mlstack/internal/redact"
)

// Config says where a Run goes. Empty fields are read from the
// environment like the Python client does.
type Config struct {
	// TrackingURI of the server; "" means $MLFLOW_TRACKING_URI, and when
	// that is empty too the run is written to the spool only.
	TrackingURI string
	// Offline forces the spool, whatever TrackingURI says.
	Offline bool
	// ExperimentName; "" means $MLFLOW_EXPERIMENT_NAME, else "Default".
	ExperimentName string
	// RunName; "" lets the server pick one.
	RunName string
	// ParentRunID makes a nested run (mlflow.parentRunId). Run.Child
	// fills it, also for spooled parents.
	ParentRunID string
	// Tags are extra run tags.
	Tags map[string]string
	// SourceName and SourceType set mlflow.source.name and
	// mlflow.source.type (the UI's "Logged from"); "" means DefaultSource.
	// A SourceName without SourceType is LOCAL.
	SourceName, SourceType string
	// SystemMetrics samples the machine every SystemMetricsInterval while
	// the run is open and logs what mlflow.system_metrics logs (see
	// SystemMetricNames), as metrics system/<name> with the sample's
	// number as step.
	SystemMetrics bool
	// SystemMetricsInterval is the sampling period; 0 means
	// $MLFLOW_SYSTEM_METRICS_SAMPLING_INTERVAL (seconds), else 10 s.
	SystemMetricsInterval time.Duration
	// SpoolDir holds the journal; "" means DefaultSpoolDir().
	SpoolDir string
	// FlushInterval is how often buffered data is written to the journal
	// and sent; 0 means 1 s.
	FlushInterval time.Duration
	// ConnectTimeout bounds how long Open tries to reach the server before
	// falling back to the spool; 0 means 10 s.
	ConnectTimeout time.Duration
	// CloseTimeout bounds how long Close waits for the server to take the
	// last data before leaving it in the spool; 0 means 60 s.
	CloseTimeout time.Duration
	// ServerTimeout is how long the run keeps retrying a request to a
	// server that refuses or drops its connections, or answers 5xx or
	// 429, before it switches to the spool; 0 means 15 s (it becomes the
	// run client's RetryFor). A server that accepts connections but does
	// not answer costs a request the client's Timeout
	// (MLFLOW_HTTP_REQUEST_TIMEOUT, 120 s), an artifact transfer as long
	// without progress (StallTimeout, when not set), once: then the
	// breaker is open. Slow is not dead: a server that answers within
	// Timeout is waited for.
	ServerTimeout time.Duration
	// Logf, when set, receives the run's notices (secrets redacted): the
	// server became unreachable (the first time), and it came back.
	Logf func(format string, args ...any)
	// Options for the client; nil means OptionsFromEnv().
	Options *Options

	parentLocal string
}

// Run is a run being logged. Its Log methods buffer in memory and never
// block on the network: every FlushInterval the buffer is appended to the
// run's journal (fsynced) and, when a server is in use, sent in log-batch
// requests by a background sender.
//
// When the server stops answering (a request still fails after
// ServerTimeout of retries), the run trips a circuit breaker: every later call goes to the
// spool at once, Logf gets one notice naming the server and the error
// (the first outage of the run only),
// and a background probe asks the server's /health with growing pauses
// (1 s to 30 s). When it answers, the sender delivers what the journal
// holds, in order. What is still in the spool at End is sent by Sync. A
// dead server thus adds at most about ServerTimeout to a run (a hung one,
// the client's Timeout). A Run is safe for concurrent use.
type Run struct {
	cfg     Config
	c       *Client // nil when offline by choice (no tracking URI, Offline)
	dir     string
	localID string
	lock    *os.File

	mu       sync.Mutex
	j        *journal
	seq      int64
	pending  record // batch being filled
	params   map[string]string
	queue    []record // journaled records the sender has not applied
	runID    string   // server run id, "" while spooled only
	expID    string
	closed   bool
	ended    bool
	err      error // first permanent error of the sender
	bug      error // first panic of a background goroutine (*crash.PanicError)
	spoolErr error // last transient error (server unavailable)
	nModels  int
	down     bool                 // breaker open: the server stopped answering
	requeue  bool                 // queue dropped while down: rebuild it from the journal
	warned   bool                 // Logf heard of an outage (once a run)
	noted    bool                 // Logf heard the server was back (once a run)
	models   map[int64]*ModelInfo // logged models, by model record seq
	recErrs  map[int64]error      // permanent errors of skipped records, by seq
	orphans  bool                 // a child was opened while spooled: it names this directory

	sendMu sync.Mutex // serializes appliers (sender, Flush, LogModel)
	rep    *replayer
	wake   chan struct{}
	stop   chan struct{}
	done   crash.Group // the sender and the probe

	sysStop chan struct{} // closed by End: stops the system metrics sampler
	sysOnce sync.Once
	sysDone crash.Group
}

// ErrSpooled is wrapped by the error of Close or End when some data could
// not reach the server and waits in the spool for Sync.
var ErrSpooled = errors.New("mlflow: data left in the spool for a later sync")

// Open starts a run. With a tracking URI it gets or creates the experiment
// and creates the run on the server; if the server cannot be reached
// within ConnectTimeout (connection errors, 5xx, 429) it falls back to the
// spool. Other server errors (401, 403, bad URI scheme, HTML answers) are
// returned, since retrying later would not help.
func Open(ctx context.Context, cfg Config) (*Run, error) {
	if err := cfg.setDefaults(); err != nil {
		return nil, err
	}
	var sysEvery time.Duration
	var sysPrefix string
	if cfg.SystemMetrics {
		var err error
		if sysEvery, sysPrefix, err = systemMetricsSettings(cfg); err != nil {
			return nil, err
		}
	}
	r := &Run{cfg: cfg, localID: newLocalID(), params: map[string]string{},
		models: map[int64]*ModelInfo{}, recErrs: map[int64]error{},
		wake: make(chan struct{}, 1), stop: make(chan struct{}), sysStop: make(chan struct{})}
	r.done.OnPanic, r.sysDone.OnPanic = r.fail, r.fail
	var user string
	if !cfg.Offline && cfg.TrackingURI != "" {
		c, err := runClient(cfg)
		if err != nil {
			return nil, err
		}
		r.c = c
		user = c.user()
	} else {
		user = (&Client{}).user()
	}
	if err := r.openSpool(); err != nil {
		return nil, err
	}
	start := startRecord(cfg, user)
	st := spoolState{}
	var unreachable error
	if r.c != nil {
		var err error
		if st, unreachable, err = r.startOnServer(ctx, &start); err != nil {
			return nil, err
		}
	}
	r.mu.Lock()
	r.appendLocked(&start)
	if !start.Applied {
		r.enqueueLocked(start)
	}
	err := r.j.sync()
	r.mu.Unlock()
	if err == nil {
		err = writeState(r.dir, st)
	}
	if err != nil {
		return nil, fmt.Errorf("mlflow: spool: %w", err)
	}
	r.done.Go("mlflow: sender", r.loop)
	if unreachable != nil {
		r.trip(unreachable)
	}
	if cfg.SystemMetrics {
		r.sysDone.Go("mlflow: system metrics", func() { r.sampleSystem(sysEvery, sysPrefix) })
	}
	return r, nil
}

// setDefaults fills the zero fields of cfg (from the environment where
// MLflow reads it), redacts the run name and tags and checks the tags.
func (cfg *Config) setDefaults() error {
	if cfg.TrackingURI == "" {
		cfg.TrackingURI = os.Getenv("MLFLOW_TRACKING_URI")
	}
	if cfg.ExperimentName == "" {
		cfg.ExperimentName = os.Getenv("MLFLOW_EXPERIMENT_NAME")
	}
	if cfg.ExperimentName == "" {
		cfg.ExperimentName = "Default"
	}
	if cfg.SpoolDir == "" {
		cfg.SpoolDir = DefaultSpoolDir()
	}
	if cfg.FlushInterval <= 0 {
		cfg.FlushInterval = time.Second
	}
	if cfg.ConnectTimeout <= 0 {
		cfg.ConnectTimeout = 10 * time.Second
	}
	if cfg.CloseTimeout <= 0 {
		cfg.CloseTimeout = 60 * time.Second
	}
	if cfg.ServerTimeout <= 0 {
		cfg.ServerTimeout = DefaultServerTimeout
	}
	cfg.RunName = redact.String(cfg.RunName)
	if len(cfg.Tags) > 0 {
		tags := make(map[string]string, len(cfg.Tags))
		for k, v := range cfg.Tags {
			tags[k] = redact.String(v)
			if err := validateTag(k, tags[k]); err != nil {
				return err
			}
		}
		cfg.Tags = tags
	}
	return nil
}

// runClient is the client of a run: cfg.Options (or the environment's),
// retrying no longer than ServerTimeout.
func runClient(cfg Config) (*Client, error) {
	opts := cfg.Options
	if opts == nil {
		var err error
		if opts, err = OptionsFromEnv(); err != nil {
			return nil, err
		}
	}
	o := *opts
	if o.RetryFor <= 0 || o.RetryFor > cfg.ServerTimeout {
		o.RetryFor = cfg.ServerTimeout
	}
	if o.StallTimeout <= 0 {
		o.StallTimeout = o.Timeout
		if o.StallTimeout <= 0 {
			o.StallTimeout = DefaultTimeout
		}
	}
	c, err := New(cfg.TrackingURI, &o)
	if err != nil {
		return nil, redact.Error(err)
	}
	return c, nil
}

// openSpool creates the run's spool directory, locks it and opens its
// journal.
func (r *Run) openSpool() error {
	r.dir = filepath.Join(r.cfg.SpoolDir, r.localID)
	if err := os.MkdirAll(r.cfg.SpoolDir, 0o700); err != nil {
		return fmt.Errorf("mlflow: spool: %w", err)
	}
	if err := os.Mkdir(r.dir, 0o700); err != nil {
		return fmt.Errorf("mlflow: spool: %w", err)
	}
	lock, err := lockDir(r.dir)
	if err != nil {
		return err
	}
	r.lock = lock
	if r.j, err = openJournal(r.dir); err != nil {
		lock.Close()
		return err
	}
	return nil
}

// startRecord is the journal's first record: the run to create, with the
// system tags, the source and cfg.Tags.
func startRecord(cfg Config, user string) record {
	tags := systemTags(user)
	if cfg.SourceName != "" {
		tags[TagSourceName], tags[TagSourceType] = cfg.SourceName, cfg.SourceType
		if cfg.SourceType == "" {
			tags[TagSourceType] = SourceLocal
		}
	}
	for k, v := range cfg.Tags {
		tags[k] = v
	}
	return record{Op: "start", Experiment: cfg.ExperimentName, RunName: cfg.RunName,
		ParentRunID: cfg.ParentRunID, ParentLocal: cfg.parentLocal, StartMS: nowMS(), RunTags: tags, User: user}
}

// startOnServer creates the run on the server within ConnectTimeout and
// marks start applied. An unreachable server is no error: it is returned
// as unreachable and the run goes on in the spool. Any other error removes
// the spool directory.
func (r *Run) startOnServer(ctx context.Context, start *record) (st spoolState, unreachable, err error) {
	cctx, cancel := context.WithTimeout(ctx, r.cfg.ConnectTimeout)
	r.rep = &replayer{c: r.c, spool: r.cfg.SpoolDir, dir: r.dir, local: r.localID, st: spoolState{Server: r.c.displayURI()}}
	start.Seq = 1
	err = r.rep.start(cctx, *start, false)
	cancel()
	switch {
	case err == nil:
		r.runID, r.expID = r.rep.st.RunID, r.rep.st.ExperimentID
		start.Applied = true
		r.rep.st.Acked = 1
		return r.rep.st, nil, nil
	case IsUnavailable(err) || (errors.Is(err, context.DeadlineExceeded) && ctx.Err() == nil):
		// Go on in the spool; the breaker retries the server in the
		// background and the sender creates the run when it is back.
		return spoolState{}, err, nil
	default:
		r.j.close()
		r.lock.Close()
		os.RemoveAll(r.dir)
		return spoolState{}, nil, redact.Error(err)
	}
}

// fail records the panic of a background goroutine (a bug): Flush, End
// and Close return it, and the command reports it with exit status 3.
// What the goroutine did not do stays in the journal for Sync.
func (r *Run) fail(err error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.bug == nil {
		r.bug = err
	}
}

// DefaultServerTimeout is Config.ServerTimeout's default.
const DefaultServerTimeout = 15 * time.Second

// notify passes a notice to Config.Logf, secrets redacted.
func (r *Run) notify(format string, args ...any) {
	if r.cfg.Logf != nil {
		r.cfg.Logf("%s", redact.String(fmt.Sprintf(format, args...)))
	}
}

// online reports whether calls should go to the server now: a server is
// configured and the breaker is closed.
func (r *Run) online() bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.c != nil && !r.down
}

// trip opens the breaker after err: later calls go to the spool, Logf
// hears about it once, and a probe watches for the server's return.
func (r *Run) trip(err error) {
	r.mu.Lock()
	if r.c == nil || r.down {
		r.mu.Unlock()
		return
	}
	r.down, r.spoolErr = true, err
	r.queue, r.requeue = nil, true // the journal has it all
	if !r.closed {
		r.done.Go("mlflow: probe", r.probe) // under mu: shutdown sets closed before it waits
	}
	warn := !r.warned
	r.warned = true
	r.mu.Unlock()
	if warn {
		r.notify("mlflow: tracking server %s unreachable: %v; the run goes on in the spool %s and is sent when the server answers again, or by sync",
			r.c.displayURI(), err, r.dir)
	}
}

// probe asks the server's /health with growing pauses until it answers
// (then the breaker closes and the sender delivers the spool) or the run
// shuts down.
func (r *Run) probe() {
	wait := time.Second
	t := time.NewTimer(wait)
	defer t.Stop()
	for {
		select {
		case <-r.stop:
			return
		case <-t.C:
		}
		if r.healthy() {
			r.mu.Lock()
			note := !r.noted
			r.noted = true
			r.kickLocked()
			r.mu.Unlock()
			if note {
				r.notify("mlflow: tracking server %s answers again; sending the spooled part of the run", r.c.displayURI())
			}
			return
		}
		wait = min(2*wait, 30*time.Second)
		t.Reset(wait)
	}
}

// healthy asks /health once and closes the breaker when it answers.
func (r *Run) healthy() bool {
	ctx, cancel := context.WithTimeout(context.Background(), min(healthTimeout, r.cfg.ServerTimeout))
	defer cancel()
	if r.c.Health(ctx) != nil {
		return false
	}
	r.mu.Lock()
	r.down = false
	r.mu.Unlock()
	return true
}

// ServerError returns why some of the run's data went to the spool
// instead of the server: the error that tripped the breaker, or the last
// failure to send. It is nil when everything reached the server, and for
// runs offline by choice.
func (r *Run) ServerError() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.c == nil {
		return nil
	}
	return redact.Error(r.spoolErr)
}

// stopSystemMetrics stops the sampler and waits for it.
func (r *Run) stopSystemMetrics() {
	r.sysOnce.Do(func() { close(r.sysStop) })
	r.sysDone.Wait() // a panic is in r.bug already
}

// ID returns the server run id, or the local spool id while the run is
// only in the spool.
func (r *Run) ID() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.runID != "" {
		return r.runID
	}
	return r.localID
}

// LocalID returns the name of the run's spool directory.
func (r *Run) LocalID() string { return r.localID }

// SpoolPath returns the run's spool directory (which End deletes once the
// server has confirmed everything).
func (r *Run) SpoolPath() string { return r.dir }

// Online reports whether the run is on a server it can reach: the run
// exists there and the breaker is closed.
func (r *Run) Online() bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.c != nil && !r.down && r.runID != ""
}

// PageURL returns the run's page in the MLflow UI (Client.RunPageURL),
// "" while the run is only in the spool.
func (r *Run) PageURL() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.c == nil || r.runID == "" || r.expID == "" {
		return ""
	}
	return r.c.RunPageURL(r.expID, r.runID)
}

// ExperimentID returns the server experiment id ("" when offline).
func (r *Run) ExperimentID() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.expID
}

// Client returns the run's client, nil when the run is offline by choice.
// Its requests give up after the run's ServerTimeout.
func (r *Run) Client() *Client { return r.c }

func (r *Run) appendLocked(rec *record) error {
	if rec.Seq == 0 {
		r.seq++
		rec.Seq = r.seq
	} else if rec.Seq > r.seq {
		r.seq = rec.Seq
	}
	return r.j.append(rec)
}

func (r *Run) usable() error {
	if r.closed || r.ended {
		return ErrClosed
	}
	return nil
}

// LogParam records a parameter; value is formatted with fmt.Sprint.
// Logging a key again with the same value is a no-op; with another value
// it is an error wrapping ErrInvalid, as MLflow refuses to change params.
func (r *Run) LogParam(key string, value any) error {
	v := redact.String(fmt.Sprint(value))
	if err := validateParam(key, v); err != nil {
		return err
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if err := r.usable(); err != nil {
		return err
	}
	if old, ok := r.params[key]; ok {
		if old != v {
			return fmt.Errorf("%w: param %q already logged with value %q, cannot change it to %q", ErrInvalid, key, old, v)
		}
		return nil
	}
	r.params[key] = v
	r.pending.Params = append(r.pending.Params, Param{key, v})
	r.kickLocked()
	return nil
}

// LogParams logs several params (see LogParam).
func (r *Run) LogParams(params map[string]any) error {
	for k, v := range params {
		if err := r.LogParam(k, v); err != nil {
			return err
		}
	}
	return nil
}

// LogMetric records one metric point at step, timestamped now. NaN and
// ±Inf are accepted.
func (r *Run) LogMetric(key string, value float64, step int64) error {
	return r.LogMetricAt(key, value, step, time.Now())
}

// LogMetricAt records one metric point with an explicit time.
func (r *Run) LogMetricAt(key string, value float64, step int64, t time.Time) error {
	m := Metric{Key: key, Value: value, Step: step, Timestamp: t.UnixMilli()}
	if err := validateMetric(m); err != nil {
		return err
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if err := r.usable(); err != nil {
		return err
	}
	r.pending.Metrics = append(r.pending.Metrics, m)
	if len(r.pending.Metrics) >= MaxBatchMetrics {
		r.kickLocked()
	}
	return nil
}

// SetTag sets a run tag (a later value replaces an earlier one).
func (r *Run) SetTag(key, value string) error {
	value = redact.String(value)
	if err := validateTag(key, value); err != nil {
		return err
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if err := r.usable(); err != nil {
		return err
	}
	r.pending.Tags = append(r.pending.Tags, Tag{key, value})
	return nil
}

// LogInput records a dataset the run used, as mlflow.log_input does:
// context ("train", "eval", ...; "" for none) becomes the input tag
// mlflow.data.context, tags are further input tags. The UI lists it under
// the run's "Datasets used". Like the other Log methods it does not wait
// for the server: the input is journaled and sent in order with the rest.
func (r *Run) LogInput(d Dataset, context string, tags map[string]string) error {
	in := DatasetInput{Dataset: d.redacted()}
	if context != "" {
		in.Tags = append(in.Tags, Tag{TagDatasetContext, context})
	}
	for _, k := range sortedKeys(tags) {
		in.Tags = append(in.Tags, Tag{k, redact.String(tags[k])})
	}
	if err := in.validate(); err != nil {
		return err
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if err := r.usable(); err != nil {
		return err
	}
	if err := r.journalPendingLocked(); err != nil { // keep the order with earlier data
		return err
	}
	rec := record{Op: "input", Inputs: []DatasetInput{in}}
	if err := r.appendLocked(&rec); err != nil {
		return err
	}
	r.enqueueLocked(rec)
	r.kickLocked()
	return r.j.sync()
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

func (r *Run) kickLocked() {
	select {
	case r.wake <- struct{}{}:
	default:
	}
}

// loop journals the buffer every FlushInterval (and when a batch fills)
// and lets the sender apply what was journaled.
func (r *Run) loop() {
	t := time.NewTicker(r.cfg.FlushInterval)
	defer t.Stop()
	for {
		select {
		case <-r.stop:
			return
		case <-t.C:
		case <-r.wake:
		}
		if r.journalPending() == nil && r.c != nil {
			r.send(context.Background(), false)
		}
	}
}

// journalPending moves the buffer into the journal and the send queue.
func (r *Run) journalPending() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.journalPendingLocked()
}

func (r *Run) journalPendingLocked() error {
	if len(r.pending.Metrics)+len(r.pending.Params)+len(r.pending.Tags) > 0 {
		rec := r.pending
		rec.Op = "batch"
		r.pending = record{}
		if err := r.appendLocked(&rec); err != nil {
			return err
		}
		r.enqueueLocked(rec)
	}
	return r.j.sync()
}

// send applies the queued records in order, unless the breaker is open.
// A server that does not answer trips the breaker and leaves the records
// queued (they are in the journal either way); a permanent refusal is
// remembered, returned by Flush/End/Close, and its record skipped.
func (r *Run) send(ctx context.Context, wait bool) {
	if wait {
		r.sendMu.Lock()
	} else if !r.sendMu.TryLock() {
		return
	}
	defer r.sendMu.Unlock()
	r.mu.Lock()
	if !r.down && r.requeue {
		if err := r.requeueLocked(); err != nil && r.err == nil {
			r.err = err
		}
	}
	if r.down || len(r.queue) == 0 {
		r.mu.Unlock()
		return
	}
	q := append([]record(nil), r.queue...)
	r.mu.Unlock()
	err := r.rep.apply(ctx, q)
	r.mu.Lock()
	n := 0
	for n < len(r.queue) && r.queue[n].Seq <= r.rep.st.Acked {
		n++
	}
	r.queue = r.queue[n:]
	if r.rep.st.RunID != "" {
		r.runID, r.expID = r.rep.st.RunID, r.rep.st.ExperimentID
	}
	for seq, info := range r.rep.models {
		r.models[seq] = info
	}
	unavailable := false
	switch {
	case err == nil:
		r.spoolErr = nil
	case IsUnavailable(err):
		unavailable = true
	case ctx.Err() != nil:
		r.spoolErr = err
	default:
		// A permanent refusal (e.g. a param changed on the server side):
		// report it and skip the record so later data still flows.
		if r.err == nil {
			r.err = err
		}
		if len(r.queue) > 0 {
			r.recErrs[r.queue[0].Seq] = err
			r.rep.st.Acked = r.queue[0].Seq
			_ = writeState(r.dir, r.rep.st)
			r.queue = r.queue[1:]
		}
	}
	r.mu.Unlock()
	if unavailable {
		r.trip(err)
	}
}

// Flush journals the buffer and, online, waits until the server has it.
// It returns the first permanent server error, or an error wrapping
// ErrSpooled when the server could not be reached.
func (r *Run) Flush(ctx context.Context) error {
	if err := r.journalPending(); err != nil {
		return err
	}
	if r.online() {
		r.send(ctx, true)
	}
	return r.status()
}

func (r *Run) status() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.bug != nil { // alone: a bug is not hidden behind ErrSpooled
		return redact.Error(r.bug)
	}
	if r.err != nil {
		return redact.Error(r.err)
	}
	if r.spoolErr != nil {
		return redact.Error(fmt.Errorf("%w (%s; run `sync` later): %v", ErrSpooled, r.dir, r.spoolErr))
	}
	return nil
}

// LogArtifact logs a local file or directory below artifactPath, as
// ArtifactStore.Upload lays them out. Online it is uploaded at once;
// offline, or if the upload cannot reach the server, it is copied into the
// spool for Sync.
func (r *Run) LogArtifact(ctx context.Context, localPath, artifactPath string) error {
	return localArtifacts(localPath, artifactPath, func(rel string, b blob) error { return r.logArtifact(ctx, rel, b) })
}

// LogArtifactBytes logs data as the artifact file artifactPath.
func (r *Run) LogArtifactBytes(ctx context.Context, artifactPath string, data []byte) error {
	if artifactPath == "" {
		return fmt.Errorf("%w: artifact path is empty", ErrInvalid)
	}
	return r.logArtifact(ctx, artifactPath, blob{data: data, size: int64(len(data))})
}

// logArtifact logs b as the artifact file artifactPath.
func (r *Run) logArtifact(ctx context.Context, artifactPath string, b blob) error {
	if err := validateArtifactPath(artifactPath); err != nil {
		return err
	}
	r.mu.Lock()
	err := r.usable()
	r.mu.Unlock()
	if err != nil {
		return err
	}
	// Online, send what is buffered first (keeping the order), then
	// upload directly; if the server is unreachable, spool the bytes.
	if r.online() && !errors.Is(r.Flush(ctx), ErrSpooled) {
		r.mu.Lock()
		runID := r.runID
		r.mu.Unlock()
		s, err := r.c.RunArtifacts(ctx, runID)
		if err == nil {
			err = s.put(ctx, artifactPath, b)
		}
		if err == nil {
			r.mu.Lock()
			defer r.mu.Unlock()
			return r.appendLocked(&record{Op: "artifact", Path: artifactPath, Applied: true})
		}
		if !IsUnavailable(err) {
			return redact.Error(err)
		}
		r.trip(err)
	}
	file := path.Join("artifacts", artifactPath)
	dst := filepath.Join(r.dir, filepath.FromSlash(file))
	if err := os.MkdirAll(filepath.Dir(dst), 0o700); err != nil {
		return err
	}
	rc, err := b.open()
	if err != nil {
		return err
	}
	err = writeFileAtomic(dst, rc)
	rc.Close()
	if err != nil {
		return err
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if err := r.journalPendingLocked(); err != nil { // keep order with earlier data
		return err
	}
	rec := record{Op: "artifact", File: file, Path: artifactPath}
	if err := r.appendLocked(&rec); err != nil {
		return err
	}
	r.enqueueLocked(rec)
	return r.j.sync()
}

// LogModel logs an XGBoost model (see Client.LogModel). The model is
// journaled like every other call, then, online, sent at once (after the
// buffered params, which the logged model copies) and its ModelInfo
// returned. Offline, or when the server does not answer, it waits in the
// spool and the returned ModelInfo has only RunModelURI (with the local
// id). The logged model carries the tag mlstack.spool.model = <spool
// id>/<record>, by which a later attempt (the sender after an outage, or
// Sync) finds the model a lost answer left PENDING and finishes it
// instead of creating a second one. Register and alias through opts as
// with Client.LogModel.
func (r *Run) LogModel(ctx context.Context, m XGBoostModel, opts LogModelOptions) (*ModelInfo, error) {
	m, err := m.withDefaults()
	if err != nil {
		return nil, err
	}
	if err := opts.normalize(); err != nil {
		return nil, err
	}
	redactMap := func(in map[string]string) map[string]string {
		if len(in) == 0 {
			return nil
		}
		out := make(map[string]string, len(in))
		for k, v := range in {
			out[k] = redact.String(v)
		}
		return out
	}
	if opts.Dataset != nil {
		d := opts.Dataset.redacted()
		opts.Dataset = &d
	}
	r.mu.Lock()
	if err := r.usable(); err != nil {
		r.mu.Unlock()
		return nil, err
	}
	r.nModels++
	dir := path.Join("models", strconv.Itoa(r.nModels))
	err = os.MkdirAll(filepath.Join(r.dir, filepath.FromSlash(dir)), 0o700)
	if err == nil {
		err = writeFileAtomic(filepath.Join(r.dir, filepath.FromSlash(dir), "model.json"), bytesReader(m.JSON))
	}
	if err == nil {
		err = r.journalPendingLocked()
	}
	meta := m
	meta.JSON = nil
	rec := record{Op: "model", Dir: dir, Model: &meta, ModelOpts: &spoolModel{Name: opts.Name, Step: opts.Step,
		Params: redactMap(opts.Params), Tags: redactMap(opts.Tags), Registered: opts.RegisteredModelName, Alias: opts.Alias, Dataset: opts.Dataset}}
	if err == nil {
		err = r.appendLocked(&rec)
	}
	if err == nil {
		r.enqueueLocked(rec)
		err = r.j.sync()
	}
	r.mu.Unlock()
	if err != nil {
		return nil, fmt.Errorf("mlflow: spool: %w", err)
	}
	if r.online() {
		r.send(ctx, true)
		r.mu.Lock()
		info, perr := r.models[rec.Seq], r.recErrs[rec.Seq]
		r.mu.Unlock()
		if info != nil {
			return info, nil
		}
		if perr != nil {
			return nil, redact.Error(perr)
		}
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	return &ModelInfo{RunModelURI: "runs:/" + r.idLocked() + "/" + opts.Name}, nil
}

// LoggedModels returns what the server made of the run's LogModel calls
// so far, in call order: a model that went to the spool first (the server
// was unreachable) appears once it has been delivered, for example by
// End.
func (r *Run) LoggedModels() []ModelInfo {
	r.mu.Lock()
	defer r.mu.Unlock()
	seqs := slices.Sorted(maps.Keys(r.models))
	out := make([]ModelInfo, len(seqs))
	for i, s := range seqs {
		out[i] = *r.models[s]
	}
	return out
}

// enqueueLocked hands a journaled record to the sender (when a server is
// configured; offline by choice, the journal alone carries it to Sync).
// While the breaker is open the journal alone holds it, so that a long
// outage does not also pile the run up in memory; requeueLocked reads it
// back when the server answers again.
func (r *Run) enqueueLocked(rec record) {
	switch {
	case r.c == nil:
	case r.down:
		r.requeue = true
	default:
		r.queue = append(r.queue, rec)
	}
}

// requeueLocked rebuilds the send queue from the journal: every record
// after the last acknowledged one that the run did not apply itself.
func (r *Run) requeueLocked() error {
	if err := r.j.sync(); err != nil {
		return err
	}
	recs, err := readJournal(r.dir)
	if err != nil {
		return err
	}
	r.queue = r.queue[:0]
	for _, rec := range recs {
		if rec.Seq > r.rep.st.Acked && !rec.Applied {
			r.queue = append(r.queue, rec)
		}
	}
	r.requeue = false
	return nil
}

func (r *Run) idLocked() string {
	if r.runID != "" {
		return r.runID
	}
	return r.localID
}

// Child opens a nested run (tag mlflow.parentRunId) in the same
// experiment, spool and server as r. A child of a spooled parent is
// linked to the parent's server run when both are synced. While r's
// server is unreachable the child goes to the spool only.
func (r *Run) Child(ctx context.Context, runName string) (*Run, error) {
	cfg := r.cfg
	cfg.RunName = runName
	cfg.Tags = nil
	cfg.SystemMetrics = false // the parent samples the machine
	cfg.ParentRunID, cfg.parentLocal = "", ""
	r.mu.Lock()
	if r.runID != "" {
		cfg.ParentRunID = r.runID
	} else {
		cfg.parentLocal = r.localID
		r.orphans = true
	}
	offline := r.c == nil || r.down
	r.mu.Unlock()
	if offline {
		cfg.Offline = true
	} else {
		o := r.c.opts
		if o.MaxRetries == 0 { // New turned "disabled" into 0
			o.MaxRetries = -1
		}
		cfg.Options = &o
		cfg.TrackingURI = r.c.TrackingURI()
	}
	return Open(ctx, cfg)
}

// End ends the run with status (FINISHED when ""): the system metrics
// sampler stops, everything buffered is journaled, the end is recorded,
// and End asks the server's /health: a server that answers gets what is
// left within CloseTimeout (a slow one is waited for); a dead or hung one
// does not delay End by more than a few seconds. The error wraps ErrSpooled when data
// had to stay in the spool (nothing is lost: Sync sends it later).
func (r *Run) End(ctx context.Context, status string) error {
	if status == "" {
		status = StatusFinished
	}
	switch status {
	case StatusFinished, StatusFailed, StatusKilled:
	default:
		return fmt.Errorf("%w: end status %q (want FINISHED, FAILED or KILLED)", ErrInvalid, status)
	}
	r.stopSystemMetrics() // its last sample goes in before the end record
	r.mu.Lock()
	if r.closed || r.ended {
		r.mu.Unlock()
		return nil
	}
	r.ended = true
	err := r.journalPendingLocked()
	if err == nil {
		rec := record{Op: "end", Status: status, EndMS: nowMS()}
		if err = r.appendLocked(&rec); err == nil {
			r.enqueueLocked(rec)
			err = r.j.sync()
		}
	}
	r.mu.Unlock()
	if err != nil {
		return fmt.Errorf("mlflow: spool: %w", err)
	}
	return r.shutdown(ctx)
}

func (r *Run) shutdown(ctx context.Context) error {
	r.mu.Lock()
	if r.closed {
		r.mu.Unlock()
		return nil
	}
	r.closed = true
	r.mu.Unlock()
	close(r.stop)
	r.done.Wait() // a panic is in r.bug already
	// The last data goes to a server that answers /health: alive, if
	// perhaps slow. A dead or hung server fails the check within seconds
	// and the data stays in the spool.
	if r.c != nil && r.healthy() {
		cctx, cancel := context.WithTimeout(ctx, r.cfg.CloseTimeout)
		r.send(cctx, true)
		cancel()
	}
	err := r.status()
	r.mu.Lock()
	jerr := r.j.close()
	r.mu.Unlock()
	if err == nil && jerr == nil {
		r.removeDelivered()
	}
	r.lock.Close()
	return errors.Join(err, jerr)
}

// Close ends the run as FINISHED if End was not called, and releases it.
// Nothing buffered is lost: it is in the journal at least.
func (r *Run) Close() error {
	return r.End(context.Background(), StatusFinished)
}
