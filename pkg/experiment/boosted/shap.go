package boosted

import (
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"strconv"

	"github.com/mlstack/mlstack/pkg/boost"
	"github.com/mlstack/mlstack/pkg/charts"
	"github.com/mlstack/mlstack/pkg/experiment"
	"github.com/mlstack/mlstack/pkg/experiment/config"
	"github.com/mlstack/mlstack/pkg/model"
)

// DefaultSHAPRows is how many rows of the data train explains for the SHAP
// charts when artifacts.shap is not set.
const DefaultSHAPRows = 2000

// shapInteractionRows bounds the rows whose interaction values choose the
// dependence plot's colour (they cost about twice the tree's features
// times the contributions).
const shapInteractionRows = 200

// shapCharts explains the final model on a sample of the data (up to
// artifacts.shap rows, DefaultSHAPRows by default, 0 for none; a fixed
// random sample drawn with the config's seed) and writes the SHAP charts
// (pkg/charts: summary, mean |SHAP| bars, dependence plot of the top
// feature, waterfall of the sample's first row) into charts/shap/: one set
// for a binary classifier or a regression model, one per class for a
// multiclass one.
func shapCharts(job *experiment.Job, m *model.Model) error {
	c := job.Config
	n := DefaultSHAPRows
	if c.Artifacts.SHAP != nil {
		n = *c.Artifacts.SHAP
	}
	if !config.On(c.Artifacts.Charts) || n <= 0 || job.Data.Len() == 0 {
		return nil
	}
	idx := rand.New(rand.NewPCG(c.Seed, 0x5a4b)).Perm(job.Data.Len())
	idx = idx[:min(n, len(idx))]
	slices.Sort(idx)
	e, err := m.Explain(job.Data.Take(idx))
	if err != nil {
		return fmt.Errorf("shap: %w", err)
	}
	r, nf := e.X.Dims()
	iv, err := m.Booster.Interactions(e.X.Slice(0, min(r, shapInteractionRows), 0, nf))
	if err != nil {
		return fmt.Errorf("shap: %w", err)
	}
	var all []*charts.Chart
	for g, out := range e.Outputs {
		v := &charts.SHAPValues{Features: e.Features, Values: e.ByFeature[g], X: e.X, Interactions: iv[g]}
		switch {
		case m.Booster.Objective == boost.RegSquaredError:
			v.Output = "predicted " + m.Target()
		case len(e.Outputs) == 1:
			v.Output = "log-odds of " + m.Target() + " = " + m.Classes()[1]
		default:
			v.Output = "raw score of " + m.Target() + " = " + out
		}
		cs, err := charts.SHAPCharts(v, 0)
		if err != nil {
			return fmt.Errorf("shap: %w", err)
		}
		if len(e.Outputs) > 1 {
			for _, ch := range cs {
				ch.Name += "_class_" + strconv.Itoa(g) // the class is in each chart's axis and subtitle
			}
		}
		all = append(all, cs...)
	}
	_, err = charts.WriteDir(filepath.Join(job.Out, "charts", "shap"), c.Name+" — SHAP on "+strconv.Itoa(r)+" rows", all...)
	return err
}
