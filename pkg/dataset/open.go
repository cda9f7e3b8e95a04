package dataset

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash"
	"io"
	"os"
	"path"
	"strings"

	"github.com/mlstack/mlstack/internal/filekind"
	"github.com/mlstack/mlstack/pkg/storage"
)

// OpenOptions configures Open. A nil *OpenOptions means the zero value.
type OpenOptions struct {
	// Store serves s3:// sources; nil means the store the environment
	// configures (storage.FromEnv).
	Store storage.Store
	// Fetch configures downloads (http(s)://, kaggle:); its Dir is
	// ignored: Open downloads into a temporary folder it removes on
	// Close.
	Fetch FetchOptions
}

// Data is the CSV bytes of an opened source. Read it, then Close it; Sum
// gives the SHA-256 of all its bytes.
type Data struct {
	Source Source // the parsed source
	// Manifest is the s3:// URI of ingest's manifest.json when it lists
	// the object and the object still carries the manifest's checksum:
	// the data came through ingest unchanged.
	Manifest string

	r      io.Reader
	size   int64
	sum    string    // known before reading (sample, manifest)
	h      hash.Hash // else hashed while read
	closer func() error
}

// Read reads the data.
func (d *Data) Read(p []byte) (int, error) {
	n, err := d.r.Read(p)
	if d.h != nil {
		d.h.Write(p[:n])
	}
	return n, err
}

// Len is the size of the data in bytes when it is known at Open (a
// built-in sample, a local or downloaded file), else 0. Readers such as
// pkg/frame use it to size their buffers; it does not change as Data is
// read.
func (d *Data) Len() int { return int(d.size) }

// Sum returns the SHA-256 of the data, lowercase hex: known at Open for a
// built-in sample and for an s3:// object listed by ingest's manifest
// (Manifest), else computed from the bytes read, after reading what is
// left.
func (d *Data) Sum() (string, error) {
	if d.h == nil {
		return d.sum, nil
	}
	if _, err := io.Copy(io.Discard, d); err != nil {
		return "", fmt.Errorf("dataset: %s: %w", d.Source, err)
	}
	return hex.EncodeToString(d.h.Sum(nil)), nil
}

// Close releases the data (and removes a download).
func (d *Data) Close() error {
	if d.closer == nil {
		return nil
	}
	return d.closer()
}

// Open opens the CSV data a source string names (see ParseSource): a
// built-in sample, a local file (which must be a regular file: a device or
// a named pipe would be read without end), an s3:// object, or a download
// (http(s)://, kaggle:) into a temporary folder, which must hold exactly
// one CSV file or name one. roboflow: sources are ErrNotTabular. Errors
// name the source with its secrets redacted.
func Open(ctx context.Context, source string, opts *OpenOptions) (*Data, error) {
	var o OpenOptions
	if opts != nil {
		o = *opts
	}
	src, err := ParseSource(source)
	if err != nil {
		return nil, err
	}
	d := &Data{Source: src, h: sha256.New()}
	switch src.Kind {
	case KindSample:
		b, err := Sample(src.Name)
		if err != nil {
			return nil, err
		}
		sum := sha256.Sum256(b)
		d.r, d.size, d.sum, d.h = bytes.NewReader(b), int64(len(b)), hex.EncodeToString(sum[:]), nil
		return d, nil
	case KindFile:
		return d, d.openFile(src.Path, src.Raw)
	case KindS3:
		st := o.Store
		if st == nil {
			if st, err = storage.FromEnv(); err != nil {
				return nil, err
			}
		}
		if d.Manifest, d.sum = fromManifest(ctx, st, src); d.Manifest != "" {
			d.h = nil
		}
		rc, _, err := st.Get(ctx, src.Bucket, src.Key)
		if err != nil {
			return nil, fmt.Errorf("dataset: open %s: %w", src, err)
		}
		d.r, d.closer = rc, rc.Close
		return d, nil
	case KindRoboflow:
		return nil, fmt.Errorf("dataset: %s: %w: an image dataset (use FetchDataset)", src, ErrNotTabular)
	}
	dir, err := os.MkdirTemp("", "mlstack-data-")
	if err != nil {
		return nil, err
	}
	fo := o.Fetch
	fo.Dir = dir
	files, err := Fetch(ctx, src, &fo)
	if err == nil && len(files) != 1 {
		names := make([]string, len(files))
		for i, f := range files {
			names[i] = f.Name
		}
		err = fmt.Errorf("%s holds %d CSV files (%s): name one, e.g. kaggle:owner/dataset/%s", src, len(files), strings.Join(names, ", "), names[0])
	}
	if err == nil {
		err = d.openFile(files[0].Path, files[0].Name)
	}
	if err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	closeFile := d.closer
	d.closer = func() error { return errors.Join(closeFile(), os.RemoveAll(dir)) }
	return d, nil
}

// openFile opens the local file p (shown as name) into d. It refuses a
// file that is not a regular file before opening it: opening a named pipe
// blocks until a writer comes.
func (d *Data) openFile(p, name string) error {
	if fi, err := os.Stat(p); err == nil && !fi.Mode().IsRegular() {
		return fmt.Errorf("%s is %s, not a regular file: give the path of a CSV file", name, filekind.Of(fi.Mode())) // as train has said it
	}
	fh, err := os.Open(p)
	if err != nil {
		return fmt.Errorf("dataset: %w", err)
	}
	fi, err := fh.Stat()
	if err != nil {
		fh.Close()
		return fmt.Errorf("dataset: %w", err)
	}
	d.r, d.size, d.closer = fh, fi.Size(), fh.Close
	return nil
}

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
// stops a read: a manifest that cannot be read is ignored, and a missing
// object is reported by the read that follows.
func fromManifest(ctx context.Context, st storage.Store, src Source) (manifestURI, sum string) {
	mkey := "manifest.json"
	if dir := path.Dir(src.Key); dir != "." {
		mkey = dir + "/manifest.json"
	}
	rc, _, err := st.Get(ctx, src.Bucket, mkey)
	if err != nil {
		return "", ""
	}
	var m manifest
	err = json.NewDecoder(io.LimitReader(rc, 64<<20)).Decode(&m)
	rc.Close()
	if err != nil {
		return "", ""
	}
	uri := "s3://" + src.Bucket + "/" + src.Key
	for _, f := range m.Files {
		if f.URI != uri || len(f.SHA256) != 64 {
			continue
		}
		info, err := st.Stat(ctx, src.Bucket, src.Key)
		if err == nil && strings.EqualFold(info.SHA256, f.SHA256) && info.Size == f.Bytes {
			return "s3://" + src.Bucket + "/" + mkey, strings.ToLower(f.SHA256)
		}
	}
	return "", ""
}
