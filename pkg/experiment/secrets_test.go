package experiment_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/minio/minio-go/v7"

	"github.com/mlstack/mlstack/internal/testenv"
	"github.com/mlstack/mlstack/pkg/dataset"
	"github.com/mlstack/mlstack/pkg/experiment"
	"github.com/mlstack/mlstack/pkg/mlflow"
)

// TestSecretsNeverLeave trains on data behind a URL with credentials
// (http://u:PW@host/diabetes.csv?api_key=K) and a config that copies a
// secret environment variable into a plain tag (note: ${ROBOFLOW_API_KEY}).
// The credentials work (the data server demands them), and afterwards
// none of the three secrets is anywhere: not in MLflow's REST answers,
// its database or its artifacts in MinIO, not in the spool, the output
// folder, the terminal, or the error of a failed run. The spool is the
// owner's only (0700 directories, 0600 files).
func TestSecretsNeverLeave(t *testing.T) {
	srv := testenv.MLflow(t)
	for _, kv := range srv.Env() {
		k, v, _ := strings.Cut(kv, "=")
		t.Setenv(k, v)
	}
	spool := t.TempDir()
	t.Setenv("MLSTACK_MLFLOW_SPOOL", spool)
	random := func(prefix string) string {
		b := make([]byte, 8)
		rand.Read(b)
		return prefix + hex.EncodeToString(b)
	}
	pw, key, envSecret := random("PW-"), random("K-"), random("rf-")
	t.Setenv("ROBOFLOW_API_KEY", envSecret)
	secrets := []string{pw, key, envSecret}

	sample, err := dataset.Sample("diabetes")
	if err != nil {
		t.Fatal(err)
	}
	var served int
	data := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		user, pass, ok := r.BasicAuth()
		if !ok || user != "u" || pass != pw || r.URL.Query().Get("api_key") != key {
			http.Error(w, "credentials required", http.StatusUnauthorized)
			return
		}
		if r.URL.Path != "/diabetes.csv" {
			http.NotFound(w, r)
			return
		}
		served++
		w.Write(sample)
	}))
	defer data.Close()
	host := strings.TrimPrefix(data.URL, "http://")
	source := fmt.Sprintf("http://u:%s@%s/diabetes.csv?api_key=%s", pw, host, key)

	dir := t.TempDir()
	exp := testenv.Name("secrets")
	cfg := filepath.Join(dir, "secrets.yaml")
	writeConfig := func(src string) {
		y := fmt.Sprintf(`version: 1
name: secrets
data:
  source: %q
  target: Outcome
model:
  trainer: classification
  params: {n_estimators: 20}
validation: {method: stratified_kfold, n_splits: 3}
tracking:
  experiment: %s
  tags:
    note: ${ROBOFLOW_API_KEY}
`, src, exp)
		if err := os.WriteFile(cfg, []byte(y), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	writeConfig(source)
	out := filepath.Join(dir, "out")
	var stderr bytes.Buffer
	ctx := context.Background()
	rep, err := experiment.Run(ctx, experiment.Options{ConfigPath: cfg, Out: out, Notes: notesTo(&stderr)})
	if err != nil {
		t.Fatalf("Run: %v\n%s", err, stderr.String())
	}
	if served != 1 || !rep.Online {
		t.Fatalf("data served %d times, online %v", served, rep.Online)
	}

	var leaks []string
	check := func(where string, b []byte) {
		for _, s := range secrets {
			if bytes.Contains(b, []byte(s)) {
				leaks = append(leaks, fmt.Sprintf("%s holds %q", where, s))
			}
		}
	}
	// What train prints: the notes (stderr), and the summary and plan
	// made of the report's fields (stdout).
	check("stderr", stderr.Bytes())
	model := ""
	if rep.Model != nil {
		model = rep.Model.RunModelURI + " " + rep.Model.ModelURI + " " + rep.Model.PageURL
	}
	check("the summary's fields", []byte(strings.Join([]string{rep.Parsed.Config.Name, rep.Out, rep.RunURL, rep.Server, rep.Spool, model, fmt.Sprint(rep.ServerErr)}, " ")))
	check("the plan", append([]byte(rep.Plan.Source+" "), rep.Plan.Resolved...))

	// MLflow over REST, as the UI and the Python client read it.
	c, err := mlflow.New(srv.URL, nil)
	if err != nil {
		t.Fatal(err)
	}
	run, err := c.GetRun(ctx, rep.RunID)
	if err != nil {
		t.Fatal(err)
	}
	get := func(path string) {
		resp, err := http.Get(srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 {
			t.Fatalf("GET %s: %d %s", path, resp.StatusCode, b)
		}
		check("REST "+path, b)
	}
	get("/api/2.0/mlflow/runs/get?run_id=" + rep.RunID)
	get("/api/2.0/mlflow/experiments/get?experiment_id=" + run.Info.ExperimentID)
	get("/api/2.0/mlflow/logged-models/" + rep.Model.ModelID)
	if v, _ := run.Param("data.source"); v != fmt.Sprintf("http://u:[REDACTED]@%s/diabetes.csv?api_key=[REDACTED]", host) {
		t.Errorf("param data.source = %q", v)
	}
	if v, _ := run.Tag("note"); v != "[REDACTED]" {
		t.Errorf("tag note = %q", v)
	}

	// MLflow's database, every file of it.
	db := strings.TrimPrefix(srv.BackendURI, "sqlite:///")
	dbFiles, _ := filepath.Glob(db + "*")
	for _, f := range dbFiles {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		check(f, b)
	}
	if len(dbFiles) == 0 {
		t.Fatalf("no database at %s", db)
	}

	// Every object in MLflow's artifact bucket.
	mc := srv.MinIO.Client(t)
	n := 0
	for o := range mc.ListObjects(ctx, srv.ArtifactsBucket, minio.ListObjectsOptions{Recursive: true}) {
		if o.Err != nil {
			t.Fatal(o.Err)
		}
		obj, err := mc.GetObject(ctx, srv.ArtifactsBucket, o.Key, minio.GetObjectOptions{})
		if err != nil {
			t.Fatal(err)
		}
		b, err := io.ReadAll(obj)
		obj.Close()
		if err != nil {
			t.Fatal(err)
		}
		check("s3://"+srv.ArtifactsBucket+"/"+o.Key, b)
		n++
	}
	if n < 5 {
		t.Errorf("only %d artifact objects: the run's artifacts are missing", n)
	}

	// The spool and the output folder.
	walk := func(root string, private bool) {
		err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			info, err := d.Info()
			if err != nil {
				return err
			}
			if private && p != root {
				if want := fs.FileMode(0o600); d.IsDir() {
					if info.Mode().Perm() != 0o700 {
						t.Errorf("%s: mode %v, want 0700", p, info.Mode().Perm())
					}
				} else if info.Mode().Perm() != want {
					t.Errorf("%s: mode %v, want %v", p, info.Mode().Perm(), want)
				}
			}
			if !d.IsDir() {
				b, err := os.ReadFile(p)
				if err != nil {
					return err
				}
				check(p, b)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	walk(spool, true)
	walk(out, false)

	// A failed download: the error names the URL, not its secrets.
	writeConfig(strings.Replace(source, "/diabetes.csv", "/missing.csv", 1))
	_, err = experiment.Run(ctx, experiment.Options{ConfigPath: cfg, Out: filepath.Join(dir, "out2")})
	if err == nil || !strings.Contains(err.Error(), "404") {
		t.Fatalf("Run on a missing file = %v, want a 404", err)
	}
	check("the error of a failed run", []byte(err.Error()))

	for _, l := range leaks {
		t.Error(l)
	}
}
