package neighbors_test

import (
	"context"
	"encoding/json"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"gonum.org/v1/gonum/mat"

	"github.com/mlstack/mlstack/internal/testenv"
	"github.com/mlstack/mlstack/pkg/neighbors"
)

const sklearnScript = `
import json, sys
import numpy as np
from sklearn.neighbors import NearestNeighbors
c = json.load(open(sys.argv[1]))
X, Q, k = np.array(c["X"]), np.array(c["Q"]), c["k"]
out = {}
for alg in ["kd_tree", "ball_tree", "brute"]:
    nn = NearestNeighbors(n_neighbors=k, algorithm=alg).fit(X)
    d, i = nn.kneighbors()
    dq, iq = nn.kneighbors(Q)
    out[alg] = {"dist": d.tolist(), "ind": i.tolist(), "qdist": dq.tolist(), "qind": iq.tolist()}
errs = []
for k2, q in [(4, X[:3]), (3, None), (0, None)]:
    try:
        NearestNeighbors(n_neighbors=1).fit(X[:3]).kneighbors(q, n_neighbors=k2)
    except ValueError as e:
        errs.append(str(e))
out["errors"] = errs
print(json.dumps(out))
`

// TestParitySklearn compares with scikit-learn's NearestNeighbors on data
// without ties (continuous values): the same neighbours in the same order,
// and distances equal to rounding (scikit-learn's brute force computes
// them from ‖a‖² + ‖b‖² − 2a·b). Then the error messages.
func TestParitySklearn(t *testing.T) {
	rnd := rand.New(rand.NewPCG(12, 12))
	n, m, d, k := 400, 40, 6, 5
	rows := func(r int) [][]float64 {
		out := make([][]float64, r)
		for i := range out {
			out[i] = make([]float64, d)
			for j := range out[i] {
				out[i][j] = rnd.NormFloat64() * float64(1+j)
			}
		}
		return out
	}
	X, Q := rows(n), rows(m)
	in := filepath.Join(t.TempDir(), "case.json")
	b, err := json.Marshal(map[string]any{"X": X, "Q": Q, "k": k})
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(in, b, 0o600); err != nil {
		t.Fatal(err)
	}
	var want map[string]json.RawMessage
	if err := json.Unmarshal(testenv.RunPython(t, sklearnScript, []string{in}), &want); err != nil {
		t.Fatal(err)
	}
	dense := func(r [][]float64) *mat.Dense {
		out := mat.NewDense(len(r), d, nil)
		for i, row := range r {
			out.SetRow(i, row)
		}
		return out
	}
	for _, alg := range []neighbors.Algorithm{neighbors.KDTree, neighbors.BallTree, neighbors.Brute} {
		var w struct {
			Dist  [][]float64 `json:"dist"`
			Ind   [][]int     `json:"ind"`
			QDist [][]float64 `json:"qdist"`
			QInd  [][]int     `json:"qind"`
		}
		if err := json.Unmarshal(want[string(alg)], &w); err != nil {
			t.Fatal(err)
		}
		ix, err := neighbors.Fit(context.Background(), dense(X), &neighbors.Options{Algorithm: alg})
		if err != nil {
			t.Fatal(err)
		}
		self, err := ix.KNeighbors(context.Background(), nil, k)
		if err != nil {
			t.Fatal(err)
		}
		queries, err := ix.KNeighbors(context.Background(), dense(Q), k)
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range []struct {
			name string
			got  *neighbors.Result
			dist [][]float64
			ind  [][]int
		}{{"kneighbors()", self, w.Dist, w.Ind}, {"kneighbors(Q)", queries, w.QDist, w.QInd}} {
			for i := range c.ind {
				for j := range k {
					g, gd := c.got.Ind[i*k+j], c.got.Dist[i*k+j]
					if g != c.ind[i][j] || math.Abs(gd-c.dist[i][j]) > 1e-12*c.dist[i][j] {
						t.Fatalf("%s %s query %d neighbour %d: row %d at %v, scikit-learn row %d at %v",
							alg, c.name, i, j, g, gd, c.ind[i][j], c.dist[i][j])
					}
				}
			}
		}
	}
	// The same checks as scikit-learn's, in its words.
	var errs []string
	if err := json.Unmarshal(want["errors"], &errs); err != nil {
		t.Fatal(err)
	}
	ix, err := neighbors.Fit(context.Background(), dense(X[:3]), nil)
	if err != nil {
		t.Fatal(err)
	}
	for i, c := range []struct {
		q *mat.Dense
		k int
	}{{dense(X[:3]), 4}, {nil, 3}, {nil, 0}} {
		var q mat.Matrix
		if c.q != nil {
			q = c.q
		}
		_, err := ix.KNeighbors(context.Background(), q, c.k)
		// scikit-learn adds ", n_samples = …" for its own tests.
		sk, _, _ := strings.Cut(errs[i], ", n_samples = ")
		if err == nil || strings.TrimPrefix(err.Error(), "neighbors: ") != sk {
			t.Errorf("k=%d: error %v, scikit-learn %q", c.k, err, errs[i])
		}
	}
}
