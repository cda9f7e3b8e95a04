//go:build purego || !amd64

package neighbors

// kernels is empty: no assembly here, the Go loops run.
var kernels []*kernel
