package experiment

import (
	"fmt"
	"math"
	"strings"

	"github.com/mlstack/mlstack/pkg/experiment/config"
	"github.com/mlstack/mlstack/pkg/frame"
	"github.com/mlstack/mlstack/pkg/mlflow"
)

// DataOrigin identifies the bytes an experiment's data was read from: the
// run's lineage (its MLflow dataset input).
type DataOrigin struct {
	URI    string // the config's data.source
	SHA256 string // of the bytes read, lowercase hex
	// Manifest is the s3:// URI of the ingest manifest that lists the
	// file, when the data came through ingest; SHA256 is then the
	// manifest's (not recomputed: the object's stored checksum matches it).
	Manifest string
}

// datasetOf describes the data of a run as an MLflow dataset.
func datasetOf(c *config.Config, f *frame.Frame, o *DataOrigin) (mlflow.Dataset, error) {
	rows, _ := f.Shape()
	var cols []mlflow.DatasetColumn
	for _, col := range f.Columns() {
		cols = append(cols, mlflow.DatasetColumn{Name: col.Name(), Type: colType(col), Required: col.Missing() == 0})
	}
	prof := map[string]any{"target": c.Data.Target}
	if o.Manifest != "" {
		prof["manifest"] = o.Manifest
	}
	return mlflow.NewTableDataset(mlflow.TableDataset{URI: o.URI, SHA256: o.SHA256, Rows: rows, Columns: cols, Profile: prof})
}

// colType is the MLflow type pandas.read_csv would give the column:
// long for whole numbers without missing values, double for other
// numbers, boolean for True/False columns, string otherwise.
func colType(c *frame.Column) string {
	switch c.Kind() {
	case frame.Numeric:
		if c.Missing() > 0 {
			return "double"
		}
		for _, v := range c.Floats() {
			if v != math.Trunc(v) || math.IsInf(v, 0) || math.Abs(v) > 1<<53 {
				return "double"
			}
		}
		return "long"
	case frame.Boolean:
		if f, t := c.Tokens(); strings.EqualFold(f, "false") && strings.EqualFold(t, "true") && c.Missing() == 0 {
			return "boolean"
		}
	}
	return "string"
}

// logLineage logs the data as the run's training dataset.
func logLineage(run *mlflow.Run, ds mlflow.Dataset, o *DataOrigin) error {
	var tags map[string]string
	if o.Manifest != "" {
		tags = map[string]string{"mlstack.manifest": o.Manifest}
	}
	if err := run.LogInput(ds, "train", tags); err != nil {
		return fmt.Errorf("dataset input: %w", err)
	}
	return nil
}
