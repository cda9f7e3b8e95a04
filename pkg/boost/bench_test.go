package boost

import (
	"context"
	"fmt"
	"math/rand/v2"
	"runtime"
	"testing"
)

// Size-tiered benchmarks of the hot paths: training (histogram building,
// partitioning, split finding) and batch prediction.

func BenchmarkTrainHist(b *testing.B) {
	for _, n := range []int{10000, 100000} {
		x, y := synth(n, 28, 1, 0)
		b.Run(fmt.Sprintf("rows=%d", n), func(b *testing.B) {
			for b.Loop() {
				if _, err := Train(context.Background(), x, y, nil, &Params{NEstimators: 10}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkTrainOneHot trains on data shaped like the pipeline's wide
// benchmark after SMOTE: 20 numeric columns and 12 categoricals of 40
// levels one-hot encoded, 30% of the rows interpolated between levels.
func BenchmarkTrainOneHot(b *testing.B) {
	x, y := oneHotData(13600, 20, 12, 40, 0.3, 1)
	for b.Loop() {
		if _, err := Train(context.Background(), x, y, nil, &Params{NEstimators: 20, MaxDepth: 4, NJobs: 1}); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkTrainExact(b *testing.B) {
	x, y := synth(10000, 28, 1, 0)
	for b.Loop() {
		if _, err := Train(context.Background(), x, y, nil, &Params{NEstimators: 10, TreeMethod: Exact}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkBuildHist adds the rows of a node into its histogram: all of
// 16k or 262k rows (a root), or a random 6% or 30% of 1M rows (deeper
// nodes, whose rows are scattered over the matrix), of 28 features or, like
// the tall shape's trees, 11 of 13 (colsample_bytree 0.9: the loop's
// steps of four and a remainder of three).
func BenchmarkBuildHist(b *testing.B) {
	for _, tc := range []struct {
		name     string
		n, feats int
		frac     float64
	}{
		{"rows=16384", 16384, 28, 1}, {"rows=262144", 262144, 28, 1}, {"rows=6%_of_1M", 1 << 20, 28, 0.06},
		{"features=11_of_13/rows=6%_of_1M", 1 << 20, 13, 0.06}, {"features=11_of_13/rows=30%_of_1M", 1 << 20, 13, 0.3},
	} {
		x, y := synth(tc.n, tc.feats, 1, 0)
		c, _ := (&Params{}).resolve()
		bins := quantiseFrom(denseColumns(x), tc.n, tc.feats, nil, 256, 1)
		var sel []selCol // nil: every feature
		if tc.feats == 13 {
			sel = bins.selectDense([]int32{0, 1, 2, 3, 4, 5, 6, 8, 9, 10, 12})
		}
		gp := make([]gpair, tc.n)
		for i := range gp {
			gp[i] = gpair{float32(y[i]) - 0.5, 0.25}
		}
		c.threads = 1
		g := newHistGrower(&c, bins)
		rng := rand.New(rand.NewPCG(1, 2))
		var rows []int32
		for i := range tc.n {
			if tc.frac == 1 || rng.Float64() < tc.frac {
				rows = append(rows, int32(i))
			}
		}
		hist := make([]hbin, g.nbins)
		b.Run(tc.name, func(b *testing.B) {
			for b.Loop() {
				clear(hist)
				bins.buildHist(rows, gp, hist, sel)
			}
			b.ReportMetric(float64(len(rows))*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
		})
	}
}

func BenchmarkPredict(b *testing.B) {
	x, y := synth(100000, 28, 1, 0.01)
	m, err := Train(context.Background(), x, y, nil, &Params{NEstimators: 100})
	if err != nil {
		b.Fatal(err)
	}
	raw := x.RawMatrix().Data
	out := make([]float64, 100000)
	for _, threads := range []int{1, 2} {
		m.NJobs = threads
		b.Run(fmt.Sprintf("threads=%d", threads), func(b *testing.B) {
			for b.Loop() {
				m.PredictDense(raw, 100000, out)
			}
			b.ReportMetric(100000*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
		})
	}
}

func BenchmarkGradients(b *testing.B) {
	const n = 1 << 18
	rng := rand.New(rand.NewPCG(1, 2))
	margin, y, w := make([]float32, n), make([]float32, n), make([]float32, n)
	for i := range margin {
		margin[i] = float32(2 * rng.NormFloat64())
		y[i] = float32(rng.IntN(2))
		w[i] = 1
	}
	gp := make([]gpair, n)
	// weights and unit take the assembly loop where there is one (AVX2),
	// go-* the Go loop.
	for _, bc := range []struct {
		name string
		f    func()
	}{
		{"weights", func() { gradients(BinaryLogistic, 1, margin, y, w, gp, 1) }},
		{"unit", func() { gradients(BinaryLogistic, 1, margin, y, nil, gp, 1) }},
		{"go-weights", func() { logisticGradientsGo(margin, y, w, gp) }},
		{"go-unit", func() { logisticGradients1Go(margin, y, gp) }},
	} {
		b.Run(bc.name, func(b *testing.B) {
			for b.Loop() {
				bc.f()
			}
			b.ReportMetric(b.Elapsed().Seconds()*1e9/float64(n)/float64(b.N), "ns/row")
		})
	}
}

// BenchmarkEvaluate finds the best split of a node from its histogram on
// the one-hot data of BenchmarkTrainOneHot (481 sparse features whose
// SMOTE-like fractional values fill up to 256 bins each): the root, and a
// node of every 16th row, whose histogram has many empty bins.
func BenchmarkEvaluate(b *testing.B) {
	const n = 13600
	x, y := oneHotData(n, 20, 12, 40, 0.3, 1)
	_, d := x.Dims()
	c, _ := (&Params{}).resolve()
	bins := quantiseFrom(denseColumns(x), n, d, nil, 256, 1)
	gp := make([]gpair, n)
	for i := range gp {
		gp[i] = gpair{float32(y[i]) - 0.5, 0.25}
	}
	c.threads = 1
	g := newHistGrower(&c, bins)
	feats := make([]int32, d)
	for i := range feats {
		feats[i] = int32(i)
	}
	for _, every := range []int{1, 16} {
		node := &hnode{hist: make([]hbin, g.nbins)}
		var rows []int32
		for r := 0; r < n; r += every {
			rows = append(rows, int32(r))
			node.G += float64(gp[r].g)
			node.H += float64(gp[r].h)
		}
		node.rootGain = c.gain(node.G, node.H)
		bins.buildHist(rows, gp, node.hist, nil)
		bins.fillDefaults(node.hist, node.G, node.H)
		b.Run(fmt.Sprintf("rows=1/%d", every), func(b *testing.B) {
			for b.Loop() {
				g.evaluate([]*hnode{node}, feats)
			}
		})
	}
}

// BenchmarkEvaluateDense finds the best split of nodes of a search
// trial's fold (8,000 rows of 30 continuous features, 256 bins): nodes
// of every row down to a few dozen, dense and sparse (sparseHist).
func BenchmarkEvaluateDense(b *testing.B) {
	const n, d = 8000, 30
	x, y := synth(n, d, 5, 0)
	c, _ := (&Params{}).resolve()
	bins := quantiseFrom(denseColumns(x), n, d, nil, 256, 1)
	gp := make([]gpair, n)
	for i := range gp {
		gp[i] = gpair{float32(y[i]) - 0.3, 0.21}
	}
	c.threads = 1
	g := newHistGrower(&c, bins)
	g.sel = bins.selectDense(nil)
	feats := make([]int32, d)
	for i := range feats {
		feats[i] = int32(i)
	}
	for _, rowsN := range []int{8000, 1000, 250, 60} {
		for _, sparse := range []bool{false, true} {
			if sparse && rowsN > 250 {
				continue
			}
			node := &hnode{}
			var rows []int32
			for r := 0; r < n; r += n / rowsN {
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
			b.Run(fmt.Sprintf("rows=%d/sparse=%v", len(rows), sparse), func(b *testing.B) {
				runtime.LockOSThread()
				defer runtime.UnlockOSThread()
				start := threadCPU()
				for b.Loop() {
					g.evaluate([]*hnode{node}, feats)
				}
				b.ReportMetric(float64(threadCPU()-start)/float64(b.N), "cpu-ns/op")
			})
		}
	}
}
