package resample

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"slices"

	"gonum.org/v1/gonum/blas/blas64"
	"gonum.org/v1/gonum/mat"

	"github.com/mlstack/mlstack/internal/crash"
	"github.com/mlstack/mlstack/pkg/neighbors"
)

// SMOTE is imbalanced-learn's SMOTE: for every class to grow, pick a row of
// that class and one of its K nearest neighbours within the class uniformly
// at random, and add the point x + u·(neighbour − x), u uniform in [0, 1).
type SMOTE struct {
	// K is k_neighbors; 0 means 5.
	K int
	// Strategy decides how many rows each class gains; nil means Auto{}.
	Strategy Strategy
	// Workers bounds the goroutines of the neighbour search; 0 means
	// GOMAXPROCS.
	Workers int
	// Columns optionally names the columns of X for error messages.
	Columns []string
	// Algorithm is the neighbour search (pkg/neighbors); "" means
	// neighbors.Auto. Every algorithm finds the same neighbours, so it
	// changes only the time taken.
	Algorithm neighbors.Algorithm
}

// SMOTENC is imbalanced-learn's SMOTENC: SMOTE for data with categorical
// columns. Continuous columns are interpolated as in SMOTE; a categorical
// column of a new row takes the most frequent category among the K
// neighbours of the chosen row (ties broken at random). For the neighbour
// search each categorical column is one-hot encoded with the ones replaced by
// m/√2, m being the median standard deviation (ddof = 0) of the continuous
// columns of the class being grown, so that a differing category adds m² to
// the squared distance (imbalanced-learn ≥ 0.12; older versions used m/2 and
// the m of the smallest class).
type SMOTENC struct {
	// Categorical lists the indices of the categorical columns; their
	// values are category codes (any float except NaN). At least one column
	// must be continuous.
	Categorical []int
	// K, Strategy, Workers, Columns and Algorithm are as in SMOTE.
	K         int
	Strategy  Strategy
	Workers   int
	Columns   []string
	Algorithm neighbors.Algorithm
}

// TooFewSamplesError reports a class too small for the neighbour search:
// imbalanced-learn asks scikit-learn for K+1 neighbours of each row (the
// row itself among them), so a class needs K+1 rows. The message ends with
// scikit-learn's.
type TooFewSamplesError struct {
	Class  int // class id
	Count  int // its rows
	Needed int // K + 1
}

func (e *TooFewSamplesError) Error() string {
	return fmt.Sprintf("resample: class %d has %d rows; k_neighbors=%d needs at least %d "+
		"(Expected n_neighbors <= n_samples_fit, but n_neighbors = %d, n_samples_fit = %d)",
		e.Class, e.Count, e.Needed-1, e.Needed, e.Needed, e.Count)
}

// Resample returns X's rows followed by the synthetic rows, class by class
// in increasing class id, and the matching labels. X must have len(y) rows
// and rnd must not be nil, otherwise Resample panics.
func (s SMOTE) Resample(ctx context.Context, X mat.Matrix, y []float64, rnd *rand.Rand) (*mat.Dense, []float64, error) {
	return oversample(ctx, X, y, rnd, s.K, s.Strategy, &neighbors.Options{Algorithm: s.Algorithm, Workers: s.Workers}, s.Columns, nil)
}

// Resample is as SMOTE.Resample.
func (s SMOTENC) Resample(ctx context.Context, X mat.Matrix, y []float64, rnd *rand.Rand) (*mat.Dense, []float64, error) {
	_, d := X.Dims()
	cat := make([]bool, d)
	for _, j := range s.Categorical {
		if j < 0 || j >= d {
			panic(fmt.Sprintf("resample: categorical column %d out of range [0, %d)", j, d))
		}
		cat[j] = true
	}
	if len(s.Categorical) == 0 || !slices.Contains(cat, false) {
		return nil, nil, fmt.Errorf("resample: SMOTENC needs both categorical and continuous columns (%d of %d categorical)", len(s.Categorical), d)
	}
	return oversample(ctx, X, y, rnd, s.K, s.Strategy, &neighbors.Options{Algorithm: s.Algorithm, Workers: s.Workers}, s.Columns, cat)
}

func colName(names []string, j int) string {
	if j < len(names) && names[j] != "" {
		return fmt.Sprintf("%q (column %d)", names[j], j)
	}
	return fmt.Sprintf("column %d", j)
}

// oversample is SMOTE (cat nil) and SMOTENC (cat marks the categorical
// columns): plan how many rows each class gains, copy X checking its
// values, then class by class find each row's neighbours and synthesise the
// new rows.
func oversample(ctx context.Context, X mat.Matrix, y []float64, rnd *rand.Rand, k int, strategy Strategy, nopts *neighbors.Options, names []string, cat []bool) (*mat.Dense, []float64, error) {
	n, d := X.Dims()
	if n != len(y) {
		panic("resample: slice length mismatch")
	}
	if rnd == nil {
		panic("resample: nil *rand.Rand")
	}
	if k == 0 {
		k = 5
	}
	if k < 1 {
		return nil, nil, fmt.Errorf("resample: k_neighbors must be at least 1, got %d", k)
	}
	if strategy == nil {
		strategy = Auto{}
	}
	counts, gen, total, err := plan(y, strategy)
	if err != nil {
		return nil, nil, err
	}
	workers := nopts.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	out := mat.NewDense(n+total, d, nil)
	raw := out.RawMatrix()
	if err := copyFinite(raw, X, workers, names); err != nil {
		return nil, nil, err
	}
	yOut := make([]float64, n, n+total)
	copy(yOut, y)

	next := n
	for c, g := range gen {
		if g == 0 {
			continue
		}
		if counts[c] < k+1 {
			return nil, nil, &TooFewSamplesError{Class: c, Count: counts[c], Needed: k + 1}
		}
		rows := make([]int, 0, counts[c])
		for i, v := range y {
			if int(v) == c {
				rows = append(rows, i)
			}
		}
		enc, nn, err := classNeighbors(ctx, raw.Data, d, rows, cat, k, nopts)
		if err != nil {
			return nil, nil, fmt.Errorf("resample: class %d: %w", c, err)
		}
		dst := raw.Data[next*d : (next+g)*d]
		if err := synthesize(dst, raw.Data, d, rows, enc, nn, k, cat, workers, rnd); err != nil {
			return nil, nil, err
		}
		next += g
		for range g {
			yOut = append(yOut, float64(c))
		}
	}
	return out, yOut, nil
}

// plan returns the rows of each class (y must hold class ids), how many
// rows the strategy adds to each, and their total.
func plan(y []float64, strategy Strategy) (counts, gen []int, total int, err error) {
	for i, v := range y {
		if !(v >= 0) || v != math.Trunc(v) || v > 1<<24 {
			return nil, nil, 0, fmt.Errorf("resample: label %v of row %d is not a class id", v, i)
		}
		c := int(v)
		if c >= len(counts) {
			counts = append(counts, make([]int, c+1-len(counts))...)
		}
		counts[c]++
	}
	gen, err = strategy.NewSamples(counts)
	if err != nil {
		return nil, nil, 0, err
	}
	for c, g := range gen {
		if g < 0 {
			return nil, nil, 0, fmt.Errorf("%w: %d new rows for class %d", ErrStrategy, g, c)
		}
		total += g
	}
	return counts, gen, total, nil
}

// copyFinite copies X into the first rows of raw on the workers and
// reports the first NaN or ±Inf, naming its column.
func copyFinite(raw blas64.General, X mat.Matrix, workers int, names []string) error {
	n, d := X.Dims()
	rv, isRaw := X.(mat.RawRowViewer)
	bad := make([][2]int, workers) // per range: first bad (row, column), or row n
	for w := range bad {
		bad[w] = [2]int{n, 0}
	}
	err := parallel("resample: copy", workers, n, func(w, lo, hi int) {
		for i := lo; i < hi; i++ {
			row := raw.Data[i*raw.Stride : i*raw.Stride+d]
			if isRaw {
				copy(row, rv.RawRowView(i))
			} else {
				for j := range d {
					row[j] = X.At(i, j)
				}
			}
			for j, v := range row {
				if math.IsNaN(v) || math.IsInf(v, 0) {
					bad[w] = [2]int{i, j}
					return
				}
			}
		}
	})
	if err != nil {
		return err
	}
	for _, b := range bad {
		i, j := b[0], b[1]
		if i == n {
			continue
		}
		if v := raw.Data[i*raw.Stride+j]; !math.IsNaN(v) {
			return fmt.Errorf("resample: %s has %v (row %d); SMOTE needs finite values", colName(names, j), v, i)
		}
		return fmt.Errorf("resample: %s has NaN (row %d); impute missing values before SMOTE", colName(names, j), i)
	}
	return nil
}

// classNeighbors returns the given rows of x (d columns) encoded for the
// neighbour search (see encode) and, for each, the indices into rows of
// its k nearest neighbours, k a row.
func classNeighbors(ctx context.Context, x []float64, d int, rows []int, cat []bool, k int, nopts *neighbors.Options) (enc []float64, nn []int, err error) {
	var scale float64 // one-hot value for SMOTENC
	if cat != nil {
		scale = medianStd(x, d, rows, cat) / math.Sqrt2
	}
	enc, de := encode(x, d, rows, cat, scale)
	index, err := neighbors.Fit(ctx, mat.NewDense(len(rows), de, enc), nopts)
	if err != nil {
		return nil, nil, err
	}
	found, err := index.KNeighbors(ctx, nil, k)
	if err != nil {
		return nil, nil, err
	}
	return enc, found.Ind, nil
}

// synthesize fills dst (len(dst)/d new rows) with points between a row of
// the class and one of its neighbours, as imbalanced-learn's _make_samples:
// all (row, neighbour) draws first, then all steps, then (SMOTENC) the
// categorical votes.
func synthesize(dst, x []float64, d int, rows []int, enc []float64, nn []int, k int, cat []bool, workers int, rnd *rand.Rand) error {
	g := len(dst) / d
	pick := make([]int, g)
	for s := range pick {
		pick[s] = rnd.IntN(len(rows) * k)
	}
	steps := make([]float64, g)
	for s := range steps {
		steps[s] = rnd.Float64()
	}
	err := parallel("resample: interpolate", workers, g, func(_, lo, hi int) {
		for s := lo; s < hi; s++ {
			step := steps[s]
			r, col := pick[s]/k, pick[s]%k
			out := dst[s*d : s*d+d]
			if cat == nil {
				// enc holds the class's rows, compact: fewer cache
				// misses than X.
				a := enc[r*d : r*d+d]
				b := enc[nn[r*k+col]*d : nn[r*k+col]*d+d]
				for j := range out {
					out[j] = a[j] + step*(b[j]-a[j])
				}
				continue
			}
			a := x[rows[r]*d : rows[r]*d+d]
			b := x[rows[nn[r*k+col]]*d : rows[nn[r*k+col]]*d+d]
			for j := range d {
				if !cat[j] {
					out[j] = a[j] + step*(b[j]-a[j])
				}
			}
		}
	})
	if err != nil {
		return err
	}
	if cat != nil {
		vote(dst, x, d, rows, nn, k, pick, cat, rnd)
	}
	return nil
}

// vote sets each categorical column of the new rows in dst to the most
// frequent category among the k neighbours of the row picked for it, ties
// broken at random.
func vote(dst, x []float64, d int, rows []int, nn []int, k int, pick []int, cat []bool, rnd *rand.Rand) {
	votes := map[float64]int{}
	var tied []float64
	for s := range pick {
		r := pick[s] / k
		out := dst[s*d : s*d+d]
		for j := range d {
			if !cat[j] {
				continue
			}
			clear(votes)
			best := 0
			for col := range k {
				v := x[rows[nn[r*k+col]]*d+j]
				votes[v]++
				best = max(best, votes[v])
			}
			tied = tied[:0]
			for col := range k {
				v := x[rows[nn[r*k+col]]*d+j]
				if votes[v] == best && !slices.Contains(tied, v) {
					tied = append(tied, v)
				}
			}
			out[j] = tied[rnd.IntN(len(tied))]
		}
	}
}

// encode returns the rows of x (d columns) as a dense matrix for the
// neighbour search: the rows themselves for SMOTE; continuous columns then
// one-hot categoricals with value scale for SMOTENC.
func encode(x []float64, d int, rows []int, cat []bool, scale float64) ([]float64, int) {
	if cat == nil {
		enc := make([]float64, len(rows)*d)
		for i, r := range rows {
			copy(enc[i*d:i*d+d], x[r*d:r*d+d])
		}
		return enc, d
	}
	// Category codes per categorical column, in order of appearance.
	codes := make([]map[float64]int, d)
	de := 0
	for j := range d {
		if !cat[j] {
			de++
			continue
		}
		codes[j] = map[float64]int{}
		for _, r := range rows {
			v := x[r*d+j]
			if _, ok := codes[j][v]; !ok {
				codes[j][v] = len(codes[j])
			}
		}
		de += len(codes[j])
	}
	enc := make([]float64, len(rows)*de)
	for i, r := range rows {
		dst := enc[i*de : i*de+de]
		p := 0
		for j := range d {
			if !cat[j] {
				dst[p] = x[r*d+j]
				p++
			}
		}
		for j := range d {
			if cat[j] {
				dst[p+codes[j][x[r*d+j]]] = scale
				p += len(codes[j])
			}
		}
	}
	return enc, de
}

// medianStd is the median over continuous columns of the population
// standard deviation of the given rows.
func medianStd(x []float64, d int, rows []int, cat []bool) float64 {
	var stds []float64
	n := float64(len(rows))
	for j := range d {
		if cat[j] {
			continue
		}
		var sum float64
		for _, r := range rows {
			sum += x[r*d+j]
		}
		mean := sum / n
		var ss float64
		for _, r := range rows {
			e := x[r*d+j] - mean
			ss += e * e
		}
		stds = append(stds, math.Sqrt(ss/n))
	}
	slices.Sort(stds)
	m := len(stds)
	if m%2 == 1 {
		return stds[m/2]
	}
	return (stds[m/2-1] + stds[m/2]) / 2
}

// parallel calls f(w, lo, hi) for up to workers contiguous ranges [lo, hi)
// of [0, n), range w on its own goroutine named name, and waits. The error
// is a panic of f (a bug), as a *crash.PanicError.
func parallel(name string, workers, n int, f func(w, lo, hi int)) error {
	workers = max(1, min(workers, n))
	var g crash.Group
	for w := range workers {
		g.Go(name, func() { f(w, w*n/workers, (w+1)*n/workers) })
	}
	return g.Wait()
}
