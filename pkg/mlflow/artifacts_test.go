package mlflow_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/minio/minio-go/v7"

	"github.com/mlstack/mlstack/internal/testenv"
	"github.com/mlstack/mlstack/pkg/mlflow"
)

func TestArtifactsProxied(t *testing.T) {
	s := testenv.MLflow(t)
	ctx := context.Background()
	// Small multipart threshold so an 11 MiB file goes through mpu/create,
	// presigned part PUTs to MinIO and mpu/complete.
	c, err := mlflow.New(s.URL, &mlflow.Options{MultipartThreshold: 6 << 20, MultipartChunkSize: 5 << 20})
	if err != nil {
		t.Fatal(err)
	}
	exp, err := c.GetOrCreateExperiment(ctx, testenv.Name("art"))
	if err != nil {
		t.Fatal(err)
	}
	run, err := c.CreateRun(ctx, exp.ID, mlflow.CreateRunOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(run.Info.ArtifactURI, "mlflow-artifacts:/") {
		t.Fatalf("artifact_uri %q: want a proxied location", run.Info.ArtifactURI)
	}
	id := run.Info.RunID

	src := t.TempDir()
	big := make([]byte, 11<<20+123)
	rand.Read(big)
	write := func(rel string, data []byte) {
		p := filepath.Join(src, filepath.FromSlash(rel))
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("dir/a.txt", []byte("alpha"))
	write("dir/sub/b.json", []byte(`{"b":1}`))
	write("big.bin", big)

	if err := c.LogArtifact(ctx, id, filepath.Join(src, "dir"), "inputs"); err != nil {
		t.Fatal(err)
	}
	if err := c.LogArtifact(ctx, id, filepath.Join(src, "big.bin"), ""); err != nil {
		t.Fatal(err)
	}
	if err := c.LogArtifactBytes(ctx, id, "notes/hello.txt", []byte("hello")); err != nil {
		t.Fatal(err)
	}

	root, err := c.ListArtifacts(ctx, id, "")
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, f := range root {
		names = append(names, f.Path)
	}
	if got, want := strings.Join(names, ","), "big.bin,inputs,notes"; got != want {
		t.Errorf("root listing = %s, want %s", got, want)
	}
	sub, err := c.ListArtifacts(ctx, id, "inputs/sub")
	if err != nil || len(sub) != 1 || sub[0].Path != "inputs/sub/b.json" || sub[0].FileSize != 7 {
		t.Errorf("inputs/sub listing = %+v, %v", sub, err)
	}

	dst := t.TempDir()
	if _, err := c.DownloadArtifacts(ctx, id, "", dst); err != nil {
		t.Fatal(err)
	}
	for rel, want := range map[string][]byte{"inputs/a.txt": []byte("alpha"), "inputs/sub/b.json": []byte(`{"b":1}`), "big.bin": big, "notes/hello.txt": []byte("hello")} {
		got, err := os.ReadFile(filepath.Join(dst, filepath.FromSlash(rel)))
		if err != nil || !bytes.Equal(got, want) {
			t.Errorf("downloaded %s: %d bytes, err %v; want %d bytes", rel, len(got), err, len(want))
		}
	}
	// The bytes are in MinIO behind the proxy; the big file was assembled
	// from 3 parts (its ETag says so).
	key := strings.TrimPrefix(run.Info.ArtifactURI, "mlflow-artifacts:/") + "/big.bin"
	info, err := s.MinIO.Client(t).StatObject(ctx, s.ArtifactsBucket, key, minio.StatObjectOptions{})
	if err != nil {
		t.Fatalf("big.bin not in MinIO at %s: %v", key, err)
	}
	if info.Size != int64(len(big)) || !strings.HasSuffix(info.ETag, "-3") {
		t.Errorf("MinIO object size %d etag %s, want %d bytes from a 3-part upload", info.Size, info.ETag, len(big))
	}
}

func TestArtifactsS3AndFile(t *testing.T) {
	m := testenv.MinIO(t)
	bucket := m.Bucket(t)
	ctx := context.Background()
	c, err := mlflow.New("http://127.0.0.1:1", &mlflow.Options{S3: mlflow.S3Options{
		EndpointURL: m.URL(), AccessKey: m.AccessKey, SecretKey: m.SecretKey, Region: "us-east-1"}})
	if err != nil {
		t.Fatal(err)
	}
	for _, uri := range []string{"s3://" + bucket + "/1/run/artifacts", "file://" + t.TempDir() + "/artifacts"} {
		t.Run(strings.SplitN(uri, ":", 2)[0], func(t *testing.T) {
			st, err := c.ArtifactStore(uri)
			if err != nil {
				t.Fatal(err)
			}
			src := t.TempDir()
			os.MkdirAll(filepath.Join(src, "d", "e"), 0o755)
			os.WriteFile(filepath.Join(src, "d", "x.txt"), []byte("x"), 0o644)
			os.WriteFile(filepath.Join(src, "d", "e", "y.txt"), []byte("yy"), 0o644)
			if err := st.Upload(ctx, filepath.Join(src, "d"), "model"); err != nil {
				t.Fatal(err)
			}
			if err := st.UploadBytes(ctx, "z.txt", []byte("zzz")); err != nil {
				t.Fatal(err)
			}
			root, err := st.List(ctx, "")
			if err != nil || len(root) != 2 || root[0].Path != "model" || !root[0].IsDir || root[1].Path != "z.txt" || root[1].FileSize != 3 {
				t.Errorf("root = %+v, %v", root, err)
			}
			dst := t.TempDir()
			if _, err := st.Download(ctx, "model", dst); err != nil {
				t.Fatal(err)
			}
			if b, _ := os.ReadFile(filepath.Join(dst, "model", "e", "y.txt")); string(b) != "yy" {
				t.Errorf("downloaded y.txt = %q", b)
			}
			if err := st.Upload(ctx, filepath.Join(src, "d"), "../escape"); err == nil {
				t.Errorf("upload to ../escape was accepted")
			}
		})
	}
	if _, err := c.ArtifactStore("gs://bucket/x"); err == nil {
		t.Error("gs:// accepted")
	}
}
