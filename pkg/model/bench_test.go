package model_test

import (
	"testing"
)

// BenchmarkPredictProba scores the 768 raw rows of diabetes.csv: conform,
// clean (zeros as missing, medians), export, trees. BenchmarkBooster is the
// trees alone on the cleaned features, for the pipeline's share.
func BenchmarkPredictProba(b *testing.B) {
	m := fitDiabetes(b)
	rows := sample(b, "diabetes")
	b.ReportAllocs()
	for b.Loop() {
		if _, err := m.PredictProba(rows); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(rows.Len())*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
}

func BenchmarkBooster(b *testing.B) {
	m := fitDiabetes(b)
	X, err := m.Features(sample(b, "diabetes"))
	if err != nil {
		b.Fatal(err)
	}
	r, _ := X.Dims()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := m.Booster.Predict(X); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(r)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
}
