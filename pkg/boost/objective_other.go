//go:build !amd64 || purego

package boost

const haveLogisticGrad8 = false

func logisticGrad8(margin, y, w *float32, gp *gpair, n uintptr) {
	panic("boost: logisticGrad8 without assembly")
}
