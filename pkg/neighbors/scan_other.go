//go:build purego || !amd64

package neighbors

// haveLeafScan16 is false: no assembly scan here.
var haveLeafScan16 = false

func leafScan16(xs *float64, l, d int, q *float64, cols *int32, limit float64, live *int32, part *float64) (n, terms int) {
	panic("neighbors: leafScan16 without assembly")
}

func boxDist2(b *float64, q *float64, d int) (dl, dr float64) {
	panic("neighbors: boxDist2 without assembly")
}
