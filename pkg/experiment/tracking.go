package experiment

import (
	"context"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/mlstack/mlstack/internal/redact"
	"github.com/mlstack/mlstack/pkg/experiment/config"
	"github.com/mlstack/mlstack/pkg/mlflow"
)

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

// trackingConfig is where and how the run is logged: o.Tracking, then the
// config's tracking section. The run is named after the config and
// "logged from" the config file, not the train binary.
func trackingConfig(o Options, p *config.Parsed) mlflow.Config {
	c := &p.Config
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
	if tc.SourceName == "" {
		var err error
		if tc.SourceName, err = filepath.Abs(p.File); err != nil {
			tc.SourceName = p.File
		}
		tc.SourceType = mlflow.SourceLocal
	}
	tc.SystemMetrics = tc.SystemMetrics || config.On(c.Tracking.SystemMetrics)
	tc.Tags = mergeTags(tc.Tags, redactTags(p, c.Tracking.Tags), map[string]string{"mlstack.trainer": c.Model.Trainer, "mlstack.config": filepath.Base(p.File)})
	if tc.Logf == nil {
		// The run's notices (server lost, server back).
		tc.Logf = func(format string, args ...any) {
			o.Notes(Note{Kind: Notice, Text: fmt.Sprintf(format, args...)})
		}
	}
	return tc
}
