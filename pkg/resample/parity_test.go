package resample_test

import (
	"context"
	"encoding/json"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strconv"
	"testing"

	"gonum.org/v1/gonum/mat"

	"github.com/mlstack/mlstack/internal/testenv"
	"github.com/mlstack/mlstack/pkg/resample"
)

type smoteCase struct {
	Name        string         `json:"name"`
	X           [][]float64    `json:"X"`
	Y           []float64      `json:"y"`
	K           int            `json:"k"`
	Ratio       float64        `json:"ratio,omitempty"`
	Targets     map[string]int `json:"targets,omitempty"`
	Categorical []int          `json:"categorical,omitempty"`
	strategy    resample.Strategy
}

const smoteScript = `
import json, sys, warnings
import numpy as np
from imblearn.over_sampling import SMOTE, SMOTENC
warnings.filterwarnings("ignore")
out = []
for c in json.load(open(sys.argv[1])):
    X, y = np.array(c["X"]), np.array(c["y"]).astype(int)
    strat = "auto"
    if c.get("ratio"):
        strat = c["ratio"]
    if c.get("targets"):
        strat = {int(k): v for k, v in c["targets"].items()}
    kw = dict(sampling_strategy=strat, k_neighbors=c["k"], random_state=0)
    s = SMOTENC(categorical_features=c["categorical"], **kw) if c.get("categorical") else SMOTE(**kw)
    Xr, yr = s.fit_resample(X, y)
    counts = {str(k): int(v) for k, v in zip(*np.unique(yr, return_counts=True))}
    out.append({"counts": counts, "rows": int(len(yr)), "new_X": Xr[len(y):].tolist(), "new_y": yr[len(y):].tolist(),
                "same_originals": bool(np.array_equal(Xr[:len(y)], X))})
print(json.dumps(out))
`

func rowsOf(X *mat.Dense) [][]float64 {
	n, _ := X.Dims()
	out := make([][]float64, n)
	for i := range n {
		out[i] = X.RawRowView(i)
	}
	return out
}

func TestParityImbalancedLearn(t *testing.T) {
	bcX, bcY, _, _ := loadSample(t, "breast_cancer", "diagnosis", "M")
	dbX, dbY, _, _ := loadSample(t, "diabetes", "Outcome", "1")
	tcX, tcY, _, tcCat := loadSample(t, "telco_churn", "churn", "Yes")
	tcX, tcY = dropNaN(tcX, tcY)
	// Every 7th telco row keeps the Python side quick.
	n, _ := tcX.Dims()
	var sub [][]float64
	var subY []float64
	for i := 0; i < n; i += 7 {
		sub, subY = append(sub, tcX.RawRowView(i)), append(subY, tcY[i])
	}
	rnd := rand.New(rand.NewPCG(8, 8))
	var multi [][]float64
	var multiY []float64
	for i := range 420 {
		c := []float64{0, 1, 2, 2, 2, 2, 2, 2, 2, 1, 2, 2}[i%12]
		multi = append(multi, []float64{rnd.NormFloat64() + c, rnd.NormFloat64() - c, rnd.NormFloat64()})
		multiY = append(multiY, c)
	}
	cases := []smoteCase{
		{Name: "breast_cancer auto", X: rowsOf(bcX), Y: bcY, K: 5, strategy: resample.Auto{}},
		{Name: "breast_cancer ratio", X: rowsOf(bcX), Y: bcY, K: 3, Ratio: 0.75, strategy: resample.Ratio(0.75)},
		{Name: "diabetes ratio 0.7", X: rowsOf(dbX), Y: dbY, K: 5, Ratio: 0.7, strategy: resample.Ratio(0.7)},
		{Name: "diabetes targets", X: rowsOf(dbX), Y: dbY, K: 4, Targets: map[string]int{"0": 600, "1": 550},
			strategy: resample.Targets{0: 600, 1: 550}},
		{Name: "multiclass auto", X: multi, Y: multiY, K: 5, strategy: resample.Auto{}},
		{Name: "telco SMOTENC", X: sub, Y: subY, K: 5, Categorical: tcCat, strategy: resample.Auto{}},
	}
	b, err := json.Marshal(cases)
	if err != nil {
		t.Fatal(err)
	}
	in := filepath.Join(t.TempDir(), "cases.json")
	if err := os.WriteFile(in, b, 0o600); err != nil {
		t.Fatal(err)
	}
	var want []struct {
		Counts        map[string]int `json:"counts"`
		Rows          int            `json:"rows"`
		NewX          [][]float64    `json:"new_X"`
		NewY          []float64      `json:"new_y"`
		SameOriginals bool           `json:"same_originals"`
	}
	if err := json.Unmarshal(testenv.RunPython(t, smoteScript, []string{in}), &want); err != nil {
		t.Fatal(err)
	}
	for i, c := range cases {
		X := mat.NewDense(len(c.X), len(c.X[0]), nil)
		for r, row := range c.X {
			X.SetRow(r, row)
		}
		var (
			Xr *mat.Dense
			yr []float64
		)
		if c.Categorical != nil {
			Xr, yr, err = resample.SMOTENC{Categorical: c.Categorical, K: c.K, Strategy: c.strategy}.Resample(context.Background(), X, c.Y, rand.New(rand.NewPCG(3, 3)))
		} else {
			Xr, yr, err = resample.SMOTE{K: c.K, Strategy: c.strategy}.Resample(context.Background(), X, c.Y, rand.New(rand.NewPCG(3, 3)))
		}
		if err != nil {
			t.Fatalf("%s: %v", c.Name, err)
		}
		got := map[string]int{}
		for k, v := range classCounts(yr) {
			got[strconv.Itoa(k)] = v
		}
		if !reflect.DeepEqual(got, want[i].Counts) || len(yr) != want[i].Rows || !want[i].SameOriginals {
			t.Errorf("%s: counts %v (%d rows), imbalanced-learn %v (%d rows)", c.Name, got, len(yr), want[i].Counts, want[i].Rows)
		}
		// imbalanced-learn's synthetic labels come class by class, as ours.
		if !reflect.DeepEqual(yr[len(c.Y):], want[i].NewY) {
			t.Errorf("%s: synthetic label order differs from imbalanced-learn's", c.Name)
		}
		if c.Categorical == nil {
			checkSMOTE(t, X, Xr, c.Y, yr, c.K)
			// The same geometric rule holds for imbalanced-learn's rows,
			// up to ties in the k-th distance.
			checkForeign(t, c.Name, X, c.Y, want[i].NewX, want[i].NewY, c.K)
		} else {
			checkForeignNC(t, c.Name, X, c.Y, want[i].NewX, want[i].NewY, c.K, c.Categorical)
		}
	}
}

// checkForeign verifies rows made by another SMOTE implementation: each lies
// on a segment from a class row a to a class row b no farther from a than
// a's k-th nearest neighbour (plus a relative 1e-9 for rounding).
func checkForeign(t *testing.T, name string, X *mat.Dense, y []float64, newX [][]float64, newY []float64, k int) {
	t.Helper()
	byClass := map[int][][]float64{}
	n, _ := X.Dims()
	for i := range n {
		byClass[int(y[i])] = append(byClass[int(y[i])], X.RawRowView(i))
	}
	kth := map[int][]float64{}
	for c, rows := range byClass {
		nn := naiveKNN(rows, k, euclid2)
		for a := range rows {
			kth[c] = append(kth[c], euclid2(rows[a], rows[nn[a][k-1]]))
		}
	}
	for s, p := range newX {
		c := int(newY[s])
		rows := byClass[c]
		ok := false
		for a := range rows {
			for b := range rows {
				if a == b || euclid2(rows[a], rows[b]) > kth[c][a]*(1+1e-9) {
					continue
				}
				if onSegment(p, rows[a], rows[b], nil, 1e-7) {
					ok = true
					break
				}
			}
			if ok {
				break
			}
		}
		if !ok {
			t.Fatalf("%s: imbalanced-learn row %d (class %d) is on no segment to a %d-nearest neighbour", name, s, c, k)
		}
	}
}

// checkForeignNC is checkForeign for SMOTENC rows: the continuous columns lie
// on such a segment under imbalanced-learn's distance (a differing category
// adds m², m the class's median population std of continuous columns), and
// every categorical value is held by some row within a's k-th distance.
func checkForeignNC(t *testing.T, name string, X *mat.Dense, y []float64, newX [][]float64, newY []float64, k int, cat []int) {
	t.Helper()
	n, d := X.Dims()
	isCat := make([]bool, d)
	for _, j := range cat {
		isCat[j] = true
	}
	cont := make([]bool, d)
	for j := range cont {
		cont[j] = !isCat[j]
	}
	byClass := map[int][][]float64{}
	for i := range n {
		byClass[int(y[i])] = append(byClass[int(y[i])], X.RawRowView(i))
	}
	type classInfo struct {
		dist func(a, b []float64) float64
		nn   [][]int
	}
	infos := map[int]classInfo{}
	for s, p := range newX {
		c := int(newY[s])
		rows := byClass[c]
		info, done := infos[c]
		if !done {
			var stds []float64
			for j := range d {
				if isCat[j] {
					continue
				}
				var mu, ss float64
				for _, r := range rows {
					mu += r[j]
				}
				mu /= float64(len(rows))
				for _, r := range rows {
					ss += (r[j] - mu) * (r[j] - mu)
				}
				stds = append(stds, math.Sqrt(ss/float64(len(rows))))
			}
			m := median(stds)
			info.dist = func(a, b []float64) float64 {
				var s float64
				for j := range a {
					if isCat[j] {
						if a[j] != b[j] {
							s += m * m
						}
					} else {
						s += (a[j] - b[j]) * (a[j] - b[j])
					}
				}
				return s
			}
			info.nn = naiveKNN(rows, k, info.dist)
			infos[c] = info
		}
		dist, nn := info.dist, info.nn
		ok := false
		for a := range rows {
			kth := dist(rows[a], rows[nn[a][k-1]]) * (1 + 1e-9)
			var near [][]float64
			for b := range rows {
				if b != a && dist(rows[a], rows[b]) <= kth {
					near = append(near, rows[b])
				}
			}
			for _, b := range near {
				if !onSegment(p, rows[a], b, cont, 1e-7) {
					continue
				}
				held := true
				for _, j := range cat {
					held = held && slices.ContainsFunc(near, func(r []float64) bool { return r[j] == p[j] })
				}
				if held {
					ok = true
					break
				}
			}
			if ok {
				break
			}
		}
		if !ok {
			t.Fatalf("%s: imbalanced-learn row %d (class %d) is not explained by any row and its neighbours", name, s, c)
		}
	}
}
