//go:build !purego

package boost

// haveAddRows8 says whether addRows8 is the assembly loop (amd64).
const haveAddRows8 = true

// addRows8 is addRows for one-byte bins in assembly (hist_amd64.s):
// adding a bin's (g, h) with one SSE2 ADDPD instead of two scalar adds
// and stores.
//
//go:noescape
func addRows8(bins *uint8, ncol uintptr, sel *selCol, nsel uintptr, rows *int32, nrows uintptr, gp *gpair, hist *hbin)
