//go:build !purego

package boost

// haveScanBins says whether scanBins is the assembly loop (amd64).
const haveScanBins = true

// scanBins scans n bins of a histogram from hist, step bytes apart (16
// forward, -16 backward), for evalBins when reg_alpha is 0 and
// min_child_weight > 0 (scan_amd64.s): it accumulates the bins, and at
// each split with both sides' hessian at least mcw computes the loss
// leafGain(acc) + leafGain(other) - root, other being (G, H) minus the
// accumulated sums. It returns the last position k (0-based, in scan
// order) whose loss is strictly above best and all the ones before it,
// or -1, with that loss and the sums accumulated up to it (bG, bH), and
// the sums of all n bins (tG, tH).
//
//go:noescape
func scanBins(hist *hbin, n, step int, G, H, lambda, mcw float64, root, best float32) (k int, loss float32, bG, bH, tG, tH float64)

// subHist subtracts src from dst, n bins each (scan_amd64.s), for
// subtractHist.
//
//go:noescape
func subHist(dst, src *hbin, n int)
