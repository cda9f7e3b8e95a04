package frame

import (
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"runtime"
	"runtime/metrics"
	"strings"
	"testing"
	"time"

	"github.com/mlstack/mlstack/pkg/frame/internal/synth"
)

// syntheticCSV returns n rows of 8 numeric, 2 categorical and 1 boolean
// columns, with 1% missing values.
func syntheticCSV(n int) []byte {
	rnd := rand.New(rand.NewPCG(1, 1))
	var b bytes.Buffer
	b.WriteString("x0,x1,x2,x3,x4,x5,x6,x7,c0,c1,y\n")
	cats := []string{"red", "green", "blue", "black"}
	for range n {
		for j := range 8 {
			if rnd.IntN(100) == 0 {
				b.WriteString("NA,")
			} else {
				fmt.Fprintf(&b, "%.4f,", rnd.NormFloat64()*float64(j+1))
			}
		}
		fmt.Fprintf(&b, "%s,%s,%s\n", cats[rnd.IntN(4)], cats[rnd.IntN(2)], []string{"No", "Yes"}[rnd.IntN(2)])
	}
	return b.Bytes()
}

func benchmarkReadCSV(b *testing.B, n int) {
	data := syntheticCSV(n)
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		if _, err := ReadCSV(context.Background(), bytes.NewReader(data), nil); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkReadCSVSmall(b *testing.B)  { benchmarkReadCSV(b, 1e2) }
func BenchmarkReadCSVMedium(b *testing.B) { benchmarkReadCSV(b, 1e4) }

// BenchmarkReadCSVMixed reads 200,000 rows (18 MB) of numeric,
// categorical and boolean columns.
func BenchmarkReadCSVMixed(b *testing.B) { benchmarkReadCSV(b, 2e5) }

// BenchmarkReadCSVNumeric reads the numeric benchmark table of issue 14:
// 2,200,000 rows of 14 numeric columns, 200 MB. It reports the peak of the
// live heap during a read as a multiple of the input size (peak/B); the
// process's peak resident set is measured by scripts/bench-read.sh.
func BenchmarkReadCSVNumeric(b *testing.B) {
	var buf bytes.Buffer
	if err := synth.Numeric(&buf, 2_200_000); err != nil {
		b.Fatal(err)
	}
	data := buf.Bytes()
	b.SetBytes(int64(len(data)))
	var peak uint64
	for b.Loop() {
		runtime.GC()
		stop := watchHeap()
		f, err := ReadCSV(context.Background(), bytes.NewReader(data), nil)
		if err != nil {
			b.Fatal(err)
		}
		peak = max(peak, stop())
		runtime.KeepAlive(f)
	}
	b.ReportMetric(float64(peak)/float64(len(data)), "peak/B")
}

// watchHeap samples the bytes of heap objects every millisecond, above
// their level at the start, until the returned function is called, which
// returns the highest value seen.
func watchHeap() func() uint64 {
	sample := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	read := func() uint64 { metrics.Read(sample); return sample[0].Value.Uint64() }
	base := read()
	stop, done := make(chan struct{}), make(chan uint64)
	go func() {
		peak := base
		t := time.NewTicker(time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-stop:
				done <- max(peak, read()) - base
				return
			case <-t.C:
				peak = max(peak, read())
			}
		}
	}()
	return func() uint64 { close(stop); return <-done }
}

func benchmarkXY(b *testing.B, n int) {
	f, err := ReadCSV(context.Background(), bytes.NewReader(syntheticCSV(n)), nil)
	if err != nil {
		b.Fatal(err)
	}
	opts := &ExportOptions{Ordinal: true}
	for b.Loop() {
		if _, _, _, err := f.XY("y", opts); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkXYSmall(b *testing.B)  { benchmarkXY(b, 1e2) }
func BenchmarkXYMedium(b *testing.B) { benchmarkXY(b, 1e4) }

func BenchmarkDescribeMedium(b *testing.B) {
	f, err := ReadCSV(context.Background(), strings.NewReader(string(syntheticCSV(1e4))), nil)
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		f.Describe()
	}
}
