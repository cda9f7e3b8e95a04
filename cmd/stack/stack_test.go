package main

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/mlstack/mlstack/internal/stack"
	"github.com/mlstack/mlstack/internal/testenv"
)

// tool returns a tool's location from its MLSTACK_ variable (make test and
// scripts/deps.sh set them) or its setup script's --path, Unavailable when
// it is not installed.
func tool(t *testing.T, root, envVar, script string) string {
	t.Helper()
	testenv.SkipShort(t, "the stack's tools ("+envVar+")")
	p := os.Getenv(envVar)
	if p == "" {
		out, err := exec.Command("bash", filepath.Join(root, "scripts", script), "--path").Output()
		if err != nil {
			testenv.Unavailable(t, "%s is not set and scripts/%s --path failed: %v", envVar, script, err)
		}
		p = strings.TrimSpace(string(out))
	}
	if _, err := os.Stat(p); err != nil {
		testenv.Unavailable(t, "%s: %v (run scripts/deps.sh)", envVar, err)
	}
	return p
}

// TestStackOnMovedPorts is issue 17's acceptance test for moving ports: a
// copy of .env.example with only its *_PORT lines changed brings the
// native stack up on those ports, `stack env` hands the clients URLs on
// them, and ingest, train and notebook 01 run against it.
func TestStackOnMovedPorts(t *testing.T) {
	root, err := testenv.RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	venv := filepath.Dir(filepath.Dir(testenv.Python(t)))
	minio := tool(t, root, "MLSTACK_MINIO", "setup-minio.sh")
	gotools := tool(t, root, "MLSTACK_GOTOOLS", "setup-gonb.sh")
	tmp := t.TempDir()

	// .env: the example with only the ports edited.
	example, err := os.ReadFile(filepath.Join(root, ".env.example"))
	if err != nil {
		t.Fatal(err)
	}
	dotenv := string(example)
	ports := map[string]int{}
	for _, k := range []string{"MINIO_PORT", "MINIO_CONSOLE_PORT", "MLFLOW_PORT", "POSTGRES_PORT", "JUPYTER_PORT"} {
		p, err := stack.FreePort()
		if err != nil {
			t.Fatal(err)
		}
		re := regexp.MustCompile(`(?m)^` + k + `=.*$`)
		if n := len(re.FindAllString(dotenv, -1)); n != 1 {
			t.Fatalf(".env.example sets %s %d times, want once", k, n)
		}
		dotenv, ports[k] = re.ReplaceAllString(dotenv, k+"="+strconv.Itoa(p)), p
	}
	if err := os.WriteFile(filepath.Join(tmp, ".env"), []byte(dotenv), 0o600); err != nil {
		t.Fatal(err)
	}
	mlflowURL := fmt.Sprintf("http://127.0.0.1:%d", ports["MLFLOW_PORT"])
	minioURL := fmt.Sprintf("http://127.0.0.1:%d", ports["MINIO_PORT"])

	// Nothing of the test's own environment may point the clients
	// elsewhere: only the stack's variables reach them.
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		if strings.HasPrefix(k, "MLFLOW_") || strings.HasPrefix(k, "AWS_") || strings.HasPrefix(k, "MINIO_") ||
			strings.HasPrefix(k, "BUCKET_") || k == "STORAGE_ROOT" || k == "COMPOSE_PROFILES" || k == "JUPYTER_TOKEN" {
			t.Setenv(k, "")
			os.Unsetenv(k)
		}
	}
	t.Setenv("COMPOSE_ENV_FILES", filepath.Join(tmp, ".env"))
	t.Setenv("MLSTACK_STACK_DIR", filepath.Join(tmp, "stack"))
	t.Setenv("MLSTACK_MINIO", minio)
	t.Setenv("MLSTACK_VENV", venv)
	t.Setenv("MLSTACK_GOTOOLS", gotools)
	t.Chdir(root)

	ctx := context.Background()
	var out, errb bytes.Buffer
	t.Cleanup(func() {
		var o, e bytes.Buffer
		if code := run(ctx, []string{"down"}, &o, &e); code != 0 {
			t.Errorf("stack down: exit %d\n%s%s", code, o.String(), e.String())
		}
		if t.Failed() {
			for _, name := range []string{"minio", "mlflow", "jupyter"} {
				if b, err := os.ReadFile(filepath.Join(tmp, "stack", name, name+".log")); err == nil {
					t.Logf("%s.log (end):\n%s", name, b[max(0, len(b)-3000):])
				}
			}
		}
	})
	start := time.Now()
	if code := run(ctx, []string{"up"}, &out, &errb); code != 0 {
		t.Fatalf("stack up: exit %d\n%s%s", code, out.String(), errb.String())
	}
	t.Logf("stack up in %s:\n%s", time.Since(start).Round(time.Second), out.String())
	for _, u := range []string{mlflowURL + "/health", fmt.Sprintf("http://127.0.0.1:%d/api", ports["JUPYTER_PORT"])} {
		resp, err := http.Get(u)
		if err != nil {
			t.Fatalf("GET %s: %v", u, err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Errorf("GET %s: %s", u, resp.Status)
		}
	}
	// The kernel spec puts the repository in GoNB's workspace.
	if b, err := os.ReadFile(filepath.Join(tmp, "stack", "jupyter", "kernels", "gonb", "kernel.json")); err != nil || !bytes.Contains(b, []byte(`"-go_work=`+root+`"`)) {
		t.Errorf("kernel.json (%v) lacks -go_work=%s:\n%s", err, root, b)
	}

	// What the clients get: URLs on the moved ports, from the file alone
	// (stack.LoadEnv, as compose reads it) and from `stack env`.
	fromFile, err := stack.LoadEnv(filepath.Join(root, ".env.example"), filepath.Join(tmp, ".env"))
	if err != nil {
		t.Fatal(err)
	}
	out.Reset()
	if code := run(ctx, []string{"env"}, &out, &errb); code != 0 {
		t.Fatalf("stack env: exit %d\n%s", code, errb.String())
	}
	clientEnv := map[string]string{}
	for _, line := range strings.Split(strings.TrimSpace(out.String()), "\n") {
		k, v, ok := strings.Cut(strings.TrimPrefix(line, "export "), "=")
		if !ok || !strings.HasPrefix(v, "'") || !strings.HasSuffix(v, "'") {
			t.Fatalf("stack env: line %q", line)
		}
		clientEnv[k] = strings.ReplaceAll(strings.Trim(v, "'"), `'\''`, "'")
	}
	for k, want := range map[string]string{"MLFLOW_TRACKING_URI": mlflowURL, "MLFLOW_S3_ENDPOINT_URL": minioURL} {
		if fromFile[k] != want || clientEnv[k] != want {
			t.Errorf("%s: %q from .env, %q from stack env; want %q", k, fromFile[k], clientEnv[k], want)
		}
	}
	env := os.Environ()
	for k, v := range clientEnv {
		env = append(env, k+"="+v)
	}
	env = append(env, "MLSTACK_MLFLOW_SPOOL="+filepath.Join(tmp, "spool"))

	bin := filepath.Join(tmp, "bin")
	build := exec.Command("go", "build", "-o", bin+string(filepath.Separator), "./ingest", "./cmd/train")
	if b, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, b)
	}
	exe := func(name string, extra []string, args ...string) string {
		t.Helper()
		cmd := exec.Command(name, args...)
		cmd.Env = append(env, extra...)
		b, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("%s %s: %v\n%s", filepath.Base(name), strings.Join(args, " "), err, b)
		}
		return string(b)
	}

	// ingest: the built-in sample into MinIO on the moved port.
	got := exe(filepath.Join(bin, "ingest"), nil, "--source", "sample:diabetes")
	if !strings.Contains(got, "s3://data-bucket/raw/diabetes.csv") {
		t.Errorf("ingest output lacks s3://data-bucket/raw/diabetes.csv:\n%s", got)
	}
	// train: reads it back and logs to MLflow on the moved port.
	got = exe(filepath.Join(bin, "train"), nil, "--config", "configs/classification.yaml",
		"--set", "validation.n_repeats=1", "--set", "data.source=s3://data-bucket/raw/diabetes.csv",
		"--set", "tracking.experiment=moved-ports", "--out", filepath.Join(tmp, "out"))
	if !strings.Contains(got, "mlflow:   "+mlflowURL+"/#/experiments/") || strings.Contains(got, "unreachable") {
		t.Errorf("train did not log to %s:\n%s", mlflowURL, got)
	}
	// One notebook, with the kernel spec scripts/notebooks.sh installs.
	got = exe("bash", []string{"NOTEBOOKS_OUT=" + filepath.Join(tmp, "notebooks")},
		filepath.Join(root, "scripts", "notebooks.sh"), filepath.Join(root, "notebooks", "01_ingest_and_explore.ipynb"))
	nb, err := os.ReadFile(filepath.Join(tmp, "notebooks", "01_ingest_and_explore.ipynb"))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(nb, []byte("read s3://data-bucket/raw/diabetes.csv: 768 rows")) {
		t.Errorf("notebook 01 did not read the ingested data from MinIO at %s:\n%s", minioURL, got)
	}
}
