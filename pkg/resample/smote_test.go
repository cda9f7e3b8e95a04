package resample_test

import (
	"context"
	"errors"
	"math"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"

	"gonum.org/v1/gonum/mat"

	"github.com/mlstack/mlstack/pkg/neighbors"
	"github.com/mlstack/mlstack/pkg/resample"
)

func classCounts(y []float64) map[int]int {
	m := map[int]int{}
	for _, v := range y {
		m[int(v)]++
	}
	return m
}

func TestStrategies(t *testing.T) {
	tests := []struct {
		name   string
		s      resample.Strategy
		counts []int
		want   []int // new rows per class
		err    bool
	}{
		{"auto binary", resample.Auto{}, []int{90, 10}, []int{0, 80}, false},
		{"auto multiclass", resample.Auto{}, []int{10, 50, 30}, []int{40, 0, 20}, false},
		{"auto tie for majority", resample.Auto{}, []int{50, 50, 5}, []int{0, 0, 45}, false},
		{"auto absent class", resample.Auto{}, []int{50, 0, 5}, []int{0, 0, 45}, false},
		// int(90*0.5 - 10) = 35; int(33*0.3 - 5) = int(4.9) = 4.
		{"ratio", resample.Ratio(0.5), []int{90, 10}, []int{0, 35}, false},
		{"ratio truncates", resample.Ratio(0.3), []int{5, 33}, []int{4, 0}, false},
		{"ratio too small", resample.Ratio(0.1), []int{90, 10}, nil, true},
		{"ratio above 1", resample.Ratio(1.5), []int{90, 10}, nil, true},
		{"ratio multiclass", resample.Ratio(0.5), []int{90, 10, 5}, nil, true},
		{"targets", resample.Targets{1: 40, 2: 7}, []int{90, 10, 5}, []int{0, 30, 2}, false},
		{"targets below count", resample.Targets{0: 40}, []int{90, 10}, nil, true},
		{"targets unknown class", resample.Targets{3: 40}, []int{90, 10}, nil, true},
	}
	for _, tt := range tests {
		got, err := tt.s.NewSamples(tt.counts)
		if tt.err {
			if !errors.Is(err, resample.ErrStrategy) {
				t.Errorf("%s: err = %v, want ErrStrategy", tt.name, err)
			}
			continue
		}
		if err != nil || !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%s: NewSamples(%v) = %v, %v; want %v", tt.name, tt.counts, got, err, tt.want)
		}
	}
}

// checkSMOTE verifies the output layout and that every synthetic row lies on
// a segment from a row of its class to one of that row's k nearest
// neighbours within the class (neighbours found by sorting all distances).
func checkSMOTE(t *testing.T, X, Xr *mat.Dense, y, yr []float64, k int) {
	t.Helper()
	n, d := X.Dims()
	nr, dr := Xr.Dims()
	if dr != d || nr != len(yr) {
		t.Fatalf("output %d×%d with %d labels", nr, dr, len(yr))
	}
	if !mat.Equal(Xr.Slice(0, n, 0, d), X) || !reflect.DeepEqual(yr[:n], y) {
		t.Fatal("original rows changed")
	}
	for i := n + 1; i < nr; i++ {
		if yr[i] < yr[i-1] {
			t.Fatalf("synthetic rows not in class order at %d", i)
		}
	}
	byClass := map[int][][]float64{}
	for i := range n {
		byClass[int(y[i])] = append(byClass[int(y[i])], X.RawRowView(i))
	}
	nn := map[int][][]int{}
	for i := n; i < nr; i++ {
		c := int(yr[i])
		rows := byClass[c]
		if nn[c] == nil {
			nn[c] = naiveKNN(rows, k, euclid2)
		}
		p := Xr.RawRowView(i)
		found := false
		for a := range rows {
			for _, b := range nn[c][a] {
				if onSegment(p, rows[a], rows[b], nil, 1e-9) {
					found = true
					break
				}
			}
			if found {
				break
			}
		}
		if !found {
			t.Fatalf("synthetic row %d (class %d) is on no segment to a %d-nearest neighbour", i, c, k)
		}
	}
}

func TestSMOTEBreastCancer(t *testing.T) {
	X, y, _, _ := loadSample(t, "breast_cancer", "diagnosis", "M")
	for _, tc := range []struct {
		s    resample.SMOTE
		want map[int]int
	}{
		// 357 benign, 212 malignant.
		{resample.SMOTE{}, map[int]int{0: 357, 1: 357}},
		{resample.SMOTE{K: 3, Strategy: resample.Ratio(0.8)}, map[int]int{0: 357, 1: 285}}, // int(357*0.8) = 285
		{resample.SMOTE{K: 1, Strategy: resample.Targets{0: 400, 1: 250}}, map[int]int{0: 400, 1: 250}},
	} {
		Xr, yr, err := tc.s.Resample(context.Background(), X, y, rand.New(rand.NewPCG(1, 1)))
		if err != nil {
			t.Fatal(err)
		}
		if got := classCounts(yr); !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%+v: counts %v, want %v", tc.s, got, tc.want)
		}
		k := tc.s.K
		if k == 0 {
			k = 5
		}
		checkSMOTE(t, X, Xr, y, yr, k)
	}
}

func TestSMOTEMulticlassDeterministic(t *testing.T) {
	rnd := rand.New(rand.NewPCG(5, 5))
	X := mat.NewDense(400, 4, nil)
	y := make([]float64, 400)
	for i := range 400 {
		y[i] = float64(min(i%10, 2)) // class 2 majority (320), 0 and 1: 40 each
		for j := range 4 {
			X.Set(i, j, rnd.NormFloat64()+y[i])
		}
	}
	run := func(workers int) (*mat.Dense, []float64) {
		Xr, yr, err := resample.SMOTE{Workers: workers}.Resample(context.Background(), X, y, rand.New(rand.NewPCG(9, 9)))
		if err != nil {
			t.Fatal(err)
		}
		return Xr, yr
	}
	X1, y1 := run(1)
	X4, y4 := run(4)
	if !mat.Equal(X1, X4) || !reflect.DeepEqual(y1, y4) {
		t.Error("Workers=1 and Workers=4 differ")
	}
	if got := classCounts(y1); !reflect.DeepEqual(got, map[int]int{0: 320, 1: 320, 2: 320}) {
		t.Errorf("counts %v", got)
	}
	checkSMOTE(t, X, X1, y, y1, 5)
}

func TestSMOTEErrors(t *testing.T) {
	X, y, names, _ := loadSample(t, "telco_churn", "churn", "Yes")
	_, _, err := resample.SMOTE{Columns: names}.Resample(context.Background(), X, y, rand.New(rand.NewPCG(1, 1)))
	if err == nil || !strings.Contains(err.Error(), `"total_charges" (column 18) has NaN`) {
		t.Errorf("NaN: err = %v", err)
	}
	small := mat.NewDense(8, 1, []float64{0, 1, 2, 3, 4, 10, 11, 12})
	ys := []float64{0, 0, 0, 0, 0, 1, 1, 1}
	var tooFew *resample.TooFewSamplesError
	_, _, err = resample.SMOTE{}.Resample(context.Background(), small, ys, rand.New(rand.NewPCG(1, 1)))
	if !errors.As(err, &tooFew) || tooFew.Class != 1 || tooFew.Count != 3 || tooFew.Needed != 6 {
		t.Errorf("too few: err = %v", err)
	} else if got, want := err.Error(), "resample: class 1 has 3 rows; k_neighbors=5 needs at least 6 (Expected n_neighbors <= n_samples_fit, but n_neighbors = 6, n_samples_fit = 3)"; got != want {
		t.Errorf("message %q, want %q", got, want)
	}
	if _, _, err = (resample.SMOTE{K: 2}).Resample(context.Background(), small, ys, rand.New(rand.NewPCG(1, 1))); err != nil {
		t.Errorf("K=2 with 3 minority rows: %v", err)
	}
	_, _, err = resample.SMOTE{Strategy: resample.Ratio(2)}.Resample(context.Background(), small, ys, rand.New(rand.NewPCG(1, 1)))
	if !errors.Is(err, resample.ErrStrategy) {
		t.Errorf("bad ratio: err = %v", err)
	}
	_, _, err = resample.SMOTE{}.Resample(context.Background(), small, []float64{0, 0, 0, 0, 0, 1, 1, 0.5}, rand.New(rand.NewPCG(1, 1)))
	if err == nil {
		t.Errorf("label 0.5: no error")
	}
}

func TestSMOTENCTelco(t *testing.T) {
	X, y, names, cat := loadSample(t, "telco_churn", "churn", "Yes")
	X, y = dropNaN(X, y)
	// Keep the test fast: every 5th row.
	n, d := X.Dims()
	var Xs [][]float64
	var ys []float64
	for i := 0; i < n; i += 5 {
		Xs = append(Xs, X.RawRowView(i))
		ys = append(ys, y[i])
	}
	X = mat.NewDense(len(Xs), d, nil)
	for i, r := range Xs {
		X.SetRow(i, r)
	}
	y = ys
	n = len(ys)
	s := resample.SMOTENC{Categorical: cat, Columns: names}
	Xr, yr, err := s.Resample(context.Background(), X, y, rand.New(rand.NewPCG(2, 2)))
	if err != nil {
		t.Fatal(err)
	}
	counts := classCounts(y)
	if got := classCounts(yr); got[0] != counts[0] || got[1] != counts[0] {
		t.Fatalf("counts %v from %v", got, counts)
	}
	isCat := make([]bool, d)
	for _, j := range cat {
		isCat[j] = true
	}
	cont := make([]bool, d)
	for j := range d {
		cont[j] = !isCat[j]
	}
	// Independent distance: continuous squared differences plus, per
	// differing categorical column, m² with m the median population std of
	// the continuous columns of the class being grown (class 1 here), as in
	// imbalanced-learn 0.14 (one-hot ones replaced by m/√2).
	var minority [][]float64
	for i := range n {
		if y[i] == 1 {
			minority = append(minority, X.RawRowView(i))
		}
	}
	var stds []float64
	for j := range d {
		if isCat[j] {
			continue
		}
		var mu, ss float64
		for _, r := range minority {
			mu += r[j]
		}
		mu /= float64(len(minority))
		for _, r := range minority {
			ss += (r[j] - mu) * (r[j] - mu)
		}
		stds = append(stds, math.Sqrt(ss/float64(len(minority))))
	}
	med := median(stds)
	dist := func(a, b []float64) float64 {
		var s float64
		for j := range a {
			if isCat[j] {
				if a[j] != b[j] {
					s += med * med
				}
			} else {
				s += (a[j] - b[j]) * (a[j] - b[j])
			}
		}
		return s
	}
	nn := naiveKNN(minority, 5, dist)
	for i := n; i < len(yr); i++ {
		p := Xr.RawRowView(i)
		ok := false
		for a := range minority {
			for _, b := range nn[a] {
				if onSegment(p, minority[a], minority[b], cont, 1e-9) && isMode(p, minority, nn[a], cat) {
					ok = true
					break
				}
			}
			if ok {
				break
			}
		}
		if !ok {
			t.Fatalf("synthetic row %d: no row whose neighbour segment and neighbour categories explain %v", i, p)
		}
	}
}

// isMode reports whether each categorical value of p is a most frequent
// value among the rows nbrs of class.
func isMode(p []float64, class [][]float64, nbrs []int, cat []int) bool {
	for _, j := range cat {
		votes := map[float64]int{}
		best := 0
		for _, b := range nbrs {
			votes[class[b][j]]++
			best = max(best, votes[class[b][j]])
		}
		if votes[p[j]] != best {
			return false
		}
	}
	return true
}

func median(v []float64) float64 {
	s := append([]float64(nil), v...)
	for i := range s {
		for j := i + 1; j < len(s); j++ {
			if s[j] < s[i] {
				s[i], s[j] = s[j], s[i]
			}
		}
	}
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

// TestSMOTEAlgorithmsAgree: the neighbour search algorithm and the number of
// workers change only the time taken, not a single synthetic value.
func TestSMOTEAlgorithmsAgree(t *testing.T) {
	rnd := rand.New(rand.NewPCG(7, 7))
	n, d := 600, 5
	X := mat.NewDense(n, d, nil)
	y := make([]float64, n)
	for i := range n {
		y[i] = float64(min(i%5, 1))
		for j := range d {
			// Integer values: many exact ties and duplicate rows.
			X.Set(i, j, float64(rnd.IntN(4)))
		}
	}
	cat := []int{4}
	var firstX *mat.Dense
	var firstNC *mat.Dense
	for _, alg := range []neighbors.Algorithm{neighbors.Auto, neighbors.KDTree, neighbors.BallTree, neighbors.Brute} {
		for _, workers := range []int{1, 3} {
			Xr, _, err := resample.SMOTE{Algorithm: alg, Workers: workers}.Resample(context.Background(), X, y, rand.New(rand.NewPCG(1, 1)))
			if err != nil {
				t.Fatal(err)
			}
			Xnc, _, err := resample.SMOTENC{Categorical: cat, Algorithm: alg, Workers: workers}.Resample(context.Background(), X, y, rand.New(rand.NewPCG(1, 1)))
			if err != nil {
				t.Fatal(err)
			}
			if firstX == nil {
				firstX, firstNC = Xr, Xnc
				_, yr, _ := resample.SMOTE{}.Resample(context.Background(), X, y, rand.New(rand.NewPCG(1, 1)))
				checkSMOTE(t, X, Xr, y, yr, 5)
				continue
			}
			if !mat.Equal(Xr, firstX) || !mat.Equal(Xnc, firstNC) {
				t.Errorf("algorithm %s, workers %d: different synthetic rows", alg, workers)
			}
		}
	}
}

// TestSMOTEBadInput: data that must give a clear error, or a correct
// result, and never a panic.
func TestSMOTEBadInput(t *testing.T) {
	names := []string{"a", "b", "c"}
	ys := []float64{0, 0, 0, 0, 0, 0, 0, 1, 1, 1}
	grid := func(f func(i, j int) float64) *mat.Dense {
		X := mat.NewDense(10, 3, nil)
		for i := range 10 {
			for j := range 3 {
				X.Set(i, j, f(i, j))
			}
		}
		return X
	}
	for _, tc := range []struct {
		name string
		s    interface {
			Resample(context.Context, mat.Matrix, []float64, *rand.Rand) (*mat.Dense, []float64, error)
		}
		X    *mat.Dense
		y    []float64
		want string // error; "" means success
	}{
		{"Inf", resample.SMOTE{K: 2, Columns: names}, grid(func(i, j int) float64 {
			if i == 4 && j == 2 {
				return math.Inf(1)
			}
			return float64(i)
		}), ys, `resample: "c" (column 2) has +Inf (row 4); SMOTE needs finite values`},
		{"NaN after imputation", resample.SMOTE{K: 2, Columns: names}, grid(func(i, j int) float64 {
			if i == 8 && j == 1 {
				return math.NaN()
			}
			return float64(i)
		}), ys, `resample: "b" (column 1) has NaN (row 8); impute missing values before SMOTE`},
		{"one member", resample.SMOTE{K: 1}, grid(func(i, j int) float64 { return float64(i + j) }),
			[]float64{0, 0, 0, 0, 0, 0, 0, 0, 0, 1},
			"resample: class 1 has 1 rows; k_neighbors=1 needs at least 2 (Expected n_neighbors <= n_samples_fit, but n_neighbors = 2, n_samples_fit = 1)"},
		{"k above class size", resample.SMOTE{K: 5}, grid(func(i, j int) float64 { return float64(i + j) }), ys,
			"resample: class 1 has 3 rows; k_neighbors=5 needs at least 6 (Expected n_neighbors <= n_samples_fit, but n_neighbors = 6, n_samples_fit = 3)"},
		{"duplicate rows", resample.SMOTE{K: 2}, grid(func(i, j int) float64 { return 1 }), ys, ""},
		{"constant column", resample.SMOTE{K: 2}, grid(func(i, j int) float64 {
			if j == 0 {
				return 7
			}
			return float64(i * j)
		}), ys, ""},
		// All continuous columns constant: SMOTENC's category weight
		// (the median std) is 0.
		{"SMOTENC constant", resample.SMOTENC{K: 2, Categorical: []int{2}}, grid(func(i, j int) float64 {
			if j == 2 {
				return float64(i % 2)
			}
			return 3
		}), ys, ""},
	} {
		var Xr *mat.Dense
		var yr []float64
		var err error
		func() {
			defer func() {
				if r := recover(); r != nil {
					t.Errorf("%s: panic %v", tc.name, r)
				}
			}()
			Xr, yr, err = tc.s.Resample(context.Background(), tc.X, tc.y, rand.New(rand.NewPCG(1, 1)))
		}()
		switch {
		case tc.want != "" && (err == nil || err.Error() != tc.want):
			t.Errorf("%s: error %v, want %q", tc.name, err, tc.want)
		case tc.want == "" && err != nil:
			t.Errorf("%s: %v", tc.name, err)
		case tc.want == "" && len(yr) != 14:
			t.Errorf("%s: %d rows, want 14", tc.name, len(yr))
		case tc.want == "":
			if s, ok := tc.s.(resample.SMOTE); ok {
				checkSMOTE(t, tc.X, Xr, tc.y, yr, s.K)
			}
		}
	}
}
