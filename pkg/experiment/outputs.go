package experiment

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/mlstack/mlstack/pkg/experiment/config"
)

// writeOutputs writes metrics.json, oof_predictions.csv, pipeline.json and
// schema.json.
func writeOutputs(out string, c *config.Config, oc *Outcome) error {
	if err := writeJSON(filepath.Join(out, "metrics.json"), oc.Summary); err != nil {
		return err
	}
	if oc.Pipeline != nil {
		if err := writeJSON(filepath.Join(out, "pipeline.json"), oc.Pipeline); err != nil {
			return err
		}
	}
	if oc.Schema != nil {
		if err := writeJSON(filepath.Join(out, "schema.json"), oc.Schema); err != nil {
			return err
		}
	}
	if oc.CV != nil && config.On(c.Artifacts.OOFPredictions) {
		if err := writeOOF(filepath.Join(out, "oof_predictions.csv"), oc); err != nil {
			return err
		}
	}
	return nil
}

func writeJSON(path string, v any) error {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return fmt.Errorf("%s: %w", filepath.Base(path), err)
	}
	return writeFileAtomic(path, append(b, '\n'))
}

// writeOOF writes row, repeat, fold, y_true, y_score (and y_pred, and one
// column per class for multiclass).
func writeOOF(path string, oc *Outcome) error {
	head := []string{"row", "repeat", "fold", "y_true", "y_score", "y_pred"}
	if oc.CV.Classes > 2 {
		for k := 0; k < oc.CV.Classes; k++ {
			head = append(head, fmt.Sprintf("p_%d", k))
		}
	}
	// Every field is a number (or a name above) with no comma, quote or
	// space, which CSV writes as it is: the lines are appended straight
	// to one buffer, without a string a field (encoding/csv's way took a
	// third of a second on the tall shape's 500,000 predictions, at the
	// end of the run).
	preds := oc.CV.Predictions
	b := make([]byte, 0, 64+len(preds)*(48+24*(len(head)-6)))
	b = append(b, strings.Join(head, ",")...)
	b = append(b, '\n')
	for _, p := range preds {
		b = strconv.AppendInt(b, int64(p.Row), 10)
		b = append(b, ',')
		b = strconv.AppendInt(b, int64(p.Repeat), 10)
		b = append(b, ',')
		b = strconv.AppendInt(b, int64(p.Fold), 10)
		for _, v := range [3]float64{p.YTrue, p.YScore, p.YPred} {
			b = append(b, ',')
			b = strconv.AppendFloat(b, v, 'g', -1, 64)
		}
		for _, q := range p.Proba {
			b = append(b, ',')
			b = strconv.AppendFloat(b, q, 'g', -1, 64)
		}
		b = append(b, '\n')
	}
	return writeFileAtomic(path, b)
}

// writeFileAtomic writes via a temporary file and a rename, so a crash never
// leaves a half-written file.
func writeFileAtomic(path string, b []byte) error {
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, b, 0o644); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}

// prepareOut creates the output directory, refusing one that holds files:
// earlier results are never overwritten.
func prepareOut(out string) error {
	entries, err := os.ReadDir(out)
	if err == nil && len(entries) > 0 {
		return fmt.Errorf("output directory %s is not empty; choose another --out (earlier results are never overwritten)", out)
	}
	return os.MkdirAll(out, 0o755)
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

func safeName(s string) string {
	return strings.Map(func(r rune) rune {
		if r == '/' || r == ' ' || r == os.PathSeparator {
			return '-'
		}
		return r
	}, s)
}
