package dataset_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/mlstack/mlstack/internal/testenv"
	"github.com/mlstack/mlstack/pkg/dataset"
	"github.com/mlstack/mlstack/pkg/storage"
)

func TestMain(m *testing.M) { testenv.Main(m) }

func hexSum(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

// TestOpen reads every local source form through dataset.Open: the bytes,
// their SHA-256 (known at Open or hashed while read) and the errors that
// name the problem.
func TestOpen(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	csv := []byte("a,b\n1,2\n3,4\n")
	local := filepath.Join(dir, "x.csv")
	if err := os.WriteFile(local, csv, 0o644); err != nil {
		t.Fatal(err)
	}
	fifo := filepath.Join(dir, "fifo.csv")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	diabetes, _ := dataset.Sample("diabetes")
	tests := []struct {
		source string
		want   []byte
		err    string // a part of the error
		is     error  // an error it wraps
		kind   dataset.Kind
	}{
		{source: "sample:diabetes", want: diabetes, kind: dataset.KindSample},
		{source: local, want: csv, kind: dataset.KindFile},
		{source: "file://" + local, want: csv, kind: dataset.KindFile},
		{source: fifo, err: "is a named pipe, not a regular file: give the path of a CSV file"}, // must not block
		{source: "file:///dev/zero", err: "is a character device, not a regular file"},
		{source: dir, err: "is a directory, not a regular file"},
		{source: filepath.Join(dir, "none.csv"), is: fs.ErrNotExist},
		{source: "sample:nope", is: dataset.ErrBadSource},
		{source: "gopher://x/y", is: dataset.ErrUnknownScheme},
		{source: "s3://bucket", is: dataset.ErrBadSource},
		{source: "s3://bucket/dir/", is: dataset.ErrBadSource},
		{source: "roboflow:acme/faces/3", is: dataset.ErrNotTabular},
	}
	for _, tt := range tests {
		t.Run(tt.source, func(t *testing.T) {
			d, err := dataset.Open(ctx, tt.source, nil)
			if tt.err != "" || tt.is != nil {
				if err == nil {
					d.Close()
					t.Fatalf("no error, want %q / %v", tt.err, tt.is)
				}
				if !strings.Contains(err.Error(), tt.err) || (tt.is != nil && !errors.Is(err, tt.is)) {
					t.Fatalf("err = %v, want %q / %v", err, tt.err, tt.is)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			defer d.Close()
			if d.Source.Kind != tt.kind || d.Len() != len(tt.want) {
				t.Errorf("kind %s, Len %d; want %s, %d", d.Source.Kind, d.Len(), tt.kind, len(tt.want))
			}
			head := make([]byte, 3) // Sum reads what is left
			if _, err := io.ReadFull(d, head); err != nil {
				t.Fatal(err)
			}
			sum, err := d.Sum()
			if err != nil || sum != hexSum(tt.want) || !bytes.Equal(head, tt.want[:3]) {
				t.Errorf("Sum = %s, %v; head %q; want %s, %q", sum, err, head, hexSum(tt.want), tt.want[:3])
			}
		})
	}
}

// TestOpenS3 reads an object of a real MinIO: hashed while read, or, when
// ingest's manifest lists it with the checksum the object carries, with
// the manifest's SHA-256 and URI; Fetch copies it for ingest.
func TestOpenS3(t *testing.T) {
	ctx := context.Background()
	m := testenv.MinIO(t)
	st, err := storage.NewS3(&storage.S3Options{Endpoint: m.URL(), AccessKey: m.AccessKey, SecretKey: m.SecretKey})
	if err != nil {
		t.Fatal(err)
	}
	b := m.Bucket(t)
	csv := []byte("a,b\n1,2\n")
	for _, key := range []string{"plain/x.csv", "ingested/x.csv"} {
		if _, err := st.Put(ctx, b, key, bytes.NewReader(csv), nil); err != nil {
			t.Fatal(err)
		}
	}
	man := `{"files":[{"uri":"s3://` + b + `/ingested/x.csv","sha256":"` + hexSum(csv) + `","bytes":8}]}`
	if _, err := st.Put(ctx, b, "ingested/manifest.json", strings.NewReader(man), nil); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct{ key, manifest string }{
		{"plain/x.csv", ""},
		{"ingested/x.csv", "s3://" + b + "/ingested/manifest.json"},
	} {
		d, err := dataset.Open(ctx, "s3://"+b+"/"+tt.key, &dataset.OpenOptions{Store: st})
		if err != nil {
			t.Fatal(err)
		}
		got, err := io.ReadAll(d)
		sum, serr := d.Sum()
		d.Close()
		if err != nil || serr != nil || !bytes.Equal(got, csv) || sum != hexSum(csv) || d.Manifest != tt.manifest {
			t.Errorf("%s: %q, sum %s, manifest %q (%v, %v)", tt.key, got, sum, d.Manifest, err, serr)
		}
	}
	if _, err := dataset.Open(ctx, "s3://"+b+"/none.csv", &dataset.OpenOptions{Store: st}); !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("missing object: err = %v, want storage.ErrNotFound", err)
	}
	src, _ := dataset.ParseSource("s3://" + b + "/plain/x.csv")
	files, err := dataset.Fetch(ctx, src, &dataset.FetchOptions{Dir: t.TempDir(), Store: st})
	if err != nil || len(files) != 1 || files[0].Name != "x.csv" {
		t.Fatalf("Fetch: %+v, %v", files, err)
	}
	if got, _ := os.ReadFile(files[0].Path); !bytes.Equal(got, csv) {
		t.Errorf("Fetch wrote %q", got)
	}
	lim := dataset.Limits{MaxBytes: 4}
	if _, err := dataset.Fetch(ctx, src, &dataset.FetchOptions{Dir: t.TempDir(), Store: st, Limits: &lim}); !errors.Is(err, dataset.ErrTooLarge) {
		t.Errorf("Fetch over MaxBytes: err = %v, want ErrTooLarge", err)
	}
}
