package boost

import (
	"context"
	"slices"
	"testing"

	"gonum.org/v1/gonum/mat"
)

// Monotone constraints hold for every row: moving a constrained feature
// up never moves the prediction the other way, whatever the grower.
func TestMonotoneConstraintsHold(t *testing.T) {
	x, y := synth(3000, 4, 11, 0.05)
	mono := []int{1, -1}
	for _, tc := range []struct {
		name string
		p    Params
	}{
		{"unconstrained", Params{}}, // must break them, or the test checks nothing
		{"hist", Params{}},
		{"exact", Params{TreeMethod: Exact}},
		{"lossguide", Params{GrowPolicy: "lossguide", MaxLeaves: 16}},
		{"max_delta_step", Params{MaxDeltaStep: 0.3}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := tc.p
			p.NEstimators, p.MonotoneConstraints = 30, mono
			if tc.name == "unconstrained" {
				p.MonotoneConstraints = nil
			}
			m, err := Train(context.Background(), x, y, nil, &p)
			if err != nil {
				t.Fatal(err)
			}
			broken := 0
			grid := []float64{-3, -2, -1, -0.5, 0, 0.5, 1, 2, 3}
			for f, dir := range mono {
				for r := range 200 {
					rows := mat.NewDense(len(grid), 4, nil)
					for i, v := range grid {
						rows.SetRow(i, x.RawRowView(r))
						rows.Set(i, f, v)
					}
					pred, err := m.Predict(rows)
					if err != nil {
						t.Fatal(err)
					}
					for i := 1; i < len(pred); i++ {
						if d := pred[i] - pred[i-1]; float64(dir)*d < 0 {
							broken++
							if tc.name == "unconstrained" {
								continue
							}
							t.Fatalf("row %d feature %d (constraint %d): prediction %g at %g, %g at %g", r, f, dir, pred[i-1], grid[i-1], pred[i], grid[i])
						}
					}
				}
			}
			if tc.name == "unconstrained" && broken == 0 {
				t.Fatal("the unconstrained model is monotone too: the data do not test the constraints")
			}
		})
	}
}

// Interaction constraints hold: the features on every path from the root
// are one feature or lie in one group.
func TestInteractionConstraintsHold(t *testing.T) {
	x, y := synth(3000, 6, 12, 0.05)
	groups := [][]int{{0, 1}, {1, 2, 3}}
	for _, tc := range []struct {
		name string
		p    Params
	}{
		{"hist", Params{}},
		{"exact", Params{TreeMethod: Exact}},
		{"lossguide bynode", Params{GrowPolicy: "lossguide", MaxLeaves: 20, ColsampleBynode: 0.8}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := tc.p
			p.NEstimators, p.InteractionConstraints = 20, groups
			m, err := Train(context.Background(), x, y, nil, &p)
			if err != nil {
				t.Fatal(err)
			}
			splits := 0
			free, err := Train(context.Background(), x, y, nil, &Params{NEstimators: 20, TreeMethod: p.TreeMethod})
			if err != nil {
				t.Fatal(err)
			}
			if mixed := pathsOutside(free, groups); mixed == 0 {
				t.Fatal("without constraints every path lies in a group: the data do not test them")
			}
			if n := pathsOutside(m, groups); n > 0 {
				t.Fatalf("%d paths split on features in no group of %v", n, groups)
			}
			for _, tr := range m.Trees {
				splits += len(tr.Nodes) / 2
			}
			if splits == 0 {
				t.Fatal("no splits: the test checks nothing")
			}
		})
	}
}

// pathsOutside counts the root-to-split paths of m whose features are
// more than one and in no group.
func pathsOutside(m *Model, groups [][]int) int {
	n := 0
	var walk func(nodes []Node, i int32, path []int)
	walk = func(nodes []Node, i int32, path []int) {
		nd := nodes[i]
		if nd.IsLeaf() {
			return
		}
		path = append(slices.Clone(path), int(nd.Feature))
		ok := len(slices.Compact(slices.Sorted(slices.Values(path)))) == 1
		for _, g := range groups {
			if !slices.ContainsFunc(path, func(f int) bool { return !slices.Contains(g, f) }) {
				ok = true
			}
		}
		if !ok {
			n++
		}
		walk(nodes, nd.Left, path)
		walk(nodes, nd.Right, path)
	}
	for _, tr := range m.Trees {
		walk(tr.Nodes, 0, nil)
	}
	return n
}
