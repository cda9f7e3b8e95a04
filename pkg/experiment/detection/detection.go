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
	src, err := dataset.ParseSource(c.Data.Source)
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
	evalSplit := "valid"
	if len(ds.Splits[evalSplit]) == 0 {
		evalSplit = "train"
		fmt.Fprintln(job.Log, "detection: no valid split; evaluating on train")
	}
	evalSamples := ds.Splits[evalSplit]
	var evalPics []*detect.Picture
	var gt [][]detect.Object
	for _, s := range evalSamples {
		pic, err := detect.LoadPicture(s.Image, p.cfg.ImageSize)
		if err != nil {
			return nil, err
		}
		evalPics = append(evalPics, pic)
		gt = append(gt, s.Objects)
	}

	history := map[string][]float64{}
	// The best epoch's weights are kept (in model/, replaced whenever an
	// epoch beats it) and are the model: by Ultralytics' fitness,
	// 0.1·mAP@0.5 + 0.9·mAP@0.5:0.95, the first epoch of the best score.
	modelDir := filepath.Join(job.Out, "model")
	var best detect.Result
	bestEpoch, bestFit := 0, math.Inf(-1)
	epochs := p.cfg.Epochs
	if epochs == 0 {
		epochs = 30
	}
	evalOpts := p.pred
	evalOpts.MinScore = p.evalScore
	fmt.Fprintf(job.Log, "detection: %d train / %d %s images, classes %v, %d epochs\n", len(ds.Splits["train"]), len(evalSamples), evalSplit, ds.Names, epochs)
	onEpoch := func(m *detect.Model, st detect.EpochStats) error {
		dets, err := m.Predict(evalPics, &evalOpts)
		if err != nil {
			return err
		}
		r := detect.Evaluate(gt, dets, len(ds.Names), nil)
		for k, v := range map[string]float64{"train_loss": st.Loss, "train_obj_loss": st.Obj, "train_box_loss": st.BoxLoss,
			"train_cls_loss": st.ClassLo, "val_map50": r.MAP50, "val_map": r.MAP, "epoch_seconds": st.Seconds} {
			history[k] = append(history[k], v)
		}
		mark := ""
		if fit := 0.1*r.MAP50 + 0.9*r.MAP; fit > bestFit {
			bestFit, bestEpoch, best, mark = fit, st.Epoch, r, "  (best so far: saved)"
			if err := os.RemoveAll(modelDir); err != nil {
				return err
			}
			if err := m.Save(modelDir); err != nil {
				return fmt.Errorf("save model: %w", err)
			}
		}
		fmt.Fprintf(job.Log, "epoch %3d  loss %.4f (obj %.4f box %.4f cls %.4f)  %s mAP@0.5 %.4f  mAP@0.5:0.95 %.4f  %.1fs%s\n",
			st.Epoch, st.Loss, st.Obj, st.BoxLoss, st.ClassLo, evalSplit, r.MAP50, r.MAP, st.Seconds, mark)
		job.Progress(st.Epoch, epochs)
		return nil
	}
	if _, err := detect.Train(ctx, ds, p.cfg, onEpoch); err != nil {
		if errors.Is(err, context.Canceled) {
			return nil, err
		}
		return nil, fmt.Errorf("detection: %w", err)
	}
	model, err := detect.Load(modelDir, p.cfg.Backend)
	if err != nil {
		return nil, fmt.Errorf("best model: %w", err)
	}
	fmt.Fprintf(job.Log, "detection: the model is epoch %d's of %d (mAP@0.5 %.4f, mAP@0.5:0.95 %.4f on %s)\n",
		bestEpoch, epochs, best.MAP50, best.MAP, evalSplit)
	if err := writeHistory(filepath.Join(job.Out, "epochs.csv"), history); err != nil {
		return nil, err
	}
	if config.On(c.Artifacts.Charts) && p.samples > 0 {
		n := min(p.samples, len(evalSamples))
		dets, err := model.Predict(evalPics[:n], &p.pred) // MinScore 0: the model's threshold, min_score
		if err != nil {
			return nil, err
		}
		dir := filepath.Join(job.Out, "predictions")
		if err := drawSamples(dir, evalSamples[:n], dets); err != nil {
			return nil, fmt.Errorf("predictions: %w", err)
		}
		drawn := 0
		for _, d := range dets {
			drawn += len(d)
		}
		fmt.Fprintf(job.Log, "detection: drew %d of %d %s images with the detections scoring ≥ %g (predictions/): %d boxes\n",
			n, len(evalSamples), evalSplit, model.Meta.ScoreThreshold, drawn)
		if drawn == 0 {
			// Say why the pictures hold ground truth only, and how to see
			// the model's best guesses.
			low, err := model.Predict(evalPics[:n], &evalOpts)
			if err != nil {
				return nil, err
			}
			top := 0.0
			for _, d := range low {
				for _, o := range d {
					top = max(top, o.Score)
				}
			}
			fmt.Fprintf(job.Log, "detection: no detection reaches min_score %g (best score %.3f): the model is not confident; a lower model.params.min_score draws its best guesses\n",
				model.Meta.ScoreThreshold, top)
		}
	}
	agg := map[string]metrics.Stat{}
	for name, v := range map[string]float64{"map50": best.MAP50, "map": best.MAP} {
		if len(c.Metrics.Names) == 0 || slices.Contains(c.Metrics.Names, name) {
			agg[name] = metrics.Stat{N: 1, Mean: v, Std: math.NaN(), Lo: math.NaN(), Hi: math.NaN()}
		}
	}
	return &experiment.Outcome{
		Summary: &metrics.Summary{Aggregate: agg, Level: c.Metrics.Confidence, Interval: "none"},
		History: history,
		Metrics: map[string]float64{"best_epoch": float64(bestEpoch)},
		Params: map[string]string{
			"classes": strings.Join(ds.Names, ","), "train_images": strconv.Itoa(len(ds.Splits["train"])),
			"eval_split": evalSplit, "eval_images": strconv.Itoa(len(evalSamples)),
			"image_size": strconv.Itoa(model.Meta.ImageSize),
		},
	}, nil
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
