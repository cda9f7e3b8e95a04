package dataset

import (
	"bytes"
	"strconv"
	"testing"
)

// BenchmarkScannerFast measures the quote-free path alone, in memory.
func BenchmarkScannerFast(b *testing.B) {
	var buf bytes.Buffer
	for i := 0; buf.Len() < 16<<20; i++ {
		buf.WriteString(strconv.Itoa(i) + "," + strconv.Itoa(18+i%60) + "," + strconv.Itoa(20000+i*7919%90000) + ",0." + strconv.Itoa(i%1000) + ",north," + strconv.Itoa(i%2) + "\n")
	}
	chunk := buf.Bytes()
	b.SetBytes(int64(len(chunk)))
	for b.Loop() {
		s := &scanner{fields: 6}
		if err := s.fast(chunk); err != nil {
			b.Fatal(err)
		}
	}
}
