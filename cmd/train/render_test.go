package main

import (
	"bytes"
	"errors"
	"math"
	"strings"
	"testing"

	"github.com/mlstack/mlstack/pkg/experiment"
	"github.com/mlstack/mlstack/pkg/experiment/config"
	"github.com/mlstack/mlstack/pkg/metrics"
	"github.com/mlstack/mlstack/pkg/mlflow"
)

// The summary train prints after a run: the table of scores, and links to
// the run and model pages online, or where the run waits when it is not.
func TestPrintSummary(t *testing.T) {
	parsed := &config.Parsed{Config: config.Config{Name: "diabetes"}}
	folds := &metrics.Summary{
		Folds:     make([]metrics.FoldScores, 10),
		Aggregate: map[string]metrics.Stat{"roc_auc": {N: 10, Mean: 0.83, Std: 0.02, Lo: 0.81, Hi: 0.85}, "mcc": {N: 1, Mean: 0.4, Std: math.NaN(), Lo: math.NaN(), Hi: math.NaN()}},
		Level:     0.95, Interval: "student_t",
	}
	heldOut := &metrics.Summary{Aggregate: map[string]metrics.Stat{"map50": {N: 1, Mean: 0.7, Std: math.NaN(), Lo: math.NaN(), Hi: math.NaN()}}, Level: 0.95, Interval: "none"}
	tests := []struct {
		name    string
		rep     experiment.Report
		want    []string
		notWant []string
	}{
		{"online", experiment.Report{Online: true, RunURL: "http://mlflow:5000/#/experiments/1/runs/abc", Out: "out",
			Model: &mlflow.ModelInfo{RunModelURI: "runs:/abc/model", ModelURI: "models:/m-1", PageURL: "http://mlflow:5000/#/models/m-1"}, Outcome: &experiment.Outcome{Summary: folds}},
			[]string{"diabetes — 10 folds, 95% confidence intervals (student t)", "  roc_auc    0.8300    0.0200    0.8100    0.8500",
				"outputs:  out\n", "mlflow:   http://mlflow:5000/#/experiments/1/runs/abc\n", "model:    runs:/abc/model (models:/m-1)\n", "          http://mlflow:5000/#/models/m-1\n"},
			[]string{"NaN"}},
		{"unreachable", experiment.Report{Server: "http://127.0.0.1:18599", ServerErr: errors.New("connection refused"), Spool: "/s/run", Outcome: &experiment.Outcome{Summary: folds}},
			[]string{"mlflow:   http://127.0.0.1:18599 did not answer: connection refused\nspool:    /s/run\n" + UnreachableLine + "\n"}, nil},
		{"offline", experiment.Report{Spool: "/s/run", Outcome: &experiment.Outcome{Summary: folds}},
			[]string{"mlflow:   offline — run kept in /s/run; `train sync` sends it to a server later"}, nil},
		{"held out", experiment.Report{Outcome: &experiment.Outcome{Summary: heldOut}},
			[]string{"diabetes — held-out evaluation (no folds, no intervals)", "  metric     value\n", "  map50     0.7000\n"}, []string{"NaN", "CI low"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.rep.Parsed = parsed
			var b bytes.Buffer
			printSummary(&b, &tt.rep)
			for _, w := range tt.want {
				if !strings.Contains(b.String(), w) {
					t.Errorf("summary lacks %q:\n%s", w, b.String())
				}
			}
			for _, w := range tt.notWant {
				if strings.Contains(b.String(), w) {
					t.Errorf("summary holds %q:\n%s", w, b.String())
				}
			}
		})
	}
}

// A run's notes go to stderr a line each; a tracking notice is a warning.
func TestReporterNotes(t *testing.T) {
	var b bytes.Buffer
	r := newReporter(&b)
	r.note(experiment.Note{Kind: experiment.Warning, Text: "x.yaml:9:21: warning: tracking.tags.api_token: a secret"})
	r.note(experiment.Note{Kind: experiment.Notice, Text: "mlflow: tracking server lost"})
	r.note(experiment.Note{Kind: experiment.Info, Text: "detection: drew 5 of 5 valid images"})
	r.progress(experiment.Progress{Label: "cross-validation 5×2", Done: 10, Total: 10})
	r.done()
	want := "x.yaml:9:21: warning: tracking.tags.api_token: a secret\ntrain: warning: mlflow: tracking server lost\ndetection: drew 5 of 5 valid images\ncross-validation 5×2 0% (0 of 10) 0s\ncross-validation 5×2 100% (10 of 10)"
	if !strings.HasPrefix(b.String(), want) {
		t.Errorf("stderr:\n%s\nwant it to start with\n%s", b.String(), want)
	}
}
