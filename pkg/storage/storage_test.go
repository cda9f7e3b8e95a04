package storage_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/mlstack/mlstack/internal/testenv"
	"github.com/mlstack/mlstack/pkg/frame"
	"github.com/mlstack/mlstack/pkg/storage"
)

func TestMain(m *testing.M) { testenv.Main(m) }

func sum(b []byte) string { s := sha256.Sum256(b); return hex.EncodeToString(s[:]) }

// backends returns a fresh Local store and the test MinIO as S3, each with
// a new bucket.
func backends(t *testing.T) map[string]func(t *testing.T) (storage.Store, string) {
	return map[string]func(t *testing.T) (storage.Store, string){
		"local": func(t *testing.T) (storage.Store, string) {
			st, err := storage.NewLocal(t.TempDir())
			if err != nil {
				t.Fatal(err)
			}
			b := testenv.Name("bucket")
			if err := st.EnsureBucket(context.Background(), b); err != nil {
				t.Fatal(err)
			}
			return st, b
		},
		"s3": func(t *testing.T) (storage.Store, string) {
			m := testenv.MinIO(t)
			st, err := storage.NewS3(&storage.S3Options{Endpoint: m.URL(), AccessKey: m.AccessKey, SecretKey: m.SecretKey, PartSize: 5 << 20})
			if err != nil {
				t.Fatal(err)
			}
			b := testenv.Name("bucket")
			if err := st.EnsureBucket(context.Background(), b); err != nil {
				t.Fatal(err)
			}
			if err := st.EnsureBucket(context.Background(), b); err != nil { // idempotent
				t.Fatal(err)
			}
			return st, b
		},
	}
}

func TestStore(t *testing.T) {
	ctx := context.Background()
	big := bytes.Repeat([]byte("0123456789abcdef"), 12<<16) // 12 MiB: 3 parts of 5 MiB
	for name, open := range backends(t) {
		t.Run(name, func(t *testing.T) {
			st, b := open(t)
			cases := []struct {
				key  string
				data []byte
				r    func([]byte) io.Reader
				ct   string
			}{
				{"raw/a.csv", []byte("x,y\n1,2\n"), func(b []byte) io.Reader { return bytes.NewReader(b) }, "text/csv"},
				{"raw/stream.bin", big, func(b []byte) io.Reader { return iotest.HalfReader(bytes.NewBuffer(b)) }, "application/octet-stream"},
				{"raw/sub/m.json", []byte(`{}`), func(b []byte) io.Reader { return strings.NewReader(string(b)) }, "application/json"},
				{"other.csv", []byte("a\n1\n"), func(b []byte) io.Reader { return io.MultiReader(bytes.NewReader(b)) }, "text/csv"},
			}
			for i, c := range cases {
				var last int64
				info, err := st.Put(ctx, b, c.key, c.r(c.data), &storage.PutOptions{Progress: func(n int64) { last = n }})
				if err != nil {
					t.Fatalf("case %d: Put(%s): %v", i, c.key, err)
				}
				if info.Size != int64(len(c.data)) || info.SHA256 != sum(c.data) || info.ContentType != c.ct {
					t.Errorf("case %d: Put(%s) = %+v, want size %d sha %s type %s", i, c.key, info, len(c.data), sum(c.data), c.ct)
				}
				if last != int64(len(c.data)) {
					t.Errorf("case %d: progress ended at %d, want %d", i, last, len(c.data))
				}
				rc, gi, err := st.Get(ctx, b, c.key)
				if err != nil {
					t.Fatalf("case %d: Get: %v", i, err)
				}
				got, _ := io.ReadAll(rc)
				rc.Close()
				if !bytes.Equal(got, c.data) || gi.SHA256 != sum(c.data) {
					t.Errorf("case %d: Get(%s) returned %d bytes sha %s", i, c.key, len(got), gi.SHA256)
				}
			}
			var keys []string
			for o, err := range st.List(ctx, b, "raw/") {
				if err != nil {
					t.Fatal(err)
				}
				if o.SHA256 == "" {
					t.Errorf("List: %s has no sha256", o.Key)
				}
				keys = append(keys, o.Key)
			}
			if got, want := strings.Join(keys, " "), "raw/a.csv raw/stream.bin raw/sub/m.json"; got != want {
				t.Errorf("List(raw/) = %s, want %s", got, want)
			}
			// A wrong SHA256 on a stream fails and leaves the old object.
			_, err := st.Put(ctx, b, "raw/a.csv", io.MultiReader(strings.NewReader("new")), &storage.PutOptions{SHA256: sum([]byte("other"))})
			if !errors.Is(err, storage.ErrChecksum) {
				t.Errorf("Put with a wrong sha256: err = %v, want ErrChecksum", err)
			}
			if info, err := st.Stat(ctx, b, "raw/a.csv"); err != nil || info.SHA256 != sum(cases[0].data) {
				t.Errorf("after a failed Put: Stat = %+v, %v; want the old object", info, err)
			}
			if err := st.Remove(ctx, b, "raw/a.csv"); err != nil {
				t.Fatal(err)
			}
			if err := st.Remove(ctx, b, "raw/a.csv"); err != nil {
				t.Errorf("second Remove: %v", err)
			}
			if _, err := st.Stat(ctx, b, "raw/a.csv"); !errors.Is(err, storage.ErrNotFound) {
				t.Errorf("Stat after Remove: %v, want ErrNotFound", err)
			}
			if _, err := st.Put(ctx, "no-such-bucket-x", "k", strings.NewReader("x"), nil); !errors.Is(err, storage.ErrNoBucket) {
				t.Errorf("Put into a missing bucket: %v, want ErrNoBucket", err)
			}
			for _, bad := range []string{"Bad_Bucket", "ab", "-x-"} {
				if err := st.EnsureBucket(ctx, bad); !errors.Is(err, storage.ErrInvalidName) {
					t.Errorf("EnsureBucket(%q) = %v, want ErrInvalidName", bad, err)
				}
			}
			for _, bad := range []string{"../x", "a//b", "/abs", ""} {
				if _, err := st.Put(ctx, b, bad, strings.NewReader("x"), nil); !errors.Is(err, storage.ErrInvalidName) {
					t.Errorf("Put key %q = %v, want ErrInvalidName", bad, err)
				}
			}
			// The opener feeds frame.
			f, err := frame.Open(ctx, "s3://"+b+"/other.csv", &frame.ReadOptions{Opener: storage.Opener(st)})
			if err != nil || f.Len() != 1 {
				t.Errorf("frame.Open through Opener: %v", err)
			}
		})
	}
}

func TestConfigFromEnv(t *testing.T) {
	cases := []struct {
		env                         map[string]string
		endpoint, key, secret, data string
	}{
		{map[string]string{}, "", "", "", "data-bucket"},
		{map[string]string{"MINIO_URL": "http://m:9000", "AWS_ACCESS_KEY": "seed", "AWS_SECRET_KEY": "seeds", "BUCKET_DATA": "d"}, "http://m:9000", "seed", "seeds", "d"},
		{map[string]string{"MINIO_URL": "http://m:9000", "MLFLOW_S3_ENDPOINT_URL": "http://s:9000", "AWS_ACCESS_KEY": "seed", "AWS_ACCESS_KEY_ID": "std", "AWS_SECRET_KEY": "seeds", "AWS_SECRET_ACCESS_KEY": "stds"}, "http://s:9000", "std", "stds", "data-bucket"},
		{map[string]string{"AWS_ENDPOINT_URL": "https://a", "MLFLOW_S3_ENDPOINT_URL": "http://s:9000"}, "https://a", "", "", "data-bucket"},
	}
	for i, c := range cases {
		cfg := storage.ConfigFromEnv(func(k string) string { return c.env[k] })
		if cfg.S3.Endpoint != c.endpoint || cfg.S3.AccessKey != c.key || cfg.S3.SecretKey != c.secret || cfg.DataBucket != c.data {
			t.Errorf("case %d: ConfigFromEnv = %+v, want endpoint %q key %q secret %q data %q", i, cfg, c.endpoint, c.key, c.secret, c.data)
		}
	}
	_, err := storage.ConfigFromEnv(func(k string) string { return map[string]string{"MINIO_URL": "http://m:9000"}[k] }).Store()
	if !errors.Is(err, storage.ErrNoCredentials) || !strings.Contains(err.Error(), "AWS_ACCESS_KEY_ID") {
		t.Errorf("endpoint without keys: %v, want ErrNoCredentials naming AWS_ACCESS_KEY_ID", err)
	}
}
