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
	"os"
	"os/signal"
	"runtime/debug"
	"syscall"

	"github.com/mlstack/mlstack/internal/crash"
	"github.com/mlstack/mlstack/internal/redact"
	"github.com/mlstack/mlstack/pkg/experiment"
	_ "github.com/mlstack/mlstack/pkg/experiment/classification" // the trainers train knows
	"github.com/mlstack/mlstack/pkg/experiment/config"
	_ "github.com/mlstack/mlstack/pkg/experiment/detection"
	_ "github.com/mlstack/mlstack/pkg/experiment/regression"
	"github.com/mlstack/mlstack/pkg/mlflow"
)

// gcPercent is the collector's target train runs with unless GOGC is set:
// the heap may grow by a quarter of what is live before a collection, not
// by all of it (Go's default 100). A run's heap is mostly large
// pointer-free arrays (columns, matrices, bins), which a collection marks
// in no time, so the extra collections cost little CPU (docs/BENCHMARKS.md,
// pipeline memory) while the peak falls from about twice the live heap to
// 1.25 times it.
const gcPercent = 25

func main() {
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(gcPercent)
	}
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
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: train --config FILE [--set key=value ...] [--out DIR] [--dry-run] [--allow-large] [--require-server]\n       train sync\n       train predict --model URI --data CSV [--out FILE]")
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
