package charts_test

import (
	"bytes"
	"encoding/json"
	"fmt"

	"github.com/mlstack/mlstack/pkg/charts"
	"github.com/mlstack/mlstack/pkg/metrics"
)

func ExampleCVBoxPlot() {
	folds := []metrics.FoldScores{
		{Fold: 0, Scores: map[string]float64{"roc_auc": 0.91, "f1": 0.70}},
		{Fold: 1, Scores: map[string]float64{"roc_auc": 0.88, "f1": 0.74}},
		{Fold: 2, Scores: map[string]float64{"roc_auc": 0.93, "f1": 0.69}},
	}
	c, err := charts.CVBoxPlot(metrics.Summarize(folds, nil))
	if err != nil {
		panic(err)
	}
	b, err := c.Option()
	if err != nil {
		panic(err)
	}
	var opt struct {
		Title  struct{ Text string }
		XAxis  []struct{ Data []string }
		Series []struct {
			Type string
			Data []json.RawMessage
		}
	}
	if err := json.Unmarshal(b, &opt); err != nil {
		panic(err)
	}
	fmt.Println(c.Name, "-", opt.Title.Text)
	fmt.Println("metrics:", opt.XAxis[0].Data)
	for _, s := range opt.Series {
		fmt.Println(s.Type, len(s.Data))
	}
	var box bytes.Buffer
	if err := json.Compact(&box, opt.Series[0].Data[0]); err != nil {
		panic(err)
	}
	fmt.Println("box of", opt.XAxis[0].Data[0]+":", box.String())
	fmt.Printf("PNG %dx%d\n", charts.PNGWidth, charts.PNGHeight)
	// Output:
	// cv_scores - Cross-validation scores
	// metrics: [f1 roc_auc]
	// boxplot 2
	// scatter 6
	// box of f1: {"name":"f1","value":[0.69,0.695,0.7,0.72,0.74]}
	// PNG 1000x600
}
