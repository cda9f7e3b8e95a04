package detect

import (
	"encoding/json"
	"math"
	"math/rand/v2"
	"os"
	"testing"

	"github.com/mlstack/mlstack/internal/testenv"
)

func TestIoUAndNMS(t *testing.T) {
	a := Box{0, 0, 0.5, 0.5}
	cases := []struct {
		b    Box
		want float64
	}{
		{a, 1},
		{Box{0.25, 0, 0.75, 0.5}, 1.0 / 3}, // half overlap: 0.125 / 0.375
		{Box{0.5, 0.5, 1, 1}, 0},           // touching corners
		{Box{0.6, 0.6, 0.7, 0.7}, 0},
	}
	for i, c := range cases {
		if got := IoU(a, c.b); math.Abs(got-c.want) > 1e-12 {
			t.Errorf("case %d: IoU(%v, %v) = %v, want %v", i, a, c.b, got, c.want)
		}
	}
	objs := []Object{
		{Class: 0, Box: Box{0, 0, 0.5, 0.5}, Score: 0.9},
		{Class: 0, Box: Box{0.02, 0, 0.52, 0.5}, Score: 0.8}, // IoU 0.92 with the first: dropped
		{Class: 1, Box: Box{0.02, 0, 0.52, 0.5}, Score: 0.7}, // other class: kept
		{Class: 0, Box: Box{0.25, 0, 0.75, 0.5}, Score: 0.6}, // IoU 1/3: kept at 0.5
		{Class: 0, Box: Box{0.6, 0.6, 0.9, 0.9}, Score: 0.95},
	}
	got := NMS(objs, 0.5, 0)
	wantScores := []float64{0.95, 0.9, 0.7, 0.6}
	if len(got) != len(wantScores) {
		t.Fatalf("NMS kept %d: %+v", len(got), got)
	}
	for i, w := range wantScores {
		if got[i].Score != w {
			t.Errorf("NMS[%d].Score = %v, want %v", i, got[i].Score, w)
		}
	}
	if n := len(NMS(objs, 0.5, 2)); n != 2 {
		t.Errorf("NMS maxDets 2 kept %d", n)
	}
}

// evalCase is a fixed detection problem: images of W×H pixels, ground
// truth and detections of 3 classes (class 2 has detections but no
// ground truth), seeded.
func evalCase(seed uint64, nImages int) (gt, dets [][]Object, w, h []float64) {
	rng := rand.New(rand.NewPCG(seed, 7))
	box := func() Box {
		x, y := rng.Float64()*0.8, rng.Float64()*0.8
		return Box{x, y, x + 0.05 + rng.Float64()*0.3, y + 0.05 + rng.Float64()*0.3}.Clip()
	}
	jitter := func(b Box, s float64) Box {
		d := func() float64 { return (rng.Float64()*2 - 1) * s }
		j := Box{b.X1 + d(), b.Y1 + d(), b.X2 + d(), b.Y2 + d()}.Clip()
		// Keep it a proper box: pycocotools treats a negative width as a
		// negative area, outside the "all" range.
		j.X1, j.X2 = min(j.X1, j.X2), max(j.X1, j.X2, min(j.X1, j.X2)+0.01)
		j.Y1, j.Y2 = min(j.Y1, j.Y2), max(j.Y1, j.Y2, min(j.Y1, j.Y2)+0.01)
		return j
	}
	for range nImages {
		w, h = append(w, float64(320+rng.IntN(400))), append(h, float64(240+rng.IntN(300)))
		var g, d []Object
		for range 1 + rng.IntN(5) {
			c := rng.IntN(2)
			b := box()
			g = append(g, Object{Class: c, Box: b, Score: 1})
			// 0-2 detections per object, with varying localisation; some with a wrong class.
			for range rng.IntN(3) {
				dc := c
				if rng.Float64() < 0.15 {
					dc = 1 - c
				}
				d = append(d, Object{Class: dc, Box: jitter(b, rng.Float64()*0.08), Score: rng.Float64()})
			}
		}
		for range rng.IntN(3) { // false positives, class 2 included
			d = append(d, Object{Class: rng.IntN(3), Box: box(), Score: rng.Float64()})
		}
		gt, dets = append(gt, g), append(dets, d)
	}
	return gt, dets, w, h
}

// TestEvaluateMatchesPycocotools compares Evaluate with pycocotools'
// COCOeval (bbox, area "all", maxDets 100) on fixed random problems.
func TestEvaluateMatchesPycocotools(t *testing.T) {
	type pyBox struct {
		Image int        `json:"image"`
		Class int        `json:"class"`
		BBox  [4]float64 `json:"bbox"` // x, y, w, h in pixels
		Score float64    `json:"score"`
	}
	const code = `
import json, sys, io, contextlib
import numpy as np
from pycocotools.coco import COCO
from pycocotools.cocoeval import COCOeval
cases = json.load(open(sys.argv[1]))
out = []
for c in cases:
    gt = {"images": [{"id": i, "width": w, "height": h} for i, (w, h) in enumerate(zip(c["w"], c["h"]))],
          "categories": [{"id": k} for k in range(c["nc"])],
          "annotations": [{"id": j + 1, "image_id": g["image"], "category_id": g["class"], "bbox": g["bbox"],
                           "area": g["bbox"][2] * g["bbox"][3], "iscrowd": 0} for j, g in enumerate(c["gt"])]}
    with contextlib.redirect_stdout(io.StringIO()):
        cg = COCO(); cg.dataset = gt; cg.createIndex()
        cd = cg.loadRes([{"image_id": d["image"], "category_id": d["class"], "bbox": d["bbox"], "score": d["score"]} for d in c["dets"]])
        e = COCOeval(cg, cd, "bbox"); e.evaluate(); e.accumulate(); e.summarize()
    p = e.eval["precision"][:, :, :, 0, 2]  # T x R x K, area all, maxDets 100
    per = []
    for k in range(c["nc"]):
        s = p[:, :, k]
        per.append([float(np.mean(s[0][s[0] > -1])) if (s[0] > -1).any() else -1.0,
                    float(np.mean(s[s > -1])) if (s > -1).any() else -1.0])
    out.append({"map": float(e.stats[0]), "map50": float(e.stats[1]), "per_class": per})
print(json.dumps(out))
`
	type pyCase struct {
		NC   int       `json:"nc"`
		W    []float64 `json:"w"`
		H    []float64 `json:"h"`
		GT   []pyBox   `json:"gt"`
		Dets []pyBox   `json:"dets"`
	}
	var cases []pyCase
	var want []Result
	for seed := range uint64(6) {
		gt, dets, w, h := evalCase(seed, 3+int(seed)*4)
		if seed == 5 { // no detection of a class with ground truth (loadRes needs one)
			dets = make([][]Object, len(gt))
			dets[0] = []Object{{Class: 2, Box: Box{0.1, 0.1, 0.2, 0.2}, Score: 0.5}}
		}
		c := pyCase{NC: 3, W: w, H: h}
		conv := func(img int, o Object) pyBox {
			b := o.Box
			return pyBox{img, o.Class, [4]float64{b.X1 * w[img], b.Y1 * h[img], (b.X2 - b.X1) * w[img], (b.Y2 - b.Y1) * h[img]}, o.Score}
		}
		for i := range gt {
			for _, o := range gt[i] {
				c.GT = append(c.GT, conv(i, o))
			}
			for _, o := range dets[i] {
				c.Dets = append(c.Dets, conv(i, o))
			}
		}
		cases = append(cases, c)
		want = append(want, Evaluate(gt, dets, 3, nil))
	}
	b, _ := json.Marshal(cases)
	path := t.TempDir() + "/cases.json"
	if err := writeFile(path, b); err != nil {
		t.Fatal(err)
	}
	var got []struct {
		MAP      float64      `json:"map"`
		MAP50    float64      `json:"map50"`
		PerClass [][2]float64 `json:"per_class"`
	}
	if err := json.Unmarshal(testenv.RunPython(t, code, []string{path}), &got); err != nil {
		t.Fatal(err)
	}
	const tol = 1e-9
	for i, r := range want {
		py := got[i]
		t.Logf("case %d: Go mAP@0.5 %.6f mAP %.6f; pycocotools %.6f %.6f (diff %.1e, %.1e)", i, r.MAP50, r.MAP, py.MAP50, py.MAP,
			math.Abs(r.MAP50-py.MAP50), math.Abs(r.MAP-py.MAP))
		if math.Abs(r.MAP50-py.MAP50) > tol || math.Abs(r.MAP-py.MAP) > tol {
			t.Errorf("case %d: mAP@0.5 %v, mAP %v; pycocotools %v, %v", i, r.MAP50, r.MAP, py.MAP50, py.MAP)
		}
		for k, ca := range r.Classes {
			p := py.PerClass[k]
			if ca.GT == 0 {
				if p[0] != -1 || !math.IsNaN(ca.AP) {
					t.Errorf("case %d class %d (no ground truth): Go %v, pycocotools %v", i, k, ca.AP, p)
				}
				continue
			}
			if math.Abs(ca.AP50-p[0]) > tol || math.Abs(ca.AP-p[1]) > tol {
				t.Errorf("case %d class %d: AP50 %v AP %v; pycocotools %v", i, k, ca.AP50, ca.AP, p)
			}
		}
	}
}

func writeFile(path string, b []byte) error { return os.WriteFile(path, b, 0o644) }
