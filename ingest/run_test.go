package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/minio/minio-go/v7"

	"github.com/mlstack/mlstack/internal/testenv"
	"github.com/mlstack/mlstack/pkg/dataset/kaggletest"
	"github.com/mlstack/mlstack/pkg/storage"
)

func TestMain(m *testing.M) {
	retryWait = 10 * time.Millisecond
	testenv.Main(m)
}

// withEnv makes Run see exactly env (plus HOME, a fresh folder).
func withEnv(t *testing.T, env map[string]string) {
	t.Helper()
	e := map[string]string{"HOME": t.TempDir()}
	for k, v := range env {
		e[k] = v
	}
	old := getenv
	getenv = func(k string) string { return e[k] }
	t.Cleanup(func() { getenv = old })
}

func run(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var o, e bytes.Buffer
	code = Run(context.Background(), args, &o, &e)
	return code, o.String(), e.String()
}

func minioEnv(m *testenv.MinIOServer) map[string]string {
	// The seed project's names, as .env.example sets them.
	return map[string]string{"MINIO_URL": m.URL(), "AWS_ACCESS_KEY": m.AccessKey, "AWS_SECRET_KEY": m.SecretKey}
}

func writeFile(t *testing.T, name string, data []byte) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func sum(b []byte) string { s := sha256.Sum256(b); return hex.EncodeToString(s[:]) }

// TestRunErrors: bad input fails with a clear message and the right exit
// status, and writes nothing into the store.
func TestRunErrors(t *testing.T) {
	srv := kaggletest.New()
	defer srv.Close()
	srv.Datasets["alice/docs"] = map[string][]byte{"README.md": []byte("# no data")}
	noCSV := writeFile(t, "docs.zip", kaggletest.Zip([]string{"a.txt"}, map[string][]byte{"a.txt": []byte("x")}))
	broken := writeFile(t, "broken.csv", []byte("a,b\n1,2\n3,4,5\n6,7\n"))
	good := writeFile(t, "good.csv", []byte("a,b\n1,2\n"))
	cases := []struct {
		name     string
		args     []string
		env      map[string]string
		code     int
		mentions []string
	}{
		{"unknown scheme", []string{"--source", "ftp://host/x.csv"}, nil, 2, []string{`unknown source scheme "ftp"`}},
		{"no source", nil, nil, 2, []string{"DATASET_SOURCE"}},
		{"bad flag", []string{"--nope"}, nil, 2, []string{"nope"}},
		{"extra argument", []string{"--source", good, "extra"}, nil, 2, []string{"extra"}},
		{"invalid bucket", []string{"--source", good, "--bucket", "Data_Bucket"}, nil, 2, []string{`bucket "Data_Bucket"`, "invalid name"}},
		{"invalid bucket from env", []string{"--source", good}, map[string]string{"BUCKET_DATA": "x"}, 2, []string{`bucket "x"`}},
		{"bad prefix", []string{"--source", good, "--prefix", "../up"}, nil, 2, []string{"prefix"}},
		{"unknown sample", []string{"--source", "sample:iris"}, nil, 2, []string{"diabetes"}},
		{"missing kaggle credentials", []string{"--source", "kaggle:alice/docs"}, map[string]string{"KAGGLE_API_ENDPOINT": srv.API.URL}, 1, []string{"KAGGLE_API_TOKEN", "KAGGLE_USERNAME"}},
		{"half kaggle credentials", []string{"--source", "kaggle:alice/docs"}, map[string]string{"KAGGLE_USERNAME": "alice", "KAGGLE_API_ENDPOINT": srv.API.URL}, 1, []string{"KAGGLE_KEY"}},
		{"kaggle without csv", []string{"--source", "kaggle:alice/docs"}, map[string]string{"KAGGLE_API_TOKEN": srv.Token, "KAGGLE_API_ENDPOINT": srv.API.URL}, 1, []string{"no CSV"}},
		{"kaggle 401", []string{"--source", "kaggle:alice/docs"}, map[string]string{"KAGGLE_API_TOKEN": "bad", "KAGGLE_API_ENDPOINT": srv.API.URL}, 1, []string{"401", "KAGGLE_API_TOKEN"}},
		{"zip without csv", []string{"--source", noCSV}, nil, 1, []string{"docs.zip", "no CSV"}},
		{"broken row", []string{"--source", broken}, nil, 1, []string{"broken.csv:3", "wrong number of fields", "nothing uploaded"}},
		{"missing file", []string{"--source", "./nope.csv"}, nil, 1, []string{"nope.csv"}},
		{"s3 endpoint without keys", []string{"--source", good}, map[string]string{"MINIO_URL": "http://127.0.0.1:1"}, 1, []string{"AWS_ACCESS_KEY_ID"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			root := t.TempDir()
			env := map[string]string{"STORAGE_ROOT": root}
			for k, v := range c.env {
				env[k] = v
			}
			withEnv(t, env)
			code, stdout, stderr := run(t, c.args...)
			if code != c.code {
				t.Errorf("exit %d, want %d; stderr:\n%s", code, c.code, stderr)
			}
			for _, m := range c.mentions {
				if !strings.Contains(stderr, m) {
					t.Errorf("stderr does not mention %q:\n%s", m, stderr)
				}
			}
			if stdout != "" {
				t.Errorf("stdout = %q, want nothing", stdout)
			}
			filepath.Walk(root, func(p string, fi os.FileInfo, err error) error {
				if err == nil && fi.Mode().IsRegular() {
					t.Errorf("failed run left %s", p)
				}
				return nil
			})
		})
	}
}

func TestRunMinIO(t *testing.T) {
	m := testenv.MinIO(t)
	bucket, mlflow := testenv.Name("data"), testenv.Name("mlflow")
	withEnv(t, mergeEnv(minioEnv(m), map[string]string{"DATASET_SOURCE": "sample:diabetes", "BUCKET_DATA": bucket, "BUCKET_MLFLOW": mlflow, "DATASET_PREFIX": "raw"}))
	code, out, errOut := run(t)
	if code != 0 || !strings.HasPrefix(out, "uploaded s3://"+bucket+"/raw/diabetes.csv rows=768 columns=9") {
		t.Fatalf("first run: exit %d\n%s\n%s", code, out, errOut)
	}
	code, out, _ = run(t)
	if code != 0 || !strings.HasPrefix(out, "unchanged s3://"+bucket+"/raw/diabetes.csv") {
		t.Fatalf("second run: exit %d\n%s", code, out)
	}
	c := m.Client(t)
	if ok, err := c.BucketExists(context.Background(), mlflow); !ok || err != nil {
		t.Errorf("mlflow bucket %s not created: %v", mlflow, err)
	}
	st := s3Store(t, m)
	rc, _, err := st.Get(context.Background(), bucket, "raw/manifest.json")
	if err != nil {
		t.Fatal(err)
	}
	var man Manifest
	json.NewDecoder(rc).Decode(&man)
	rc.Close()
	if man.Source != "sample:diabetes" || len(man.Files) != 1 || man.Files[0].Rows != 768 || len(man.Files[0].Columns) != 9 || man.Files[0].SHA256 == "" || man.Time.IsZero() {
		t.Errorf("manifest = %+v", man)
	}
	info, err := st.Stat(context.Background(), bucket, "raw/diabetes.csv")
	if err != nil || info.SHA256 != man.Files[0].SHA256 || info.ContentType != "text/csv" {
		t.Errorf("object = %+v, %v; want sha256 %s", info, err, man.Files[0].SHA256)
	}
}

func TestRunKaggleToMinIO(t *testing.T) {
	m := testenv.MinIO(t)
	srv := kaggletest.New()
	defer srv.Close()
	srv.Datasets["alice/tiny"] = map[string][]byte{"train.csv": []byte("a,b\n1,2\n3,4\n"), "nested/test.csv": []byte("a,b\n5,6\n")}
	srv.Fail = 1 // one 500 first: retried
	bucket := testenv.Name("data")
	withEnv(t, mergeEnv(minioEnv(m), map[string]string{"KAGGLE_USERNAME": srv.Username, "KAGGLE_KEY": srv.Key, "KAGGLE_API_ENDPOINT": srv.API.URL}))
	code, out, errOut := run(t, "--source", "kaggle:alice/tiny", "--bucket", bucket, "--prefix", "kaggle/tiny/", "--progress", "log")
	if code != 0 {
		t.Fatalf("exit %d\n%s", code, errOut)
	}
	for _, want := range []string{"s3://" + bucket + "/kaggle/tiny/nested/test.csv rows=1", "s3://" + bucket + "/kaggle/tiny/train.csv rows=2"} {
		if !strings.Contains(out, want) {
			t.Errorf("stdout lacks %q:\n%s", want, out)
		}
	}
	if srv.AuthOnRedirect {
		t.Error("credentials were sent to the redirect host")
	}
}

func mergeEnv(a, b map[string]string) map[string]string {
	out := map[string]string{}
	for k, v := range a {
		out[k] = v
	}
	for k, v := range b {
		out[k] = v
	}
	return out
}

func s3Store(t *testing.T, m *testenv.MinIOServer) *storage.S3 {
	st, err := storage.NewS3(&storage.S3Options{Endpoint: m.URL(), AccessKey: m.AccessKey, SecretKey: m.SecretKey})
	if err != nil {
		t.Fatal(err)
	}
	return st
}

func bigCSV(t *testing.T, mib int) (string, []byte) {
	var b bytes.Buffer
	b.WriteString("id,x,y,label\n")
	for i := 0; b.Len() < mib<<20; i++ {
		fmt.Fprintf(&b, "%d,%d.%03d,%d,%s\n", i, i%977, i%1000, i%13, []string{"yes", "no"}[i%2])
	}
	return writeFile(t, "big.csv", b.Bytes()), b.Bytes()
}

// watch checks, until stop is closed, that every object visible under
// prefix is complete: size and SHA-256 of the full file.
func watch(t *testing.T, st storage.Store, bucket, key string, want []byte, stop chan struct{}) *sync.WaitGroup {
	var wg sync.WaitGroup
	wg.Go(func() {
		for {
			select {
			case <-stop:
				return
			case <-time.After(20 * time.Millisecond):
			}
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
			for o, err := range st.List(ctx, bucket, "") {
				if err != nil {
					break // server down
				}
				if o.Key == key && (o.Size != int64(len(want)) || o.SHA256 != sum(want)) {
					t.Errorf("partial object visible: %+v", o)
				}
			}
			cancel()
		}
	})
	return &wg
}

// TestMinIOStoppedMidUpload stops MinIO during a multipart upload: the run
// fails, no partial object is ever listed; after a restart a rerun
// completes with the right checksum.
func TestMinIOStoppedMidUpload(t *testing.T) {
	m := testenv.MinIO(t)
	path, data := bigCSV(t, 48)
	bucket := testenv.Name("fault")
	withEnv(t, minioEnv(m))
	st := s3Store(t, m)
	stop := make(chan struct{})
	var stopped atomic.Bool
	stoppedCh := make(chan struct{})
	testHookProgress = func(key string, done, total int64) {
		if done >= 12<<20 && stopped.CompareAndSwap(false, true) {
			go func() { m.Stop(t); close(stoppedCh) }()
		}
	}
	defer func() { testHookProgress = nil }()
	var wg *sync.WaitGroup
	go func() {}()
	// Create the bucket first so the watcher can list it.
	if err := st.EnsureBucket(context.Background(), bucket); err != nil {
		t.Fatal(err)
	}
	wg = watch(t, st, bucket, "raw/big.csv", data, stop)
	code, _, errOut := run(t, "--source", path, "--bucket", bucket, "--part-size", fmt.Sprint(5<<20), "--s3-retries", "2", "--progress", "log")
	if !stopped.Load() {
		t.Fatalf("MinIO was not stopped during the upload (exit %d)\n%s", code, errOut)
	}
	<-stoppedCh
	if code != 1 {
		t.Errorf("run with MinIO stopped: exit %d, want 1\n%s", code, errOut)
	}
	t.Logf("failed run: %s", lastLine(errOut))
	m.Restart(t)
	testHookProgress = nil
	code, out, errOut := run(t, "--source", path, "--bucket", bucket, "--part-size", fmt.Sprint(5<<20))
	close(stop)
	wg.Wait()
	if code != 0 || !strings.HasPrefix(out, "uploaded ") {
		t.Fatalf("rerun: exit %d\n%s\n%s", code, out, errOut)
	}
	info, err := st.Stat(context.Background(), bucket, "raw/big.csv")
	if err != nil || info.SHA256 != sum(data) || info.Size != int64(len(data)) {
		t.Errorf("after rerun: %+v, %v", info, err)
	}
	rc, _, err := st.Get(context.Background(), bucket, "raw/big.csv")
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(rc)
	rc.Close()
	if sum(got) != sum(data) {
		t.Error("object content differs from the file")
	}
}

func lastLine(s string) string {
	l := strings.Split(strings.TrimSpace(s), "\n")
	return l[len(l)-1]
}

// TestConcurrentIngest runs two ingests of the same source at once: both
// succeed and the bucket holds one complete object.
func TestConcurrentIngest(t *testing.T) {
	m := testenv.MinIO(t)
	path, data := bigCSV(t, 24)
	bucket := testenv.Name("conc")
	withEnv(t, minioEnv(m))
	st := s3Store(t, m)
	if err := st.EnsureBucket(context.Background(), bucket); err != nil {
		t.Fatal(err)
	}
	stop := make(chan struct{})
	wg := watch(t, st, bucket, "raw/big.csv", data, stop)
	var codes [2]int
	var errs [2]string
	var rw sync.WaitGroup
	for i := range 2 {
		rw.Go(func() {
			var o, e bytes.Buffer
			codes[i] = Run(context.Background(), []string{"--source", path, "--bucket", bucket, "--part-size", fmt.Sprint(5 << 20)}, &o, &e)
			errs[i] = e.String()
		})
	}
	rw.Wait()
	close(stop)
	wg.Wait()
	for i := range 2 {
		if codes[i] != 0 {
			t.Errorf("ingest %d: exit %d\n%s", i, codes[i], errs[i])
		}
	}
	var keys []string
	for o, err := range st.List(context.Background(), bucket, "") {
		if err != nil {
			t.Fatal(err)
		}
		keys = append(keys, o.Key)
		if o.Key == "raw/big.csv" && o.SHA256 != sum(data) {
			t.Errorf("object sha256 %s, want %s", o.SHA256, sum(data))
		}
	}
	if got := strings.Join(keys, " "); got != "raw/big.csv raw/manifest.json" {
		t.Errorf("bucket holds %s", got)
	}
	n := 0
	for range m.Client(t).ListIncompleteUploads(context.Background(), bucket, "", true) {
		n++
	}
	if n != 0 {
		t.Errorf("%d incomplete uploads left", n)
	}
}

func TestProgressModes(t *testing.T) {
	for _, c := range []struct {
		mode, want string
	}{
		{"bar", "\r\x1b[Kupload diabetes.csv █"},
		{"log", "ingest: upload diabetes.csv 100% (22.6 KiB of 22.6 KiB)"},
		{"auto", "ingest: upload diabetes.csv 100%"}, // a bytes.Buffer is not a terminal
	} {
		withEnv(t, map[string]string{"STORAGE_ROOT": t.TempDir()})
		code, _, errOut := run(t, "--source", "sample:diabetes", "--progress", c.mode)
		if code != 0 || !strings.Contains(errOut, c.want) {
			t.Errorf("--progress %s: exit %d, stderr lacks %q:\n%q", c.mode, code, c.want, errOut)
		}
	}
}

// TestBrokenRowAfterUploadStarted: the CSV check runs beside the upload, so
// a bad row near the end of a large file is found while parts are already
// in MinIO. The upload must be aborted: exit 1, the line named, no object,
// no incomplete multipart upload and no manifest.
func TestBrokenRowAfterUploadStarted(t *testing.T) {
	m := testenv.MinIO(t)
	path, data := bigCSV(t, 24)
	data = append(data, []byte("1,2\n")...) // one field short, on the last line
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	lines := bytes.Count(data, []byte("\n"))
	bucket := testenv.Name("broken")
	withEnv(t, minioEnv(m))
	var sent atomic.Int64
	testHookProgress = func(key string, done, total int64) { sent.Store(done) }
	defer func() { testHookProgress = nil }()
	code, _, errOut := run(t, "--source", path, "--bucket", bucket, "--part-size", fmt.Sprint(5<<20), "--progress", "log")
	if code != 1 || !strings.Contains(errOut, fmt.Sprintf("big.csv:%d", lines)) || !strings.Contains(errOut, "nothing uploaded") {
		t.Fatalf("exit %d, want 1 naming big.csv:%d and saying nothing was uploaded:\n%s", code, lines, errOut)
	}
	if sent.Load() == 0 {
		t.Error("the upload never started: the check did not run beside it")
	}
	c := m.Client(t)
	for o := range c.ListObjects(context.Background(), bucket, minio.ListObjectsOptions{Recursive: true}) {
		t.Errorf("object left behind: %s (%v)", o.Key, o.Err)
	}
	for u := range c.ListIncompleteUploads(context.Background(), bucket, "", true) {
		t.Errorf("incomplete upload left behind: %s %s (%v)", u.Key, u.UploadID, u.Err)
	}
}
