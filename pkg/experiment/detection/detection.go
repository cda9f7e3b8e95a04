package detection

import (
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"image"
	"maps"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/mlstack/mlstack/pkg/dataset"
	"github.com/mlstack/mlstack/pkg/detect"
	"github.com/mlstack/mlstack/pkg/experiment"
	"github.com/mlstack/mlstack/pkg/experiment/config"
	"github.com/mlstack/mlstack/pkg/metrics"
)

func init() {
	experiment.Register("detection", func() experiment.Trainer { return detection{} })
}

// Metrics are the metric names the detection trainer reports.
var Metrics = []string{"map50", "map"}

// detection trains a small single-stage detector (pkg/detect, GoMLX) on a
// YOLO-format dataset: data.source is a folder with data.yaml, a zip, or
// roboflow:WORKSPACE/PROJECT/VERSION[/FORMAT] (ROBOFLOW_API_KEY from the
// environment). It reads its own data (not a table): no target, cleaning
// or resampling; the valid split (else train) is evaluated every epoch.
type detection struct{}

// OwnData tells Run to skip the tabular LoadData (experiment.OwnData).
func (detection) OwnData() bool { return true }

// params are model.params of the detection trainer, in the order the
// decoder lists them.
type params struct {
	ImageSize    int     `yaml:"image_size"`
	Epochs       int     `yaml:"epochs"`
	BatchSize    int     `yaml:"batch_size"`
	LearningRate float64 `yaml:"learning_rate"`
	Width        int     `yaml:"width"`
	Flip         float64 `yaml:"flip"`
	Scale        float64 `yaml:"scale"`
	BoxWeight    float64 `yaml:"box_weight"`
	ClassWeight  float64 `yaml:"class_weight"`
	// MinScore is what is drawn and the model's default threshold.
	MinScore float64 `yaml:"min_score"`
	// EvalMinScore is the lowest score mAP counts (COCO's average
	// precision wants them all, down to a low score).
	EvalMinScore float64 `yaml:"eval_min_score"`
	NMSIoU       float64 `yaml:"nms_iou"`
	MaxDets      int     `yaml:"max_dets"`
	Samples      int     `yaml:"samples"` // eval images drawn with their predictions, at most
	Backend      string  `yaml:"backend"` // a GoMLX backend such as go or xla:cpu
}

// trainParams are model.params as the detect package takes them.
type trainParams struct {
	cfg       detect.Config
	pred      detect.PredictOptions
	evalScore float64
	samples   int
}

// parseParams decodes model.params (defaults: flip 0.5, scale 0.2,
// eval_min_score 0.01, samples 8; zero elsewhere means detect's default)
// and checks them, errors located at their key.
func parseParams(c *config.Config) (*trainParams, error) {
	p := params{Flip: 0.5, Scale: 0.2, EvalMinScore: 0.01, Samples: 8}
	if err := c.Model.Params.Decode(&p); err != nil {
		return nil, err
	}
	t := &trainParams{
		cfg: detect.Config{Seed: c.Seed, ImageSize: p.ImageSize, Epochs: p.Epochs, BatchSize: p.BatchSize,
			LearningRate: p.LearningRate, Width: p.Width, Augment: detect.Augment{FlipProb: p.Flip, Scale: p.Scale},
			BoxWeight: p.BoxWeight, ClassWeight: p.ClassWeight, ScoreThreshold: p.MinScore, Backend: p.Backend},
		pred:      detect.PredictOptions{NMSIoU: p.NMSIoU, MaxDets: p.MaxDets},
		evalScore: p.EvalMinScore, samples: p.Samples,
	}
	if err := t.cfg.Validate(); err != nil {
		var ce *detect.ConfigError
		if errors.As(err, &ce) {
			return nil, &config.FieldError{Path: "model.params." + ce.Param, Msg: err.Error()}
		}
		return nil, &config.FieldError{Path: "model.params", Msg: err.Error()}
	}
	if !(t.evalScore > 0 && t.evalScore < 1) {
		return nil, &config.FieldError{Path: "model.params.eval_min_score", Msg: fmt.Sprintf("must be in (0, 1), got %v", t.evalScore)}
	}
	if !(t.pred.NMSIoU >= 0 && t.pred.NMSIoU <= 1) {
		return nil, &config.FieldError{Path: "model.params.nms_iou", Msg: fmt.Sprintf("must be in [0, 1], got %v", t.pred.NMSIoU)}
	}
	if t.samples < 0 || t.pred.MaxDets < 0 {
		return nil, &config.FieldError{Path: "model.params", Msg: "samples and max_dets must not be negative"}
	}
	return t, nil
}

func (detection) Validate(c *config.Config) error {
	src, err := dataset.ParseSource(c.Data.Source)
	if err != nil {
		return &config.FieldError{Path: "data.source", Msg: err.Error()}
	}
	switch src.Kind {
	case dataset.KindRoboflow, dataset.KindFile, dataset.KindURL:
	default:
		return &config.FieldError{Path: "data.source", Msg: fmt.Sprintf("detection reads a YOLO dataset: a folder with data.yaml, a zip, or roboflow:WORKSPACE/PROJECT/VERSION; got %s", c.Data.Source)}
	}
	if len(c.Clean) > 0 {
		return &config.FieldError{Path: "clean", Msg: "detection takes no cleaning steps"}
	}
	if c.Resample.Method != "none" {
		return &config.FieldError{Path: "resample.method", Msg: fmt.Sprintf("detection cannot resample; use none, got %q", c.Resample.Method)}
	}
	for i, name := range c.Metrics.Names {
		if !slices.Contains(Metrics, name) {
			return &config.FieldError{Path: fmt.Sprintf("metrics.names[%d]", i), Msg: fmt.Sprintf("unknown metric %q; detection reports %s", name, strings.Join(Metrics, ", "))}
		}
	}
	_, err = parseParams(c)
	return err
}

func (detection) Train(ctx context.Context, job *experiment.Job) (*experiment.Outcome, error) {
	c := job.Config
	p, err := parseParams(c)
	if err != nil {
		return nil, err
	}
	ds, err := loadDataset(ctx, c.Data.Source)
	if err != nil {
		return nil, err
	}
	ev, err := newEvalSet(ds, p, job)
	if err != nil {
		return nil, err
	}
	keep := &bestEpoch{dir: filepath.Join(job.Out, "model"), fit: math.Inf(-1), history: map[string][]float64{}}
	epochs := p.cfg.Epochs
	if epochs == 0 {
		epochs = 30
	}
	job.Notef("detection: %d train / %d %s images, classes %v, %d epochs", len(ds.Splits["train"]), len(ev.samples), ev.split, ds.Names, epochs)
	onEpoch := func(m *detect.Model, st detect.EpochStats) error {
		r, err := ev.evaluate(m, len(ds.Names))
		if err != nil {
			return err
		}
		mark, err := keep.record(m, st, r)
		if err != nil {
			return err
		}
		job.Notef("epoch %3d  loss %.4f (obj %.4f box %.4f cls %.4f)  %s mAP@0.5 %.4f  mAP@0.5:0.95 %.4f  %.1fs%s",
			st.Epoch, st.Loss, st.Obj, st.BoxLoss, st.ClassLo, ev.split, r.MAP50, r.MAP, st.Seconds, mark)
		job.Progress(st.Epoch, epochs)
		return nil
	}
	if _, err := detect.Train(ctx, ds, p.cfg, onEpoch); err != nil {
		if errors.Is(err, context.Canceled) {
			return nil, err
		}
		return nil, fmt.Errorf("detection: %w", err)
	}
	model, err := detect.Load(keep.dir, p.cfg.Backend)
	if err != nil {
		return nil, fmt.Errorf("best model: %w", err)
	}
	job.Notef("detection: the model is epoch %d's of %d (mAP@0.5 %.4f, mAP@0.5:0.95 %.4f on %s)",
		keep.epoch, epochs, keep.best.MAP50, keep.best.MAP, ev.split)
	if err := writeHistory(filepath.Join(job.Out, "epochs.csv"), keep.history); err != nil {
		return nil, err
	}
	if config.On(c.Artifacts.Charts) && p.samples > 0 {
		if err := drawPredictions(job, model, ev, p); err != nil {
			return nil, err
		}
	}
	return outcome(c, ds, ev, keep, model), nil
}

// loadDataset fetches a YOLO dataset (a folder, a zip, Roboflow) and
// reads it.
func loadDataset(ctx context.Context, source string) (*detect.Dataset, error) {
	src, err := dataset.ParseSource(source)
	if err != nil {
		return nil, err
	}
	tmp, err := os.MkdirTemp("", "mlstack-detect-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(tmp)
	fetched, err := dataset.FetchDataset(ctx, src, &dataset.FetchOptions{Dir: tmp})
	if err != nil {
		return nil, fmt.Errorf("data: %w", err)
	}
	ds, err := detect.LoadYOLO(fetched.Dir)
	if err != nil {
		return nil, fmt.Errorf("data: %w", err)
	}
	return ds, nil
}

// evalSet is what every epoch is evaluated on: the valid split, else the
// train split, loaded once.
type evalSet struct {
	split   string
	samples []detect.Sample
	pics    []*detect.Picture
	truth   [][]detect.Object
	// opts count the detections mAP wants (down to eval_min_score).
	opts detect.PredictOptions
}

func newEvalSet(ds *detect.Dataset, p *trainParams, job *experiment.Job) (*evalSet, error) {
	ev := &evalSet{split: "valid", opts: p.pred}
	ev.opts.MinScore = p.evalScore
	if len(ds.Splits[ev.split]) == 0 {
		ev.split = "train"
		job.Notef("detection: no valid split; evaluating on train")
	}
	ev.samples = ds.Splits[ev.split]
	for _, s := range ev.samples {
		pic, err := detect.LoadPicture(s.Image, p.cfg.ImageSize)
		if err != nil {
			return nil, err
		}
		ev.pics = append(ev.pics, pic)
		ev.truth = append(ev.truth, s.Objects)
	}
	return ev, nil
}

// evaluate scores model m on the set (COCO mAP).
func (ev *evalSet) evaluate(m *detect.Model, classes int) (detect.Result, error) {
	dets, err := m.Predict(ev.pics, &ev.opts)
	if err != nil {
		return detect.Result{}, err
	}
	return detect.Evaluate(ev.truth, dets, classes, nil), nil
}

// bestEpoch keeps the per-epoch history and the best epoch's weights (in
// dir, replaced whenever an epoch beats it), which are the model: by
// Ultralytics' fitness, 0.1·mAP@0.5 + 0.9·mAP@0.5:0.95, the first epoch of
// the best score.
type bestEpoch struct {
	dir     string
	history map[string][]float64
	best    detect.Result
	epoch   int
	fit     float64
}

// record adds an epoch to the history and saves its model if it is the
// best so far, returning a mark for the epoch's line.
func (b *bestEpoch) record(m *detect.Model, st detect.EpochStats, r detect.Result) (string, error) {
	for k, v := range map[string]float64{"train_loss": st.Loss, "train_obj_loss": st.Obj, "train_box_loss": st.BoxLoss,
		"train_cls_loss": st.ClassLo, "val_map50": r.MAP50, "val_map": r.MAP, "epoch_seconds": st.Seconds} {
		b.history[k] = append(b.history[k], v)
	}
	fit := 0.1*r.MAP50 + 0.9*r.MAP
	if fit <= b.fit {
		return "", nil
	}
	b.fit, b.epoch, b.best = fit, st.Epoch, r
	if err := os.RemoveAll(b.dir); err != nil {
		return "", err
	}
	if err := m.Save(b.dir); err != nil {
		return "", fmt.Errorf("save model: %w", err)
	}
	return "  (best so far: saved)", nil
}

// drawPredictions draws the first samples of the eval set with the
// model's detections (predictions/), saying why when there are none.
func drawPredictions(job *experiment.Job, model *detect.Model, ev *evalSet, p *trainParams) error {
	n := min(p.samples, len(ev.samples))
	dets, err := model.Predict(ev.pics[:n], &p.pred) // MinScore 0: the model's threshold, min_score
	if err != nil {
		return err
	}
	if err := drawSamples(filepath.Join(job.Out, "predictions"), ev.samples[:n], dets); err != nil {
		return fmt.Errorf("predictions: %w", err)
	}
	drawn := 0
	for _, d := range dets {
		drawn += len(d)
	}
	job.Notef("detection: drew %d of %d %s images with the detections scoring ≥ %g (predictions/): %d boxes",
		n, len(ev.samples), ev.split, model.Meta.ScoreThreshold, drawn)
	if drawn > 0 {
		return nil
	}
	// Say why the pictures hold ground truth only, and how to see the
	// model's best guesses.
	low, err := model.Predict(ev.pics[:n], &ev.opts)
	if err != nil {
		return err
	}
	top := 0.0
	for _, d := range low {
		for _, o := range d {
			top = max(top, o.Score)
		}
	}
	job.Notef("detection: no detection reaches min_score %g (best score %.3f): the model is not confident; a lower model.params.min_score draws its best guesses",
		model.Meta.ScoreThreshold, top)
	return nil
}

// outcome is the run's result: the best epoch's mAP (one held-out value
// each, no interval), the per-epoch history and the dataset's counts.
func outcome(c *config.Config, ds *detect.Dataset, ev *evalSet, keep *bestEpoch, model *detect.Model) *experiment.Outcome {
	agg := map[string]metrics.Stat{}
	for name, v := range map[string]float64{"map50": keep.best.MAP50, "map": keep.best.MAP} {
		if len(c.Metrics.Names) == 0 || slices.Contains(c.Metrics.Names, name) {
			agg[name] = metrics.Stat{N: 1, Mean: v, Std: math.NaN(), Lo: math.NaN(), Hi: math.NaN()}
		}
	}
	return &experiment.Outcome{
		Summary: &metrics.Summary{Aggregate: agg, Level: c.Metrics.Confidence, Interval: "none"},
		History: keep.history,
		Metrics: map[string]float64{"best_epoch": float64(keep.epoch)},
		Params: map[string]string{
			"classes": strings.Join(ds.Names, ","), "train_images": strconv.Itoa(len(ds.Splits["train"])),
			"eval_split": ev.split, "eval_images": strconv.Itoa(len(ev.samples)),
			"image_size": strconv.Itoa(model.Meta.ImageSize),
		},
	}
}

// writeHistory writes the per-epoch metrics, one row per epoch.
func writeHistory(path string, h map[string][]float64) error {
	names := slices.Sorted(maps.Keys(h))
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	w := csv.NewWriter(f)
	w.Write(append([]string{"epoch"}, names...))
	n := 0
	for _, v := range h {
		n = max(n, len(v))
	}
	for i := range n {
		rec := []string{strconv.Itoa(i + 1)}
		for _, k := range names {
			rec = append(rec, strconv.FormatFloat(h[k][i], 'g', 6, 64))
		}
		w.Write(rec)
	}
	w.Flush()
	if err := w.Error(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// drawSamples draws ground truth (white) and detections on the original
// images, 320 px wide at most, as predictions/NAME.png.
func drawSamples(dir string, samples []detect.Sample, dets [][]detect.Object) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	for i, s := range samples {
		f, err := os.Open(s.Image)
		if err != nil {
			return err
		}
		img, _, err := image.Decode(f)
		f.Close()
		if err != nil {
			return fmt.Errorf("%s: %w", s.Image, err)
		}
		b := img.Bounds()
		w := min(320, b.Dx())
		h := max(1, b.Dy()*w/max(1, b.Dx()))
		out := detect.Draw(detect.Resize(img, w, h), s.Objects, dets[i])
		name := strings.TrimSuffix(filepath.Base(s.Image), filepath.Ext(s.Image)) + ".png"
		if err := detect.WritePNG(filepath.Join(dir, name), out); err != nil {
			return err
		}
	}
	return nil
}
