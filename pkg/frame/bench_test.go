package frame

import (
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
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
