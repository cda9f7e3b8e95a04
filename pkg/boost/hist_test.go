package boost

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"gonum.org/v1/gonum/mat"
)

// oneHotData makes n rows of numeric N(0,1) columns followed by groups
// one-hot encoded categoricals of levels levels each, as SMOTE leaves them:
// a share synth of the rows lies between two rows of different levels (two
// fractional values in a group). The last column is mostly 0 with some NaN
// and other values, so that a sparse feature has a missing bin.
func oneHotData(n, numeric, groups, levels int, synth float64, seed uint64) (*mat.Dense, []float64) {
	rng := rand.New(rand.NewPCG(seed, 3))
	d := numeric + groups*levels + 1
	x := mat.NewDense(n, d, nil)
	y := make([]float64, n)
	for i := range n {
		s := 0.0
		for j := range numeric {
			v := rng.NormFloat64()
			x.Set(i, j, v)
			s += v / float64(j+1)
		}
		for g := range groups {
			a := rng.IntN(levels)
			col := numeric + g*levels
			if rng.Float64() < synth {
				b, l := rng.IntN(levels), rng.Float64()
				x.Set(i, col+a, 1-l)
				x.Set(i, col+b, x.At(i, col+b)+l)
			} else {
				x.Set(i, col+a, 1)
			}
			s += float64(a%3-1) * 0.5
		}
		switch u := rng.Float64(); {
		case u < 0.05:
			x.Set(i, d-1, math.NaN())
		case u < 0.15:
			x.Set(i, d-1, float64(rng.IntN(5)+1))
		}
		if s+rng.NormFloat64() > 0 {
			y[i] = 1
		}
	}
	return x, y
}

// TestSparseHistogram checks that histograms built from the dense and
// sparse row layouts, with the sparse features' most frequent bins filled
// from the node's totals, equal histograms added up straight from every
// feature's column.
func TestSparseHistogram(t *testing.T) {
	const n = 6000
	x, _ := oneHotData(n, 3, 4, 12, 0.3, 1)
	_, d := x.Dims()
	rng := rand.New(rand.NewPCG(2, 2))
	gp := make([]gpair, n)
	for i := range gp {
		gp[i] = gpair{float32(rng.NormFloat64()), float32(rng.Float64())}
	}
	subsets := map[string][]int32{}
	for i := range n {
		r := int32(i)
		subsets["all"] = append(subsets["all"], r)
		if i%3 == 0 {
			subsets["every third"] = append(subsets["every third"], r)
		}
		if i >= n/2 {
			subsets["second half"] = append(subsets["second half"], r)
		}
		if rng.Float64() < 0.05 {
			subsets["scattered 5%"] = append(subsets["scattered 5%"], r) // touched first
		}
	}
	for _, maxBin := range []int{256, 1024} { // 1024: numeric columns need uint16 bins
		b := quantiseFrom(denseColumns(x), n, d, nil, maxBin, 2)
		if got, want := len(b.sparse), 4*12+1; got != want {
			t.Fatalf("max_bin %d: %d sparse features, want %d (the one-hot columns and the last)", maxBin, got, want)
		}
		if (b.b16 != nil) != (maxBin > 256) {
			t.Fatalf("max_bin %d: uint16 bins %v", maxBin, b.b16 != nil)
		}
		for name, rows := range subsets {
			t.Run(fmt.Sprintf("max_bin=%d/%s", maxBin, name), func(t *testing.T) {
				want := make([]hbin, b.ptr[d])
				var G, H float64
				for _, r := range rows {
					G += float64(gp[r].g)
					H += float64(gp[r].h)
					for f := range d {
						bin := int32(0)
						if b.c8 != nil {
							bin = int32(b.c8[f][r])
						} else {
							bin = int32(b.c16[f][r])
						}
						e := &want[b.ptr[f]+bin]
						e.g += float64(gp[r].g)
						e.h += float64(gp[r].h)
					}
				}
				got := make([]hbin, b.histLen())
				b.buildHist(rows, gp, got, nil)
				b.fillDefaults(got, G, H)
				for i := range want {
					if math.Abs(got[i].g-want[i].g) > 1e-9*(1+math.Abs(G)) || math.Abs(got[i].h-want[i].h) > 1e-9*(1+H) {
						t.Fatalf("bin %d: got %+v, want %+v", i, got[i], want[i])
					}
				}
			})
		}
	}
}

// TestDenseHistogramSelect checks that histograms of the dense layout,
// with every feature or the features a tree samples (selectDense: any
// number, the loops add four at a time and then the rest), hold exactly the sums added row by row in row
// order from each feature's column, for one- and two-byte bins (the
// assembly loop and the Go one).
func TestDenseHistogramSelect(t *testing.T) {
	const n = 5000
	rng := rand.New(rand.NewPCG(4, 4))
	gp := make([]gpair, n)
	for i := range gp {
		gp[i] = gpair{float32(rng.NormFloat64()), float32(rng.Float64())}
	}
	var rows []int32
	for i := range int32(n) {
		if rng.Float64() < 0.7 {
			rows = append(rows, i)
		}
	}
	widths := map[bool]int{}
	for _, d := range []int{1, 6, 13} {
		// With missing values a feature of 256 bins needs a 257th: two
		// bytes a bin.
		x, _ := synth(n, d, uint64(d), 0.02*float64(d%2))
		for _, maxBin := range []int{256, 1024} {
			b := quantiseFrom(denseColumns(x), n, d, nil, maxBin, 1)
			if len(b.sparse) != 0 {
				t.Fatalf("d=%d: %d sparse features, want none", d, len(b.sparse))
			}
			widths[b.b16 != nil]++
			for _, feats := range [][]int32{nil, {0}, {0, 2, 3}, {1, 2, 4, 5}, {0, 1, 2, 3, 4, 5, 6, 8, 9, 11, 12}} {
				var fs []int32
				for _, f := range feats {
					if int(f) < d {
						fs = append(fs, f)
					}
				}
				if feats == nil {
					for f := range int32(d) {
						fs = append(fs, f)
					}
				}
				sel := b.selectDense(fs)
				if n := len(fs); len(sel) != n && (fs != nil || len(sel) != d) {
					t.Fatalf("selectDense(%v) has %d entries, want one a feature", fs, len(sel))
				}
				if feats == nil {
					sel = nil // buildHist's default: every feature
				}
				got := make([]hbin, b.histLen())
				b.buildHist(rows, gp, got, sel)
				for _, f := range fs {
					want := make([]hbin, b.ptr[f+1]-b.ptr[f])
					for _, r := range rows {
						var bin int
						if b.c8 != nil {
							bin = int(b.c8[f][r])
						} else {
							bin = int(b.c16[f][r])
						}
						want[bin].g += float64(gp[r].g)
						want[bin].h += float64(gp[r].h)
					}
					if g := got[b.ptr[f]:b.ptr[f+1]]; !slices.Equal(g, want) {
						t.Fatalf("d=%d max_bin=%d feats %v: feature %d: got %v, want %v", d, maxBin, fs, f, g, want)
					}
				}
			}
		}
	}
	if widths[false] == 0 || widths[true] == 0 {
		t.Errorf("one-byte bins %d times, two-byte %d times: want both", widths[false], widths[true])
	}
}

// TestAddRows8 checks that the assembly histogram loop and the Go one add
// exactly the sums of a plain loop over rows and features (the same
// additions in the same order), on rows in and out of
// order, with repeated bins and features.
func TestAddRows8(t *testing.T) {
	if !haveAddRows8 {
		t.Skip("no assembly loop on this platform (or -tags purego)")
	}
	const n, ncol, nbin = 3000, 7, 5
	rng := rand.New(rand.NewPCG(5, 5))
	bins := make([]uint8, n*ncol)
	for i := range bins {
		bins[i] = uint8(rng.IntN(nbin))
	}
	gp := make([]gpair, n)
	for i := range gp {
		gp[i] = gpair{float32(rng.NormFloat64()), float32(rng.Float64())}
	}
	rows := make([]int32, 0, n)
	for i := range int32(n) {
		if rng.Float64() < 0.6 {
			rows = append(rows, i)
		}
	}
	rows = append(rows, 7, 3, 7) // a row twice, out of order
	// Columns 6, 0, 2, 2 (twice), 5 and three of column 1 each into a
	// range of its own; every count of features, below four, a multiple of
	// four and in between (the loops' steps of four and their remainder).
	sel := []selCol{{6, 0}, {0, nbin}, {2, 2 * nbin}, {2, 2 * nbin}, {5, 3 * nbin}, {1, 4 * nbin}, {1, 5 * nbin}, {1, 6 * nbin}}
	want := make([]hbin, 7*nbin)
	goLoop := make([]hbin, 7*nbin)
	got := make([]hbin, 7*nbin)
	for _, s := range [][]selCol{sel[:1], sel[:3], sel[:4], sel[:5], sel[:7], sel, nil} {
		clear(want)
		for _, r := range rows {
			for _, c := range s {
				e := &want[int(c.off)+int(bins[int(r)*ncol+int(c.col)])]
				e.g += float64(gp[r].g)
				e.h += float64(gp[r].h)
			}
		}
		clear(goLoop)
		addRows(bins, ncol, s, nil, nil, rows, gp, goLoop)
		if !slices.Equal(goLoop, want) {
			t.Fatalf("%d features: Go loop gives %v, want %v", len(s), goLoop, want)
		}
		for _, ahead := range []int{0, 1, 32, len(rows) - 1, len(rows), len(rows) + 1} {
			clear(got)
			addRows8Checked(bins, ncol, s, rows, gp, got, ahead)
			if !slices.Equal(got, want) {
				t.Fatalf("%d features, prefetching %d rows ahead: assembly gives %v, want %v", len(s), ahead, got, want)
			}
		}
	}
}
