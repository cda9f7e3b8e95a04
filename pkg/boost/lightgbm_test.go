package boost

import (
	"bytes"
	"context"
	"math"
	"testing"

	"gonum.org/v1/gonum/mat"
)

// edgeRows builds n test rows from x's distribution plus, for every split
// of m, rows holding the split condition exactly, its float32 neighbours
// and NaN in the split feature.
func edgeRows(m *Model, x *mat.Dense, n int) *mat.Dense {
	r, c := x.Dims()
	out := mat.NewDense(n, c, nil)
	k := 0
	for t := 0; k < n && t < len(m.Trees); t++ {
		for _, nd := range m.Trees[t].Nodes {
			if nd.IsLeaf() {
				continue
			}
			for _, v := range []float64{float64(nd.Cond), float64(math.Nextafter32(nd.Cond, -1e30)), float64(math.Nextafter32(nd.Cond, 1e30)),
				math.Nextafter(float64(nd.Cond), -1e300), math.NaN()} {
				if k >= n/2 {
					break
				}
				out.SetRow(k, x.RawRowView(k%r))
				out.Set(k, int(nd.Feature), v)
				k++
			}
		}
	}
	for ; k < n; k++ {
		out.SetRow(k, x.RawRowView(k%r))
	}
	return out
}

func TestLightGBMLeaves(t *testing.T) {
	x, y := synth(3000, 12, 7, 0.1)
	ymc := make([]float64, len(y))
	yreg := make([]float64, len(y))
	for i := range y {
		ymc[i] = float64(i % 3)
		if y[i] == 1 {
			ymc[i] = float64((i % 2) + 1)
		}
		yreg[i] = y[i]*3 + x.At(i, 0)
		if math.IsNaN(yreg[i]) {
			yreg[i] = 1
		}
	}
	for _, tc := range []struct {
		name string
		y    []float64
		p    Params
	}{
		{"binary hist", y, Params{NEstimators: 30}},
		{"binary hist maxbin 16", y, Params{NEstimators: 30, MaxBin: 16, MaxDepth: 4}},
		{"binary exact", y, Params{NEstimators: 20, TreeMethod: Exact}},
		{"regression", yreg, Params{NEstimators: 20, Objective: RegSquaredError}},
		{"multiclass", ymc, Params{NEstimators: 10, Objective: MultiSoftprob, NumClass: 3}},
		{"multiclass parallel trees", ymc, Params{NEstimators: 5, Objective: MultiSoftprob, NumClass: 3, NumParallelTree: 3, Subsample: 0.7}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m, err := Train(context.Background(), x, tc.y, nil, &tc.p)
			if err != nil {
				t.Fatal(err)
			}
			var buf bytes.Buffer
			if err := m.WriteLightGBM(&buf); err != nil {
				t.Fatal(err)
			}
			// Through the checker: every model we write must pass it.
			lg, err := LoadLeaves(&buf, true)
			if err != nil {
				t.Fatalf("LoadLeaves: %v", err)
			}
			test := edgeRows(m, x, 10000)
			want, err := m.Predict(test)
			if err != nil {
				t.Fatal(err)
			}
			got := make([]float64, len(want))
			if err := lg.PredictDense(test.RawMatrix().Data, 10000, m.NumFeature, got, 0, 1); err != nil {
				t.Fatal(err)
			}
			bad, worst := 0, 0.0
			for i := range got {
				d := math.Abs(got[i] - want[i])
				worst = max(worst, d)
				if d > 1e-5 {
					bad++
				}
			}
			if bad > 0 {
				t.Errorf("leaves disagrees on %d of %d outputs (max |diff| %g)", bad, len(got), worst)
			}
			t.Logf("max |diff| leaves vs Go: %.3g", worst)
		})
	}
}
