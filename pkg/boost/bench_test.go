package boost

import (
	"context"
	"fmt"
	"math/rand/v2"
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

func BenchmarkTrainExact(b *testing.B) {
	x, y := synth(10000, 28, 1, 0)
	for b.Loop() {
		if _, err := Train(context.Background(), x, y, nil, &Params{NEstimators: 10, TreeMethod: Exact}); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkBuildHist(b *testing.B) {
	for _, n := range []int{16384, 262144} {
		x, y := synth(n, 28, 1, 0)
		c, _ := (&Params{}).resolve()
		bins := quantise(toFloat32(x, 1), n, 28, nil, 256, 1)
		gp := make([]gpair, n)
		for i := range gp {
			gp[i] = gpair{float32(y[i]) - 0.5, 0.25}
		}
		g := newHistGrower(&c, bins, 1)
		for i := range g.rows {
			g.rows[i] = int32(i)
		}
		hist := make([]hbin, g.nbins)
		b.Run(fmt.Sprintf("rows=%d", n), func(b *testing.B) {
			for b.Loop() {
				clear(hist)
				bins.buildHist(g.rows, gp, hist)
			}
			b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
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
	for b.Loop() {
		gradients(BinaryLogistic, 1, margin, y, w, gp, 1)
	}
	b.ReportMetric(b.Elapsed().Seconds()*1e9/float64(n)/float64(b.N), "ns/row")
}
