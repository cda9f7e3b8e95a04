package neighbors

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"gonum.org/v1/gonum/mat"
)

// refDist is the squared distance the package promises, written out again:
// terms rounded one by one and summed left to right.
func refDist(a, b []float64) float64 {
	var s float64
	for c := range a {
		e := a[c] - b[c]
		s += float64(e * e)
	}
	return s
}

// reference sorts every fitted row by (refDist, index) for each query
// (queries nil: the fitted rows, each without itself) and keeps k.
func reference(x []float64, n, d int, q []float64, m, k int) ([]float64, []int) {
	self := q == nil
	if self {
		q, m = x, n
	}
	dist := make([]float64, 0, m*k)
	ind := make([]int, 0, m*k)
	for i := range m {
		all := make([]int, 0, n)
		ds := make([]float64, n)
		for j := range n {
			if self && j == i {
				continue
			}
			all = append(all, j)
			ds[j] = refDist(q[i*d:i*d+d], x[j*d:j*d+d])
		}
		slices.SortFunc(all, func(a, b int) int {
			if ds[a] != ds[b] {
				if ds[a] < ds[b] {
					return -1
				}
				return 1
			}
			return a - b
		})
		for _, j := range all[:k] {
			dist, ind = append(dist, math.Sqrt(ds[j])), append(ind, j)
		}
	}
	return dist, ind
}

// intData returns n rows of d small integers (many exact ties) with the
// last n/10 rows copies of earlier ones (duplicate points).
func intData(n, d int, levels int, rnd *rand.Rand) []float64 {
	x := make([]float64, n*d)
	for i := range x {
		x[i] = float64(rnd.IntN(levels))
	}
	for i := n - n/10; i < n; i++ {
		src := rnd.IntN(n - n/10)
		copy(x[i*d:i*d+d], x[src*d:src*d+d])
	}
	return x
}

// floatData is intData's continuous cousin: normal columns of unequal
// scales and offsets, a constant column, and duplicate rows.
func floatData(n, d int, rnd *rand.Rand) []float64 {
	x := make([]float64, n*d)
	for i := range n {
		for c := range d {
			x[i*d+c] = 50*float64(c%3) + float64(1+c%4)*rnd.NormFloat64()
		}
		x[i*d] = 3 // constant column
	}
	for i := n - n/10; i < n; i++ {
		src := rnd.IntN(n - n/10)
		copy(x[i*d:i*d+d], x[src*d:src*d+d])
	}
	return x
}

var algorithms = []Algorithm{KDTree, BallTree, Brute, Auto}

// loops lists the inner loops this machine runs: every kernel, then the
// Go loops (nil).
func loops() []*kernel { return append(slices.Clone(kernels), nil) }

func loopName(k *kernel) string {
	if k == nil {
		return "go"
	}
	return k.name
}

// eachLoops runs f with each of loops as kern.
func eachLoops(t *testing.T, f func(t *testing.T)) {
	t.Helper()
	was := kern
	t.Cleanup(func() { kern = was })
	for _, k := range loops() {
		kern = k
		t.Run(loopName(k), f)
	}
}

// TestKNeighborsMatchesReference runs every algorithm and option with the
// loops this machine uses, then the trees with each other of loops (leaves
// of every size; brute force has no tree loops, Auto picks one of the
// others, and the workers do not change the loops); with -short (the race
// tier, where the Go loops are slow under instrumentation) only the first.
func TestKNeighborsMatchesReference(t *testing.T) {
	was := kern
	t.Cleanup(func() { kern = was })
	paths := loops()
	if testing.Short() {
		paths = paths[:1]
	}
	for _, tc := range []struct {
		n, d, levels int
		ks           []int
		float        bool
	}{
		{n: 2, d: 1, levels: 3, ks: []int{1}},
		{n: 300, d: 1, levels: 5, ks: []int{1, 5, 40}},
		{n: 500, d: 2, levels: 6, ks: []int{1, 5, 17}},
		{n: 700, d: 8, levels: 3, ks: []int{1, 6}},
		{n: 401, d: 64, levels: 3, ks: []int{2, 5}},
		{n: 260, d: 600, levels: 2, ks: []int{5, 259}},
		{n: 1000, d: 2, float: true, ks: []int{5}},
		{n: 900, d: 13, float: true, ks: []int{1, 5}},
		{n: 500, d: 42, float: true, ks: []int{6}},
	} {
		rnd := rand.New(rand.NewPCG(uint64(tc.n), uint64(tc.d)))
		var x []float64
		if tc.float {
			x = floatData(tc.n, tc.d, rnd)
		} else {
			x = intData(tc.n, tc.d, tc.levels, rnd)
		}
		// External queries: half fitted rows (distance 0 to themselves
		// and their copies), half new points.
		mq := 50
		q := make([]float64, mq*tc.d)
		for i := range mq {
			if i%2 == 0 {
				copy(q[i*tc.d:i*tc.d+tc.d], x[rnd.IntN(tc.n)*tc.d:])
			} else {
				for c := range tc.d {
					q[i*tc.d+c] = x[rnd.IntN(tc.n)*tc.d+c] + float64(rnd.IntN(3)-1)
				}
			}
		}
		for _, k := range tc.ks {
			wantD, wantI := reference(x, tc.n, tc.d, nil, 0, k)
			wantQD, wantQI := reference(x, tc.n, tc.d, q, mq, k)
			for p, loop := range paths {
				kern = loop
				for _, alg := range algorithms {
					if p > 0 && (alg == Brute || alg == Auto) {
						continue // no tree loops, or one of the others: done once
					}
					for _, o := range []Options{{Workers: 1}, {Workers: 3}, {Workers: 3, LeafSize: 1}, {Workers: 1, LeafSize: 7}} {
						if p > 0 && o.Workers == 3 && o.LeafSize == 0 {
							continue // the loops do not depend on the workers: done once
						}
						if o.LeafSize != 0 && (alg == Brute || tc.d > 64) {
							continue // Brute has no leaves; tiny leaves in 600 dimensions are slow
						}
						o.Algorithm = alg
						name := fmt.Sprintf("n=%d d=%d k=%d %s %+v", tc.n, tc.d, k, loopName(loop), o)
						ix, err := Fit(context.Background(), mat.NewDense(tc.n, tc.d, slices.Clone(x)), &o)
						if err != nil {
							t.Fatalf("%s: %v", name, err)
						}
						got, err := ix.KNeighbors(context.Background(), nil, k)
						if err != nil {
							t.Fatalf("%s: %v", name, err)
						}
						check(t, name+" self", got, wantD, wantI)
						got, err = ix.KNeighbors(context.Background(), mat.NewDense(mq, tc.d, q), k)
						if err != nil {
							t.Fatalf("%s: %v", name, err)
						}
						check(t, name+" queries", got, wantQD, wantQI)
					}
				}
			}
		}
	}
}

func check(t *testing.T, name string, got *Result, wantD []float64, wantI []int) {
	t.Helper()
	if len(got.Ind) != len(wantI) {
		t.Fatalf("%s: %d neighbours, want %d", name, len(got.Ind), len(wantI))
	}
	for p := range wantI {
		// Exact equality: the same rows, the same float64 distances.
		if got.Ind[p] != wantI[p] || got.Dist[p] != wantD[p] {
			i := p / got.K
			t.Fatalf("%s: query %d: rows %v dist %v, want %v %v", name, i,
				got.Ind[i*got.K:(i+1)*got.K], got.Dist[i*got.K:(i+1)*got.K], wantI[i*got.K:(i+1)*got.K], wantD[i*got.K:(i+1)*got.K])
		}
	}
}

// TestExtremeValues: magnitudes near underflow and overflow, where the
// margins of BallTree and Brute must still hold.
func TestExtremeValues(t *testing.T) { eachLoops(t, testExtremeValues) }

func testExtremeValues(t *testing.T) {
	rnd := rand.New(rand.NewPCG(9, 9))
	for _, scale := range []float64{1e-160, 1e-300, 1e150, 1e300, 1e-320} {
		n, d := 400, 5
		x := intData(n, d, 7, rnd)
		for i := range x {
			x[i] = (x[i] - 3) * scale * (1 + 0.01*float64(i%5))
		}
		for _, k := range []int{1, 5} {
			wantD, wantI := reference(x, n, d, nil, 0, k)
			for _, alg := range algorithms {
				ix, err := Fit(context.Background(), mat.NewDense(n, d, slices.Clone(x)), &Options{Algorithm: alg, LeafSize: 5})
				if err != nil {
					t.Fatal(err)
				}
				got, err := ix.KNeighbors(context.Background(), nil, k)
				if err != nil {
					t.Fatal(err)
				}
				check(t, fmt.Sprintf("scale %g k=%d %s", scale, k, alg), got, wantD, wantI)
			}
		}
	}
}

func TestCancelled(t *testing.T) {
	rnd := rand.New(rand.NewPCG(1, 1))
	x := mat.NewDense(3000, 4, floatData(3000, 4, rnd))
	for _, alg := range algorithms {
		ix, err := Fit(context.Background(), x, &Options{Algorithm: alg, Workers: 2})
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		if _, err := ix.KNeighbors(ctx, nil, 5); !errors.Is(err, context.Canceled) {
			t.Errorf("%s: cancelled query returned %v", alg, err)
		}
		if _, err := Fit(ctx, x, &Options{Algorithm: alg}); !errors.Is(err, context.Canceled) {
			t.Errorf("%s: cancelled fit returned %v", alg, err)
		}
	}
}

func TestErrors(t *testing.T) {
	nan := mat.NewDense(3, 2, []float64{1, 2, 3, math.NaN(), 5, 6})
	inf := mat.NewDense(3, 2, []float64{1, 2, 3, 4, math.Inf(-1), 6})
	three := mat.NewDense(3, 2, []float64{1, 2, 3, 4, 5, 6})
	fit := func(X mat.Matrix, o *Options) error {
		_, err := Fit(context.Background(), X, o)
		return err
	}
	query := func(X mat.Matrix, k int) error {
		ix, err := Fit(context.Background(), three, nil)
		if err != nil {
			return err
		}
		_, err = ix.KNeighbors(context.Background(), X, k)
		return err
	}
	for _, tc := range []struct {
		name string
		err  error
		want string
	}{
		{"NaN", fit(nan, nil), "neighbors: NaN in column 1 (row 1)"},
		{"Inf", fit(inf, nil), "neighbors: -Inf in column 0 (row 2)"},
		{"empty", fit(&mat.Dense{}, nil), "neighbors: found an array with shape (0, 0); at least one sample and one feature are required"},
		{"algorithm", fit(three, &Options{Algorithm: "cover_tree"}), `neighbors: unknown algorithm "cover_tree"; expected one of auto, kd_tree, ball_tree, brute`},
		{"leaf size", fit(three, &Options{LeafSize: -1}), "neighbors: leaf_size must be at least 1, got -1"},
		// scikit-learn: NearestNeighbors(n_neighbors=…).fit(X).kneighbors(X)
		// and .kneighbors() on 3 rows.
		{"k > n", query(three, 4), "neighbors: Expected n_neighbors <= n_samples_fit, but n_neighbors = 4, n_samples_fit = 3"},
		{"k = n self", query(nil, 3), "neighbors: Expected n_neighbors < n_samples_fit, but n_neighbors = 3, n_samples_fit = 3"},
		{"k = 0", query(nil, 0), "neighbors: Expected n_neighbors > 0. Got 0"},
		{"features", query(mat.NewDense(1, 3, nil), 1), "neighbors: X has 3 features, but the index expects 2 features as input"},
		{"query NaN", query(nan, 1), "neighbors: NaN in column 1 (row 1)"},
	} {
		if tc.err == nil || tc.err.Error() != tc.want {
			t.Errorf("%s: error %v, want %q", tc.name, tc.err, tc.want)
		}
	}
	var ne *NNeighborsError
	if err := query(three, 6); !errors.As(err, &ne) || ne.NNeighbors != 6 || ne.NSamplesFit != 3 {
		t.Errorf("k > n: %v is not an *NNeighborsError{6, 3}", err)
	}
	var fe *InputError
	if err := fit(nan, nil); !errors.As(err, &fe) || fe.Row != 1 || fe.Column != 1 || !strings.Contains(err.Error(), "NaN") {
		t.Errorf("NaN: %v is not a *InputError at (1, 1)", err)
	}
}

// TestAutoAlgorithm holds with the cost model of each of loops.
func TestAutoAlgorithm(t *testing.T) { eachLoops(t, testAutoAlgorithm) }

func testAutoAlgorithm(t *testing.T) {
	normal := func(n, d int) *mat.Dense {
		rnd := rand.New(rand.NewPCG(uint64(n), uint64(d)))
		x := make([]float64, n*d)
		for i := range x {
			x[i] = rnd.NormFloat64()
		}
		return mat.NewDense(n, d, x)
	}
	sparse := func(n, d int) *mat.Dense { // 0/1, one value in 20 set
		rnd := rand.New(rand.NewPCG(uint64(n), uint64(d)))
		x := make([]float64, n*d)
		for i := range x {
			if rnd.IntN(20) == 0 {
				x[i] = 1
			}
		}
		return mat.NewDense(n, d, x)
	}
	for _, tc := range []struct {
		name string
		X    *mat.Dense
		k    int
		want Algorithm
	}{
		// A tree prunes well in few dimensions...
		{"20000×3 normal", normal(20000, 3), 5, KDTree},
		// ... and hardly at all in many independent sparse ones, where
		// brute force's product skips the zeros.
		{"3000×256 sparse", sparse(3000, 256), 5, Brute},
		// scikit-learn's rule: k ≥ n/2 means brute force.
		{"10×2, k=5", normal(10, 2), 5, Brute},
		{"1000×2, k=500", normal(1000, 2), 500, Brute},
	} {
		ix, err := Fit(context.Background(), tc.X, &Options{NNeighbors: tc.k})
		if err != nil {
			t.Fatal(err)
		}
		if got := ix.Algorithm(); got != tc.want {
			t.Errorf("%s: auto chose %s, want %s", tc.name, got, tc.want)
		}
	}
}
