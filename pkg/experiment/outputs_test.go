package experiment

import (
	"bytes"
	"encoding/csv"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/mlstack/mlstack/pkg/cv"
)

// oofOutcome is a cross-validation of n rows × repeats with classes
// classes (scores with every kind of float: tiny, large, NaN for more
// than two classes).
func oofOutcome(n, repeats, classes int) *Outcome {
	rng := rand.New(rand.NewPCG(1, 2))
	res := &cv.Result{Classes: classes}
	for r := range repeats {
		for i := range n {
			p := cv.Prediction{Row: i, Repeat: r, Fold: i % 5, YTrue: float64(rng.IntN(max(classes, 2))), YScore: rng.Float64()}
			if i%97 == 0 {
				p.YScore = math.Ldexp(rng.Float64(), -40)
			}
			p.YPred = math.Round(p.YScore)
			if classes > 2 {
				p.YScore = math.NaN()
				p.Proba = make([]float64, classes)
				for k := range p.Proba {
					p.Proba[k] = rng.Float64() * 1e3
				}
			}
			res.Predictions = append(res.Predictions, p)
		}
	}
	return &Outcome{CV: res}
}

// TestWriteOOF reads oof_predictions.csv back with encoding/csv: the
// header, and every value as it was (strconv's shortest form).
func TestWriteOOF(t *testing.T) {
	for _, classes := range []int{2, 3} {
		oc := oofOutcome(1000, 2, classes)
		path := filepath.Join(t.TempDir(), "oof.csv")
		if err := writeOOF(path, oc); err != nil {
			t.Fatal(err)
		}
		got, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		recs, err := csv.NewReader(bytes.NewReader(got)).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		var want bytes.Buffer // what encoding/csv writes for the same records
		w := csv.NewWriter(&want)
		w.WriteAll(recs)
		if !bytes.Equal(got, want.Bytes()) {
			t.Errorf("classes %d: the file is not what encoding/csv writes for its records", classes)
		}
		wantCols := 6
		if classes > 2 {
			wantCols += classes
		}
		if len(recs) != len(oc.CV.Predictions)+1 || len(recs[0]) != wantCols || recs[0][0] != "row" || recs[0][wantCols-1] == "" {
			t.Fatalf("classes %d: %d records of %d columns, header %v", classes, len(recs), len(recs[0]), recs[0])
		}
		for i, p := range oc.CV.Predictions {
			rec := recs[i+1]
			want := []float64{float64(p.Row), float64(p.Repeat), float64(p.Fold), p.YTrue, p.YScore, p.YPred}
			want = append(want, p.Proba...)
			for j, w := range want {
				v, err := strconv.ParseFloat(rec[j], 64)
				if err != nil || v != w && !(math.IsNaN(v) && math.IsNaN(w)) {
					t.Fatalf("classes %d, row %d, column %s: %q, want %v", classes, i, recs[0][j], rec[j], w)
				}
			}
		}
	}
}

// BenchmarkWriteOOF writes the out-of-fold predictions of the tall
// shape's 5×2 folds: 250,000 rows twice.
func BenchmarkWriteOOF(b *testing.B) {
	oc := oofOutcome(250000, 2, 2)
	path := filepath.Join(b.TempDir(), "oof.csv")
	for b.Loop() {
		if err := writeOOF(path, oc); err != nil {
			b.Fatal(err)
		}
	}
}
