package boost

import "fmt"

// Importance types, as in XGBoost's Booster.get_score.
const (
	Weight     = "weight"      // number of splits on the feature
	Gain       = "gain"        // mean loss reduction of those splits
	Cover      = "cover"       // mean hessian sum of those splits
	TotalGain  = "total_gain"  // summed loss reduction
	TotalCover = "total_cover" // summed hessian sum
)

// Importance returns the importance of every feature (len NumFeature) by
// kind, with XGBoost's get_score definitions. Features never used in a
// split get 0 (get_score omits them). An unknown kind is an error
// wrapping ErrInvalidParam.
func (m *Model) Importance(kind string) ([]float64, error) {
	count := make([]float64, m.NumFeature)
	gain := make([]float64, m.NumFeature)
	cover := make([]float64, m.NumFeature)
	for _, t := range m.Trees {
		for _, nd := range t.Nodes {
			if nd.IsLeaf() {
				continue
			}
			count[nd.Feature]++
			gain[nd.Feature] += float64(nd.Gain)
			cover[nd.Feature] += float64(nd.Hess)
		}
	}
	mean := func(s []float64) []float64 {
		for i := range s {
			if count[i] > 0 {
				s[i] /= count[i]
			}
		}
		return s
	}
	switch kind {
	case Weight:
		return count, nil
	case Gain:
		return mean(gain), nil
	case Cover:
		return mean(cover), nil
	case TotalGain:
		return gain, nil
	case TotalCover:
		return cover, nil
	}
	return nil, fmt.Errorf("%w: importance type %q (want weight, gain, cover, total_gain or total_cover)", ErrInvalidParam, kind)
}
