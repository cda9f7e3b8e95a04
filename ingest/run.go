package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/mlstack/mlstack/internal/crash"
	"github.com/mlstack/mlstack/internal/progress"
	"github.com/mlstack/mlstack/internal/redact"
	"github.com/mlstack/mlstack/pkg/dataset"
	"github.com/mlstack/mlstack/pkg/storage"
)

// Exit codes.
const (
	exitOK       = 0
	exitFailure  = 1
	exitUsage    = 2
	exitInternal = crash.ExitInternal // a bug: the stack is in a file
)

// usageError marks errors in the command line (exit 2).
type usageError struct{ err error }

func (e usageError) Error() string { return e.err.Error() }
func (e usageError) Unwrap() error { return e.err }

// Manifest is the JSON written next to the data.
type Manifest struct {
	Source  string         `json:"source"`
	Bucket  string         `json:"bucket"`
	Prefix  string         `json:"prefix"`
	Time    time.Time      `json:"time"`
	Files   []ManifestFile `json:"files"`
	Version int            `json:"version"`
	// YOLO describes an image dataset (roboflow: sources).
	YOLO *dataset.YOLOSummary `json:"yolo,omitempty"`
}

// ManifestFile describes one uploaded CSV.
type ManifestFile struct {
	Name     string   `json:"name"`
	URI      string   `json:"uri"`
	SHA256   string   `json:"sha256"`
	Bytes    int64    `json:"bytes"`
	Rows     int      `json:"rows"`     // CSV rows (0 for the files of an image dataset)
	Columns  []string `json:"columns"`  // CSV columns
	Uploaded bool     `json:"uploaded"` // false: an identical object was already there
}

// config is the parsed command line.
type config struct {
	source       dataset.Source
	bucket       string
	mlflowBucket string
	prefix       string
	store        string
	workDir      string
	progress     progress.Mode
	fetch        dataset.FetchOptions
	s3Retries    int
	partSize     uint64
	timeout      time.Duration // the whole run
}

// Hooks for tests.
var (
	testHookProgress func(key string, done, total int64)
	retryWait        time.Duration // dataset.FetchOptions.RetryWait
	getenv           = os.Getenv
)

// Run is the command: it parses args, does the work and returns the exit
// status. Progress and errors go to stderr, the result to stdout.
func Run(ctx context.Context, args []string, stdout, stderr io.Writer) (code int) {
	defer crash.Handle(stderr, "ingest", &code)
	cfg, err := parse(args, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return exitOK
	}
	if err != nil {
		fmt.Fprintf(stderr, "ingest: %v\n", err)
		if errors.As(err, new(usageError)) {
			fmt.Fprintln(stderr, "usage: ingest --source SRC [--bucket B] [--prefix P]  (ingest -h for flags)")
			return exitUsage
		}
		return exitFailure
	}
	rep := progress.NewReporter(stderr, progress.Options{Mode: cfg.progress, Prefix: "ingest: ", Steps: 4, Bytes: true})
	if cfg.timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeoutCause(ctx, cfg.timeout, fmt.Errorf("--timeout %v reached", cfg.timeout))
		defer cancel()
	}
	m, err := ingest(ctx, cfg, rep)
	rep.Done()
	if err != nil {
		if errors.As(err, new(*crash.PanicError)) {
			return crash.Report(stderr, "ingest", err)
		}
		if c := context.Cause(ctx); c != nil && ctx.Err() == context.DeadlineExceeded {
			err = fmt.Errorf("%w (%v)", err, c)
		}
		// URLs in errors lose their secrets here at the latest.
		fmt.Fprintf(stderr, "ingest: %s\n", redact.String(err.Error()))
		return exitFailure
	}
	for _, f := range m.Files {
		state := "uploaded"
		if !f.Uploaded {
			state = "unchanged"
		}
		fmt.Fprintf(stdout, "%s %s rows=%d columns=%d bytes=%d sha256=%s\n", state, f.URI, f.Rows, len(f.Columns), f.Bytes, f.SHA256)
	}
	fmt.Fprintf(stdout, "manifest s3://%s/%smanifest.json\n", m.Bucket, m.Prefix)
	return exitOK
}

func envOr(name, def string) string {
	if v := strings.TrimSpace(getenv(name)); v != "" {
		return v
	}
	return def
}

func parse(args []string, stderr io.Writer) (*config, error) {
	fs := flag.NewFlagSet("ingest", flag.ContinueOnError)
	fs.SetOutput(stderr)
	source := fs.String("source", envOr("DATASET_SOURCE", ""), "sample:NAME | kaggle:OWNER/DATASET[/FILE] | roboflow:WORKSPACE/PROJECT/VERSION[/FORMAT] | https://URL | s3://BUCKET/KEY | PATH (env DATASET_SOURCE)")
	bucket := fs.String("bucket", envOr("BUCKET_DATA", "data-bucket"), "data bucket (env BUCKET_DATA)")
	mlflowBucket := fs.String("mlflow-bucket", envOr("BUCKET_MLFLOW", "mlflow"), "MLflow artifacts bucket, created when missing (env BUCKET_MLFLOW)")
	prefix := fs.String("prefix", envOr("DATASET_PREFIX", "raw/"), "key prefix (env DATASET_PREFIX)")
	store := fs.String("store", "", "s3 or file:///dir; default s3 when an S3 endpoint is set, else the STORAGE_ROOT folder")
	workDir := fs.String("work-dir", "", "folder for downloads (a temporary folder, removed at exit, by default)")
	progressFlag := fs.String("progress", "auto", "auto (bar when stderr is a terminal), bar or log")
	legacy := fs.Bool("kaggle-legacy", false, "use Kaggle's legacy REST download instead of the RPC API")
	idle := fs.Duration("idle-timeout", 60*time.Second, "the window over which the download rate is measured: abandon a download that sends less than --min-rate allows (or nothing) for this long")
	minRate := fs.Int64("min-rate", dataset.DefaultMinRate, "minimum download rate in bytes/s, measured over each --idle-timeout (0: only abandon a download that sends nothing)")
	timeout := fs.Duration("timeout", dataset.DefaultTimeout, "deadline of the whole run (download, check, upload)")
	maxBytes := fs.Int64("max-bytes", dataset.DefaultLimits.MaxBytes, "limit on the bytes downloaded and on the bytes extracted from an archive")
	retries := fs.Int("s3-retries", 0, "retries per S3 request (0: minio-go default, 10)")
	partSize := fs.Uint64("part-size", 0, "multipart part size in bytes (0: minio-go default)")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil, err
		}
		return nil, usageError{err}
	}
	if fs.NArg() > 0 {
		return nil, usageError{fmt.Errorf("unexpected arguments %q", fs.Args())}
	}
	if *source == "" {
		return nil, usageError{errors.New("no source: pass --source or set DATASET_SOURCE")}
	}
	src, err := dataset.ParseSource(*source)
	if err != nil {
		return nil, usageError{err}
	}
	for _, b := range []string{*bucket, *mlflowBucket} {
		if err := storage.CheckBucketName(b); err != nil {
			return nil, usageError{err}
		}
	}
	p := strings.TrimPrefix(*prefix, "/")
	if p != "" && !strings.HasSuffix(p, "/") {
		p += "/"
	}
	if p != "" {
		if err := storage.CheckKey(p + "x"); err != nil {
			return nil, usageError{fmt.Errorf("prefix %q: %w", *prefix, err)}
		}
	}
	mode, err := progress.ParseMode(*progressFlag)
	if err != nil {
		return nil, usageError{fmt.Errorf("--%w", err)}
	}
	if *store != "" && *store != "s3" && !strings.HasPrefix(*store, "file://") {
		return nil, usageError{fmt.Errorf("--store %q: want s3 or file:///dir", *store)}
	}
	if *maxBytes <= 0 || *idle <= 0 || *timeout <= 0 || *minRate < 0 {
		return nil, usageError{errors.New("--max-bytes, --idle-timeout and --timeout must be positive, --min-rate not negative")}
	}
	rate := *minRate
	if rate == 0 {
		rate = -1 // FetchOptions: negative is none
	}
	lim := dataset.DefaultLimits
	lim.MaxBytes = *maxBytes
	return &config{
		source: src, bucket: *bucket, mlflowBucket: *mlflowBucket, prefix: p, store: *store,
		workDir: *workDir, progress: mode, s3Retries: *retries, partSize: *partSize, timeout: *timeout,
		fetch: dataset.FetchOptions{Getenv: getenv, KaggleLegacy: *legacy, IdleTimeout: *idle, MinRate: rate, Timeout: -1, Limits: &lim, RetryWait: retryWait},
	}, nil
}

func openStore(cfg *config) (storage.Store, error) {
	sc := storage.ConfigFromEnv(getenv)
	sc.S3.MaxRetries = cfg.s3Retries
	sc.S3.PartSize = cfg.partSize
	switch {
	case cfg.store == "s3":
		if sc.S3.Endpoint == "" {
			return nil, errors.New("--store s3: no endpoint: set MINIO_URL or MLFLOW_S3_ENDPOINT_URL (or AWS_ENDPOINT_URL)")
		}
		return storage.NewS3(&sc.S3)
	case strings.HasPrefix(cfg.store, "file://"):
		return storage.NewLocal(strings.TrimPrefix(cfg.store, "file://"))
	}
	return sc.Store()
}

type checked struct {
	file dataset.File
	sum  string
	size int64
	csv  dataset.Summary
}

func ingest(ctx context.Context, cfg *config, rep *progress.Reporter) (*Manifest, error) {
	st, err := openStore(cfg)
	if err != nil {
		return nil, err
	}
	for _, b := range []string{cfg.bucket, cfg.mlflowBucket} {
		if err := st.EnsureBucket(ctx, b); err != nil {
			return nil, err
		}
	}
	work := cfg.workDir
	if work == "" {
		work, err = os.MkdirTemp("", "ingest-")
		if err != nil {
			return nil, err
		}
		defer os.RemoveAll(work)
	}
	fo := cfg.fetch
	fo.Dir = work
	fo.Store = st // an s3:// source is read from the store ingest writes to
	fo.Progress = func(name string, done, total int64) { rep.Update("download "+name, done, total) }
	rep.Logf("fetching %s", cfg.source)
	if cfg.source.Kind == dataset.KindRoboflow {
		return ingestImages(ctx, cfg, st, &fo, rep)
	}
	files, err := dataset.Fetch(ctx, cfg.source, &fo)
	if err != nil {
		return nil, err
	}
	// The CSV check runs beside the hashing and the uploads: an upload
	// holds back its last byte until every file has passed (see gatedFile),
	// so a file that fails leaves no object, and no file is published unless
	// all pass.
	summaries := make([]dataset.Summary, len(files))
	checkDone := make(chan struct{})
	var checkErr error
	go func() {
		defer close(checkDone)
		defer crash.Recover(&checkErr) // a bug in the check is reported, not a crash
		for i, f := range files {
			rep.Logf("checking %s", f.Name)
			if summaries[i], checkErr = dataset.CheckCSV(ctx, f.Path, &dataset.CheckOptions{Name: f.Name}); checkErr != nil {
				return
			}
		}
	}()
	gate := func() error {
		select {
		case <-checkDone:
		case <-ctx.Done():
			return ctx.Err()
		}
		if checkErr != nil {
			return fmt.Errorf("%w (nothing uploaded)", checkErr)
		}
		return nil
	}
	var all []checked
	for _, f := range files {
		sum, size, err := storage.HashFile(ctx, f.Path, func(done, total int64) { rep.Update("hash "+f.Name, done, total) })
		if err != nil {
			return nil, err
		}
		all = append(all, checked{file: f, sum: sum, size: size})
	}
	checks := func() ([]dataset.Summary, error) { return summaries, gate() }
	m, err := publish(ctx, cfg, st, rep, all, &Manifest{Version: 1, Source: cfg.source.String(), Bucket: cfg.bucket, Prefix: cfg.prefix}, checks)
	if gerr := gate(); gerr != nil {
		return nil, gerr // the check's error, not the upload it stopped
	}
	return m, err
}

// gatedFile is a file being uploaded whose last byte waits for gate: a
// store completes an object only after reading all of it (S3 completes the
// multipart upload, the local store renames its temporary file), so an
// error from gate aborts the upload and nothing becomes visible.
type gatedFile struct {
	*os.File
	size int64
	gate func() error
	once sync.Once
	err  error
}

func (g *gatedFile) wait() error {
	g.once.Do(func() { g.err = g.gate() })
	return g.err
}

// ReadAt serves minio-go's parallel part uploads.
func (g *gatedFile) ReadAt(p []byte, off int64) (int, error) {
	if off+int64(len(p)) >= g.size {
		if err := g.wait(); err != nil {
			return 0, err
		}
	}
	return g.File.ReadAt(p, off)
}

func (g *gatedFile) Read(p []byte) (int, error) {
	pos, err := g.File.Seek(0, io.SeekCurrent)
	if err != nil {
		return 0, err
	}
	if pos+int64(len(p)) >= g.size {
		if err := g.wait(); err != nil {
			return 0, err
		}
	}
	return g.File.Read(p)
}

// publish uploads the files under cfg.prefix (skipping identical objects),
// then the manifest. When checks is not nil, the files' CSV checks are still
// running: every upload holds back its last byte until checks returns
// (gatedFile), which then gives the files' rows and columns, or the error
// that aborts the uploads.
func publish(ctx context.Context, cfg *config, st storage.Store, rep *progress.Reporter, all []checked, m *Manifest, checks func() ([]dataset.Summary, error)) (*Manifest, error) {
	gate := func() error { return nil }
	if checks != nil {
		gate = func() error { _, err := checks(); return err }
	}
	for _, c := range all {
		key := cfg.prefix + c.file.Name
		mf := ManifestFile{Name: c.file.Name, URI: "s3://" + cfg.bucket + "/" + key, SHA256: c.sum, Bytes: c.size, Rows: c.csv.Rows, Columns: c.csv.Columns}
		if info, err := st.Stat(ctx, cfg.bucket, key); err == nil && info.SHA256 == c.sum && info.Size == c.size {
			rep.Logf("unchanged %s (sha256 %s…)", mf.URI, c.sum[:12])
			m.Files = append(m.Files, mf)
			continue
		} else if err != nil && !errors.Is(err, storage.ErrNotFound) {
			return nil, err
		}
		f, err := os.Open(c.file.Path)
		if err != nil {
			return nil, err
		}
		label := "upload " + c.file.Name
		t0 := time.Now()
		_, err = st.Put(ctx, cfg.bucket, key, &gatedFile{File: f, size: c.size, gate: gate}, &storage.PutOptions{
			Size: c.size, SHA256: c.sum,
			Progress: func(done int64) {
				rep.Update(label, done, c.size)
				if testHookProgress != nil {
					testHookProgress(key, done, c.size)
				}
			},
		})
		f.Close()
		if err != nil {
			return nil, err
		}
		rep.Logf("uploaded %s (%d bytes, %.1fs)", mf.URI, c.size, time.Since(t0).Seconds())
		mf.Uploaded = true
		m.Files = append(m.Files, mf)
	}
	if checks != nil {
		sums, err := checks()
		if err != nil {
			return nil, err
		}
		for i := range m.Files {
			m.Files[i].Rows, m.Files[i].Columns = sums[i].Rows, sums[i].Columns
		}
	}
	m.Time = time.Now().UTC().Truncate(time.Second)
	b, _ := json.MarshalIndent(m, "", "  ")
	b = append(b, '\n')
	if _, err := st.Put(ctx, cfg.bucket, cfg.prefix+"manifest.json", strings.NewReader(string(b)), &storage.PutOptions{ContentType: "application/json"}); err != nil {
		return nil, err
	}
	return m, nil
}
