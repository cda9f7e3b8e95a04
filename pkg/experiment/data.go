package experiment

import (
	"context"

	"github.com/mlstack/mlstack/internal/redact"
	"github.com/mlstack/mlstack/pkg/dataset"
	"github.com/mlstack/mlstack/pkg/frame"
	"github.com/mlstack/mlstack/pkg/storage"
)

// readOptions are the options LoadData reads d.Source with: the default
// missing-value tokens plus d.Missing. Models keep them, to read scoring
// data the same way.
func readOptions(d DataConfig) *frame.ReadOptions {
	opts := &frame.ReadOptions{Name: redact.URL(d.Source), Opener: storage.Open} // errors name no ?api_key=…
	if len(d.Missing) > 0 {
		opts.Missing = append(append([]string{}, frame.DefaultMissing...), d.Missing...)
	}
	return opts
}

// LoadData reads the data a config names (see DataConfig.Source) with
// dataset.Open: a built-in sample, a local file, an s3:// object (storage
// configured by the environment), or a download (http(s)://, kaggle:)
// fetched to a temporary directory. A download must hold exactly one CSV
// file, or name one.
func LoadData(ctx context.Context, d DataConfig) (*frame.Frame, error) {
	f, _, err := loadData(ctx, d)
	return f, err
}

// loadData is LoadData that also says which bytes were read (DataOrigin):
// their SHA-256 is computed while the CSV is parsed, or taken from
// ingest's manifest for an s3:// object that came through ingest.
func loadData(ctx context.Context, d DataConfig) (*frame.Frame, *DataOrigin, error) {
	data, err := dataset.Open(ctx, d.Source, nil)
	if err != nil {
		return nil, nil, err
	}
	defer data.Close()
	f, err := frame.ReadCSV(ctx, data, readOptions(d))
	if err != nil {
		return nil, nil, err
	}
	o := &DataOrigin{URI: d.Source, Manifest: data.Manifest}
	if o.SHA256, err = data.Sum(); err != nil {
		return nil, nil, err
	}
	return f, o, nil
}
