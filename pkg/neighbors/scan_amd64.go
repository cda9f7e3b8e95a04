//go:build !purego

package neighbors

import "golang.org/x/sys/cpu"

// kernels are the assembly kernels of scan_amd64.s this CPU runs (and its
// operating system saves the registers of), fastest first.
var kernels = func() []*kernel {
	var ks []*kernel
	if cpu.X86.HasAVX512F {
		// Node bounds per 8 columns (boxDist2AVX512); within 5% of the
		// timings (see kdQueryNs).
		ks = append(ks, &kernel{name: "avx512", leaf: leafScanAVX512, box2: boxDist2AVX512,
			cost: costModel{query: 630, cell: 0.16, block: 35, box: 2.85, width: 8, exact: 0.88}})
	}
	if cpu.X86.HasAVX2 {
		// Node bounds per 4 columns; within 8%.
		ks = append(ks, &kernel{name: "avx2", leaf: leafScanAVX2, box2: boxDist2AVX2,
			cost: costModel{query: 1040, cell: 0.23, block: 30, box: 1.31, width: 4, exact: 1.75}})
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
