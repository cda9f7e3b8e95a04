//go:build !amd64 || purego

package boost

const haveScanBins = false

func scanBins(hist *hbin, n, step int, G, H, lambda, mcw float64, root, best float32) (k int, loss float32, bG, bH, tG, tH float64) {
	panic("boost: scanBins without assembly")
}

func subHist(dst, src *hbin, n int) {
	panic("boost: subHist without assembly")
}
