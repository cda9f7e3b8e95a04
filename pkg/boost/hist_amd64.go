//go:build !purego

package boost

// haveAddRows8 says whether addRows8 is the assembly loop (amd64).
const haveAddRows8 = true

// addRows8 is addRows for one-byte bins in assembly (hist_amd64.s):
// adding a bin's (g, h) with one SSE2 ADDPD instead of two scalar adds
// and stores. While more than ahead rows remain, it first prefetches
// the bins (first and last byte) and the gradient of the row ahead rows
// on: the rows of a deep node are scattered over the matrix and nearly
// all miss the cache, and the prefetches put the misses of the next rows
// in flight while this row's values are added (touchRows does it for the
// Go loops, with a loop of its own).
//
//go:noescape
func addRows8(bins *uint8, ncol uintptr, sel *selCol, nsel uintptr, rows *int32, nrows uintptr, gp *gpair, hist *hbin, ahead uintptr)
