package experiment

import (
	"context"
	"strings"

	"github.com/mlstack/mlstack/pkg/dataset"
	"github.com/mlstack/mlstack/pkg/frame"
)

// LoadData reads the data a config names (see DataConfig.Source).
func LoadData(ctx context.Context, d DataConfig) (*frame.Frame, error) {
	opts := &frame.ReadOptions{Name: d.Source}
	if len(d.Missing) > 0 {
		opts.Missing = append(append([]string{}, frame.DefaultMissing...), d.Missing...)
	}
	if name, ok := strings.CutPrefix(d.Source, "sample:"); ok {
		b, err := dataset.Sample(name)
		if err != nil {
			return nil, err
		}
		return frame.ReadBytes(ctx, b, opts)
	}
	return frame.Open(ctx, d.Source, opts)
}
