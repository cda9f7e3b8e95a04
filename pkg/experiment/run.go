package experiment

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/mlstack/mlstack/internal/redact"
	"github.com/mlstack/mlstack/pkg/clean"
	"github.com/mlstack/mlstack/pkg/experiment/config"
	"github.com/mlstack/mlstack/pkg/frame"
	"github.com/mlstack/mlstack/pkg/mlflow"
	"github.com/mlstack/mlstack/pkg/tune"
)

// Options configures Run.
type Options struct {
	ConfigPath string   // the YAML experiment
	Overrides  []string // path=value, applied before validation
	Out        string   // output directory; "" means a new directory under DefaultOutRoot()
	DryRun     bool     // validate and read the data (Report.Plan); train and log nothing
	// AllowLarge lifts the bounds a config may not exceed otherwise
	// (model.params.n_estimators ≤ config.MaxEstimators).
	AllowLarge bool
	// Tracking overrides where the run is logged (nil: from the config and
	// the environment).
	Tracking *mlflow.Config
	// RequireServer makes the MLflow server mandatory: with none
	// configured, or one that does not answer when the run starts, Run
	// fails before training; if the server is lost during the run, the
	// run completes in the spool and Run returns its Report (Finished)
	// with an error wrapping mlflow.ErrSpooled.
	RequireServer bool
	// Data, when not nil, is the table to train on instead of reading
	// data.source (a notebook that has loaded it already); data.source is
	// still what the run records as its source, without a dataset input
	// (the bytes behind the table are unknown).
	Data *frame.Frame
	// Notes, when not nil, is told what the run has to say while it goes,
	// a line each: warnings about the config, tracking notices, a
	// trainer's notes. Secrets are redacted from them.
	Notes func(Note)
	// Progress, when not nil, is told of finished steps (folds, or a
	// trainer's epochs).
	Progress func(Progress)
	// Executor runs a search's trials: "" or "local" on this machine, or
	// nats://HOST:PORT[,nats://...] on workers (`train worker`) through
	// NATS JetStream (pkg/tune/remote).
	Executor string
	// Resume is the id of a search to resume on the nats executor (its
	// finished trials are not run again); "" starts a new one.
	Resume string
}

// NoteKind says what a Note is.
type NoteKind int

const (
	// Info is a trainer's note (what it reads, how an epoch went).
	Info NoteKind = iota
	// Warning is a finding in the config that does not stop the run (a
	// secret written in the file): config.Warning's text.
	Warning
	// Notice is news from tracking during the run (the server lost or
	// back); the run goes on.
	Notice
)

// Note is a line a run has to say.
type Note struct {
	Kind NoteKind
	Text string
}

// Progress says how far a run's training is: Done of Total steps of the
// task Label ("cross-validation 5×2", or the trainer's name for a trainer
// that counts epochs).
type Progress struct {
	Label       string
	Done, Total int
}

// Report tells what a run did and where its results went.
type Report struct {
	Parsed *config.Parsed
	// Plan is what the run trains (set by a dry run, and by a run).
	Plan    *Plan
	Outcome *Outcome
	// Finished is set when the run ended and its results are all written
	// and logged (in the spool if the server was lost): its summary is
	// complete.
	Finished bool
	Out      string // output directory
	RunID    string // MLflow run id ("" when spooled)
	RunURL   string // MLflow UI link ("" when spooled)
	Spool    string // journal directory of the run
	Model    *mlflow.ModelInfo
	Online   bool
	// Server is the tracking server (password masked), "" offline.
	Server string
	// ServerErr says why the run, or part of it, stayed in the spool
	// although a server was configured: it was unreachable.
	ServerErr error
	// Search is what a search found (nil for a run without one).
	Search *SearchResult
}

// SearchResult is a finished search: every trial, and the best.
type SearchResult struct {
	Objective string
	Direction tune.Direction
	Space     tune.Space
	Trials    []tune.Trial
	Best      tune.Trial
}

// Plan is what a config trains, once its data is read.
type Plan struct {
	// Source is data.source, credentials redacted.
	Source string
	// OwnData is set when the trainer reads its own data: Rows and Columns
	// are then 0.
	OwnData       bool
	Rows, Columns int
	// RowsRead are the rows read, before the dataset-level steps.
	RowsRead int
	// Types says the columns of each kind after the dataset-level steps.
	Types string
	// Features is the number of features after cleaning (one-hot columns
	// counted one each).
	Features int
	// Balance is the classes of the target (nil when the trainer's target
	// is not classes).
	Balance *Balance
	// Folds is the number of cross-validation fits (n_splits × repeats);
	// the final fit on all rows comes on top.
	Folds int
	// Resolved is the config with its defaults, secrets redacted
	// (config.resolved.yaml).
	Resolved []byte

	file string
	c    *config.Config
}

// String is the plan as train --dry-run prints it: comment lines saying
// the data, the steps and the number of fits, then the resolved config.
func (p *Plan) String() string {
	c := p.c
	var b strings.Builder
	fmt.Fprintf(&b, "# %s: valid (dry run: nothing trained or logged)\n", p.file)
	if p.OwnData {
		fmt.Fprintf(&b, "# data: %s (read by the %s trainer)\n", p.Source, c.Model.Trainer)
	} else {
		fmt.Fprintf(&b, "# data: %s, %d rows × %d columns, target %s\n", p.Source, p.Rows, p.Columns, c.Data.Target)
		if len(c.Prepare) > 0 {
			fmt.Fprintf(&b, "# prepare: %d steps on the whole table: %d rows read, %d kept\n", len(c.Prepare), p.RowsRead, p.Rows)
		}
		fmt.Fprintf(&b, "# columns: %s\n", p.Types)
		fmt.Fprintf(&b, "# features after cleaning: %d\n", p.Features)
		if p.Balance != nil {
			fmt.Fprintf(&b, "# target: %s\n", p.Balance)
		}
		fmt.Fprintf(&b, "# plan: clean (%d steps) → %s → %s trainer, %s %d×%d = %d fits + 1 final fit\n",
			len(c.Clean), c.Resample.Method, c.Model.Trainer, c.Validation.Method, c.Validation.NSplits, c.Validation.Repeats(), p.Folds)
	}
	if sc := c.Search; sc != nil {
		trials := "until " + sc.Timeout
		if sc.NTrials != nil {
			trials = fmt.Sprintf("%d trials", *sc.NTrials)
		}
		fmt.Fprintf(&b, "# search: %s (%s, %s %s, pruner %s) of %d fits each over %d parameters, then the best parameters as above\n",
			trials, cmp.Or(sc.Algorithm, "tpe"), cmp.Or(sc.Direction, "maximize"), sc.Objective, cmp.Or(sc.Pruner, "median"), p.Folds, len(sc.Params))
	}
	b.Write(p.Resolved)
	return b.String()
}

// DefaultOutRoot is where outputs go without --out: beside the MLflow spool.
func DefaultOutRoot() string {
	return filepath.Join(filepath.Dir(mlflow.DefaultSpoolDir()), "runs")
}

// Run parses, validates and runs the experiment of o.ConfigPath: config →
// data → the trainer (clean → resample → cv → boost → metrics for the
// boosted-tree trainers) → outputs and MLflow. A config or data problem is
// returned before anything is logged or written. Secrets are redacted from
// its error, like from everything it logs, writes or says.
func Run(ctx context.Context, o Options) (*Report, error) {
	rep, err := run(ctx, o)
	return rep, redact.Error(err)
}

func run(ctx context.Context, o Options) (*Report, error) {
	notes := o.Notes
	if notes == nil {
		notes = func(Note) {}
	}
	o.Notes = func(n Note) { n.Text = redact.String(n.Text); notes(n) }
	if o.Progress == nil {
		o.Progress = func(Progress) {}
	}
	st, err := prepare(ctx, o)
	if err != nil {
		return nil, err
	}
	rep := &Report{Parsed: st.p, Plan: st.plan}
	if o.DryRun {
		return rep, nil
	}
	if err := open(ctx, o, st, rep); err != nil {
		return nil, err
	}
	if st.p.Config.Search != nil {
		err = search(ctx, o, st, rep)
	} else {
		err = execute(ctx, o, st, rep)
	}
	return rep, finish(ctx, o, st.run, rep, err)
}

// state is what the stages of a run pass on.
type state struct {
	p       *config.Parsed
	trainer Trainer
	raw     *frame.Frame // the table read; nil for a trainer that reads its own data
	data    *frame.Frame // raw after the dataset-level steps (prepare:)
	lines   []int        // the data file line of each row of data (nil: not from a file)
	balance *Balance     // the classes (a Balancer trainer), else nil
	origin  *DataOrigin  // nil when the data came in Options.Data
	plan    *Plan
	run     *mlflow.Run
	search  *trialSpec // the config's bytes, read once, for a search's trials
}

// prepare reads and checks the config, then reads the data and checks it
// against the config: everything that can refuse a run before it opens.
func prepare(ctx context.Context, o Options) (*state, error) {
	p, err := LoadFile(o.ConfigPath, &config.Options{Overrides: o.Overrides, AllowLarge: o.AllowLarge})
	if err != nil {
		return nil, err
	}
	for _, w := range p.Warnings {
		o.Notes(Note{Kind: Warning, Text: w.String()})
	}
	c := &p.Config
	st := &state{p: p}
	st.trainer, _ = lookup(c.Model.Trainer)
	features := 0
	if !readsOwnData(st.trainer) {
		if st.raw = o.Data; st.raw == nil {
			if st.raw, st.origin, err = loadData(ctx, c.Data); err != nil {
				return nil, fmt.Errorf("data: %w", err)
			}
		}
		if !st.raw.Has(c.Data.Target) {
			return nil, targetError(p, redact.URL(c.Data.Source), st.raw.Names())
		}
		if st.data, st.lines, err = prepareRows(p, st.raw, o.Data == nil); err != nil {
			return nil, err
		}
		if err := checkTarget(p, st.data, st.lines); err != nil {
			return nil, err
		}
		if b, ok := st.trainer.(Balancer); ok { // checks what CheckData does
			if st.balance, err = b.Balance(c, st.data); err != nil {
				return nil, p.Locate(err)
			}
		} else if dc, ok := st.trainer.(DataChecker); ok {
			if err := p.Locate(dc.CheckData(c, st.data)); err != nil {
				return nil, err
			}
		}
		if features, err = checkFeatures(p, st.data, st.lines); err != nil {
			return nil, err
		}
	}
	if c.Search != nil {
		if st.search, err = readSpec(o); err != nil {
			return nil, err
		}
		if err := checkSearchParams(st.search, p); err != nil {
			return nil, err
		}
	}
	resolved, err := p.ResolvedYAML()
	if err != nil {
		return nil, err
	}
	st.plan = &Plan{Source: redact.String(c.Data.Source), OwnData: st.data == nil, Resolved: resolved,
		Folds: c.Validation.NSplits * c.Validation.Repeats(), file: p.File, c: c}
	if st.data != nil {
		st.plan.Rows, st.plan.Columns = st.data.Shape()
		st.plan.RowsRead = st.raw.Len()
		st.plan.Types = kindCounts(st.data)
		st.plan.Features = features
		st.plan.Balance = st.balance
	}
	return st, nil
}

// open checks the server when one is required, makes the output
// directory and opens the MLflow run (or its spool).
func open(ctx context.Context, o Options, st *state, rep *Report) error {
	c := &st.p.Config
	if o.RequireServer {
		tc := mlflow.Config{}
		if o.Tracking != nil {
			tc = *o.Tracking
		}
		tc.Offline = tc.Offline || c.Tracking.Offline
		if err := requireServer(ctx, tc); err != nil {
			return err
		}
	}
	rep.Out = o.Out
	if rep.Out == "" {
		rep.Out = filepath.Join(DefaultOutRoot(), safeName(c.Name), time.Now().UTC().Format("20060102-150405.000"))
	}
	if err := prepareOut(rep.Out); err != nil {
		return err
	}
	run, err := mlflow.Open(ctx, trackingConfig(o, st.p))
	if err != nil {
		return fmt.Errorf("tracking: %w", err)
	}
	st.run = run
	rep.Spool, rep.Online = run.SpoolPath(), run.Online()
	if c := run.Client(); c != nil {
		rep.Server = redact.URL(c.TrackingURI())
	}
	return nil
}

// finish ends the run with the status err says and fills in where it
// went; with Options.RequireServer, a run that fell back to the spool is
// an error after all.
func finish(ctx context.Context, o Options, run *mlflow.Run, rep *Report, err error) error {
	status := mlflow.StatusFinished
	if err != nil {
		status = mlflow.StatusFailed
		if errors.Is(err, context.Canceled) {
			status = mlflow.StatusKilled
		}
	}
	endErr := run.End(context.WithoutCancel(ctx), status)
	closeErr := run.Close()
	rep.RunID = run.ID()
	rep.ServerErr = run.ServerError()
	if ms := run.LoggedModels(); rep.Model != nil && rep.Model.ModelID == "" && len(ms) > 0 {
		rep.Model = &ms[len(ms)-1] // spooled by an outage, delivered by End
	}
	rep.Online = run.Online() && rep.ServerErr == nil && !errors.Is(errors.Join(endErr, closeErr), mlflow.ErrSpooled)
	if rep.Online {
		rep.RunURL = run.PageURL()
	}
	if err != nil {
		return err
	}
	if err := errors.Join(endErr, closeErr); err != nil && !errors.Is(err, mlflow.ErrSpooled) {
		return fmt.Errorf("tracking: %w", err)
	}
	rep.Finished = true
	if o.RequireServer && !rep.Online {
		return fmt.Errorf("tracking: the MLflow server %s was unreachable during the run (%v); the run is kept in %s: send it with `train sync` (%w)",
			rep.Server, rep.ServerErr, rep.Spool, mlflow.ErrSpooled)
	}
	return nil
}

// execute logs the config and the data's lineage, trains, and writes and
// logs what the trainer returns.
func execute(ctx context.Context, o Options, st *state, rep *Report) error {
	ds, err := logInputs(st, rep.Out)
	if err != nil {
		return err
	}
	outcome, err := train(ctx, o, st, rep.Out)
	if err != nil {
		return err
	}
	rep.Outcome = outcome
	rep.Model, err = logOutcome(ctx, st, rep.Out, outcome, ds)
	return err
}

// logInputs logs the resolved config as params, the data as the run's
// dataset input (when its bytes are known), and writes
// config.resolved.yaml. It returns the dataset, for the logged model.
func logInputs(st *state, out string) (*mlflow.Dataset, error) {
	params, err := st.p.Params()
	if err != nil {
		return nil, err
	}
	if b := st.balance; b != nil && b.Positive != "" {
		params["data.positive"] = b.Positive // also when a default rule chose it
	}
	if err := logParams(st.run, params); err != nil {
		return nil, err
	}
	var ds *mlflow.Dataset
	if st.raw != nil && st.origin != nil {
		d, err := datasetOf(&st.p.Config, st.raw, st.origin)
		if err != nil {
			return nil, err
		}
		if err := logLineage(st.run, d, st.origin); err != nil {
			return nil, err
		}
		ds = &d
	}
	return ds, os.WriteFile(filepath.Join(out, "config.resolved.yaml"), st.plan.Resolved, 0o644)
}

// train runs the trainer; an error it locates at a key (the data
// contradicts the config) becomes a config error.
func train(ctx context.Context, o Options, st *state, out string) (*Outcome, error) {
	c := &st.p.Config
	label := fmt.Sprintf("cross-validation %d×%d", c.Validation.NSplits, c.Validation.Repeats())
	if st.data == nil {
		label = c.Model.Trainer
	}
	job := &Job{
		Config: c, Data: st.data, Lines: st.lines, Out: out,
		NewPipeline: func() *clean.Pipeline {
			pipe, err := st.p.Pipeline()
			if err != nil {
				panic("experiment: pipeline validated earlier fails: " + err.Error())
			}
			return pipe
		},
		Progress: func(done, total int) { o.Progress(Progress{Label: label, Done: done, Total: total}) },
		Notef:    func(format string, args ...any) { o.Notes(Note{Kind: Info, Text: fmt.Sprintf(format, args...)}) },
	}
	outcome, err := st.trainer.Train(ctx, job)
	if err != nil {
		return nil, st.p.Locate(err)
	}
	return outcome, nil
}

// logOutcome writes the outcome's files and logs them, its params and
// metrics, and its model (registered when the config says so).
func logOutcome(ctx context.Context, st *state, out string, oc *Outcome, ds *mlflow.Dataset) (*mlflow.ModelInfo, error) {
	c, run := &st.p.Config, st.run
	if err := writeOutputs(out, c, oc); err != nil {
		return nil, err
	}
	for k, v := range oc.Params {
		if err := run.LogParam("data."+k, v); err != nil {
			return nil, err
		}
	}
	if err := logMetrics(run, oc); err != nil {
		return nil, err
	}
	if err := logArtifacts(ctx, run, out, oc); err != nil {
		return nil, err
	}
	if oc.Model == nil || !config.On(c.Artifacts.Model) {
		return nil, nil
	}
	info, err := run.LogModel(ctx, *oc.Model, mlflow.LogModelOptions{
		RegisteredModelName: c.Tracking.RegisterModel, Alias: c.Tracking.Alias, Dataset: ds,
	})
	if err != nil && !errors.Is(err, mlflow.ErrSpooled) {
		return nil, fmt.Errorf("log model: %w", err)
	}
	return info, nil
}
