package experiment

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/mlstack/mlstack/internal/progress"
	"github.com/mlstack/mlstack/internal/redact"
	"github.com/mlstack/mlstack/pkg/clean"
	"github.com/mlstack/mlstack/pkg/experiment/config"
	"github.com/mlstack/mlstack/pkg/frame"
	"github.com/mlstack/mlstack/pkg/mlflow"
)

// Options configures Run.
type Options struct {
	ConfigPath string   // the YAML experiment
	Overrides  []string // path=value, applied before validation
	Out        string   // output directory; "" means a new directory under DefaultOutRoot()
	DryRun     bool     // validate, print the plan, train and log nothing
	// AllowLarge lifts the bounds a config may not exceed otherwise
	// (model.params.n_estimators ≤ MaxEstimators).
	AllowLarge bool
	// Tracking overrides where the run is logged (nil: from the config and
	// the environment).
	Tracking *mlflow.Config
	// RequireServer makes the MLflow server mandatory: with none
	// configured, or one that does not answer when the run starts, Run
	// fails before training; if the server is lost during the run, the
	// run completes in the spool and Run returns an error wrapping
	// mlflow.ErrSpooled after the summary.
	RequireServer bool
	Stdout        io.Writer // the plan and the summary table
	Stderr        io.Writer // warnings and progress
	// Data, when not nil, is the table to train on instead of reading
	// data.source (a notebook that has loaded it already); data.source is
	// still what the run records as its source, without a dataset input
	// (the bytes behind the table are unknown).
	Data *frame.Frame
	// Progress, when not nil, is told of finished folds (done of total)
	// instead of drawing a progress bar on Stderr.
	Progress func(done, total int)
}

// Report tells where a run's results went.
type Report struct {
	Parsed  *config.Parsed
	Outcome *Outcome
	Out     string // output directory
	RunID   string // MLflow run id ("" when spooled)
	RunURL  string // MLflow UI link ("" when spooled)
	Spool   string // journal directory of the run
	Model   *mlflow.ModelInfo
	Online  bool
	// Server is the tracking server (password masked), "" offline.
	Server string
	// ServerErr says why the run, or part of it, stayed in the spool
	// although a server was configured: it was unreachable.
	ServerErr error
}

// DefaultOutRoot is where outputs go without --out: beside the MLflow spool.
func DefaultOutRoot() string {
	return filepath.Join(filepath.Dir(mlflow.DefaultSpoolDir()), "runs")
}

// Run parses, validates and runs the experiment of o.ConfigPath. A config or
// data problem is returned before anything is logged or written. Secrets
// are redacted from its error, like from everything it logs or writes.
func Run(ctx context.Context, o Options) (*Report, error) {
	rep, err := run(ctx, o)
	return rep, redact.Error(err)
}

func run(ctx context.Context, o Options) (*Report, error) {
	if o.Stdout == nil {
		o.Stdout = io.Discard
	}
	if o.Stderr == nil {
		o.Stderr = io.Discard
	}
	p, err := LoadFile(o.ConfigPath, &config.Options{Overrides: o.Overrides, AllowLarge: o.AllowLarge})
	if err != nil {
		return nil, err
	}
	for _, w := range p.Warnings {
		fmt.Fprintln(o.Stderr, w)
	}
	c := &p.Config
	trainer, _ := lookup(c.Model.Trainer)
	var data *frame.Frame
	var origin *DataOrigin
	if !readsOwnData(trainer) {
		data = o.Data
		if data == nil {
			if data, origin, err = loadData(ctx, c.Data); err != nil {
				return nil, fmt.Errorf("data: %w", err)
			}
		}
		if !data.Has(c.Data.Target) {
			return nil, p.ErrAt("data.target", "column %q is not in %s; columns: %s", c.Data.Target, redact.URL(c.Data.Source), strings.Join(data.Names(), ", "))
		}
		if dc, ok := trainer.(DataChecker); ok {
			if err := p.Locate(dc.CheckData(c, data)); errors.Is(err, config.ErrConfig) {
				return nil, err
			}
		}
	}
	if o.DryRun {
		return &Report{Parsed: p}, printPlan(o.Stdout, p, data)
	}

	if o.RequireServer {
		tc := mlflow.Config{}
		if o.Tracking != nil {
			tc = *o.Tracking
		}
		tc.Offline = tc.Offline || c.Tracking.Offline
		if err := requireServer(ctx, tc); err != nil {
			return nil, err
		}
	}
	out := o.Out
	if out == "" {
		out = filepath.Join(DefaultOutRoot(), safeName(c.Name), time.Now().UTC().Format("20060102-150405.000"))
	}
	if err := prepareOut(out); err != nil {
		return nil, err
	}
	tc := mlflow.Config{}
	if o.Tracking != nil {
		tc = *o.Tracking
	}
	tc.ExperimentName = c.ExperimentName()
	tc.RunName = c.Tracking.RunName
	if tc.RunName == "" {
		tc.RunName = c.Name
	}
	tc.Offline = tc.Offline || c.Tracking.Offline
	// "Logged from" is the config file, not the train binary.
	if tc.SourceName == "" {
		if tc.SourceName, err = filepath.Abs(p.File); err != nil {
			tc.SourceName = p.File
		}
		tc.SourceType = mlflow.SourceLocal
	}
	tc.SystemMetrics = tc.SystemMetrics || config.On(c.Tracking.SystemMetrics)
	tc.Tags = mergeTags(tc.Tags, redactTags(p, c.Tracking.Tags), map[string]string{"mlstack.trainer": c.Model.Trainer, "mlstack.config": filepath.Base(p.File)})
	if tc.Logf == nil {
		// The run's notices (server lost, server back) stand out from
		// the progress bar.
		tc.Logf = func(format string, args ...any) {
			fmt.Fprintf(o.Stderr, "\ntrain: warning: "+format+"\n", args...)
		}
	}
	run, err := mlflow.Open(ctx, tc)
	if err != nil {
		return nil, fmt.Errorf("tracking: %w", err)
	}
	rep := &Report{Parsed: p, Out: out, Spool: run.SpoolPath(), Online: run.Online()}
	if c := run.Client(); c != nil {
		rep.Server = redact.URL(c.TrackingURI())
	}
	err = execute(ctx, o, p, trainer, data, origin, run, rep)
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
		return rep, err
	}
	if err := errors.Join(endErr, closeErr); err != nil && !errors.Is(err, mlflow.ErrSpooled) {
		return rep, fmt.Errorf("tracking: %w", err)
	}
	printSummary(o.Stdout, rep)
	if o.RequireServer && !rep.Online {
		return rep, fmt.Errorf("tracking: the MLflow server %s was unreachable during the run (%v); the run is kept in %s: send it with `train sync` (%w)",
			rep.Server, rep.ServerErr, rep.Spool, mlflow.ErrSpooled)
	}
	return rep, nil
}

// requireServer checks that a tracking server is configured and answers
// its /health within the connect timeout, before anything is trained.
func requireServer(ctx context.Context, tc mlflow.Config) error {
	uri := tc.TrackingURI
	if uri == "" {
		uri = os.Getenv("MLFLOW_TRACKING_URI")
	}
	if uri == "" || tc.Offline {
		return errors.New("tracking: a server is required, but MLFLOW_TRACKING_URI is not set (or tracking.offline is true)")
	}
	c, err := mlflow.New(uri, tc.Options)
	if err != nil {
		return fmt.Errorf("tracking: %w", err)
	}
	wait := tc.ConnectTimeout
	if wait <= 0 {
		wait = 10 * time.Second
	}
	for deadline := time.Now().Add(wait); ; {
		hctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		err = c.Health(hctx)
		cancel()
		if err == nil {
			return nil
		}
		if ctx.Err() != nil || time.Now().After(deadline) {
			return fmt.Errorf("tracking: a server is required, but %s does not answer: %w", redact.URL(uri), err)
		}
		time.Sleep(time.Second)
	}
}

func execute(ctx context.Context, o Options, p *config.Parsed, trainer Trainer, data *frame.Frame, origin *DataOrigin, run *mlflow.Run, rep *Report) error {
	c := &p.Config
	params, err := p.Params()
	if err != nil {
		return err
	}
	if err := logParams(run, params); err != nil {
		return err
	}
	var ds *mlflow.Dataset
	if data != nil && origin != nil {
		d, err := datasetOf(c, data, origin)
		if err != nil {
			return err
		}
		if err := logLineage(run, d, origin); err != nil {
			return err
		}
		ds = &d
	}
	resolved, err := p.ResolvedYAML()
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(rep.Out, "config.resolved.yaml"), resolved, 0o644); err != nil {
		return err
	}

	var bar *progress.Bar
	job := &Job{
		Config: c, Data: data, Out: rep.Out, Log: o.Stderr,
		NewPipeline: func() *clean.Pipeline {
			pipe, err := p.Pipeline()
			if err != nil {
				panic("experiment: pipeline validated earlier fails: " + err.Error())
			}
			return pipe
		},
		Progress: func(done, n int) {
			if o.Progress != nil {
				o.Progress(done, n)
				return
			}
			if bar == nil {
				label := fmt.Sprintf("cross-validation %d×%d", c.Validation.NSplits, c.Validation.Repeats())
				if readsOwnData(trainer) {
					label = c.Model.Trainer
				}
				bar = progress.New(o.Stderr, label, n)
			}
			bar.Set(done)
		},
	}
	outcome, err := trainer.Train(ctx, job)
	if bar != nil {
		bar.Done()
	}
	if err != nil {
		return p.Locate(err) // a *config.FieldError: the data contradicts the config
	}
	rep.Outcome = outcome
	if err := writeOutputs(rep.Out, c, outcome); err != nil {
		return err
	}
	for k, v := range outcome.Params {
		if err := run.LogParam("data."+k, v); err != nil {
			return err
		}
	}
	if err := logMetrics(run, outcome); err != nil {
		return err
	}
	if err := logArtifacts(ctx, run, rep.Out, outcome); err != nil {
		return err
	}
	if outcome.Model != nil && config.On(c.Artifacts.Model) {
		info, err := run.LogModel(ctx, *outcome.Model, mlflow.LogModelOptions{
			RegisteredModelName: c.Tracking.RegisterModel, Alias: c.Tracking.Alias, Dataset: ds,
		})
		if err != nil && !errors.Is(err, mlflow.ErrSpooled) {
			return fmt.Errorf("log model: %w", err)
		}
		rep.Model = info
	}
	return nil
}

func logParams(run *mlflow.Run, params map[string]string) error {
	keys := make([]string, 0, len(params))
	for k := range params {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		if err := run.LogParam(k, params[k]); err != nil {
			return fmt.Errorf("param %s: %w", k, err)
		}
	}
	return nil
}

// logMetrics logs each metric's aggregate as <name>_mean, _std, _ci_low and
// _ci_high, and its per-fold values as fold_<name> with the fold's position
// as step (a curve in the MLflow UI).
func logMetrics(run *mlflow.Run, oc *Outcome) error {
	s := oc.Summary
	for _, name := range sortedKeys(s.Aggregate) {
		st := s.Aggregate[name]
		for suffix, v := range map[string]float64{"mean": st.Mean, "std": st.Std, "ci_low": st.Lo, "ci_high": st.Hi} {
			if math.IsNaN(v) {
				continue
			}
			if err := run.LogMetric(name+"_"+suffix, v, 0); err != nil {
				return err
			}
		}
	}
	for i, f := range s.Folds {
		for name, v := range f.Scores {
			if err := run.LogMetric("fold_"+name, v, int64(i)); err != nil {
				return err
			}
		}
	}
	for _, name := range sortedKeys(oc.Metrics) {
		if err := run.LogMetric(name, oc.Metrics[name], 0); err != nil {
			return err
		}
	}
	for _, name := range sortedKeys(oc.History) {
		for i, v := range oc.History[name] {
			if math.IsNaN(v) {
				continue
			}
			if err := run.LogMetric(name, v, int64(i+1)); err != nil {
				return err
			}
		}
	}
	return nil
}

// logArtifacts logs the output directory's files (the model is logged as a
// model, not as loose files).
func logArtifacts(ctx context.Context, run *mlflow.Run, out string, oc *Outcome) error {
	return filepath.WalkDir(out, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(out, path)
		if oc.ModelDir != "" && strings.HasPrefix(path, oc.ModelDir+string(filepath.Separator)) && filepath.Base(path) != "model.txt" {
			return nil
		}
		dir := filepath.Dir(rel)
		if dir == "." {
			dir = ""
		}
		if err := run.LogArtifact(ctx, path, filepath.ToSlash(dir)); err != nil && !errors.Is(err, mlflow.ErrSpooled) {
			return fmt.Errorf("artifact %s: %w", rel, err)
		}
		return nil
	})
}

// writeOutputs writes metrics.json, oof_predictions.csv, pipeline.json and
// schema.json.
func writeOutputs(out string, c *config.Config, oc *Outcome) error {
	if err := writeJSON(filepath.Join(out, "metrics.json"), oc.Summary); err != nil {
		return err
	}
	if oc.Pipeline != nil {
		if err := writeJSON(filepath.Join(out, "pipeline.json"), oc.Pipeline); err != nil {
			return err
		}
	}
	if oc.Schema != nil {
		if err := writeJSON(filepath.Join(out, "schema.json"), oc.Schema); err != nil {
			return err
		}
	}
	if oc.CV != nil && config.On(c.Artifacts.OOFPredictions) {
		if err := writeOOF(filepath.Join(out, "oof_predictions.csv"), oc); err != nil {
			return err
		}
	}
	return nil
}

func writeJSON(path string, v any) error {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return fmt.Errorf("%s: %w", filepath.Base(path), err)
	}
	return writeFileAtomic(path, append(b, '\n'))
}

// writeOOF writes row, repeat, fold, y_true, y_score (and y_pred, and one
// column per class for multiclass).
func writeOOF(path string, oc *Outcome) error {
	var b strings.Builder
	w := csv.NewWriter(&b)
	head := []string{"row", "repeat", "fold", "y_true", "y_score", "y_pred"}
	if oc.CV.Classes > 2 {
		for k := 0; k < oc.CV.Classes; k++ {
			head = append(head, fmt.Sprintf("p_%d", k))
		}
	}
	w.Write(head)
	f := func(v float64) string { return strconv.FormatFloat(v, 'g', -1, 64) }
	for _, p := range oc.CV.Predictions {
		rec := []string{strconv.Itoa(p.Row), strconv.Itoa(p.Repeat), strconv.Itoa(p.Fold), f(p.YTrue), f(p.YScore), f(p.YPred)}
		for _, q := range p.Proba {
			rec = append(rec, f(q))
		}
		w.Write(rec)
	}
	w.Flush()
	return writeFileAtomic(path, []byte(b.String()))
}

// writeFileAtomic writes via a temporary file and a rename, so a crash never
// leaves a half-written file.
func writeFileAtomic(path string, b []byte) error {
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, b, 0o644); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}

// prepareOut creates the output directory, refusing one that holds files:
// earlier results are never overwritten.
func prepareOut(out string) error {
	entries, err := os.ReadDir(out)
	if err == nil && len(entries) > 0 {
		return fmt.Errorf("output directory %s is not empty; choose another --out (earlier results are never overwritten)", out)
	}
	return os.MkdirAll(out, 0o755)
}

// redactTags replaces the values of secret-named tags and redacts the
// others (credentials in URLs, values of secret environment variables).
func redactTags(p *config.Parsed, tags map[string]string) map[string]string {
	out := make(map[string]string, len(tags))
	for k, v := range tags {
		if p.IsSecretPath("tracking.tags." + k) {
			v = config.Redacted
		}
		out[k] = redact.String(v)
	}
	return out
}

func mergeTags(ms ...map[string]string) map[string]string {
	out := map[string]string{}
	for _, m := range ms {
		for k, v := range m {
			out[k] = v
		}
	}
	return out
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

func safeName(s string) string {
	return strings.Map(func(r rune) rune {
		if r == '/' || r == ' ' || r == os.PathSeparator {
			return '-'
		}
		return r
	}, s)
}

func printPlan(w io.Writer, p *config.Parsed, data *frame.Frame) error {
	c := &p.Config
	resolved, err := p.ResolvedYAML()
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "# %s: valid (dry run: nothing trained or logged)\n", p.File)
	if data == nil {
		fmt.Fprintf(w, "# data: %s (read by the %s trainer)\n", redact.String(c.Data.Source), c.Model.Trainer)
		_, err = w.Write(resolved)
		return err
	}
	rows, cols := data.Shape()
	fmt.Fprintf(w, "# data: %s, %d rows × %d columns, target %s\n", redact.String(c.Data.Source), rows, cols, c.Data.Target)
	fmt.Fprintf(w, "# plan: clean (%d steps) → %s → %s trainer, %s %d×%d = %d fits + 1 final fit\n",
		len(c.Clean), c.Resample.Method, c.Model.Trainer, c.Validation.Method, c.Validation.NSplits, c.Validation.Repeats(),
		c.Validation.NSplits*c.Validation.Repeats())
	_, err = w.Write(resolved)
	return err
}

// UnreachableLine ends the summary of a run whose tracking server did not
// answer: the run is in the spool, and `train sync` sends it.
const UnreachableLine = "mlflow:   server unreachable — run spooled, `train sync` to send"

func printSummary(w io.Writer, rep *Report) {
	s := rep.Outcome.Summary
	if len(s.Folds) > 0 {
		fmt.Fprintf(w, "\n%s — %d folds, %.0f%% confidence intervals (%s)\n\n", rep.Parsed.Config.Name, len(s.Folds), s.Level*100, strings.ReplaceAll(s.Interval, "_", " "))
	} else {
		fmt.Fprintf(w, "\n%s — held-out evaluation (no folds, no intervals)\n\n", rep.Parsed.Config.Name)
	}
	width, spread := len("metric"), false
	for name, st := range s.Aggregate {
		width = max(width, len(name))
		spread = spread || st.N > 1
	}
	// One value per metric (a held-out evaluation) has no spread: only
	// the value is printed. Otherwise a cell without a value (a metric
	// defined in one fold only) is a dash, never NaN.
	num := func(v float64) string {
		if math.IsNaN(v) {
			return "—"
		}
		return strconv.FormatFloat(v, 'f', 4, 64)
	}
	if spread {
		fmt.Fprintf(w, "  %-*s  %8s  %8s  %8s  %8s\n", width, "metric", "mean", "std", "CI low", "CI high")
	} else {
		fmt.Fprintf(w, "  %-*s  %8s\n", width, "metric", "value")
	}
	for _, name := range sortedKeys(s.Aggregate) {
		st := s.Aggregate[name]
		if spread {
			fmt.Fprintf(w, "  %-*s  %8s  %8s  %8s  %8s\n", width, name, num(st.Mean), num(st.Std), num(st.Lo), num(st.Hi))
		} else {
			fmt.Fprintf(w, "  %-*s  %8s\n", width, name, num(st.Mean))
		}
	}
	fmt.Fprintln(w)
	fmt.Fprintf(w, "outputs:  %s\n", rep.Out)
	switch {
	case rep.Online:
		fmt.Fprintf(w, "mlflow:   %s\n", rep.RunURL)
		if rep.Model != nil {
			fmt.Fprintf(w, "model:    %s (%s)\n", rep.Model.RunModelURI, rep.Model.ModelURI)
			if rep.Model.PageURL != "" {
				fmt.Fprintf(w, "          %s\n", rep.Model.PageURL)
			}
		}
	case rep.ServerErr != nil:
		fmt.Fprintf(w, "mlflow:   %s did not answer: %v\nspool:    %s\n%s\n", rep.Server, rep.ServerErr, rep.Spool, UnreachableLine)
	default:
		fmt.Fprintf(w, "mlflow:   offline — run kept in %s; `train sync` sends it to a server later\n", rep.Spool)
	}
}
