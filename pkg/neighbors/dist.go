package neighbors

// sqDist is the squared Euclidean distance every algorithm ranks by:
// (a[0]−b[0])² + (a[1]−b[1])² + …, each term rounded, summed left to right
// without fused multiply-add. Every algorithm computes exactly this value
// for the rows it returns, so their results are identical.
func sqDist(a, b []float64) float64 {
	var s float64
	b = b[:len(a)]
	for c, av := range a {
		e := av - b[c]
		s += float64(e * e)
	}
	return s
}
