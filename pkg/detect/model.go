package detect

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"time"

	"github.com/gomlx/gomlx/backends"
	_ "github.com/gomlx/gomlx/backends/simplego" // pure-Go CPU backend, the default
	"github.com/gomlx/gomlx/pkg/core/dtypes"
	//lint:ignore ST1001 GoMLX's graph DSL reads as math with its functions unqualified
	. "github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/core/tensors"
	mlctx "github.com/gomlx/gomlx/pkg/ml/context"
	"github.com/gomlx/gomlx/pkg/ml/context/checkpoints"
	"github.com/gomlx/gomlx/pkg/ml/layers"
	"github.com/gomlx/gomlx/pkg/ml/layers/activations"
	"github.com/gomlx/gomlx/pkg/ml/train"
	"github.com/gomlx/gomlx/pkg/ml/train/optimizers"
)

// Stride is the model's downsampling: one grid cell per Stride×Stride
// pixels.
const Stride = 8

// Config configures Train. Zero fields take the defaults named.
type Config struct {
	ImageSize    int     // input side in pixels, a multiple of 8; 128
	Epochs       int     // passes over the training images; 30
	BatchSize    int     // images per step; 4
	LearningRate float64 // Adam; 0.002
	Width        int     // channels of the first convolution (doubling twice); 16
	Augment      Augment // zero: no augmentation
	Seed         uint64  // data order, augmentation and weight initialisation
	// BoxWeight and ClassWeight weigh the box and class losses against the
	// objectness loss; 2 and 1.
	BoxWeight, ClassWeight float64
	// Backend is a GoMLX backend configuration such as "go" (pure Go) or
	// "xla:cpu"; "" uses $GOMLX_BACKEND, else the pure-Go backend.
	Backend string
	// ScoreThreshold becomes the model's Meta.ScoreThreshold, Predict's
	// default; DefaultScoreThreshold when 0.
	ScoreThreshold float64
}

func (c Config) withDefaults() Config {
	def := func(v *int, d int) {
		if *v == 0 {
			*v = d
		}
	}
	def(&c.ImageSize, 128)
	def(&c.Epochs, 30)
	def(&c.BatchSize, 4)
	def(&c.Width, 16)
	if c.LearningRate == 0 {
		c.LearningRate = 0.002
	}
	if c.BoxWeight == 0 {
		c.BoxWeight = 2
	}
	if c.ClassWeight == 0 {
		c.ClassWeight = 1
	}
	if c.ScoreThreshold == 0 {
		c.ScoreThreshold = DefaultScoreThreshold
	}
	return c
}

// Validate reports a configuration Train would refuse, as a *ConfigError.
func (c Config) Validate() error {
	c = c.withDefaults()
	bad := func(param, format string, args ...any) error {
		return &ConfigError{Param: param, Msg: fmt.Sprintf(format, args...)}
	}
	switch {
	case c.ImageSize < 32 || c.ImageSize%Stride != 0 || c.ImageSize > 1024:
		return bad("image_size", "must be a multiple of %d in [32, 1024], got %d", Stride, c.ImageSize)
	case c.Epochs < 1:
		return bad("epochs", "must be at least 1, got %d", c.Epochs)
	case c.BatchSize < 1:
		return bad("batch_size", "must be at least 1, got %d", c.BatchSize)
	case !(c.LearningRate > 0 && c.LearningRate < 1):
		return bad("learning_rate", "must be in (0, 1), got %v", c.LearningRate)
	case c.Width < 4 || c.Width > 256:
		return bad("width", "must be in [4, 256], got %d", c.Width)
	case c.Augment.FlipProb < 0 || c.Augment.FlipProb > 1:
		return bad("flip", "must be in [0, 1], got %v", c.Augment.FlipProb)
	case c.Augment.Scale < 0 || c.Augment.Scale >= 1:
		return bad("scale", "must be in [0, 1), got %v", c.Augment.Scale)
	case !(c.ScoreThreshold > 0 && c.ScoreThreshold < 1):
		return bad("min_score", "must be in (0, 1), got %v", c.ScoreThreshold)
	}
	return nil
}

// ConfigError is a Config field out of range, named by its parameter name
// (image_size, epochs, batch_size, learning_rate, width, flip, scale,
// min_score).
type ConfigError struct {
	Param string
	Msg   string
}

func (e *ConfigError) Error() string { return e.Param + " " + e.Msg }

// EpochStats are the mean training losses of one epoch.
type EpochStats struct {
	Epoch                       int // 1-based
	Loss, Obj, BoxLoss, ClassLo float64
	Seconds                     float64
}

// Meta describes a saved model (model.json beside the checkpoint).
type Meta struct {
	Format    string   `json:"format"` // "mlstack-detect/1"
	Names     []string `json:"names"`
	ImageSize int      `json:"image_size"`
	Width     int      `json:"width"`
	Stride    int      `json:"stride"`
	// Output layout per grid cell: objectness logit, tx, ty (sigmoid:
	// offset in the cell), tw, th (exp: size in cells), class logits.
	Output string `json:"output"`
	// Epoch is the training epoch the weights are from (the best one when
	// the trainer kept the best); 0 when unknown.
	Epoch int `json:"epoch,omitempty"`
	// ScoreThreshold is Predict's default minimum score for this model;
	// 0 means DefaultScoreThreshold.
	ScoreThreshold float64 `json:"score_threshold,omitempty"`
	// ObjPrior is the fraction of grid cells holding an object in the
	// training images. Training weighs cells with and without an object
	// equally (few cells hold one), which makes the raw objectness the
	// odds of a balanced world; decode corrects them by the prior odds,
	// so scores are probabilities and a threshold means what it says.
	// 0 (older models) means no correction.
	ObjPrior float64 `json:"obj_prior,omitempty"`
}

// DefaultScoreThreshold is the minimum score of a detection Predict
// reports by default, as Ultralytics' predict (conf=0.25): what a user
// looks at. Evaluation (mAP) asks for a much lower one, since COCO's
// average precision counts every detection.
const DefaultScoreThreshold = 0.25

// MetaFormat is Meta.Format of this package's models.
const MetaFormat = "mlstack-detect/1"

// Model is a trained detector.
type Model struct {
	Meta    Meta
	backend backends.Backend
	ctx     *mlctx.Context
	pred    *mlctx.Exec
}

// newBackend returns the configured backend.
func newBackend(config string) (backends.Backend, error) {
	if config != "" {
		return backends.NewWithConfig(config)
	}
	if _, ok := os.LookupEnv(backends.ConfigEnvVar); ok {
		return backends.New()
	}
	return backends.NewWithConfig(DefaultBackend)
}

// DefaultBackend is the GoMLX backend used when neither Config.Backend nor
// $GOMLX_BACKEND names one: the pure-Go backend with ops run one at a
// time (each still parallel inside). With ops in parallel, GoMLX v0.26.0's
// SimpleGo deadlocks on 2 cores: parallel DotGeneral ops wait for worker
// slots their siblings hold.
const DefaultBackend = "go:ops_sequential"

// catch turns a GoMLX panic into an error.
func catch(fn func()) (err error) {
	defer func() {
		if r := recover(); r != nil {
			if e, ok := r.(error); ok {
				err = fmt.Errorf("detect: %w", e)
			} else {
				err = fmt.Errorf("detect: %v", r)
			}
		}
	}()
	fn()
	return nil
}

// modelGraph is the network: four 3×3 convolutions (three with stride 2,
// so one grid cell covers Stride×Stride pixels) and 1×1 heads.
func modelGraph(ctx *mlctx.Context, x *Node, width, nc int) heads {
	h := x
	for i, l := range []struct{ ch, stride int }{{width, 2}, {2 * width, 2}, {4 * width, 2}, {4 * width, 1}} {
		h = activations.LeakyReluWithAlpha(convGather(ctx.Inf("conv%d", i), h, l.ch, 3, l.stride), 0.1)
	}
	dims := h.Shape().Dimensions
	B, G, C := dims[0], dims[1], dims[3]
	flat := Reshape(h, B*G*G, C)
	head := func(name string, n int) *Node {
		return Reshape(layers.Dense(ctx.In(name), flat, true, n), B, G, G, n)
	}
	// Separate heads rather than one sliced output: SimpleGo has no Pad,
	// which the gradient of Slice needs.
	return heads{
		obj: Reshape(head("head_obj", 1), B, G, G),
		xy:  head("head_xy", 2),
		wh:  head("head_wh", 2),
		cls: head("head_cls", nc),
	}
}

// convGather is a k×k convolution with zero padding k/2 and the given
// stride on x (B×H×W×C), built from Gather (im2col) and a dense layer.
// GoMLX's ConvGeneral would do, but its gradient needs Reverse and Pad,
// which the pure-Go backend lacks; Gather's gradient is ScatterSum.
func convGather(ctx *mlctx.Context, x *Node, cout, k, stride int) *Node {
	g := x.Graph()
	d := x.Shape().Dimensions
	B, H, W, C := d[0], d[1], d[2], d[3]
	p := k / 2
	Ho, Wo := (H+2*p-k)/stride+1, (W+2*p-k)/stride+1
	n := Ho * Wo * k * k
	idx := make([]int32, n)
	mask := make([]float32, n)
	padded := false
	i := 0
	for oy := range Ho {
		for ox := range Wo {
			for dy := range k {
				for dx := range k {
					iy, ix := oy*stride+dy-p, ox*stride+dx-p
					if iy >= 0 && iy < H && ix >= 0 && ix < W {
						idx[i], mask[i] = int32(iy*W+ix), 1
					} else {
						padded = true
					}
					i++
				}
			}
		}
	}
	xt := TransposeAllDims(Reshape(x, B, H*W, C), 1, 0, 2) // HW×B×C
	patches := Gather(xt, ConstTensor(g, tensors.FromFlatDataAndDimensions(idx, n, 1)))
	if padded {
		patches = Mul(patches, ConvertDType(ConstTensor(g, tensors.FromFlatDataAndDimensions(mask, n, 1, 1)), x.DType()))
	}
	patches = Reshape(patches, Ho*Wo, k*k, B, C)
	patches = Reshape(TransposeAllDims(patches, 2, 0, 1, 3), B*Ho*Wo, k*k*C)
	return Reshape(layers.Dense(ctx, patches, true, cout), B, Ho, Wo, cout)
}

// heads are the per-cell outputs: objectness logit (B×G×G), centre offset
// logits (B×G×G×2, sigmoid: offset in the cell), log size in cells
// (B×G×G×2) and class logits (B×G×G×nc).
type heads struct{ obj, xy, wh, cls *Node }

// lossGraph returns the objectness, box and class losses of out against
// the targets (see targets).
func lossGraph(out heads, obj, xy, wh, cls *Node) (lo, lb, lc *Node) {
	x := out.obj
	one := ScalarOne(x.Graph(), x.DType())
	bce := Add(Sub(activations.Relu(x), Mul(x, obj)), Log1p(Exp(Neg(Abs(x)))))
	noobj := OneMinus(obj)
	npos := Max(ReduceAllSum(obj), one)
	nneg := Max(ReduceAllSum(noobj), one)
	lo = Add(Div(ReduceAllSum(Mul(bce, obj)), npos), Div(ReduceAllSum(Mul(bce, noobj)), nneg))
	boxErr := Add(ReduceSum(Square(Sub(Sigmoid(out.xy), xy)), 3), ReduceSum(Square(Sub(out.wh, wh)), 3))
	lb = Div(ReduceAllSum(Mul(boxErr, obj)), npos)
	ce := Neg(ReduceSum(Mul(LogSoftmax(out.cls, 3), cls), 3))
	lc = Div(ReduceAllSum(Mul(ce, obj)), npos)
	return lo, lb, lc
}

// targets builds the training targets of one image into obj (G×G), xy
// (G×G×2: centre offset in the cell), wh (G×G×2: log of the size in
// cells) and cls (G×G×nc). An
// object is assigned to the cell of its centre; of two objects in one
// cell the larger is kept.
func targets(objs []Object, grid, nc int, obj, xy, wh, cls []float32) {
	area := make([]float64, grid*grid)
	for _, o := range objs {
		b := o.Box
		cx, cy := (b.X1+b.X2)/2*float64(grid), (b.Y1+b.Y2)/2*float64(grid)
		w, h := (b.X2-b.X1)*float64(grid), (b.Y2-b.Y1)*float64(grid)
		if w <= 0 || h <= 0 {
			continue
		}
		j, i := min(grid-1, max(0, int(cx))), min(grid-1, max(0, int(cy)))
		k := i*grid + j
		if obj[k] == 1 && area[k] >= w*h {
			continue
		}
		area[k] = w * h
		obj[k] = 1
		xy[k*2], xy[k*2+1] = float32(cx-float64(j)), float32(cy-float64(i))
		wh[k*2], wh[k*2+1] = float32(math.Log(w)), float32(math.Log(h))
		for c := range nc {
			cls[k*nc+c] = 0
		}
		cls[k*nc+o.Class] = 1
	}
}

// objPrior is the fraction of the grid cells of samples that hold an
// object (as targets assigns them): Meta.ObjPrior.
func objPrior(samples []Sample, grid, nc int) float64 {
	g2 := grid * grid
	obj, xy, wh, cls := make([]float32, g2), make([]float32, 2*g2), make([]float32, 2*g2), make([]float32, g2*nc)
	pos := 0
	for _, s := range samples {
		clear(obj)
		targets(s.Objects, grid, nc, obj, xy, wh, cls)
		for _, v := range obj {
			pos += int(v)
		}
	}
	return float64(pos) / float64(len(samples)*g2)
}

// decode turns the outputs of one image (G×G×(5+nc), flat) into
// detections scoring at least minScore.
//
// The objectness logit is shifted by offset, the log prior odds of an
// object in a cell (see Meta.ObjPrior; 0: none).
func decode(out []float32, grid, nc int, minScore, offset float64) []Object {
	var objs []Object
	sig := func(v float32) float64 { return 1 / (1 + math.Exp(-float64(v))) }
	n := 5 + nc
	for i := range grid {
		for j := range grid {
			p := out[(i*grid+j)*n : (i*grid+j+1)*n]
			objness := 1 / (1 + math.Exp(-(float64(p[0]) + offset)))
			if objness < minScore {
				continue
			}
			// softmax over classes
			mx := p[5]
			for _, v := range p[5:] {
				mx = max(mx, v)
			}
			var sum float64
			best, bestC := -1.0, 0
			for c, v := range p[5:] {
				e := math.Exp(float64(v - mx))
				sum += e
				if e > best {
					best, bestC = e, c
				}
			}
			score := objness * best / sum
			if score < minScore {
				continue
			}
			cx, cy := (float64(j)+sig(p[1]))/float64(grid), (float64(i)+sig(p[2]))/float64(grid)
			w := math.Exp(min(5, max(-10, float64(p[3])))) / float64(grid)
			h := math.Exp(min(5, max(-10, float64(p[4])))) / float64(grid)
			objs = append(objs, Object{Class: bestC, Box: BoxFromCenter(cx, cy, w, h).Clip(), Score: score})
		}
	}
	return objs
}

// Train trains a detector on ds's train split. onEpoch, if not nil, is
// called after every epoch with the model so far (to evaluate it, or Save
// the best; an error stops training and is returned); its Meta.Epoch is
// that epoch.
func Train(ctx context.Context, ds *Dataset, cfg Config, onEpoch func(*Model, EpochStats) error) (*Model, error) {
	cfg = cfg.withDefaults()
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("detect: %w", err)
	}
	samples := ds.Splits["train"]
	if len(samples) == 0 {
		return nil, fmt.Errorf("detect: train split: %w", ErrNoImages)
	}
	pics := make([]*Picture, len(samples))
	for i, s := range samples {
		p, err := LoadPicture(s.Image, cfg.ImageSize)
		if err != nil {
			return nil, err
		}
		pics[i] = p
	}
	backend, err := newBackend(cfg.Backend)
	if err != nil {
		return nil, fmt.Errorf("detect: backend: %w", err)
	}
	nc := len(ds.Names)
	m := &Model{
		Meta: Meta{Format: MetaFormat, Names: ds.Names, ImageSize: cfg.ImageSize, Width: cfg.Width, Stride: Stride,
			Output: "obj,tx,ty,tw,th,classes", ScoreThreshold: cfg.ScoreThreshold, ObjPrior: objPrior(samples, cfg.ImageSize/Stride, nc)},
		backend: backend,
		ctx:     mlctx.New(),
	}
	if err := m.ctx.SetRNGStateFromSeed(int64(cfg.Seed)); err != nil {
		return nil, err
	}
	step, err := m.trainStep(cfg, nc)
	if err != nil {
		return nil, err
	}
	rng := rand.New(rand.NewPCG(cfg.Seed, 0x5eed))
	for epoch := 1; epoch <= cfg.Epochs; epoch++ {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		t0 := time.Now()
		sums, steps, err := runEpoch(step, cfg, pics, samples, nc, rng)
		if err != nil {
			return nil, err
		}
		st := EpochStats{Epoch: epoch, Loss: sums[0] / float64(steps), Obj: sums[1] / float64(steps),
			BoxLoss: sums[2] / float64(steps), ClassLo: sums[3] / float64(steps), Seconds: time.Since(t0).Seconds()}
		if math.IsNaN(st.Loss) || math.IsInf(st.Loss, 0) {
			return nil, fmt.Errorf("detect: epoch %d: loss is %v (lower learning_rate)", epoch, st.Loss)
		}
		m.Meta.Epoch = epoch
		if onEpoch != nil {
			if err := onEpoch(m, st); err != nil {
				return nil, err
			}
		}
	}
	step.Finalize()
	return m, nil
}

// trainStep compiles one training step of m: the weighted loss of a
// batch (image, obj, xy, wh, cls targets) and Adam's update; it returns
// the total loss and its three parts.
func (m *Model) trainStep(cfg Config, nc int) (*mlctx.Exec, error) {
	opt := optimizers.Adam().LearningRate(cfg.LearningRate).Done()
	var step *mlctx.Exec
	err := catch(func() {
		step = mlctx.MustNewExec(m.backend, m.ctx, func(ctx *mlctx.Context, in []*Node) []*Node {
			g := in[0].Graph()
			ctx.SetTraining(g, true)
			out := modelGraph(ctx.In("model"), in[0], cfg.Width, nc)
			lo, lb, lc := lossGraph(out, in[1], in[2], in[3], in[4])
			total := Add(Add(lo, MulScalar(lb, cfg.BoxWeight)), MulScalar(lc, cfg.ClassWeight))
			opt.UpdateGraph(ctx, g, total)
			train.ExecPerStepUpdateGraphFn(ctx, g)
			return []*Node{total, lo, lb, lc}
		})
	})
	return step, err
}

// runEpoch runs step on every picture once, in a random order, in batches
// of cfg.BatchSize augmented pictures, and returns the sums of the four
// losses over the steps and the number of steps.
func runEpoch(step *mlctx.Exec, cfg Config, pics []*Picture, samples []Sample, nc int, rng *rand.Rand) (sums [4]float64, steps int, err error) {
	grid := cfg.ImageSize / Stride
	S := cfg.ImageSize
	order := rng.Perm(len(pics))
	for start := 0; start < len(order); start += cfg.BatchSize {
		idx := order[start:min(len(order), start+cfg.BatchSize)]
		B := len(idx)
		x := make([]float32, 0, B*S*S*3)
		obj := make([]float32, B*grid*grid)
		xy := make([]float32, B*grid*grid*2)
		wh := make([]float32, B*grid*grid*2)
		cls := make([]float32, B*grid*grid*nc)
		for bi, k := range idx {
			p, objs := cfg.Augment.Apply(pics[k], samples[k].Objects, rng)
			x = append(x, p.Pix...)
			g2 := grid * grid
			targets(objs, grid, nc, obj[bi*g2:(bi+1)*g2], xy[bi*g2*2:(bi+1)*g2*2], wh[bi*g2*2:(bi+1)*g2*2], cls[bi*g2*nc:(bi+1)*g2*nc])
		}
		var outs []*tensors.Tensor
		err := catch(func() {
			outs = step.MustExec([]*tensors.Tensor{
				tensors.FromFlatDataAndDimensions(x, B, S, S, 3),
				tensors.FromFlatDataAndDimensions(obj, B, grid, grid),
				tensors.FromFlatDataAndDimensions(xy, B, grid, grid, 2),
				tensors.FromFlatDataAndDimensions(wh, B, grid, grid, 2),
				tensors.FromFlatDataAndDimensions(cls, B, grid, grid, nc)})
		})
		if err != nil {
			return sums, steps, err
		}
		for i, t := range outs {
			sums[i] += float64(tensors.ToScalar[float32](t))
			t.FinalizeAll()
		}
		steps++
	}
	return sums, steps, nil
}

// PredictOptions configures Predict. A nil *PredictOptions means the
// defaults.
type PredictOptions struct {
	// MinScore drops detections scoring below it; 0 means the model's
	// Meta.ScoreThreshold, else DefaultScoreThreshold.
	MinScore float64
	NMSIoU   float64 // non-max suppression threshold; 0.5 when 0
	MaxDets  int     // per image, after NMS; 100 when 0
}

// Predict detects objects in pics (each of the model's ImageSize).
func (m *Model) Predict(pics []*Picture, o *PredictOptions) ([][]Object, error) {
	opts := PredictOptions{MinScore: DefaultScoreThreshold, NMSIoU: 0.5, MaxDets: 100}
	if m.Meta.ScoreThreshold > 0 {
		opts.MinScore = m.Meta.ScoreThreshold
	}
	if o != nil {
		if o.MinScore > 0 {
			opts.MinScore = o.MinScore
		}
		if o.NMSIoU > 0 {
			opts.NMSIoU = o.NMSIoU
		}
		if o.MaxDets > 0 {
			opts.MaxDets = o.MaxDets
		}
	}
	S, nc := m.Meta.ImageSize, len(m.Meta.Names)
	grid := S / m.Meta.Stride
	var offset float64
	if p := m.Meta.ObjPrior; p > 0 && p < 1 {
		offset = math.Log(p / (1 - p))
	}
	if m.pred == nil {
		err := catch(func() {
			m.pred = mlctx.MustNewExec(m.backend, m.ctx.Reuse(), func(ctx *mlctx.Context, x *Node) *Node {
				h := modelGraph(ctx.In("model"), x, m.Meta.Width, nc)
				return Concatenate([]*Node{ExpandAxes(h.obj, 3), h.xy, h.wh, h.cls}, 3)
			})
		})
		if err != nil {
			return nil, err
		}
	}
	out := make([][]Object, len(pics))
	for i, p := range pics {
		if p.Size != S {
			return nil, fmt.Errorf("detect: picture %d is %d px, the model takes %d", i, p.Size, S)
		}
		var flat []float32
		err := catch(func() {
			t := m.pred.MustExec1(tensors.FromFlatDataAndDimensions(p.Pix, 1, S, S, 3))
			flat = tensors.MustCopyFlatData[float32](t)
			t.FinalizeAll()
		})
		if err != nil {
			return nil, err
		}
		out[i] = NMS(decode(flat, grid, nc, opts.MinScore, offset), opts.NMSIoU, opts.MaxDets)
	}
	return out, nil
}

// Save writes the model to dir: model.json (Meta) and the GoMLX
// checkpoint files (checkpoint-*.json and .bin, plus the checkpoints
// index), which Load reads back.
func (m *Model) Save(dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	b, _ := json.MarshalIndent(m.Meta, "", "  ")
	if err := os.WriteFile(filepath.Join(dir, "model.json"), append(b, '\n'), 0o644); err != nil {
		return err
	}
	return catch(func() {
		h, err := checkpoints.Build(m.ctx).Dir(dir).Keep(1).Done()
		if err != nil {
			panic(err)
		}
		if err := h.Save(); err != nil {
			panic(err)
		}
	})
}

// Load reads a model saved by Save. backend is as Config.Backend.
func Load(dir, backend string) (*Model, error) {
	b, err := os.ReadFile(filepath.Join(dir, "model.json"))
	if err != nil {
		return nil, fmt.Errorf("detect: %w", err)
	}
	var meta Meta
	if err := json.Unmarshal(b, &meta); err != nil {
		return nil, fmt.Errorf("detect: model.json: %w", err)
	}
	if meta.Format != MetaFormat {
		return nil, fmt.Errorf("detect: model.json: format %q, want %q", meta.Format, MetaFormat)
	}
	if len(meta.Names) == 0 || meta.ImageSize <= 0 || meta.Stride <= 0 {
		return nil, errors.New("detect: model.json: incomplete")
	}
	if !(meta.ScoreThreshold >= 0 && meta.ScoreThreshold < 1) {
		return nil, fmt.Errorf("detect: model.json: score_threshold %v is not in [0, 1)", meta.ScoreThreshold)
	}
	if !(meta.ObjPrior >= 0 && meta.ObjPrior < 1) {
		return nil, fmt.Errorf("detect: model.json: obj_prior %v is not in [0, 1)", meta.ObjPrior)
	}
	be, err := newBackend(backend)
	if err != nil {
		return nil, fmt.Errorf("detect: backend: %w", err)
	}
	m := &Model{Meta: meta, backend: be, ctx: mlctx.New()}
	err = catch(func() {
		if _, err := checkpoints.Load(m.ctx).Dir(dir).Immediate().Done(); err != nil {
			panic(err)
		}
	})
	if err != nil {
		return nil, err
	}
	return m, nil
}

var _ = dtypes.Float32
