// Command train runs a machine-learning experiment described by a YAML file
// and logs it to MLflow (or, with no server, to the offline spool):
//
//	train --config configs/classification.yaml [--set key=value ...] [--out DIR] [--dry-run] [--allow-large] [--require-server]
//	train sync     send spooled runs to $MLFLOW_TRACKING_URI (exactly once)
//	train predict --model URI --data CSV [--out FILE]   score raw rows with a model
//
// When the MLflow server is unreachable (from the start or during the
// run), the run goes on in the local spool, a warning names the server
// and the error, and the summary ends with a line saying so and how to
// send it later; --require-server turns that into a failure (exit 1).
//
// Exit codes: 0 success, 1 failure (data, network, training), 2 bad usage or
// an invalid config, 3 internal error (a bug: the message asks for a report
// and names the file holding the stack).
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/mlstack/mlstack/internal/crash"
	"github.com/mlstack/mlstack/internal/gcpolicy"
	"github.com/mlstack/mlstack/internal/redact"
	"github.com/mlstack/mlstack/pkg/experiment"
	_ "github.com/mlstack/mlstack/pkg/experiment/classification" // the trainers train knows
	"github.com/mlstack/mlstack/pkg/experiment/config"
	_ "github.com/mlstack/mlstack/pkg/experiment/detection"
	_ "github.com/mlstack/mlstack/pkg/experiment/regression"
	"github.com/mlstack/mlstack/pkg/mlflow"
)

// gcPolicy is the collector's pace train runs with unless GOGC is set:
// Go's default (the heap may double before a collection) while the live
// heap is under 256 MiB, where doubling costs little memory, and GOGC 25
// beyond (the heap grows by a quarter of what is live): a large run's heap
// is mostly pointer-free arrays (columns, matrices, bins), which a
// collection marks in no time, so the extra collections cost little CPU
// while the peak falls from about twice the live heap to 1.25 times it
// (docs/BENCHMARKS.md, pipeline memory). On the tall shape the default
// saves the 0.5 CPU-s that GOGC 25's collections cost.
var gcPolicy = gcpolicy.Policy{Small: 100, Large: 25, Threshold: 256 << 20}

func main() {
	defer gcpolicy.Adapt(gcPolicy)()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	os.Exit(run(ctx, os.Args[1:], os.Stdout, os.Stderr))
}

type multiFlag []string

func (m *multiFlag) String() string     { return fmt.Sprint(*m) }
func (m *multiFlag) Set(v string) error { *m = append(*m, v); return nil }

func run(ctx context.Context, args []string, stdout, stderr io.Writer) (code int) {
	defer crash.Handle(stderr, "train", &code)
	if len(args) > 0 && args[0] == "sync" {
		return sync(ctx, args[1:], stdout, stderr)
	}
	if len(args) > 0 && args[0] == "predict" {
		return predict(ctx, args[1:], stdout, stderr)
	}
	if len(args) > 0 && args[0] == "worker" {
		return worker(ctx, args[1:], stderr)
	}
	fs := flag.NewFlagSet("train", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var (
		o   experiment.Options
		set multiFlag
	)
	fs.StringVar(&o.ConfigPath, "config", "", "experiment `file` (YAML)")
	fs.Var(&set, "set", "override a config value, `key.path=value` (repeatable)")
	fs.StringVar(&o.Out, "out", "", "output `directory` (default: a new one under "+experiment.DefaultOutRoot()+")")
	fs.BoolVar(&o.DryRun, "dry-run", false, "validate the config and print the resolved plan; train and log nothing")
	fs.BoolVar(&o.AllowLarge, "allow-large", false, fmt.Sprintf("allow model.params.n_estimators above %d", config.MaxEstimators))
	fs.BoolVar(&o.RequireServer, "require-server", false, "fail (exit 1) when the MLflow server is not set or unreachable, instead of keeping the run in the spool")
	fs.StringVar(&o.Executor, "executor", "local", "where a search's trials run: local, or nats://HOST:PORT for `train worker`s")
	fs.StringVar(&o.Resume, "resume", "", "resume the search `id` (nats executor)")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: train --config FILE [--set key=value ...] [--out DIR] [--dry-run] [--allow-large] [--require-server] [--executor local|nats://HOST:PORT] [--resume ID]\n       train sync\n       train predict --model URI --data CSV [--out FILE]\n       train worker --nats nats://HOST:PORT [--name NAME]")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if o.ConfigPath == "" || fs.NArg() > 0 {
		fs.Usage()
		return 2
	}
	o.Overrides = set
	if o.Executor != "local" && !strings.HasPrefix(o.Executor, "nats://") {
		fmt.Fprintf(stderr, "train: --executor %q: want local or nats://HOST:PORT\n", o.Executor)
		return 2
	}
	rp := newReporter(stderr)
	o.Notes, o.Progress = rp.note, rp.progress
	rep, err := experiment.Run(ctx, o)
	rp.done()
	if err == nil && o.DryRun {
		_, err = fmt.Fprint(stdout, rep.Plan)
	}
	if rep != nil && rep.Finished {
		printSummary(stdout, rep) // also when --require-server fails it after the run
	}
	if err != nil {
		return failed(stderr, "train", err)
	}
	return 0
}

// worker runs search trials from NATS until interrupted.
func worker(ctx context.Context, args []string, stderr io.Writer) int {
	fs := flag.NewFlagSet("train worker", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var o experiment.WorkerOptions
	fs.StringVar(&o.URL, "nats", "", "NATS server `URL`(s), nats://HOST:PORT[,nats://...]")
	fs.StringVar(&o.Name, "name", "", "worker `name` in results and logs (default host-pid)")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if !strings.HasPrefix(o.URL, "nats://") || fs.NArg() > 0 {
		fmt.Fprintln(stderr, "usage: train worker --nats nats://HOST:PORT [--name NAME]")
		return 2
	}
	o.Log = slog.New(slog.NewTextHandler(stderr, nil))
	if err := experiment.Work(ctx, o); err != nil && ctx.Err() == nil {
		return failed(stderr, "train worker", err)
	}
	return 0
}

// failed prints err and returns its exit status: 3 for a bug (a panic
// recovered in a worker), 2 for an invalid config, 1 otherwise.
func failed(stderr io.Writer, prog string, err error) int {
	if errors.As(err, new(*crash.PanicError)) {
		return crash.Report(stderr, prog, err)
	}
	fmt.Fprintln(stderr, prog+":", redact.String(err.Error()))
	if errors.Is(err, config.ErrConfig) {
		return 2
	}
	return 1
}

func sync(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("train sync", flag.ContinueOnError)
	fs.SetOutput(stderr)
	dir := fs.String("spool", "", "spool `directory` (default "+mlflow.DefaultSpoolDir()+")")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	c, err := mlflow.NewFromEnv()
	if err != nil {
		fmt.Fprintln(stderr, "train sync:", redact.String(err.Error()))
		return 2
	}
	runs, err := mlflow.Sync(ctx, c, *dir)
	printSyncTable(stdout, c, *dir, runs)
	if err != nil {
		return failed(stderr, "train sync", err)
	}
	return 0
}
