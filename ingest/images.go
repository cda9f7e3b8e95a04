package main

import (
	"context"
	"fmt"
	"time"

	"github.com/mlstack/mlstack/internal/progress"
	"github.com/mlstack/mlstack/pkg/dataset"
	"github.com/mlstack/mlstack/pkg/storage"
)

// ingestImages fetches an image dataset (roboflow:), checks it as a YOLO
// dataset and uploads every file under PREFIX/PROJECT-VERSION/, data.yaml
// with its rebuilt paths; the manifest carries the class names and the
// per-split counts.
func ingestImages(ctx context.Context, cfg *config, st storage.Store, fo *dataset.FetchOptions, rep *progress.Reporter) (*Manifest, error) {
	t0 := time.Now()
	ds, err := dataset.FetchDataset(ctx, cfg.source, fo)
	if err != nil {
		return nil, err
	}
	y := ds.YOLO
	rep.Logf("checked %s: classes %v, train %d images (%d boxes), valid %d, test %d (%.1fs)", cfg.source, y.Names,
		y.Splits["train"].Images, y.Splits["train"].Boxes, y.Splits["valid"].Images, y.Splits["test"].Images, time.Since(t0).Seconds())
	sub := fmt.Sprintf("%s-%d/", cfg.source.Project, cfg.source.Version)
	var all []checked
	for _, f := range ds.Files {
		c := checked{file: dataset.File{Name: sub + f.Name, Path: f.Path}}
		c.sum, c.size, err = storage.HashFile(ctx, f.Path, nil)
		if err != nil {
			return nil, fmt.Errorf("%w (nothing uploaded)", err)
		}
		all = append(all, c)
	}
	return publish(ctx, cfg, st, rep, all, &Manifest{Version: 1, Source: cfg.source.String(), Bucket: cfg.bucket, Prefix: cfg.prefix, YOLO: &y}, nil)
}
