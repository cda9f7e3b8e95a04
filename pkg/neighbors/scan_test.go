package neighbors

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

// TestLeafScan16 compares the assembly leaf scan with the Go one on leaves
// of every length up to 70 rows (whole blocks of 16 and tails), 1 to 20
// columns in a shuffled order, integer values (exact ties with the limit)
// and limits from 0 to +Inf: the same rows must survive, with the same
// sums over all columns.
func TestLeafScan16(t *testing.T) {
	if !haveLeafScan16 {
		t.Skip("no AVX-512 here: the Go scan is the only one")
	}
	rnd := rand.New(rand.NewPCG(16, 16))
	for l := 1; l <= 70; l++ {
		for _, d := range []int{1, 2, 3, 4, 7, 13, 20} {
			tr := &tree{d: d, lcols: make([]int32, d)}
			for c := range tr.lcols {
				tr.lcols[c] = int32(c)
			}
			rnd.Shuffle(d, func(i, j int) { tr.lcols[i], tr.lcols[j] = tr.lcols[j], tr.lcols[i] })
			// The leaf, with room after it that must not be read as rows.
			xs := make([]float64, l*d+64)
			for i := range xs {
				xs[i] = float64(rnd.IntN(5))
			}
			for i := l * d; i < len(xs); i++ {
				xs[i] = 0
			}
			q := make([]float64, d)
			for c := range q {
				q[c] = float64(rnd.IntN(5))
			}
			for _, limit := range []float64{0, 1, 4, float64(rnd.IntN(4 * d)), float64(2 * d), math.Inf(1)} {
				name := fmt.Sprintf("l=%d d=%d limit=%g", l, d, limit)
				b := &scanBuf{part: make([]float64, l), live: make([]int32, l+16)}
				want := slices.Clone(tr.filterLeaf(xs[:l*d], l, 0, q, limit, b))
				wantPart := slices.Clone(b.part)
				part := make([]float64, l)
				live := make([]int32, l+16)
				n, terms := leafScan16(&xs[0], l, d, &q[0], &tr.lcols[0], limit, &live[0], &part[0])
				if !slices.Equal(live[:n], want) {
					t.Fatalf("%s: rows %v, want %v", name, live[:n], want)
				}
				for _, i := range want {
					if part[i] != wantPart[i] {
						t.Fatalf("%s: row %d: sum %v, want %v", name, i, part[i], wantPart[i])
					}
				}
				if blocks := (l + 15) / 16; terms < 16*blocks || terms > 16*blocks*d {
					t.Fatalf("%s: %d terms, want between %d and %d", name, terms, 16*blocks, 16*blocks*d)
				}
			}
		}
	}
}
