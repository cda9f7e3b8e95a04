package experiment

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net/url"
	"os"
	"strings"

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

// LoadData reads the data a config names (see DataConfig.Source): a
// built-in sample, a local file, an s3:// object (storage configured by the
// environment), or a download (http(s)://, kaggle:) fetched to a temporary
// directory. A download must hold exactly one CSV file, or name one.
func LoadData(ctx context.Context, d DataConfig) (*frame.Frame, error) {
	f, _, err := loadData(ctx, d)
	return f, err
}

// loadData is LoadData that also says which bytes were read (DataOrigin):
// their SHA-256 is computed while the CSV is parsed, or taken from
// ingest's manifest for an s3:// object that came through ingest.
func loadData(ctx context.Context, d DataConfig) (*frame.Frame, *DataOrigin, error) {
	o := &DataOrigin{URI: d.Source}
	opts := readOptions(d)
	shown := opts.Name // what errors name: no ?api_key=…
	if name, ok := strings.CutPrefix(d.Source, "sample:"); ok {
		b, err := dataset.Sample(name)
		if err != nil {
			return nil, nil, err
		}
		sum := sha256.Sum256(b)
		o.SHA256 = hex.EncodeToString(sum[:])
		f, err := frame.ReadBytes(ctx, b, opts)
		return f, o, err
	}
	read := func(r io.Reader) (*frame.Frame, error) {
		h := newHashing(r)
		f, err := frame.ReadCSV(ctx, h, opts)
		if err != nil {
			return nil, err
		}
		if o.SHA256, err = h.sum(); err != nil {
			return nil, fmt.Errorf("%s: %w", shown, err)
		}
		return f, nil
	}
	if strings.HasPrefix(d.Source, "s3://") {
		st, err := storage.FromEnv()
		if err != nil {
			return nil, nil, err
		}
		if o.Manifest, o.SHA256 = fromManifest(ctx, st, d.Source); o.Manifest != "" {
			opts.Opener = storage.Opener(st)
			f, err := frame.Open(ctx, d.Source, opts)
			return f, o, err
		}
		rc, err := storage.OpenURI(ctx, st, d.Source)
		if err != nil {
			return nil, nil, fmt.Errorf("frame: open %s: %w", shown, err) // as frame.Open says it
		}
		defer rc.Close()
		f, err := read(rc)
		return f, o, err
	}
	if !strings.HasPrefix(d.Source, "kaggle:") && !strings.HasPrefix(d.Source, "http://") && !strings.HasPrefix(d.Source, "https://") {
		if err := checkLocal(d.Source); err != nil {
			return nil, nil, err
		}
		p := strings.TrimPrefix(d.Source, "file://")
		fh, err := os.Open(p)
		if err != nil {
			return nil, nil, fmt.Errorf("frame: %w", err)
		}
		defer fh.Close()
		f, err := read(fh)
		return f, o, err
	}
	src, err := dataset.ParseSource(d.Source)
	if err != nil {
		return nil, nil, err
	}
	dir, err := os.MkdirTemp("", "mlstack-data-")
	if err != nil {
		return nil, nil, err
	}
	defer os.RemoveAll(dir)
	files, err := dataset.Fetch(ctx, src, &dataset.FetchOptions{Dir: dir})
	if err != nil {
		return nil, nil, err
	}
	if len(files) != 1 {
		names := make([]string, len(files))
		for i, f := range files {
			names[i] = f.Name
		}
		return nil, nil, fmt.Errorf("%s holds %d CSV files (%s): name one, e.g. kaggle:owner/dataset/%s", shown, len(files), strings.Join(names, ", "), names[0])
	}
	fh, err := os.Open(files[0].Path)
	if err != nil {
		return nil, nil, fmt.Errorf("frame: %w", err)
	}
	defer fh.Close()
	f, err := read(fh)
	return f, o, err
}

// checkLocal refuses a local source (a path or file://) that exists but is
// not a regular file: a device or a named pipe would be read without end,
// or block. A missing file is left to the reader, which names it.
func checkLocal(source string) error {
	path := source
	if u, err := url.Parse(source); err == nil && u.Scheme == "file" {
		path = u.Path
	} else if err == nil && len(u.Scheme) > 1 {
		return nil // s3:// and other stores
	}
	fi, err := os.Stat(path)
	if err != nil || fi.Mode().IsRegular() {
		return nil
	}
	return fmt.Errorf("%s is %s, not a regular file: give the path of a CSV file", source, fileKind(fi.Mode()))
}
