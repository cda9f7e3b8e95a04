package detect

import (
	"context"
	"math"
	"math/rand/v2"
	"path/filepath"
	"testing"

	"github.com/mlstack/mlstack/internal/testenv"
)

func faces(t *testing.T) *Dataset {
	t.Helper()
	ds, err := LoadYOLO(filepath.Join("..", "..", "testdata", "faces_yolo"))
	if err != nil {
		t.Fatal(err)
	}
	return ds
}

func TestLoadYOLO(t *testing.T) {
	ds := faces(t)
	// testdata/faces_yolo: 4 train images with 18 boxes, 5 valid with 25.
	count := func(split string) (n int) {
		for _, s := range ds.Splits[split] {
			n += len(s.Objects)
		}
		return n
	}
	if len(ds.Names) != 1 || ds.Names[0] != "face" || len(ds.Splits["train"]) != 4 || len(ds.Splits["valid"]) != 5 ||
		count("train") != 18 || count("valid") != 25 {
		t.Errorf("names %v, train %d images %d boxes, valid %d images %d boxes", ds.Names,
			len(ds.Splits["train"]), count("train"), len(ds.Splits["valid"]), count("valid"))
	}
}

func TestAugment(t *testing.T) {
	p := &Picture{Size: 8, Pix: make([]float32, 8*8*3)}
	for i := range p.Pix {
		p.Pix[i] = float32(i%24) / 24 // varies along x only
	}
	objs := []Object{{Box: Box{0.1, 0.2, 0.3, 0.6}, Score: 1}}
	q, got := Augment{FlipProb: 1}.Apply(p, objs, rand.New(rand.NewPCG(1, 2)))
	if len(got) != 1 || math.Abs(got[0].Box.X1-0.7) > 1e-12 || math.Abs(got[0].Box.X2-0.9) > 1e-12 || got[0].Box.Y1 != 0.2 {
		t.Errorf("flipped box %+v, want x 0.7..0.9", got)
	}
	if math.Abs(float64(q.Pix[0]-p.Pix[(7)*3])) > 1e-6 {
		t.Errorf("flipped pixel (0,0) = %v, want the old (7,0) %v", q.Pix[0], p.Pix[7*3])
	}
	if objs[0].Box.X1 != 0.1 {
		t.Error("Apply modified its input")
	}
	// Zooming out by 0.5 keeps every box, halved.
	_, got = Augment{Scale: 0.5, MinVisible: 0.99}.Apply(p, objs, rand.New(rand.NewPCG(3, 4)))
	for _, o := range got {
		if w := o.Box.X2 - o.Box.X1; w > 0.2*1.5+1e-9 || w < 0.2*0.5-1e-9 {
			t.Errorf("scaled width %v out of [0.1, 0.3]", w)
		}
	}
}

// TestTrainFaces trains on testdata/faces_yolo: the loss falls, mAP is
// computed, and a saved model predicts the same after loading.
func TestTrainFaces(t *testing.T) {
	testenv.SkipShort(t, "a 25-epoch training (minutes on a busy machine)")
	ds := faces(t)
	var stats []EpochStats
	cfg := Config{Epochs: 25, Seed: 1, Augment: Augment{FlipProb: 0.5, Scale: 0.2}}
	m, err := Train(context.Background(), ds, cfg, func(_ *Model, s EpochStats) error {
		stats = append(stats, s)
		t.Logf("epoch %2d loss %.4f obj %.4f box %.4f cls %.4f (%.2fs)", s.Epoch, s.Loss, s.Obj, s.BoxLoss, s.ClassLo, s.Seconds)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	first, last := meanLoss(stats[:3]), meanLoss(stats[len(stats)-5:])
	if !(last < first*0.8) {
		t.Errorf("loss did not fall: first 3 epochs %.4f, last 5 %.4f", first, last)
	}
	var pics []*Picture
	var gt [][]Object
	for _, s := range ds.Splits["valid"] {
		p, err := LoadPicture(s.Image, m.Meta.ImageSize)
		if err != nil {
			t.Fatal(err)
		}
		pics, gt = append(pics, p), append(gt, s.Objects)
	}
	dets, err := m.Predict(pics, nil)
	if err != nil {
		t.Fatal(err)
	}
	r := Evaluate(gt, dets, len(ds.Names), nil)
	t.Logf("valid: mAP@0.5 %.4f mAP@0.5:0.95 %.4f (%d detections, %d boxes)", r.MAP50, r.MAP, r.Classes[0].Dets, r.Classes[0].GT)
	if math.IsNaN(r.MAP50) || r.MAP50 < 0 || r.MAP50 > 1 || r.MAP > r.MAP50 {
		t.Errorf("mAP@0.5 %v, mAP %v", r.MAP50, r.MAP)
	}
	dir := t.TempDir()
	if err := m.Save(dir); err != nil {
		t.Fatal(err)
	}
	m2, err := Load(dir, "")
	if err != nil {
		t.Fatal(err)
	}
	dets2, err := m2.Predict(pics, nil)
	if err != nil {
		t.Fatal(err)
	}
	for i := range dets {
		if len(dets[i]) != len(dets2[i]) || (len(dets[i]) > 0 && math.Abs(dets[i][0].Score-dets2[i][0].Score) > 1e-6) {
			t.Fatalf("image %d: %d detections before saving, %d after loading", i, len(dets[i]), len(dets2[i]))
		}
	}
}

func meanLoss(s []EpochStats) float64 {
	var v float64
	for _, e := range s {
		v += e.Loss
	}
	return v / float64(len(s))
}

// TestDecodePrior: the objectness is corrected by the prior odds of an
// object in a cell (Meta.ObjPrior), so a logit of 0 (even odds in the
// balanced training loss) scores the prior, and minScore cuts on the
// corrected score.
func TestDecodePrior(t *testing.T) {
	out := make([]float32, 2*2*6) // grid 2, one class: obj, tx, ty, tw, th, class
	out[0] = 0                    // cell (0,0): logit 0
	out[6] = 4                    // cell (0,1): logit 4
	for _, tc := range []struct {
		prior, minScore float64
		want            []float64 // scores, in cell order
	}{
		{0, 0.01, []float64{0.5, 1 / (1 + math.Exp(-4)), 0.5, 0.5}}, // no correction
		{0.05, 0.01, []float64{0.05, 1 / (1 + math.Exp(-4-math.Log(0.05/0.95))), 0.05, 0.05}},
		{0.05, 0.25, []float64{1 / (1 + math.Exp(-4-math.Log(0.05/0.95)))}}, // only the confident cell
	} {
		offset := 0.0
		if tc.prior > 0 {
			offset = math.Log(tc.prior / (1 - tc.prior))
		}
		got := decode(out, 2, 1, tc.minScore, offset)
		if len(got) != len(tc.want) {
			t.Errorf("prior %v min %v: %d detections, want %d", tc.prior, tc.minScore, len(got), len(tc.want))
			continue
		}
		for i, o := range got {
			if math.Abs(o.Score-tc.want[i]) > 1e-9 {
				t.Errorf("prior %v min %v: detection %d score %v, want %v", tc.prior, tc.minScore, i, o.Score, tc.want[i])
			}
		}
	}
}
