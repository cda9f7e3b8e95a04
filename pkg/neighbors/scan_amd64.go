//go:build !purego

package neighbors

import "golang.org/x/sys/cpu"

// haveLeafScan16 says whether leafScan16 runs here: amd64 with AVX-512F
// (and the operating system saving its registers). Tests switch it off to
// cover the Go scan.
var haveLeafScan16 = cpu.X86.HasAVX512F

// leafScan16 is the filtering part of tree.scan for one leaf (l rows stored
// column by column, d columns, the query's value for the leaf's c-th
// column at q[cols[c]]), in assembly (scan_amd64.s): it writes to live the
// rows whose partial squared distance stays within limit through every
// column, in ascending order, sets part[i] to the sum over all columns of
// each such row i, and returns their number and the terms it summed. live
// must have room for l+16 indices, part for l sums.
//
//go:noescape
func leafScan16(xs *float64, l, d int, q *float64, cols *int32, limit float64, live *int32, part *float64) (n, terms int)

// boxDist2 returns kdTree.boxDist of two sibling nodes (their bounds one
// after the other from b, in cols order, and the query qo), summed in
// another order and without the early return, in assembly
// (scan_amd64.s). It runs where leafScan16 does.
//
//go:noescape
func boxDist2(b *float64, q *float64, d int) (dl, dr float64)
