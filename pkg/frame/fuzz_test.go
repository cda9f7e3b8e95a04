package frame_test

import (
	"bytes"
	"context"
	"testing"

	"github.com/mlstack/mlstack/pkg/frame"
)

// FuzzReadCSV: no input panics ReadCSV, and a frame it returns is
// rectangular.
func FuzzReadCSV(f *testing.F) {
	f.Add([]byte("a,b,y\n1,x,0\n2,,1\nNA,\"q,\"\"r\",1\n"))
	f.Add([]byte("\ufeffa;b\n1;2\n"))
	f.Add([]byte("a,a\n1\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		fr, err := frame.ReadCSV(context.Background(), bytes.NewReader(b), nil)
		if err != nil {
			return
		}
		rows, cols := fr.Shape()
		for j := range cols {
			if n := fr.ColumnAt(j).Len(); n != rows {
				t.Fatalf("column %d has %d values, the frame %d rows", j, n, rows)
			}
		}
	})
}
