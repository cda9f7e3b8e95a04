package boost

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestLogisticGrad8 checks that the assembly gradient loop gives the Go
// loop's bits, with and without weights, on edge margins (signed zeros,
// subnormals, the edges of expf's range, saturation, ±Inf, NaNs with
// payloads), every 9973rd float32 and random ones, and that the
// wrappers handle lengths that are not multiples of eight.
func TestLogisticGrad8(t *testing.T) {
	if !haveLogisticGrad8 {
		t.Skip("no assembly gradient loop on this platform or build")
	}
	inf := float32(math.Inf(1))
	edges := []float32{0, float32(math.Copysign(0, -1)), 1, -1, 1e-45, -1e-45, 1e-38, -1e-38,
		88.72283, 88.72284, 89, -89, 88.99999, -88.99999, 103.97208, 104, 104.00001, -104, -104.00001,
		87.33655, 103.27893, 110, -110, 1e6, -1e6, math.MaxFloat32, -math.MaxFloat32, inf, -inf,
		float32(math.NaN()), math.Float32frombits(0x7fc00001), math.Float32frombits(0xffc12345),
		math.Float32frombits(0x7f800001), 16.635532, -16.635532, 36.7368, -36.7368}
	margin := append([]float32(nil), edges...)
	for b := uint64(0); b < 1<<32; b += 9973 {
		margin = append(margin, math.Float32frombits(uint32(b)))
	}
	rng := rand.New(rand.NewPCG(3, 4))
	for range 100000 {
		margin = append(margin, float32(rng.NormFloat64()*20))
	}
	y, w := make([]float32, len(margin)), make([]float32, len(margin))
	for i := range y {
		y[i] = float32(rng.IntN(2))
		w[i] = float32(rng.ExpFloat64())
		if i%17 == 0 {
			w[i] = 0
		}
	}
	same := func(a, b gpair) bool {
		return math.Float32bits(a.g) == math.Float32bits(b.g) && math.Float32bits(a.h) == math.Float32bits(b.h)
	}
	for _, tc := range []struct {
		name string
		w    []float32
	}{{"unit", nil}, {"weighted", w}} {
		// Every offset of the edges within a block of eight.
		for off := range 8 {
			m, yy := margin[off:], y[off:]
			n := len(m) &^ 7
			got, want := make([]gpair, n), make([]gpair, n)
			var wp *float32
			if tc.w != nil {
				wp = &tc.w[off]
				logisticGradientsGo(m[:n], yy[:n], tc.w[off:off+n], want)
			} else {
				logisticGradients1Go(m[:n], yy[:n], want)
			}
			logisticGrad8(&m[0], &yy[0], wp, &got[0], uintptr(n))
			for i := range got {
				if !same(got[i], want[i]) {
					t.Fatalf("%s: margin %v (%#x), label %v: assembly %+v, Go %+v", tc.name, m[i], math.Float32bits(m[i]), yy[i], got[i], want[i])
				}
			}
		}
	}
	// The wrappers: the assembly for the first multiple of eight, Go for
	// the rest.
	for _, n := range []int{0, 1, 7, 8, 9, 15, 16, 17, 100} {
		got, want := make([]gpair, n), make([]gpair, n)
		logisticGradients1(margin[:n], y[:n], got)
		logisticGradients1Go(margin[:n], y[:n], want)
		for i := range got {
			if !same(got[i], want[i]) {
				t.Fatalf("logisticGradients1, %d rows: row %d %+v, Go %+v", n, i, got[i], want[i])
			}
		}
		logisticGradients(margin[:n], y[:n], w[:n], got)
		logisticGradientsGo(margin[:n], y[:n], w[:n], want)
		for i := range got {
			if !same(got[i], want[i]) {
				t.Fatalf("logisticGradients, %d rows: row %d %+v, Go %+v", n, i, got[i], want[i])
			}
		}
	}
}
