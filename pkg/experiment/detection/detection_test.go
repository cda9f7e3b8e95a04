package detection_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/mlstack/mlstack/internal/testenv"
	"github.com/mlstack/mlstack/pkg/detect"
	"github.com/mlstack/mlstack/pkg/experiment"
	"github.com/mlstack/mlstack/pkg/experiment/config"
	_ "github.com/mlstack/mlstack/pkg/experiment/detection"
	"github.com/mlstack/mlstack/pkg/mlflow"
)

func TestMain(m *testing.M) { testenv.Main(m) }

// model.params decode into the trainer's typed parameters; detect's own
// range checks are located at their key.
func TestParamErrors(t *testing.T) {
	const src = `version: 1
name: t
data: {source: ../../../testdata/faces_yolo}
model:
  trainer: detection
`
	for _, tc := range []struct{ params, want string }{
		{"{epoch: 3}", `t.yaml:6:12: model.params.epoch: unknown parameter; known: image_size, epochs, batch_size, learning_rate, width, flip, scale, box_weight, class_weight, min_score, eval_min_score, nms_iou, max_dets, samples, backend (did you mean "epochs"?)`},
		{"{epochs: many}", `t.yaml:6:20: model.params.epochs: expected an integer, got "many"`},
		{"{image_size: 33}", "t.yaml:6:24: model.params.image_size: image_size must be a multiple of 8 in [32, 1024], got 33"},
		{"{min_score: 1.5}", "model.params.min_score: min_score must be in (0, 1), got 1.5"},
		{"{eval_min_score: 0}", "model.params.eval_min_score: must be in (0, 1), got 0"},
		{"{nms_iou: 2}", "model.params.nms_iou: must be in [0, 1], got 2"},
		{"{backend: [go]}", "model.params.backend: expected a string, got a list"},
	} {
		_, err := experiment.Parse("t.yaml", []byte(src+"  params: "+tc.params+"\n"), nil)
		if !errors.Is(err, config.ErrConfig) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: err = %v\nwant a config error containing %q", tc.params, err, tc.want)
		}
	}
	if _, err := experiment.Parse("t.yaml", []byte(src+"  params: {epochs: 2.0, flip: 0, backend: go}\n"), nil); err != nil {
		t.Errorf("valid params: %v", err)
	}
}

// TestDetectionKeepsBestEpoch trains configs/detection.yaml for a few
// epochs against a real MLflow server and checks what a user meets: the
// model is the best epoch's (by 0.1·mAP@0.5 + 0.9·mAP@0.5:0.95, logged as
// best_epoch, recorded in model.json), the summary holds its mAP and no
// NaN, every valid image is drawn, and the saved model's default score
// threshold is min_score (0.25 by default).
func TestDetectionKeepsBestEpoch(t *testing.T) {
	srv := testenv.MLflow(t)
	for _, kv := range srv.Env() {
		k, v, _ := strings.Cut(kv, "=")
		t.Setenv(k, v)
	}
	t.Setenv("MLSTACK_MLFLOW_SPOOL", t.TempDir())
	const epochs = 6
	out := filepath.Join(t.TempDir(), "out")
	var stderr bytes.Buffer
	rep, err := experiment.Run(context.Background(), experiment.Options{
		ConfigPath: "../../../configs/detection.yaml",
		Overrides: []string{"data.source=../../../testdata/faces_yolo", "model.params.epochs=" + strconv.Itoa(epochs),
			"tracking.experiment=" + testenv.Name("detection")},
		Out: out, Notes: func(n experiment.Note) { fmt.Fprintln(&stderr, n.Text) },
	})
	if err != nil {
		t.Fatalf("Run: %v\nstderr:\n%s", err, stderr.String())
	}
	if !rep.Online || !rep.Finished {
		t.Fatalf("run not online, or not finished: %+v", rep)
	}

	// The best epoch by the fitness, from the per-epoch history.
	h := rep.Outcome.History
	if len(h["val_map"]) != epochs || len(h["val_map50"]) != epochs {
		t.Fatalf("history has %d/%d epochs, want %d", len(h["val_map"]), len(h["val_map50"]), epochs)
	}
	best, bestFit := 0, math.Inf(-1)
	for i := range epochs {
		if fit := 0.1*h["val_map50"][i] + 0.9*h["val_map"][i]; fit > bestFit {
			best, bestFit = i+1, fit
		}
	}
	if got := rep.Outcome.Metrics["best_epoch"]; got != float64(best) {
		t.Errorf("best_epoch = %v, want %d (history %v)", got, best, h["val_map"])
	}
	agg := rep.Outcome.Summary.Aggregate
	if agg["map"].Mean != h["val_map"][best-1] || agg["map50"].Mean != h["val_map50"][best-1] {
		t.Errorf("summary mAP %v / %v, want epoch %d's %v / %v", agg["map"].Mean, agg["map50"].Mean, best, h["val_map"][best-1], h["val_map50"][best-1])
	}

	// model.json: the best epoch and the default threshold.
	b, err := os.ReadFile(filepath.Join(out, "model", "model.json"))
	if err != nil {
		t.Fatal(err)
	}
	var meta detect.Meta
	if err := json.Unmarshal(b, &meta); err != nil {
		t.Fatal(err)
	}
	if meta.Epoch != best || meta.ScoreThreshold != 0.25 || !(meta.ObjPrior > 0 && meta.ObjPrior < 0.5) {
		t.Errorf("model.json: epoch %d score_threshold %v obj_prior %v; want epoch %d, 0.25, a prior in (0, 0.5)", meta.Epoch, meta.ScoreThreshold, meta.ObjPrior, best)
	}

	// The summary: one value per metric (no folds, no spread: train prints
	// it as a held-out evaluation, cmd/train TestPrintSummary), no NaN.
	s := rep.Outcome.Summary
	for name, st := range s.Aggregate {
		if st.N != 1 || math.IsNaN(st.Mean) || len(s.Folds) != 0 {
			t.Errorf("summary %s: %+v over %d folds, want one value", name, st, len(s.Folds))
		}
	}
	// Nothing drawn (a few epochs make an unsure model) is explained.
	if log := stderr.String(); strings.Contains(log, "(predictions/): 0 boxes") && !strings.Contains(log, "no detection reaches min_score 0.25 (best score 0.") {
		t.Errorf("no box drawn and no word why:\n%s", log)
	}
	pngs, _ := filepath.Glob(filepath.Join(out, "predictions", "*.png"))
	if len(pngs) != 5 || rep.Outcome.Params["eval_images"] != "5" || !strings.Contains(stderr.String(), "drew 5 of 5 valid images") {
		t.Errorf("%d prediction images, eval_images %s; want 5 of 5 valid:\n%s", len(pngs), rep.Outcome.Params["eval_images"], stderr.String())
	}

	// MLflow has best_epoch and the mAP without NaN spreads.
	c, err := mlflow.New(srv.URL, nil)
	if err != nil {
		t.Fatal(err)
	}
	run, err := c.GetRun(context.Background(), rep.RunID)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]float64{}
	for _, m := range run.Data.Metrics {
		got[m.Key] = m.Value
	}
	if got["best_epoch"] != float64(best) || got["map_mean"] != agg["map"].Mean {
		t.Errorf("MLflow metrics best_epoch %v map_mean %v, want %d and %v", got["best_epoch"], got["map_mean"], best, agg["map"].Mean)
	}
	for _, k := range []string{"map_std", "map_ci_low", "map50_ci_high"} {
		if _, ok := got[k]; ok {
			t.Errorf("MLflow has %s for a single value", k)
		}
	}
}
