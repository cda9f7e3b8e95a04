package tune_test

import (
	"fmt"
	"math"

	"github.com/mlstack/mlstack/pkg/tune"
)

// A seeded TPE search for the minimum of a bowl, with the median pruner
// watching each trial's running score.
func Example() {
	space := tune.Space{
		{Name: "x", Dist: tune.Float{Low: -4, High: 4}},
		{Name: "depth", Dist: tune.Int{Low: 1, High: 10}},
	}
	study, err := tune.NewStudy(space, tune.Minimize, tune.NewTPE(1), tune.NewMedian())
	if err != nil {
		fmt.Println(err)
		return
	}
	for range 60 {
		t, _ := study.Ask()
		x, d := t.Params["x"].(float64), float64(t.Params["depth"].(int))
		loss := (x-1)*(x-1) + (d-6)*(d-6)/10
		study.Tell(t.Number, tune.Outcome{State: tune.Complete, Value: loss})
	}
	best, _ := study.Best()
	fmt.Println("best depth:", best.Params["depth"], "x near 1:", math.Abs(best.Params["x"].(float64)-1) < 0.3)
	// Output: best depth: 6 x near 1: true
}
