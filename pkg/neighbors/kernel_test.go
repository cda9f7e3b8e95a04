package neighbors

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

// TestKernels compares each assembly kernel with the Go loops.
//
// kernel.leaf, on leaves of every length up to 70 rows (whole blocks of 16
// and tails), 1 to 20 columns in a shuffled order, integer values (exact
// ties with the limit) and limits from 0 to +Inf: the same rows must
// survive, with the same sums over all columns.
//
// kernel.box2, on boxes around, across and beside the query in each
// column, integer bounds (so any order of summation is exact): equal to
// boxDist without its early return.
func TestKernels(t *testing.T) {
	if len(kernels) == 0 {
		t.Skip("no assembly kernel for this CPU: the Go loops are the only ones")
	}
	for _, k := range kernels {
		t.Run(k.name, func(t *testing.T) {
			rnd := rand.New(rand.NewPCG(16, 16))
			for l := 1; l <= 70; l++ {
				for _, d := range []int{1, 2, 3, 4, 5, 7, 8, 9, 13, 20} {
					testKernelLeaf(t, k, rnd, l, d)
				}
			}
			for d := 1; d <= 20; d++ {
				for range 50 {
					testKernelBox(t, k, rnd, d)
				}
			}
		})
	}
}

func testKernelLeaf(t *testing.T, k *kernel, rnd *rand.Rand, l, d int) {
	tr := &tree{d: d, lcols: make([]int32, d)}
	for c := range tr.lcols {
		tr.lcols[c] = int32(c)
	}
	rnd.Shuffle(d, func(i, j int) { tr.lcols[i], tr.lcols[j] = tr.lcols[j], tr.lcols[i] })
	// The leaf, then values that must not be read as rows.
	xs := make([]float64, l*d+64)
	for i := range xs {
		xs[i] = float64(rnd.IntN(5))
	}
	q := make([]float64, d)
	for c := range q {
		q[c] = float64(rnd.IntN(5))
	}
	for _, limit := range []float64{0, 1, 4, float64(rnd.IntN(4 * d)), float64(2 * d), math.Inf(1)} {
		name := fmt.Sprintf("leaf l=%d d=%d limit=%g", l, d, limit)
		b := &scanBuf{part: make([]float64, l), live: make([]int32, l+16)}
		want := slices.Clone(tr.filterLeaf(xs[:l*d], l, 0, q, limit, b))
		wantPart := slices.Clone(b.part)
		// Sentinels after part's l sums: the kernel must not write there.
		part := make([]float64, l+16)
		for i := range part {
			part[i] = -1
		}
		live := make([]int32, l+16)
		n, terms := k.leaf(&xs[0], l, d, &q[0], &tr.lcols[0], limit, &live[0], &part[0])
		if !slices.Equal(live[:n], want) {
			t.Fatalf("%s: rows %v, want %v", name, live[:n], want)
		}
		for _, i := range want {
			if part[i] != wantPart[i] {
				t.Fatalf("%s: row %d: sum %v, want %v", name, i, part[i], wantPart[i])
			}
		}
		for i := l; i < len(part); i++ {
			if part[i] != -1 {
				t.Fatalf("%s: wrote part[%d] = %v, past the leaf's %d rows", name, i, part[i], l)
			}
		}
		if blocks := (l + 15) / 16; terms < 16*blocks || terms > 16*blocks*d {
			t.Fatalf("%s: %d terms, want between %d and %d", name, terms, 16*blocks, 16*blocks*d)
		}
	}
}

func testKernelBox(t *testing.T, k *kernel, rnd *rand.Rand, d int) {
	// Two sibling nodes' bounds, then values that must not be read.
	bounds := make([]float64, 4*d+8)
	for i := range bounds {
		bounds[i] = math.NaN()
	}
	qo := make([]float64, d+8)
	for c := range qo {
		qo[c] = math.NaN()
	}
	for c := range d {
		qo[c] = float64(rnd.IntN(20))
	}
	for node := range 2 {
		lo, hi := bounds[2*node*d:2*node*d+d], bounds[2*node*d+d:2*node*d+2*d]
		for c := range d {
			a, b := float64(rnd.IntN(20)), float64(rnd.IntN(20))
			lo[c], hi[c] = min(a, b), max(a, b)
		}
	}
	kd := &kdTree{tree: &tree{d: d}, bounds: bounds}
	dl, dr := k.box2(&bounds[0], &qo[0], d)
	wantL, wantR := kd.boxDist(0, qo[:d], math.Inf(1)), kd.boxDist(1, qo[:d], math.Inf(1))
	if dl != wantL || dr != wantR {
		t.Fatalf("box d=%d: (%v, %v), want (%v, %v); bounds %v q %v", d, dl, dr, wantL, wantR, bounds[:4*d], qo[:d])
	}
}
