// Package synth writes the synthetic CSV tables pkg/frame's benchmarks
// read. The same arguments always give the same bytes.
package synth

import (
	"io"
	"math/rand/v2"
	"strconv"
)

// NumericColumns is the number of columns Numeric writes.
const NumericColumns = 14

// Numeric writes a header and rows of fourteen numeric columns, as a
// measurement table has: decimals of several magnitudes and precisions,
// counts, prices; about 1% of the values empty (missing). A row takes 91
// bytes on average, so 2,200,000 rows make about 200 MB.
func Numeric(w io.Writer, rows int) error {
	rnd := rand.New(rand.NewPCG(14, 3))
	b := make([]byte, 0, 256)
	for j := range NumericColumns {
		if j > 0 {
			b = append(b, ',')
		}
		b = append(b, 'v')
		b = strconv.AppendInt(b, int64(j), 10)
	}
	b = append(b, '\n')
	for range rows {
		for j := range NumericColumns {
			if j > 0 {
				b = append(b, ',')
			}
			if rnd.IntN(100) == 0 {
				continue
			}
			switch j % 5 {
			case 0: // standard normal, 4 decimals
				b = strconv.AppendFloat(b, float64(int64(rnd.NormFloat64()*1e4))/1e4, 'f', -1, 64)
			case 1: // a count
				b = strconv.AppendInt(b, int64(rnd.IntN(1000)), 10)
			case 2: // a lab value, one decimal
				b = strconv.AppendFloat(b, 50+float64(int64(rnd.NormFloat64()*100))/10, 'f', 1, 64)
			case 3: // a price, two decimals
				b = strconv.AppendFloat(b, float64(rnd.IntN(10_000_000))/100, 'f', 2, 64)
			default: // a skewed positive value, six significant digits
				b = strconv.AppendFloat(b, rnd.ExpFloat64()*1000, 'g', 6, 64)
			}
		}
		b = append(b, '\n')
		if len(b) > 128<<10 {
			if _, err := w.Write(b); err != nil {
				return err
			}
			b = b[:0]
		}
	}
	_, err := w.Write(b)
	return err
}
