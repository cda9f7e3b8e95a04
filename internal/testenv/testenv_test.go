package testenv_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/minio/minio-go/v7"

	"github.com/mlstack/mlstack/internal/testenv"
)

func TestMain(m *testing.M) { testenv.Main(m) }

// TestMinIORoundTrip proves the harness runs a real S3 server: a bucket is
// created and an object goes in and comes back with minio-go.
func TestMinIORoundTrip(t *testing.T) {
	ctx := context.Background()
	srv := testenv.MinIO(t)
	c := srv.Client(t)
	bucket := srv.Bucket(t)
	want := []byte("Pregnancies,Glucose\n6,148\n")
	if _, err := c.PutObject(ctx, bucket, "raw/x.csv", bytes.NewReader(want), int64(len(want)), minio.PutObjectOptions{ContentType: "text/csv"}); err != nil {
		t.Fatalf("PutObject: %v", err)
	}
	obj, err := c.GetObject(ctx, bucket, "raw/x.csv", minio.GetObjectOptions{})
	if err != nil {
		t.Fatalf("GetObject: %v", err)
	}
	got, err := io.ReadAll(obj)
	if err != nil {
		t.Fatalf("read object: %v", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("object = %q, want %q", got, want)
	}
	info, err := c.StatObject(ctx, bucket, "raw/x.csv", minio.StatObjectOptions{})
	if err != nil || info.ContentType != "text/csv" {
		t.Errorf("StatObject = %+v, %v; want content type text/csv", info, err)
	}
}

// TestMLflowREST proves the harness runs a real MLflow server, with both
// backends: an experiment and a run are created over REST and read back,
// and an artifact proxied by the server lands in MinIO.
func TestMLflowREST(t *testing.T) {
	for _, tc := range []struct {
		name   string
		server func(testing.TB) *testenv.MLflowServer
	}{
		{"sqlite", testenv.MLflow},
		{"postgres", testenv.MLflowPostgres},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := tc.server(t)
			name := testenv.Name("smoke")
			var created struct {
				ExperimentID string `json:"experiment_id"`
			}
			call(t, srv.URL, "POST", "/api/2.0/mlflow/experiments/create", map[string]any{"name": name}, &created)
			if created.ExperimentID == "" {
				t.Fatal("experiments/create returned no experiment_id")
			}
			var got struct {
				Experiment struct {
					Name         string
					ExperimentID string `json:"experiment_id"`
				} `json:"experiment"`
			}
			call(t, srv.URL, "GET", "/api/2.0/mlflow/experiments/get-by-name?experiment_name="+name, nil, &got)
			if got.Experiment.ExperimentID != created.ExperimentID {
				t.Errorf("get-by-name id = %q, want %q", got.Experiment.ExperimentID, created.ExperimentID)
			}

			var run struct {
				Run struct {
					Info struct {
						RunID       string `json:"run_id"`
						ArtifactURI string `json:"artifact_uri"`
					} `json:"info"`
				} `json:"run"`
			}
			call(t, srv.URL, "POST", "/api/2.0/mlflow/runs/create", map[string]any{
				"experiment_id": created.ExperimentID, "run_name": "smoke", "start_time": 1,
			}, &run)
			id := run.Run.Info.RunID
			call(t, srv.URL, "POST", "/api/2.0/mlflow/runs/log-batch", map[string]any{
				"run_id":  id,
				"params":  []map[string]string{{"key": "max_depth", "value": "6"}},
				"metrics": []map[string]any{{"key": "auc", "value": 0.83, "timestamp": 1, "step": 0}},
			}, nil)
			var back struct {
				Run struct {
					Data struct {
						Params  []struct{ Key, Value string }
						Metrics []struct {
							Key   string
							Value float64
						}
					} `json:"data"`
				} `json:"run"`
			}
			call(t, srv.URL, "GET", "/api/2.0/mlflow/runs/get?run_id="+id, nil, &back)
			if p := back.Run.Data.Params; len(p) != 1 || p[0].Key != "max_depth" || p[0].Value != "6" {
				t.Errorf("params = %+v, want max_depth=6", p)
			}
			if m := back.Run.Data.Metrics; len(m) != 1 || m[0].Value != 0.83 {
				t.Errorf("metrics = %+v, want auc=0.83", m)
			}

			// An artifact PUT through the proxy ends up as an object in MinIO.
			path := strings.TrimPrefix(run.Run.Info.ArtifactURI, "mlflow-artifacts:/")
			put(t, srv.URL+"/api/2.0/mlflow-artifacts/artifacts/"+path+"/hello.txt", "hello")
			objects := srv.MinIO.Client(t).ListObjects(context.Background(), srv.ArtifactsBucket, minio.ListObjectsOptions{Prefix: path, Recursive: true})
			var keys []string
			for o := range objects {
				if o.Err != nil {
					t.Fatal(o.Err)
				}
				keys = append(keys, o.Key)
			}
			if want := path + "/hello.txt"; len(keys) != 1 || keys[0] != want {
				t.Errorf("objects in s3://%s = %v, want [%s]", srv.ArtifactsBucket, keys, want)
			}
		})
	}
}

func call(t *testing.T, base, method, path string, body, out any) {
	t.Helper()
	var r io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		r = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, base+path, r)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 {
		t.Fatalf("%s %s: %s: %s", method, path, resp.Status, b)
	}
	if out != nil {
		if err := json.Unmarshal(b, out); err != nil {
			t.Fatalf("%s %s: decode %s: %v", method, path, b, err)
		}
	}
}

func put(t *testing.T, url, body string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPut, url, strings.NewReader(body))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("PUT %s: %s", url, resp.Status)
	}
}

func ExampleName() {
	fmt.Println(strings.HasPrefix(testenv.Name("exp"), "exp-"))
	// Output: true
}
