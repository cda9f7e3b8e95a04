package boost

import (
	"math/rand/v2"
	"slices"
)

// Which features a node may split on: the tree's sample
// (colsample_bytree, drawn in Train), the level's (colsample_bylevel),
// the node's (colsample_bynode), and the interaction constraints. As in
// XGBoost's ColumnSampler each sample is drawn from the one before, and a
// fraction s of n features keeps max(1, ⌊s·n⌋) of them (s·n in float32).
// The draws come from the training's one random stream, so a model
// depends only on RandomState; they are not XGBoost's std::mt19937 draws,
// so sampled models match XGBoost's in distribution, not tree for tree.

// sampleFeatures returns a sorted sample of max(1, ⌊frac·len(feats)⌋) of
// feats.
func sampleFeatures(rng *rand.Rand, feats []int32, frac float32) []int32 {
	n := max(1, int(frac*float32(len(feats))))
	perm := rng.Perm(len(feats))[:n]
	out := make([]int32, n)
	for i, j := range perm {
		out[i] = feats[j]
	}
	slices.Sort(out)
	return out
}

// levelFeatures returns the features sampled for the nodes at depth
// (colsample_bylevel), drawn once per depth and tree from feats, the
// tree's; levels holds the draws of the tree so far (nil at depths not
// drawn yet).
func levelFeatures(rng *rand.Rand, levels *[][]int32, feats []int32, frac float32, depth int) []int32 {
	if frac >= 1 {
		return feats
	}
	for len(*levels) <= depth {
		*levels = append(*levels, nil)
	}
	if (*levels)[depth] == nil {
		(*levels)[depth] = sampleFeatures(rng, feats, frac)
	}
	return (*levels)[depth]
}

func (g *histGrower) levelFeatures(feats []int32, depth int) []int32 {
	return levelFeatures(g.rng, &g.levels, feats, g.c.colsampleLevel, depth)
}

// allows reports whether a node below splits on the features path may
// split on f (XGBoost's FeatureInteractionConstraintHost): the root on
// any feature; other nodes on a feature of their path, or on any feature
// of a constraint group that holds their whole path.
func (c *resolved) allows(path []int32, f int32) bool {
	if c.interaction == nil || len(path) == 0 || slices.Contains(path, f) {
		return true
	}
	for _, grp := range c.interaction {
		if !slices.Contains(grp, f) {
			continue
		}
		all := true
		for _, p := range path {
			if !slices.Contains(grp, p) {
				all = false
				break
			}
		}
		if all {
			return true
		}
	}
	return false
}
