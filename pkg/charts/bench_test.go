package charts_test

import (
	"io"
	"testing"

	"github.com/mlstack/mlstack/pkg/charts"
)

// BenchmarkROC builds the ROC chart of a 10-fold result and renders its
// option and PNG.
func BenchmarkROC(b *testing.B) {
	r := cvResult()
	for b.Loop() {
		c, err := charts.ROC(r)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := c.Option(); err != nil {
			b.Fatal(err)
		}
		if err := c.WritePNG(io.Discard); err != nil {
			b.Fatal(err)
		}
	}
}
