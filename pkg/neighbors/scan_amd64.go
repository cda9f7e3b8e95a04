//go:build !purego

package neighbors

import "golang.org/x/sys/cpu"

// kernels are the assembly kernels of scan_amd64.s this CPU runs (and its
// operating system saves the registers of), fastest first.
var kernels = func() []*kernel {
	var ks []*kernel
	if cpu.X86.HasAVX512F {
		ks = append(ks, &kernel{name: "avx512", leaf: leafScanAVX512, box2: boxDist2AVX512, cost: costAVX512})
	}
	if cpu.X86.HasAVX2 {
		ks = append(ks, &kernel{name: "avx2", leaf: leafScanAVX2, box2: boxDist2AVX2, cost: costAVX2})
	}
	return ks
}()

// leafScanAVX512 is kernel.leaf with AVX-512F: sixteen rows a block in two
// ZMM accumulators, the rows still in a mask register.
//
//go:noescape
func leafScanAVX512(xs *float64, l, d int, q *float64, cols *int32, limit float64, live *int32, part *float64) (n, terms int)

// boxDist2AVX512 is kernel.box2 with AVX-512F, eight columns an
// instruction.
//
//go:noescape
func boxDist2AVX512(b *float64, qo *float64, d int) (dl, dr float64)

// leafScanAVX2 is kernel.leaf with AVX2: sixteen rows a block in four YMM
// accumulators; the block's missing rows (past l) start at NaN, which no
// compare lets through.
//
//go:noescape
func leafScanAVX2(xs *float64, l, d int, q *float64, cols *int32, limit float64, live *int32, part *float64) (n, terms int)

// boxDist2AVX2 is kernel.box2 with AVX2, four columns an instruction.
//
//go:noescape
func boxDist2AVX2(b *float64, qo *float64, d int) (dl, dr float64)

// costAVX512 is the AVX-512 kernel's cost model (see kdQueryNs): per
// query, per term, per block of 16 rows, per node bound and 8 columns
// (boxDist2AVX512), per exact distance and column.
func costAVX512(w work, queries, d int) float64 {
	q := float64(max(queries, 1))
	return 630 + 0.16*float64(w.cells)/q + 35*float64(w.blocks)/q +
		2.85*float64(w.boxes)/q*float64((d+7)/8) + 0.88*float64(w.exact)/q*float64(d)
}

// costAVX2 is the AVX2 kernel's cost model, of the same form (node bounds
// per 4 columns); within 8% of the same timings.
func costAVX2(w work, queries, d int) float64 {
	q := float64(max(queries, 1))
	return 1040 + 0.23*float64(w.cells)/q + 30*float64(w.blocks)/q +
		1.31*float64(w.boxes)/q*float64((d+3)/4) + 1.75*float64(w.exact)/q*float64(d)
}
