package metrics

import (
	"encoding/json"
	"math"
	"slices"
	"strconv"

	"gonum.org/v1/gonum/mat"
)

// BinaryScores computes the standard binary metrics of the scores of class 1,
// labelling score > threshold as 1 for the threshold metrics. Keys: roc_auc,
// average_precision, log_loss, accuracy, balanced_accuracy, precision,
// recall, f1, mcc. log_loss assumes yScore is a probability.
func BinaryScores(yTrue, yScore, weights []float64, threshold float64) map[string]float64 {
	pred := Threshold(yScore, threshold)
	return map[string]float64{
		"roc_auc":           ROCAUC(yTrue, yScore, weights),
		"average_precision": AveragePrecision(yTrue, yScore, weights),
		"log_loss":          LogLoss(yTrue, yScore, weights),
		"accuracy":          Accuracy(yTrue, pred, weights),
		"balanced_accuracy": BalancedAccuracy(yTrue, pred, weights),
		"precision":         Precision(yTrue, pred, weights, Binary),
		"recall":            Recall(yTrue, pred, weights, Binary),
		"f1":                F1(yTrue, pred, weights, Binary),
		"mcc":               MCC(yTrue, pred, weights),
	}
}

// MulticlassScores computes the standard multiclass metrics of class
// probabilities (one row per sample, one column per class), predicting the
// argmax. Keys: log_loss, accuracy, balanced_accuracy, precision_macro,
// recall_macro, f1_macro, f1_weighted, mcc.
func MulticlassScores(yTrue []float64, proba mat.Matrix, weights []float64) map[string]float64 {
	pred := Argmax(proba)
	return map[string]float64{
		"log_loss":          LogLossMulti(yTrue, proba, weights),
		"accuracy":          Accuracy(yTrue, pred, weights),
		"balanced_accuracy": BalancedAccuracy(yTrue, pred, weights),
		"precision_macro":   Precision(yTrue, pred, weights, Macro),
		"recall_macro":      Recall(yTrue, pred, weights, Macro),
		"f1_macro":          F1(yTrue, pred, weights, Macro),
		"f1_weighted":       F1(yTrue, pred, weights, Weighted),
		"mcc":               MCC(yTrue, pred, weights),
	}
}

// FoldScores holds the scores of one cross-validation fold.
type FoldScores struct {
	Repeat int                `json:"repeat"`
	Fold   int                `json:"fold"`
	NTrain int                `json:"n_train"`
	NTest  int                `json:"n_test"`
	Scores map[string]float64 `json:"scores"`
}

// Summary is what the train command writes to metrics.json: the scores of
// every fold and their aggregate per metric.
type Summary struct {
	Folds     []FoldScores    `json:"folds"`
	Aggregate map[string]Stat `json:"aggregate"`
	Level     float64         `json:"level"`    // confidence level of Lo..Hi
	Interval  string          `json:"interval"` // "student_t" or "bootstrap"
}

// Summarize aggregates every metric that occurs in folds. Each metric's
// bootstrap (if chosen) uses opts.Seed, so the result depends only on the
// inputs.
func Summarize(folds []FoldScores, opts *AggregateOptions) *Summary {
	o := opts.withDefaults()
	s := &Summary{Folds: folds, Aggregate: map[string]Stat{}, Level: o.Level, Interval: o.Method.String()}
	var names []string
	for _, f := range folds {
		for k := range f.Scores {
			if !slices.Contains(names, k) {
				names = append(names, k)
			}
		}
	}
	for _, name := range names {
		var v []float64
		for _, f := range folds {
			if x, ok := f.Scores[name]; ok {
				v = append(v, x)
			}
		}
		s.Aggregate[name] = Aggregate(v, &o)
	}
	return s
}

// jsonFloat marshals NaN and ±Inf as null and unmarshals null as NaN.
type jsonFloat float64

func (f jsonFloat) MarshalJSON() ([]byte, error) {
	v := float64(f)
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return []byte("null"), nil
	}
	return strconv.AppendFloat(nil, v, 'g', -1, 64), nil
}

func (f *jsonFloat) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		*f = jsonFloat(math.NaN())
		return nil
	}
	var v float64
	if err := json.Unmarshal(b, &v); err != nil {
		return err
	}
	*f = jsonFloat(v)
	return nil
}

type statJSON struct {
	N    int       `json:"n"`
	NaN  int       `json:"nan"`
	Mean jsonFloat `json:"mean"`
	Std  jsonFloat `json:"std"`
	Lo   jsonFloat `json:"lo"`
	Hi   jsonFloat `json:"hi"`
}

// MarshalJSON writes NaN fields as null.
func (s Stat) MarshalJSON() ([]byte, error) {
	return json.Marshal(statJSON{s.N, s.NaN, jsonFloat(s.Mean), jsonFloat(s.Std), jsonFloat(s.Lo), jsonFloat(s.Hi)})
}

// UnmarshalJSON reads null fields as NaN.
func (s *Stat) UnmarshalJSON(b []byte) error {
	var j statJSON
	if err := json.Unmarshal(b, &j); err != nil {
		return err
	}
	*s = Stat{j.N, j.NaN, float64(j.Mean), float64(j.Std), float64(j.Lo), float64(j.Hi)}
	return nil
}

type foldJSON struct {
	Repeat int                  `json:"repeat"`
	Fold   int                  `json:"fold"`
	NTrain int                  `json:"n_train"`
	NTest  int                  `json:"n_test"`
	Scores map[string]jsonFloat `json:"scores"`
}

// MarshalJSON writes NaN scores as null.
func (f FoldScores) MarshalJSON() ([]byte, error) {
	j := foldJSON{f.Repeat, f.Fold, f.NTrain, f.NTest, make(map[string]jsonFloat, len(f.Scores))}
	for k, v := range f.Scores {
		j.Scores[k] = jsonFloat(v)
	}
	return json.Marshal(j)
}

// UnmarshalJSON reads null scores as NaN.
func (f *FoldScores) UnmarshalJSON(b []byte) error {
	var j foldJSON
	if err := json.Unmarshal(b, &j); err != nil {
		return err
	}
	*f = FoldScores{j.Repeat, j.Fold, j.NTrain, j.NTest, make(map[string]float64, len(j.Scores))}
	for k, v := range j.Scores {
		f.Scores[k] = float64(v)
	}
	return nil
}
