package neighbors

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// shape generates rows like scripts/bench/shapes.py's tables after median
// imputation and one-hot encoding (the same recipe, not the same numbers):
// numeric columns driven by four latent factors plus noise, the last fifth
// pure noise, every fifth column log-normal, counts, or one-decimal values
// around 50; then one 0/1 column per level of each categorical column, with
// Zipf-like level frequencies.
func shape(rows, numeric int, levels []int, seed uint64) ([]float64, int) {
	rnd := rand.New(rand.NewPCG(seed, seed))
	d := numeric
	for _, l := range levels {
		d += l
	}
	w := make([][4]float64, numeric)
	for j := range w {
		for f := range w[j] {
			w[j][f] = rnd.NormFloat64()
		}
	}
	x := make([]float64, rows*d)
	for i := range rows {
		var z [4]float64
		for f := range z {
			z[f] = rnd.NormFloat64()
		}
		row := x[i*d : i*d+d]
		for j := range numeric {
			v := rnd.NormFloat64()
			if j < numeric-max(1, numeric/5) {
				v = (z[0]*w[j][0]+z[1]*w[j][1]+z[2]*w[j][2]+z[3]*w[j][3])/2 + 0.5*v
			}
			switch j % 5 {
			case 1:
				v = math.Round(math.Exp(0.6*v)*1e4) / 1e4
			case 2:
				v = math.Round(max(3+2*v, 0))
			case 3:
				v = math.Round(10*(50+10*v)) / 10
			default:
				v = math.Round(v*1e4) / 1e4
			}
			row[j] = v
		}
		p := numeric
		for _, l := range levels {
			u := rnd.Float64()
			level, cum, norm := 0, 0.0, 0.0
			for v := 1; v <= l; v++ {
				norm += math.Pow(float64(v), -0.8)
			}
			for v := 1; v <= l; v++ {
				if cum += math.Pow(float64(v), -0.8) / norm; u < cum {
					level = v - 1
					break
				}
			}
			row[p+level] = 1
			p += l
		}
	}
	return x, d
}

func forty(n int) []int {
	l := make([]int, n)
	for i := range l {
		l[i] = 40
	}
	return l
}

// The class SMOTE searches in a training fold of each benchmark table
// (scripts/bench/shapes.py; 5-fold: 80% of the rows, times the positive
// share): tall 250,000 × 10 → 24,000 × 13; big 1,000,000 × 30 → 160,000 ×
// 42 (big20k: its first 20,000 rows, for the slow algorithms); wide
// 10,000 × 32 → 1,200 × 500.
var benchShapes = []struct {
	name          string
	rows, numeric int
	levels        []int
	slow          bool // skip BallTree and Brute
}{
	{name: "tall", rows: 24000, numeric: 9, levels: []int{4}},
	{name: "big20k", rows: 20000, numeric: 26, levels: []int{3, 4, 5, 4}},
	{name: "big", rows: 160000, numeric: 26, levels: []int{3, 4, 5, 4}, slow: true},
	{name: "wide", rows: 1200, numeric: 20, levels: forty(12)},
}

// BenchmarkKNeighbors times Fit and KNeighbors(nil, 5) (every row's 5
// nearest other rows, as SMOTE asks) on GOMAXPROCS workers.
func BenchmarkKNeighbors(b *testing.B) {
	for _, s := range benchShapes {
		x, d := shape(s.rows, s.numeric, s.levels, 1)
		for _, alg := range []Algorithm{Auto, KDTree, BallTree, Brute} {
			if s.slow && (alg == BallTree || alg == Brute) {
				continue
			}
			b.Run(fmt.Sprintf("%s/%s", s.name, alg), func(b *testing.B) {
				var chosen Algorithm
				for b.Loop() {
					ix, err := fitOwned(context.Background(), x, s.rows, d, &Options{Algorithm: alg})
					if err != nil {
						b.Fatal(err)
					}
					if _, err := ix.KNeighbors(context.Background(), nil, 5); err != nil {
						b.Fatal(err)
					}
					chosen = ix.Algorithm()
				}
				if alg == Auto {
					b.Logf("auto chose %s", chosen)
				}
			})
		}
	}
}

// BenchmarkAutoCostModel times a k-d tree query (with each of loops: the
// assembly kernels this CPU runs and the Go loops) and a brute-force query
// on one core (ns/query: every row's 5 nearest other rows; brute force on
// the first 2,000 rows) on the data Auto's cost models were fitted to, and
// reports each model's estimate beside it (est-ns/query): the k-d tree's
// from a pilot of autoPilotQueries queries (kdQueryNs), brute force's from
// its formula. A model whose estimates drift from the timings makes Auto
// choose the slower algorithm where the two are close.
//
//	go test -run - -bench AutoCostModel -cpu 1 ./pkg/neighbors
func BenchmarkAutoCostModel(b *testing.B) {
	type data struct {
		name string
		x    []float64
		n, d int
	}
	var sets []data
	for _, d := range []int{3, 8, 12, 16, 24, 32, 48, 64} {
		rnd := rand.New(rand.NewPCG(10000, uint64(d)))
		x := make([]float64, 10000*d)
		for i := range x {
			x[i] = rnd.NormFloat64()
		}
		sets = append(sets, data{fmt.Sprintf("normal10000x%d", d), x, 10000, d})
	}
	for _, nd := range [][3]int{{3000, 128, 10}, {3000, 256, 20}} {
		rnd := rand.New(rand.NewPCG(uint64(nd[0]), uint64(nd[1])))
		x := make([]float64, nd[0]*nd[1])
		for i := range x {
			if rnd.IntN(nd[2]) == 0 {
				x[i] = 1
			}
		}
		sets = append(sets, data{fmt.Sprintf("sparse%dx%d", nd[0], nd[1]), x, nd[0], nd[1]})
	}
	for _, s := range benchShapes {
		if s.name != "big" {
			x, d := shape(s.rows, s.numeric, s.levels, 1)
			sets = append(sets, data{s.name, x, s.rows, d})
		}
	}
	ctx := context.Background()
	for _, s := range sets {
		for _, k := range loops() {
			b.Run(s.name+"/kd_tree/"+loopName(k), func(b *testing.B) {
				was := kern
				kern = k
				defer func() { kern = was }()
				kd, err := buildKDTree(s.x, s.n, s.d, defaultLeafSize, 1)
				if err != nil {
					b.Fatal(err)
				}
				w, queries := kd.pilot(5, autoPilotQueries)
				ix := &Index{kd: kd, n: s.n, d: s.d, workers: 1}
				for b.Loop() {
					if _, _, err := ix.search(ctx, nil, s.n, 5); err != nil {
						b.Fatal(err)
					}
				}
				b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*s.n), "ns/query")
				b.ReportMetric(kdQueryNs(w, queries, s.d), "est-ns/query")
			})
		}
		b.Run(s.name+"/brute", func(b *testing.B) {
			ix := &Index{bf: newBruteIndex(s.x, s.n, s.d), n: s.n, d: s.d, workers: 1}
			m := min(s.n, 2000)
			for b.Loop() {
				if _, _, err := ix.search(ctx, s.x[:m*s.d], m, 5); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*m), "ns/query")
			b.ReportMetric(bruteQueryNs(s.x, s.n, s.d), "est-ns/query")
		})
	}
}
