package model

import (
	"fmt"

	"gonum.org/v1/gonum/mat"

	"github.com/mlstack/mlstack/pkg/clean"
	"github.com/mlstack/mlstack/pkg/frame"
)

// Explanation holds the SHAP values of raw rows (Model.Explain): exact
// TreeSHAP contributions to the booster's margin, as xgboost's
// predict(pred_contribs=True), per feature and per raw input column.
//
// The margin is the log-odds of the positive class (Classes()[1]) for a
// binary classifier, each class's raw score for a multiclass one (one
// output per class) and the predicted value for a regression model. Each
// row's contributions plus the bias sum to its margin.
//
// Per raw column, the contributions of the features made from one column
// are summed: the indicator features "c_L" of a one-hot encoded column c
// (pkg/clean's Encode with Method OneHot) give c's contribution; every
// other feature is its own column. SHAP values are additive, so the sum is
// the column's contribution in the game whose players are the columns'
// feature groups (the interactions inside a group are part of it).
type Explanation struct {
	// Outputs names the output groups: "margin" for a binary classifier
	// (log-odds of Classes()[1]) and a regression model, the class names
	// for a multiclass one.
	Outputs []string
	// Features are the booster's features (the schema's names).
	Features []string
	// Columns are the raw input columns (Model.Inputs), in training order.
	Columns []string
	// Source[j] is the index in Columns of the column feature j comes from.
	Source []int
	// X are the explained rows' feature values (Model.Features), for
	// colouring plots.
	X *mat.Dense
	// ByFeature[g] is rows × (len(Features)+1) for output g, the last
	// column the bias (the expected margin).
	ByFeature []*mat.Dense
	// ByColumn[g] is rows × (len(Columns)+1) for output g: ByFeature summed
	// over each column's features, the same bias last.
	ByColumn []*mat.Dense
}

// Explain returns the SHAP values of raw rows: the cleaning pipeline and
// feature export run as for Predict, then the booster's exact TreeSHAP
// (boost.Model.Contributions). Errors are those of Features, and the
// booster's (boost.ErrNoCover for a booster without cover statistics).
func (m *Model) Explain(rows *frame.Frame) (*Explanation, error) {
	X, err := m.Features(rows)
	if err != nil {
		return nil, err
	}
	byFeature, err := m.Booster.Contributions(X)
	if err != nil {
		return nil, fmt.Errorf("model: explain: %w", err)
	}
	e := &Explanation{X: X, ByFeature: byFeature}
	for _, f := range m.Schema.Features {
		e.Features = append(e.Features, f.Name)
	}
	e.Columns, e.Source = m.FeatureSources()
	switch {
	case m.Task == Regression || len(byFeature) == 1:
		e.Outputs = []string{"margin"}
	default:
		e.Outputs = m.Classes()
	}
	r, _ := X.Dims()
	nc := len(e.Columns) + 1
	for _, bf := range byFeature {
		bc := mat.NewDense(r, nc, nil)
		for i := range r {
			src, dst := bf.RawRowView(i), bc.RawRowView(i)
			for j, v := range src[:len(src)-1] {
				dst[e.Source[j]] += v
			}
			dst[nc-1] = src[len(src)-1]
		}
		e.ByColumn = append(e.ByColumn, bc)
	}
	return e, nil
}

// FeatureSources returns the raw input columns (the names of Inputs, then
// any feature that comes from none of them) and, for each of the booster's
// features, the index of the column it comes from: one-hot indicators
// "c_L" of an Encode step come from c, every other feature from the column
// of its name.
func (m *Model) FeatureSources() (columns []string, source []int) {
	index := make(map[string]int, len(m.Inputs))
	for _, in := range m.Inputs {
		index[in.Name] = len(columns)
		columns = append(columns, in.Name)
	}
	from := map[string]string{}
	if m.Pipeline != nil {
		for _, s := range m.Pipeline.Steps {
			e, ok := s.(*clean.Encode)
			if !ok || e.Fitted == nil || e.Method == clean.Ordinal {
				continue
			}
			for _, lv := range e.Fitted.Columns {
				for _, l := range lv.Levels {
					from[lv.Column+"_"+l] = lv.Column
				}
			}
		}
	}
	for _, f := range m.Schema.Features {
		name := f.Name
		if c, ok := from[name]; ok {
			if _, known := index[c]; known {
				name = c
			}
		}
		k, ok := index[name]
		if !ok {
			k = len(columns)
			index[name] = k
			columns = append(columns, name)
		}
		source = append(source, k)
	}
	return columns, source
}
