package charts_test

import (
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/mat"

	"github.com/mlstack/mlstack/pkg/boost"
	"github.com/mlstack/mlstack/pkg/charts"
	"github.com/mlstack/mlstack/pkg/cv"
	"github.com/mlstack/mlstack/pkg/frame"
	"github.com/mlstack/mlstack/pkg/metrics"
	"github.com/mlstack/mlstack/pkg/tune"
)

// cvResult is a deterministic binary cross-validation result: 2 repeats ×
// 5 folds of 200 rows, 25% positives, scores from two overlapping normals.
func cvResult() *cv.Result {
	r := rand.New(rand.NewPCG(1, 1))
	res := &cv.Result{Classes: 2}
	for rep := range 2 {
		for fold := range 5 {
			var yt, ys []float64
			for i := range 40 {
				y := 0.0
				if i%4 == 0 {
					y = 1
				}
				s := 1 / (1 + math.Exp(-(r.NormFloat64()*1.2 + 2.2*y - 1.4)))
				yt, ys = append(yt, y), append(ys, s)
				res.Predictions = append(res.Predictions, cv.Prediction{
					Row: fold*40 + i, Repeat: rep, Fold: fold, YTrue: y, YScore: s, YPred: metrics.Threshold([]float64{s}, 0.5)[0]})
			}
			res.Folds = append(res.Folds, cv.FoldResult{Repeat: rep, Fold: fold, NTrain: 160, NTest: 40,
				NResampled: 160, Scores: metrics.BinaryScores(yt, ys, nil, 0.5)})
		}
	}
	return res
}

func summary(r *cv.Result) *metrics.Summary { return r.Summary(nil) }

func confusion(r *cv.Result) *mat.Dense {
	var yt, yp []float64
	for _, p := range r.Predictions {
		yt, yp = append(yt, p.YTrue), append(yp, p.YPred)
	}
	return metrics.ConfusionMatrix(yt, yp, nil)
}

// model is a boost.Model carrying only what LearningCurves reads.
func model() *boost.Model {
	m := &boost.Model{BestIteration: 62}
	var tr, va []float64
	for i := range 80 {
		x := float64(i)
		tr = append(tr, 0.25+0.45*math.Exp(-x/15))
		va = append(va, 0.33+0.37*math.Exp(-x/12)+0.0004*math.Max(0, x-50))
	}
	m.History = []boost.EvalHistory{
		{Set: "train", Metric: "logloss", Values: tr},
		{Set: "validation", Metric: "logloss", Values: va},
	}
	return m
}

// data is a small frame: two correlated numeric features, an integer one,
// a boolean-like 0/1 column with a missing value and a string target.
func data(t testing.TB) *frame.Frame {
	r := rand.New(rand.NewPCG(2, 2))
	n := 400
	age, income, visits, flag := make([]float64, n), make([]float64, n), make([]float64, n), make([]float64, n)
	target := make([]string, n)
	for i := range n {
		churn := i%5 == 0
		shift := 0.0
		if churn {
			shift = 1
		}
		age[i] = 40 + 10*r.NormFloat64() - 6*shift
		income[i] = 2000 + 40*age[i] + 300*r.NormFloat64()
		visits[i] = float64(r.IntN(6) + 2*int(shift))
		flag[i] = float64(r.IntN(2))
		target[i] = "stay"
		if churn {
			target[i] = "churn"
		}
	}
	flag[3] = math.NaN()
	f, err := frame.New(frame.NewNumeric("age", age), frame.NewNumeric("income", income),
		frame.NewNumeric("visits", visits), frame.NewNumeric("flag", flag),
		frame.NewCategorical("target", target, nil))
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func classLabels() (before, after []float64) {
	for i := range 500 {
		y := 0.0
		if i%10 == 0 {
			y = 1
		}
		before = append(before, y)
	}
	after = append([]float64(nil), before...)
	for range 400 {
		after = append(after, 1)
	}
	return before, after
}

// allCharts builds one chart of every kind from the fixtures.
func allCharts(t testing.TB) []*charts.Chart {
	t.Helper()
	r := cvResult()
	must := func(c *charts.Chart, err error) *charts.Chart {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	before, after := classLabels()
	f := data(t)
	return []*charts.Chart{
		must(charts.CVBoxPlot(summary(r))),
		must(charts.ConfusionMatrix(confusion(r), []string{"negative", "positive"})),
		must(charts.ROC(r)),
		must(charts.PrecisionRecall(r)),
		must(charts.FeatureImportance([]string{"age", "income", "visits", "flag", "unused"}, []float64{12.5, 7.25, 30, 1.5, 0}, "gain", 0)),
		must(charts.LearningCurves(model())),
		must(charts.Histogram(f, "age", "target", 0)),
		must(charts.Histogram(f, "visits", "target", 0)),
		must(charts.Correlation(f)),
		must(charts.ClassBalance(before, after, []string{"majority", "minority"})),
		must(charts.OptimizationHistory(searchTrials(t), tune.Maximize, "roc_auc_mean")),
		must(charts.ParamImportance(searchTrials(t), searchSpace, "roc_auc_mean")),
		must(charts.ParallelCoordinates(searchTrials(t), searchSpace, tune.Maximize, "roc_auc_mean")),
		must(slices(charts.Slices(searchTrials(t), searchSpace, "roc_auc_mean"))),
	}
}

// slices keeps the log-scaled eta slice of Slices' charts.
func slices(cs []*charts.Chart, err error) (*charts.Chart, error) {
	if err != nil {
		return nil, err
	}
	return cs[0], nil
}

var searchSpace = tune.Space{
	{Name: "eta", Dist: tune.Float{Low: 0.005, High: 0.5, Log: true}},
	{Name: "max_depth", Dist: tune.Int{Low: 2, High: 10}},
	{Name: "subsample", Dist: tune.Float{Low: 0.5, High: 1, Step: 0.05}},
	{Name: "booster", Dist: tune.Categorical{Choices: []any{"gbtree", "dart"}}},
}

// searchTrials is a seeded TPE search of 40 trials on a made-up AUC
// surface (best near eta 0.08, depth 6, subsample 0.8, gbtree), with
// pruned and failed trials.
func searchTrials(t testing.TB) []tune.Trial {
	t.Helper()
	st, err := tune.NewStudy(searchSpace, tune.Maximize, tune.NewTPE(7), tune.NewMedian())
	if err != nil {
		t.Fatal(err)
	}
	for range 40 {
		tr, err := st.Ask()
		if err != nil {
			t.Fatal(err)
		}
		if tr.Number == 13 {
			st.Tell(tr.Number, tune.Outcome{State: tune.Fail, Err: "out of memory"})
			continue
		}
		e := math.Log10(tr.Params["eta"].(float64)) - math.Log10(0.08)
		d := float64(tr.Params["max_depth"].(int)-6) / 4
		s := (tr.Params["subsample"].(float64) - 0.8) * 2
		auc := 0.86 - 0.05*e*e - 0.03*d*d - 0.02*s*s
		if tr.Params["booster"] == "dart" {
			auc -= 0.01
		}
		state := tune.Complete
		for fold := range 5 {
			if prune, _ := st.Report(tr.Number, fold, auc-0.002*float64(4-fold)); prune {
				state = tune.Pruned
				break
			}
		}
		st.Tell(tr.Number, tune.Outcome{State: state, Value: auc})
	}
	return st.Trials()
}
