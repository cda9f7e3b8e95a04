package clean

import (
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/mlstack/mlstack/pkg/frame"
)

// synthetic returns n rows of 8 numeric columns (1% missing, some zeros),
// 2 categorical columns and a boolean target.
func synthetic(b *testing.B, n int) *frame.Frame {
	rnd := rand.New(rand.NewPCG(1, 1))
	var buf bytes.Buffer
	buf.WriteString("x0,x1,x2,x3,x4,x5,x6,x7,c0,c1,y\n")
	cats := []string{"red", "green", "blue", "black", "white"}
	for range n {
		for j := range 8 {
			switch rnd.IntN(100) {
			case 0:
				buf.WriteString("NA,")
			case 1:
				buf.WriteString("0,")
			default:
				fmt.Fprintf(&buf, "%.4f,", rnd.NormFloat64()*float64(j+1))
			}
		}
		fmt.Fprintf(&buf, "%s,%s,%s\n", cats[rnd.IntN(5)], cats[rnd.IntN(3)], []string{"No", "Yes"}[rnd.IntN(2)])
	}
	f, err := frame.ReadCSV(context.Background(), &buf, nil)
	if err != nil {
		b.Fatal(err)
	}
	return f
}

func benchPipeline() *Pipeline {
	p := New(
		&DropDuplicates{},
		&ZeroAsMissing{Columns: []string{"x0", "x1"}},
		&Impute{Strategy: Median},
		&Encode{Unknown: UnknownIgnore},
		&Clip{},
		&Standardize{},
	)
	p.Target = "y"
	return p
}

func benchmarkFitTransform(b *testing.B, n int) {
	f := synthetic(b, n)
	for b.Loop() {
		if _, err := benchPipeline().FitTransform(f); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkFitTransformSmall(b *testing.B)  { benchmarkFitTransform(b, 1e2) }
func BenchmarkFitTransformMedium(b *testing.B) { benchmarkFitTransform(b, 1e4) }

func benchmarkTransform(b *testing.B, n int) {
	f := synthetic(b, n)
	p := benchPipeline()
	if _, err := p.FitTransform(f); err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if _, err := p.Transform(f); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkTransformSmall(b *testing.B)  { benchmarkTransform(b, 1e2) }
func BenchmarkTransformMedium(b *testing.B) { benchmarkTransform(b, 1e4) }
