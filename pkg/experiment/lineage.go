package experiment

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"hash"
	"io"
	"math"
	"path"
	"strings"

	"github.com/mlstack/mlstack/pkg/experiment/config"
	"github.com/mlstack/mlstack/pkg/frame"
	"github.com/mlstack/mlstack/pkg/mlflow"
	"github.com/mlstack/mlstack/pkg/storage"
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

// hashingReader hashes what is read through it.
type hashingReader struct {
	r io.Reader
	h hash.Hash
}

func (h *hashingReader) Read(p []byte) (int, error) {
	n, err := h.r.Read(p)
	h.h.Write(p[:n])
	return n, err
}

// sum reads what the CSV reader left (a trailing part it had no need
// for) and returns the SHA-256 of all the bytes.
func (h *hashingReader) sum() (string, error) {
	if _, err := io.Copy(io.Discard, h); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.h.Sum(nil)), nil
}

func newHashing(r io.Reader) *hashingReader { return &hashingReader{r: r, h: sha256.New()} }

// manifest is the part of ingest's manifest.json read here.
type manifest struct {
	Files []struct {
		URI    string `json:"uri"`
		SHA256 string `json:"sha256"`
		Bytes  int64  `json:"bytes"`
	} `json:"files"`
}

// fromManifest looks for ingest's manifest next to an s3:// object. It
// returns the manifest's URI and SHA-256 when the manifest lists the
// object and the object still carries that checksum (storage.Put stores
// it), else "": the data is then hashed as it is read. Lineage never
// stops a run: a manifest that cannot be read is ignored, and a missing
// object is reported by the read that follows.
func fromManifest(ctx context.Context, st storage.Store, uri string) (manifestURI, sum string) {
	bucket, key, err := storage.ParseURI(uri)
	if err != nil {
		return "", ""
	}
	mkey := "manifest.json"
	if dir := path.Dir(key); dir != "." {
		mkey = dir + "/manifest.json"
	}
	rc, _, err := st.Get(ctx, bucket, mkey)
	if err != nil {
		return "", ""
	}
	var m manifest
	err = json.NewDecoder(io.LimitReader(rc, 64<<20)).Decode(&m)
	rc.Close()
	if err != nil {
		return "", ""
	}
	for _, f := range m.Files {
		if f.URI != uri || len(f.SHA256) != 64 {
			continue
		}
		info, err := st.Stat(ctx, bucket, key)
		if err == nil && strings.EqualFold(info.SHA256, f.SHA256) && info.Size == f.Bytes {
			return "s3://" + bucket + "/" + mkey, strings.ToLower(f.SHA256)
		}
	}
	return "", ""
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
