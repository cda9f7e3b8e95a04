package detect

import (
	"cmp"
	"math"
	"slices"
)

// Box is an axis-aligned box in normalised image coordinates.
type Box struct {
	X1, Y1, X2, Y2 float64
}

// BoxFromCenter returns the box of centre (cx, cy) and size (w, h).
func BoxFromCenter(cx, cy, w, h float64) Box {
	return Box{cx - w/2, cy - h/2, cx + w/2, cy + h/2}
}

// Area is the box's area (0 for an empty or inverted box).
func (b Box) Area() float64 {
	return max(0, b.X2-b.X1) * max(0, b.Y2-b.Y1)
}

// Clip returns b limited to the unit square.
func (b Box) Clip() Box {
	c := func(v float64) float64 { return min(1, max(0, v)) }
	return Box{c(b.X1), c(b.Y1), c(b.X2), c(b.Y2)}
}

// IoU is the intersection over union of a and b (0 when both are empty).
func IoU(a, b Box) float64 {
	iw := min(a.X2, b.X2) - max(a.X1, b.X1)
	ih := min(a.Y2, b.Y2) - max(a.Y1, b.Y1)
	if iw <= 0 || ih <= 0 {
		return 0
	}
	inter := iw * ih
	u := a.Area() + b.Area() - inter
	if u <= 0 {
		return 0
	}
	return inter / u
}

// Object is a labelled box: ground truth (Score 1) or a detection.
type Object struct {
	Class int
	Box   Box
	Score float64
}

// NMS keeps, per class, the highest-scoring boxes and drops any box whose
// IoU with a kept box of the same class exceeds iou; at most maxDets are
// returned (0: no limit), by descending score. objs is not modified.
func NMS(objs []Object, iou float64, maxDets int) []Object {
	sorted := slices.Clone(objs)
	slices.SortStableFunc(sorted, func(a, b Object) int { return cmp.Compare(b.Score, a.Score) })
	var kept []Object
	for _, o := range sorted {
		if math.IsNaN(o.Score) {
			continue
		}
		drop := false
		for _, k := range kept {
			if k.Class == o.Class && IoU(k.Box, o.Box) > iou {
				drop = true
				break
			}
		}
		if !drop {
			kept = append(kept, o)
			if maxDets > 0 && len(kept) == maxDets {
				break
			}
		}
	}
	return kept
}
