// Command serve serves a model bundle over HTTP with MLflow's scoring
// protocol (pkg/serve): what `mlflow models serve` answers, from one
// static binary.
//
//	serve --model models:/<name>@<alias> [--host 127.0.0.1] [--port 8080] [--poll 30s]
//
// --model takes what model.Open does: models:/<name>@<alias>,
// models:/<name>/<version>, models:/m-<id>, runs:/<run_id>/<path>, a
// folder, s3://bucket/prefix. MLflow URIs use MLFLOW_TRACKING_URI (and
// its credentials), s3:// the storage variables of pkg/storage.
//
// An alias is resolved at start and, with --poll, again every interval;
// SIGHUP asks at once (and re-opens any other URI). When it moves, the
// new version is loaded and swapped in without failing a request. When
// the registry cannot be reached, the loaded model keeps serving and
// GET /health says so. SIGTERM or SIGINT stops accepting connections and
// waits up to --drain for the requests in flight.
//
// Logs are JSON (slog) on stderr, one record per request with its id.
//
//	serve ping [URL]   GET URL/ping (default http://127.0.0.1:8080): exit 0 on 200
//
// is the health check of the image, which has no shell or curl.
//
// Exit codes: 0 after a clean drain, 1 failure (the model cannot be
// loaded, the port is taken), 2 bad usage, 3 internal error.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"runtime/debug"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/mlstack/mlstack/internal/crash"
	"github.com/mlstack/mlstack/internal/redact"
	"github.com/mlstack/mlstack/pkg/mlflow"
	"github.com/mlstack/mlstack/pkg/serve"
)

// gcPercent is the collector's target serve runs with unless GOGC is set:
// the live heap of a server is small (the model and the requests in
// flight) and every request allocates its rows afresh, so letting the heap
// grow to five times what is live before a collection costs a few MB and
// saves most collections: 100-row requests ran about 40% faster in
// make bench-serve (docs/BENCHMARKS.md).
const gcPercent = 400

func main() {
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(gcPercent)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	reload := make(chan struct{}, 1)
	go func() {
		for range hup {
			select {
			case reload <- struct{}{}:
			default:
			}
		}
	}()
	os.Exit(run(ctx, os.Args[1:], reload, os.Stderr))
}

func run(ctx context.Context, args []string, reload <-chan struct{}, stderr io.Writer) (code int) {
	defer crash.Handle(stderr, "serve", &code)
	if len(args) > 0 && args[0] == "ping" {
		return ping(ctx, args[1:], stderr)
	}
	cfg, code := parseFlags(args, stderr)
	if cfg == nil {
		return code
	}
	log := slog.New(slog.NewJSONHandler(stderr, &slog.HandlerOptions{Level: cfg.level}))
	cfg.o.Logger = log
	s := serve.New(cfg.o)

	c, err := registryClient()
	if err != nil {
		fmt.Fprintf(stderr, "serve: %v\n", redact.Error(err))
		return 2
	}
	reg, err := serve.NewRegistry(cfg.uri, c, s)
	if err != nil {
		fmt.Fprintf(stderr, "serve: %v\n", redact.Error(err))
		return 2
	}
	start := time.Now()
	if _, err := reg.Load(ctx); err != nil {
		fmt.Fprintf(stderr, "serve: %v\n", redact.Error(err))
		return 1
	}
	ln, err := net.Listen("tcp", net.JoinHostPort(cfg.host, strconv.Itoa(cfg.port)))
	if err != nil {
		fmt.Fprintf(stderr, "serve: %v\n", err)
		return 1
	}
	log.Info("serving", "addr", ln.Addr().String(), "model", cfg.uri, "version", s.Current().Version, "load_ms", time.Since(start).Milliseconds(), "poll", cfg.poll.String())
	wctx, cancel := context.WithCancel(ctx)
	defer cancel()
	go reg.Watch(wctx, cfg.poll, reload)
	if err := s.Serve(ctx, ln); err != nil {
		fmt.Fprintf(stderr, "serve: %v\n", err)
		return 1
	}
	return 0
}

// config is what the flags of serve say.
type config struct {
	uri, host string
	port      int
	poll      time.Duration
	level     slog.Level
	o         serve.Options
}

// parseFlags parses and checks serve's flags; on nil it has written why
// (or the help) to stderr and code is the exit code.
func parseFlags(args []string, stderr io.Writer) (_ *config, code int) {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var (
		cfg   config
		level string
		o     = &cfg.o
	)
	fs.StringVar(&cfg.uri, "model", "", "the model `URI`: models:/<name>@<alias>, models:/<name>/<version>, runs:/<run_id>/<path>, s3://... or a folder")
	fs.StringVar(&cfg.host, "host", "127.0.0.1", "the `address` to listen on (0.0.0.0 for every interface)")
	fs.IntVar(&cfg.port, "port", 8080, "the `port` to listen on (0: any free port, logged)")
	fs.DurationVar(&cfg.poll, "poll", 0, "resolve the alias again every `interval` and swap in a new version (0: only on SIGHUP)")
	fs.Int64Var(&o.MaxBodyBytes, "max-body", serve.DefaultMaxBodyBytes, "the largest request body, in `bytes` (413 beyond)")
	fs.IntVar(&o.MaxInFlight, "max-in-flight", 0, "scoring requests at once (0: 4 × GOMAXPROCS); more wait up to --queue-wait, then get 503")
	fs.Int64Var(&o.MaxInFlightBytes, "max-in-flight-bytes", serve.DefaultMaxInFlightBytes, "request body `bytes` read and scored at once (at least --max-body); more wait up to --queue-wait, then get 503")
	fs.DurationVar(&o.QueueWait, "queue-wait", serve.DefaultQueueWait, "how long a request waits for a scoring slot before 503")
	fs.IntVar(&o.MaxConns, "max-conns", serve.DefaultMaxConns, "open connections at once")
	fs.DurationVar(&o.ReadTimeout, "read-timeout", serve.DefaultReadTimeout, "time to read a whole request")
	fs.DurationVar(&o.WriteTimeout, "write-timeout", serve.DefaultWriteTimeout, "time to answer a request")
	fs.DurationVar(&o.DrainTimeout, "drain", serve.DefaultDrainTimeout, "on SIGTERM, how long to wait for the requests in flight")
	fs.StringVar(&level, "log-level", "info", "debug, info, warn or error (debug logs /ping, /health and /metrics too)")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: serve --model URI [--host 127.0.0.1] [--port 8080] [--poll 30s] [flags]")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil, 0
		}
		return nil, 2
	}
	if err := cfg.level.UnmarshalText([]byte(level)); err != nil || fs.NArg() > 0 || cfg.uri == "" || cfg.port < 0 || cfg.port > 65535 || cfg.poll < 0 {
		switch {
		case err != nil:
			fmt.Fprintf(stderr, "serve: --log-level %q: want debug, info, warn or error\n", level)
		case fs.NArg() > 0:
			fmt.Fprintf(stderr, "serve: unexpected argument %q\n", fs.Arg(0))
		case cfg.uri == "":
			fmt.Fprintln(stderr, "serve: --model is required")
		case cfg.poll < 0:
			fmt.Fprintln(stderr, "serve: --poll must not be negative")
		default:
			fmt.Fprintf(stderr, "serve: --port %d: want 0-65535\n", cfg.port)
		}
		fs.Usage()
		return nil, 2
	}
	return &cfg, 0
}

// registryClient is the MLflow client of $MLFLOW_TRACKING_URI, quick to
// give up, or nil without one.
func registryClient() (*mlflow.Client, error) {
	if os.Getenv("MLFLOW_TRACKING_URI") == "" {
		return nil, nil
	}
	opts, err := mlflow.OptionsFromEnv()
	if err != nil {
		return nil, err
	}
	// A registry check must not hold a swap back for minutes.
	opts.MaxRetries, opts.RetryFor, opts.Timeout = 2, 10*time.Second, 10*time.Second
	return mlflow.New(os.Getenv("MLFLOW_TRACKING_URI"), opts)
}

// ping is the health check: GET <url>/ping must answer 200 within 5 s.
func ping(ctx context.Context, args []string, stderr io.Writer) int {
	url := "http://127.0.0.1:8080"
	switch len(args) {
	case 0:
	case 1:
		url = args[0]
	default:
		fmt.Fprintln(stderr, "usage: serve ping [URL]")
		return 2
	}
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, "GET", strings.TrimSuffix(url, "/")+"/ping", nil)
	if err != nil {
		fmt.Fprintf(stderr, "serve ping: %v\n", err)
		return 2
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		fmt.Fprintf(stderr, "serve ping: %v\n", err)
		return 1
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		fmt.Fprintf(stderr, "serve ping: %s: %s\n", url, resp.Status)
		return 1
	}
	return 0
}
