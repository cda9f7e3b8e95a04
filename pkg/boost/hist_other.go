//go:build !amd64 || purego

package boost

const haveAddRows8 = false

func addRows8(bins *uint8, ncol uintptr, sel *selCol, nsel uintptr, rows *int32, nrows uintptr, gp *gpair, hist *hbin, ahead uintptr) {
	panic("boost: addRows8 without assembly")
}
