package metrics

import (
	"math/rand/v2"
	"testing"
)

func benchData(n int) (yTrue, score []float64) {
	rnd := rand.New(rand.NewPCG(1, 1))
	yTrue, score = make([]float64, n), make([]float64, n)
	for i := range yTrue {
		if rnd.Float64() < 0.3 {
			yTrue[i] = 1
		}
		score[i] = min(1, max(0, 0.3*yTrue[i]+0.7*rnd.Float64()))
	}
	return yTrue, score
}

func benchmarkMetric(b *testing.B, n int, fn func(yt, sc []float64) float64) {
	yt, sc := benchData(n)
	b.ResetTimer()
	for b.Loop() {
		fn(yt, sc)
	}
}

func BenchmarkROCAUC1M(b *testing.B) {
	benchmarkMetric(b, 1e6, func(yt, sc []float64) float64 { return ROCAUC(yt, sc, nil) })
}

func BenchmarkAveragePrecision1M(b *testing.B) {
	benchmarkMetric(b, 1e6, func(yt, sc []float64) float64 { return AveragePrecision(yt, sc, nil) })
}

func BenchmarkLogLoss1M(b *testing.B) {
	benchmarkMetric(b, 1e6, func(yt, sc []float64) float64 { return LogLoss(yt, sc, nil) })
}

func BenchmarkF11M(b *testing.B) {
	benchmarkMetric(b, 1e6, func(yt, sc []float64) float64 { return F1(yt, Threshold(sc, 0.5), nil, Binary) })
}

func BenchmarkBinaryScores1M(b *testing.B) {
	benchmarkMetric(b, 1e6, func(yt, sc []float64) float64 { return BinaryScores(yt, sc, nil, 0.5)["f1"] })
}

func BenchmarkBinaryScores1k(b *testing.B) {
	benchmarkMetric(b, 1e3, func(yt, sc []float64) float64 { return BinaryScores(yt, sc, nil, 0.5)["f1"] })
}
