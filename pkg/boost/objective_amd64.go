//go:build !purego

package boost

import (
	"math"

	"golang.org/x/sys/cpu"
)

// haveLogisticGrad8 says whether logisticGrad8 runs here: amd64 with
// AVX2 (and the operating system saving its registers).
var haveLogisticGrad8 = cpu.X86.HasAVX2

// logisticGrad8 is logisticGradients (w != nil) or logisticGradients1
// (w == nil) for n rows, n a multiple of 8, in AVX2 assembly
// (objective_amd64.s): eight rows a step, the float64 work of expf four
// rows an instruction. Each row goes through the same IEEE operations in
// the same order as the Go loop, so the pairs are the same bits
// (TestLogisticGrad8).
//
//go:noescape
func logisticGrad8(margin, y, w *float32, gp *gpair, n uintptr)

// logisticK are the constants of logisticGrad8, each repeated to fill
// 32 bytes (one YMM load): the same constant expressions as expf and
// logisticGradients use. The assembly reads them at these offsets (×32).
//
//lint:ignore U1000 read by objective_amd64.s, which staticcheck does not see
var logisticK = func() (k [18][4]uint64) {
	f64 := func(v float64) [4]uint64 {
		b := math.Float64bits(v)
		return [4]uint64{b, b, b, b}
	}
	f32 := func(v float32) [4]uint64 {
		b := uint64(math.Float32bits(v))
		b |= b << 32
		return [4]uint64{b, b, b, b}
	}
	k[0] = f32(float32(math.Copysign(0, -1))) // the sign bit: -x
	k[1] = f64(log2e32)
	k[2] = f64(expfShift)
	k[3] = f64(ln2Hi32)
	k[4] = f64(ln2Lo32)
	k[5] = f64(1.0 / 720)
	k[6] = f64(1.0 / 120)
	k[7] = f64(1.0 / 24)
	k[8] = f64(1.0 / 6)
	k[9] = f64(1.0 / 2)
	k[10] = f64(1)
	k[11] = [4]uint64{31, 31, 31, 31}
	k[12] = [4]uint64{1023, 1023, 1023, 1023}
	k[13] = f32(1)
	k[14] = f32(hessEps)
	k[15] = f32(-104)
	k[16] = f32(89)
	k[17] = f32(float32(math.Inf(1)))
	return k
}()
