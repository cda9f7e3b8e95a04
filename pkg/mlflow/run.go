package mlflow

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strconv"
	"sync"
	"time"
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
	// Options for the client; nil means OptionsFromEnv().
	Options *Options

	parentLocal string
}

// Run is a run being logged. Its Log methods buffer in memory and never
// block on the network: every FlushInterval the buffer is appended to the
// run's journal (fsynced) and, when a server is in use, sent in log-batch
// requests by a background sender. When the server cannot be reached the
// data stays in the journal and Sync sends it later. A Run is safe for
// concurrent use.
type Run struct {
	cfg     Config
	c       *Client // nil when offline
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
	spoolErr error // last transient error (server unavailable)
	nModels  int

	sendMu sync.Mutex // serializes appliers (sender, Flush, LogModel)
	rep    *replayer
	wake   chan struct{}
	stop   chan struct{}
	done   sync.WaitGroup

	sysStop chan struct{} // closed by End: stops the system metrics sampler
	sysOnce sync.Once
	sysDone sync.WaitGroup
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
	for k, v := range cfg.Tags {
		if err := validateTag(k, v); err != nil {
			return nil, err
		}
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
		wake: make(chan struct{}, 1), stop: make(chan struct{}), sysStop: make(chan struct{})}
	var user string
	if !cfg.Offline && cfg.TrackingURI != "" {
		opts := cfg.Options
		if opts == nil {
			var err error
			if opts, err = OptionsFromEnv(); err != nil {
				return nil, err
			}
		}
		c, err := New(cfg.TrackingURI, opts)
		if err != nil {
			return nil, err
		}
		r.c = c
		user = c.user()
	} else {
		user = (&Client{}).user()
	}
	r.dir = filepath.Join(cfg.SpoolDir, r.localID)
	if err := os.MkdirAll(r.dir, 0o755); err != nil {
		return nil, fmt.Errorf("mlflow: spool: %w", err)
	}
	lock, err := lockDir(r.dir)
	if err != nil {
		return nil, err
	}
	r.lock = lock
	if r.j, err = openJournal(r.dir); err != nil {
		lock.Close()
		return nil, err
	}
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
	start := record{Op: "start", Experiment: cfg.ExperimentName, RunName: cfg.RunName,
		ParentRunID: cfg.ParentRunID, ParentLocal: cfg.parentLocal, StartMS: nowMS(), RunTags: tags, User: user}
	st := spoolState{}
	if r.c != nil {
		cctx, cancel := context.WithTimeout(ctx, cfg.ConnectTimeout)
		rep := &replayer{c: r.c, spool: cfg.SpoolDir, dir: r.dir, local: r.localID, st: spoolState{Server: r.c.TrackingURI()}}
		start.Seq = 1
		err := rep.start(cctx, start, false)
		cancel()
		switch {
		case err == nil:
			r.runID, r.expID = rep.st.RunID, rep.st.ExperimentID
			start.Applied = true
			st = rep.st
			st.Acked = 1
			r.rep = rep
		case IsUnavailable(err) || errors.Is(err, context.DeadlineExceeded):
			r.spoolErr = err // go on offline; Sync sends it later
			r.c = nil
		default:
			r.j.close()
			lock.Close()
			os.RemoveAll(r.dir)
			return nil, err
		}
	}
	r.mu.Lock()
	r.appendLocked(&start)
	err = r.j.sync()
	r.mu.Unlock()
	if err == nil {
		err = writeState(r.dir, st)
	}
	if err != nil {
		return nil, fmt.Errorf("mlflow: spool: %w", err)
	}
	r.done.Add(1)
	go r.loop()
	if cfg.SystemMetrics {
		r.sysDone.Add(1)
		go r.sampleSystem(sysEvery, sysPrefix)
	}
	return r, nil
}

// stopSystemMetrics stops the sampler and waits for it.
func (r *Run) stopSystemMetrics() {
	r.sysOnce.Do(func() { close(r.sysStop) })
	r.sysDone.Wait()
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

// SpoolPath returns the run's spool directory.
func (r *Run) SpoolPath() string { return r.dir }

// Online reports whether the run is connected to a server (it may still
// have data waiting if the server stopped answering).
func (r *Run) Online() bool { return r.c != nil }

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
func (r *Run) ExperimentID() string { return r.expID }

// Client returns the client of an online run, nil when offline.
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
	v := fmt.Sprint(value)
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
	in := DatasetInput{Dataset: d}
	if context != "" {
		in.Tags = append(in.Tags, Tag{TagDatasetContext, context})
	}
	for _, k := range sortedKeys(tags) {
		in.Tags = append(in.Tags, Tag{k, tags[k]})
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
	defer r.done.Done()
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

// send applies the queued records in order. A transient failure leaves
// them queued (they are in the journal either way); a permanent one is
// remembered and returned by Flush/End/Close.
func (r *Run) send(ctx context.Context, wait bool) {
	if wait {
		r.sendMu.Lock()
	} else if !r.sendMu.TryLock() {
		return
	}
	defer r.sendMu.Unlock()
	r.mu.Lock()
	q := append([]record(nil), r.queue...)
	r.mu.Unlock()
	if len(q) == 0 {
		return
	}
	err := r.rep.apply(ctx, q)
	r.mu.Lock()
	defer r.mu.Unlock()
	n := 0
	for n < len(r.queue) && r.queue[n].Seq <= r.rep.st.Acked {
		n++
	}
	r.queue = r.queue[n:]
	if r.rep.st.RunID != "" {
		r.runID = r.rep.st.RunID
	}
	switch {
	case err == nil:
		r.spoolErr = nil
	case IsUnavailable(err) || ctx.Err() != nil:
		r.spoolErr = err
	default:
		// A permanent refusal (e.g. a param changed on the server side):
		// report it and skip the record so later data still flows.
		if r.err == nil {
			r.err = err
		}
		if len(r.queue) > 0 {
			r.rep.st.Acked = r.queue[0].Seq
			_ = writeState(r.dir, r.rep.st)
			r.queue = r.queue[1:]
		}
	}
}

// Flush journals the buffer and, online, waits until the server has it.
// It returns the first permanent server error, or an error wrapping
// ErrSpooled when the server could not be reached.
func (r *Run) Flush(ctx context.Context) error {
	if err := r.journalPending(); err != nil {
		return err
	}
	if r.c != nil {
		r.send(ctx, true)
	}
	return r.status()
}

func (r *Run) status() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.err != nil {
		return r.err
	}
	if r.spoolErr != nil {
		return fmt.Errorf("%w (%s; run `sync` later): %v", ErrSpooled, r.dir, r.spoolErr)
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
	if r.c != nil && !errors.Is(r.Flush(ctx), ErrSpooled) {
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
			return err
		}
	}
	file := path.Join("artifacts", artifactPath)
	dst := filepath.Join(r.dir, filepath.FromSlash(file))
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
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

// LogModel logs an XGBoost model (see Client.LogModel). Online it is
// logged at once (after flushing the buffered params, which the logged
// model copies); offline the model is kept in the spool and logged by
// Sync, and the returned ModelInfo has only RunModelURI (with the local
// id). Register and alias through opts as with Client.LogModel.
func (r *Run) LogModel(ctx context.Context, m XGBoostModel, opts LogModelOptions) (*ModelInfo, error) {
	m, err := m.withDefaults()
	if err != nil {
		return nil, err
	}
	if err := opts.normalize(); err != nil {
		return nil, err
	}
	if r.c != nil {
		// Flush first: the logged model copies the run's params. An
		// earlier permanent error (kept for Close) does not stop it.
		if err := r.Flush(ctx); !errors.Is(err, ErrSpooled) {
			info, err := r.c.LogModel(ctx, r.ID(), m, opts)
			if err == nil || !IsUnavailable(err) {
				if err == nil {
					r.mu.Lock()
					r.appendLocked(&record{Op: "model", Applied: true, ModelOpts: &spoolModel{Name: opts.Name}})
					r.mu.Unlock()
				}
				return info, err
			}
		}
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if err := r.usable(); err != nil {
		return nil, err
	}
	r.nModels++
	dir := path.Join("models", strconv.Itoa(r.nModels))
	if err := os.MkdirAll(filepath.Join(r.dir, filepath.FromSlash(dir)), 0o755); err != nil {
		return nil, err
	}
	if err := writeFileAtomic(filepath.Join(r.dir, filepath.FromSlash(dir), "model.json"), bytesReader(m.JSON)); err != nil {
		return nil, err
	}
	if err := r.journalPendingLocked(); err != nil {
		return nil, err
	}
	meta := m
	meta.JSON = nil
	rec := record{Op: "model", Dir: dir, Model: &meta, ModelOpts: &spoolModel{Name: opts.Name, Step: opts.Step,
		Params: opts.Params, Tags: opts.Tags, Registered: opts.RegisteredModelName, Alias: opts.Alias, Dataset: opts.Dataset}}
	if err := r.appendLocked(&rec); err != nil {
		return nil, err
	}
	r.enqueueLocked(rec)
	return &ModelInfo{RunModelURI: "runs:/" + r.idLocked() + "/" + opts.Name}, r.j.sync()
}

// enqueueLocked hands a journaled record to the sender (online only;
// offline the journal alone carries it to Sync).
func (r *Run) enqueueLocked(rec record) {
	if r.c != nil {
		r.queue = append(r.queue, rec)
	}
}

func (r *Run) idLocked() string {
	if r.runID != "" {
		return r.runID
	}
	return r.localID
}

// Child opens a nested run (tag mlflow.parentRunId) in the same
// experiment, spool and server as r. A child of a spooled parent is
// linked to the parent's server run when both are synced.
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
	}
	r.mu.Unlock()
	if r.c == nil {
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

// End ends the run with status (FINISHED when ""): everything buffered is
// journaled, the end is recorded, and online the server gets it all
// within CloseTimeout. The error wraps ErrSpooled when data had to stay in
// the spool (nothing is lost: Sync sends it later).
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
	r.done.Wait()
	if r.c != nil {
		cctx, cancel := context.WithTimeout(ctx, r.cfg.CloseTimeout)
		r.send(cctx, true)
		cancel()
	}
	err := r.status()
	r.mu.Lock()
	jerr := r.j.close()
	r.mu.Unlock()
	r.lock.Close()
	return errors.Join(err, jerr)
}

// Close ends the run as FINISHED if End was not called, and releases it.
// Nothing buffered is lost: it is in the journal at least.
func (r *Run) Close() error {
	return r.End(context.Background(), StatusFinished)
}
