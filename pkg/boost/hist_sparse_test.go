package boost

import (
	"fmt"
	"math"
	"math/rand/v2"
	"reflect"
	"slices"
	"testing"
)

// TestSparseHistSameTrees grows trees with sparse histograms for small
// nodes and without (sparseRows 0), from the same gradients, and wants
// the same trees and leaf rows bit for bit: on features with missing
// values and ties, one- and two-byte bins, sampled rows and features,
// and gradients of mixed magnitudes (whose float64 sums round).
func TestSparseHistSameTrees(t *testing.T) {
	for _, tc := range []struct {
		n, d, maxBin, depth int
		missing, mcw        float64
		sample, cols        bool
	}{
		{3000, 12, 256, 10, 0, 0.01, false, false},
		{3000, 12, 256, 8, 0.1, 1, true, true},
		{2000, 6, 1024, 12, 0.05, 0, true, false},
		{500, 30, 16, 6, 0.2, 0.5, false, true},
	} {
		t.Run(fmt.Sprintf("n=%d/d=%d/bins=%d/depth=%d", tc.n, tc.d, tc.maxBin, tc.depth), func(t *testing.T) {
			x, _ := synth(tc.n, tc.d, 7, tc.missing)
			for i := range tc.n { // ties: a third of the features take few values
				for j := 0; j < tc.d; j += 3 {
					if v := x.At(i, j); !math.IsNaN(v) {
						x.Set(i, j, math.Round(v*3))
					}
				}
			}
			mcw := tc.mcw
			c, err := (&Params{MaxDepth: tc.depth, MinChildWeight: &mcw, MaxBin: tc.maxBin}).resolve()
			if err != nil {
				t.Fatal(err)
			}
			bins := quantiseFrom(denseColumns(x), tc.n, tc.d, nil, tc.maxBin, 1)
			rng := rand.New(rand.NewPCG(3, 4))
			for round := range 5 {
				gp := make([]gpair, tc.n)
				for i := range gp {
					p := rng.Float64()
					gp[i] = gpair{float32(p - float64(rng.IntN(2))), float32(p * (1 - p) * math.Exp(-10*rng.Float64()))}
				}
				var sampled []int32
				if tc.sample {
					for i := range int32(tc.n) {
						if rng.Float64() < 0.7 {
							sampled = append(sampled, i)
						} else {
							gp[i] = gpair{}
						}
					}
				}
				var feats []int32
				for f := range int32(tc.d) {
					if !tc.cols || rng.Float64() < 0.6 {
						feats = append(feats, f)
					}
				}
				grow := func(sparseRows int32) ([]Node, []leafRows, []int32) {
					c.threads = 2
					g := newHistGrower(&c, bins)
					g.sparseRows = sparseRows
					tree, leaves := g.grow(gp, feats, sampled)
					return tree, leaves, g.rows
				}
				if sparseRowsFor(bins) == 0 {
					t.Fatal("no sparse histograms on dense features")
				}
				wantTree, wantLeaves, wantRows := grow(0)
				for _, sr := range []int32{sparseRowsFor(bins), 1 << 30} {
					tree, leaves, rows := grow(sr)
					if len(wantTree) < 15 {
						t.Fatalf("round %d: a tree of %d nodes tests little", round, len(wantTree))
					}
					if !reflect.DeepEqual(tree, wantTree) || !reflect.DeepEqual(leaves, wantLeaves) || !reflect.DeepEqual(rows, wantRows) {
						t.Fatalf("round %d, sparseRows %d: the tree differs from the dense one", round, sr)
					}
				}
			}
		})
	}
}

// TestScanBinsSameSplits wants the assembly scan (scanBins) to find the
// split the Go loop (evalBinsGo) finds, bit for bit, on the histograms of
// nodes of every size, with missing values, dense and sparse, starting
// from no split and from a split found on another feature.
func TestScanBinsSameSplits(t *testing.T) {
	if !haveScanBins {
		t.Skip("no assembly scan on this platform")
	}
	const n, d = 4000, 8
	x, _ := synth(n, d, 11, 0.1)
	rng := rand.New(rand.NewPCG(5, 6))
	gp := make([]gpair, n)
	for i := range gp {
		p := rng.Float64()
		gp[i] = gpair{float32(p - float64(rng.IntN(2))), float32(p * (1 - p))}
	}
	for _, mcw := range []float64{1e-3, 1, 5} {
		c, err := (&Params{MinChildWeight: &mcw, RegLambda: Float(0.7)}).resolve()
		if err != nil {
			t.Fatal(err)
		}
		bins := quantiseFrom(denseColumns(x), n, d, nil, 64, 1)
		c.threads = 1
		g := newHistGrower(&c, bins)
		g.sel = bins.selectDense(nil)
		found := 0
		for _, every := range []int{1, 3, 17, 101, 400} {
			for _, sparse := range []bool{false, true} {
				node := &hnode{}
				var rows []int32
				for r := rng.IntN(every); r < n; r += every {
					rows = append(rows, int32(r))
					node.G += float64(gp[r].g)
					node.H += float64(gp[r].h)
				}
				node.rootGain = c.gain(node.G, node.H)
				if sparse {
					node.sp = g.buildSparse(rows, gp, g.scratch(0))
				} else {
					node.hist = make([]hbin, g.nbins)
					bins.buildHist(rows, gp, node.hist, nil)
				}
				var want, got split
				for f := range int32(d) {
					var idx []int32
					var hist []hbin
					base := bins.ptr[f]
					if sparse {
						idx, hist = node.sp.feature(bins, f)
					} else {
						idx, hist, base = nil, node.hist[base:base+int32(len(bins.cuts[f]))], 0
					}
					g.evalBinsGo(node, f, idx, base, hist, &want)
					g.scanBins(node, f, idx, base, hist, &got)
					if got != want {
						t.Fatalf("mcw %g, rows 1/%d, sparse %v, feature %d: scanBins %+v, Go %+v", mcw, every, sparse, f, got, want)
					}
				}
				if want.loss > 0 {
					found++
				}
			}
		}
		if found < 6 {
			t.Fatalf("mcw %g: only %d nodes had a split", mcw, found)
		}
	}
}

// TestSubtractHist wants subtractHist to subtract bin by bin, as the Go
// loop does, for lengths around its steps of four.
func TestSubtractHist(t *testing.T) {
	rng := rand.New(rand.NewPCG(8, 9))
	for n := range 11 {
		dst, src := make([]hbin, n), make([]hbin, n)
		for i := range n {
			dst[i] = hbin{rng.NormFloat64(), rng.Float64()}
			src[i] = hbin{rng.NormFloat64() / 3, rng.Float64() / 3}
		}
		want := slices.Clone(dst)
		for i := range want {
			want[i].g -= src[i].g
			want[i].h -= src[i].h
		}
		subtractHist(dst, src)
		if !slices.Equal(dst, want) {
			t.Fatalf("n=%d: %v, want %v", n, dst, want)
		}
	}
}
