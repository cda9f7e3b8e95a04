// Package docker_test checks docker-compose.yml without a Docker engine: it
// is loaded with compose-go (the library the docker compose CLI uses) and
// its structure is checked against what the stack promises.
package docker_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/compose-spec/compose-go/v2/cli"
	"github.com/compose-spec/compose-go/v2/types"

	"github.com/mlstack/mlstack/internal/seedenv"
	"github.com/mlstack/mlstack/internal/stack"
	"github.com/mlstack/mlstack/internal/testenv"
)

func load(t *testing.T, profiles ...string) *types.Project {
	t.Helper()
	return loadWith(t, "../.env.example", nil, profiles...)
}

// loadEnv is load with the variables env (KEY=VALUE) set in the
// environment, which wins over the .env file as in the compose CLI.
func loadEnv(t *testing.T, env []string, profiles ...string) *types.Project {
	t.Helper()
	return loadWith(t, "../.env.example", env, profiles...)
}

// loadWith loads docker-compose.yml as the docker compose CLI does, with
// envFile as its .env ("" for none) and env as the environment: profiles
// given here, else those of COMPOSE_PROFILES in the file.
func loadWith(t *testing.T, envFile string, env []string, profiles ...string) *types.Project {
	t.Helper()
	fns := []cli.ProjectOptionsFn{cli.WithWorkingDirectory(".."), cli.WithEnv(env)}
	if envFile != "" { // (WithEnvFiles() without a file would read the repository's .env)
		fns = append(fns, cli.WithEnvFiles(envFile), cli.WithDotEnv)
	}
	fns = append(fns, cli.WithDefaultProfiles(profiles...), cli.WithName("mlstack"))
	opts, err := cli.NewProjectOptions([]string{"../docker-compose.yml"}, fns...)
	if err != nil {
		t.Fatal(err)
	}
	p, err := opts.LoadProject(context.Background())
	if err != nil {
		t.Fatalf("docker-compose.yml does not load: %v", err)
	}
	return p
}

func TestComposeServices(t *testing.T) {
	p := load(t)
	names := p.ServiceNames()
	slices.Sort(names)
	if got, want := strings.Join(names, ","), "ingest,jupyter,minio,mlflow"; got != want {
		t.Errorf("services = %s, want %s (postgres only with its profile)", got, want)
	}
	pg := load(t, "postgres")
	if _, err := pg.GetService("postgres"); err != nil {
		t.Errorf("profile postgres has no postgres service: %v", err)
	}

	for name, want := range map[string]map[string]types.ServiceDependency{
		"ingest":  {"minio": {Condition: types.ServiceConditionHealthy}},
		"mlflow":  {"minio": {Condition: types.ServiceConditionHealthy}, "ingest": {Condition: types.ServiceConditionCompletedSuccessfully}},
		"jupyter": {"mlflow": {Condition: types.ServiceConditionHealthy}},
	} {
		s := service(t, pg, name)
		for dep, d := range want {
			got, ok := s.DependsOn[dep]
			if !ok || got.Condition != d.Condition {
				t.Errorf("%s depends_on %s = %+v, want condition %s", name, dep, got, d.Condition)
			}
		}
	}
	if d := service(t, pg, "mlflow").DependsOn["postgres"]; d.Condition != types.ServiceConditionHealthy || d.Required {
		t.Errorf("mlflow depends_on postgres = %+v, want healthy and not required (profile)", d)
	}

	// Long-running services are health-checked; the one-shot ingest is not restarted.
	for _, name := range []string{"minio", "mlflow", "jupyter", "postgres"} {
		s := service(t, pg, name)
		if s.HealthCheck == nil || len(s.HealthCheck.Test) == 0 || s.HealthCheck.Disable {
			t.Errorf("%s has no healthcheck", name)
		}
	}
	if r := service(t, p, "ingest").Restart; r != "no" {
		t.Errorf("ingest restart = %q, want no (one-shot)", r)
	}
	if s := service(t, p, "ingest"); s.Build == nil || s.Build.Dockerfile != "ingest/Dockerfile" {
		t.Errorf("ingest is not built from ingest/Dockerfile: %+v", s.Build)
	}
	if s := service(t, p, "jupyter"); s.Build == nil || s.Build.Dockerfile != "docker/jupyter/Dockerfile" {
		t.Errorf("jupyter is not built from docker/jupyter/Dockerfile: %+v", s.Build)
	}
	for _, f := range []string{"../ingest/Dockerfile", "../docker/jupyter/Dockerfile"} {
		if _, err := os.Stat(f); err != nil {
			t.Errorf("%s: %v", f, err)
		}
	}
}

// TestComposeMLflow checks the settings MLflow needs to work in compose:
// the proxied artifacts in the MinIO bucket, the S3 endpoint and the
// allowed hosts that include the service name.
func TestComposeMLflow(t *testing.T) {
	s := service(t, load(t), "mlflow")
	cmd := strings.Join(s.Command, " ")
	for _, want := range []string{"--serve-artifacts", "--artifacts-destination \"s3://${BUCKET_MLFLOW}\"", "sqlite:////mlflow/mlflow.db", "postgresql+psycopg2://"} {
		if !strings.Contains(cmd, want) {
			t.Errorf("mlflow command lacks %q:\n%s", want, cmd)
		}
	}
	env := s.Environment
	if v := env["MLFLOW_S3_ENDPOINT_URL"]; v == nil || *v != "http://minio:9000" {
		t.Errorf("MLFLOW_S3_ENDPOINT_URL = %v", v)
	}
	if v := env["MLFLOW_SERVER_ALLOWED_HOSTS"]; v == nil || !slices.Contains(strings.Split(*v, ","), "mlflow:5000") {
		t.Errorf("MLFLOW_SERVER_ALLOWED_HOSTS = %v, want it to include mlflow:5000", v)
	}
	if !slices.ContainsFunc(s.Volumes, func(v types.ServiceVolumeConfig) bool {
		return v.Target == "/mlflow" && v.Type == types.VolumeTypeVolume
	}) {
		t.Errorf("mlflow keeps its SQLite database on no named volume: %+v", s.Volumes)
	}
}

// TestComposePortsAndImages: every port is bound to 127.0.0.1, every image
// is pinned (no floating tag), every named volume is declared.
func TestComposePortsAndImages(t *testing.T) {
	p := load(t, "postgres")
	floating := regexp.MustCompile(`(:latest|:[^:@/]*-?latest[^:@/]*)$`)
	for _, s := range p.Services {
		for _, port := range s.Ports {
			if port.HostIP != "127.0.0.1" {
				t.Errorf("%s publishes %d on %q, want 127.0.0.1", s.Name, port.Target, port.HostIP)
			}
		}
		if s.Build == nil {
			if !strings.Contains(s.Image, ":") || floating.MatchString(s.Image) {
				t.Errorf("%s image %q is not pinned to a version tag", s.Name, s.Image)
			}
		}
		for _, v := range s.Volumes {
			if v.Type == types.VolumeTypeVolume {
				if _, ok := p.Volumes[v.Source]; !ok {
					t.Errorf("%s uses undeclared volume %s", s.Name, v.Source)
				}
			}
		}
	}
	// Base images of the Dockerfiles are pinned too.
	for _, f := range []string{"../ingest/Dockerfile", "../docker/jupyter/Dockerfile"} {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range regexp.MustCompile(`(?m)^FROM\s+(\S+)`).FindAllStringSubmatch(string(b), -1) {
			img := m[1]
			if !strings.Contains(img, ":") && !strings.Contains(img, "@") || floating.MatchString(img) {
				t.Errorf("%s: FROM %s is not pinned", f, img)
			}
		}
	}
}

// TestComposeVariables: every variable the file reads is listed in
// .env.example, and every variable there is read by compose or by the
// native stack, so the two stay one configuration.
func TestComposeVariables(t *testing.T) {
	b, err := os.ReadFile("../docker-compose.yml")
	if err != nil {
		t.Fatal(err)
	}
	env, err := stack.ReadEnvFile("../.env.example")
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range regexp.MustCompile(`(?:^|[^$])\$\{([A-Z0-9_]+)`).FindAllStringSubmatch(string(b), -1) { // $${...} is the container's
		if _, ok := env[m[1]]; !ok && !isSeed(m[1]) {
			t.Errorf("docker-compose.yml reads ${%s}, which .env.example does not list", m[1])
		}
	}
	var sources []byte
	for _, pat := range []string{"../cmd/stack/*.go", "../internal/stack/*.go", "../pkg/*/*.go", "../ingest/*.go", "../notebooks/*.ipynb"} {
		files, _ := filepath.Glob(pat)
		for _, f := range files {
			fb, _ := os.ReadFile(f)
			sources = append(sources, fb...)
		}
	}
	sources = append(sources, b...)
	for k := range env {
		if !strings.Contains(string(sources), k) {
			t.Errorf(".env.example lists %s, which nothing reads", k)
		}
	}
}

func service(t *testing.T, p *types.Project, name string) types.ServiceConfig {
	t.Helper()
	s, err := p.GetService(name)
	if err != nil {
		t.Fatalf("no service %s: %v", name, err)
	}
	return s
}

func TestMain(m *testing.M) { testenv.Main(m) }

// TestComposeMinIOHealthcheck runs MinIO's compose healthcheck, as
// compose-go resolves it, with bash against the test MinIO (its port put
// in for 9000): it passes on a ready server, fails on one that answers 503
// (not initialized yet) and where nothing listens. The ingest service
// starts only once it passes.
func TestComposeMinIOHealthcheck(t *testing.T) {
	test := service(t, load(t), "minio").HealthCheck.Test
	if len(test) != 4 || test[0] != "CMD" || test[1] != "bash" || test[2] != "-c" {
		t.Fatalf("minio healthcheck = %q, want [CMD bash -c SCRIPT]", test)
	}
	script := test[3]
	if !strings.Contains(script, stack.MinIOReadyPath) || !strings.Contains(script, "/127.0.0.1/9000") {
		t.Fatalf("minio healthcheck does not ask %s on 127.0.0.1:9000:\n%s", stack.MinIOReadyPath, script)
	}
	probe := func(addr string) error {
		_, port, _ := net.SplitHostPort(addr)
		return exec.Command("bash", "-c", strings.ReplaceAll(script, "/127.0.0.1/9000", "/127.0.0.1/"+port)).Run()
	}
	if err := probe(testenv.MinIO(t).Endpoint); err != nil {
		t.Errorf("healthcheck fails on a ready MinIO: %v", err)
	}
	busy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusServiceUnavailable)
	}))
	defer busy.Close()
	if err := probe(busy.Listener.Addr().String()); err == nil {
		t.Error("healthcheck passes on a server answering 503")
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := l.Addr().String()
	l.Close()
	if err := probe(closed); err == nil {
		t.Error("healthcheck passes where nothing listens")
	}
}

// isSeed reports whether name is a seed-project alias (internal/seedenv),
// which docker-compose.yml reads as a fallback and .env.example only
// documents.
func isSeed(name string) bool {
	for _, a := range seedenv.Aliases {
		if a.Seed == name {
			return true
		}
	}
	return false
}

// TestComposeDefaultsAreTheExample: docker-compose.yml's own defaults
// (${NAME:-default}, what compose uses without a .env or with a partial
// one) are .env.example's values, so both configurations are one.
func TestComposeDefaultsAreTheExample(t *testing.T) {
	for _, profiles := range [][]string{nil, {"postgres"}} {
		bare, example := loadWith(t, "", nil, profiles...), loadWith(t, "../.env.example", nil, profiles...)
		for _, name := range example.ServiceNames() {
			a, _ := json.Marshal(service(t, bare, name))
			b, _ := json.Marshal(service(t, example, name))
			if !bytes.Equal(a, b) {
				t.Errorf("service %s differs without .env and with .env.example:\n%s\n%s", name, a, b)
			}
		}
	}
}

// TestComposeSeedNames: a .env holding only the seed project's names gives
// MinIO and every client of it those credentials; with the standard names
// set too, the standard ones win.
func TestComposeSeedNames(t *testing.T) {
	example := load(t, "postgres")
	dir := t.TempDir()
	seedOnly := filepath.Join(dir, "seed.env")
	if err := os.WriteFile(seedOnly, []byte("AWS_ACCESS_KEY=seed-user\nAWS_SECRET_KEY=seed-secret-42\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	ex, err := os.ReadFile("../.env.example")
	if err != nil {
		t.Fatal(err)
	}
	both := filepath.Join(dir, "both.env")
	if err := os.WriteFile(both, append(ex, "AWS_ACCESS_KEY=seed-user\nAWS_SECRET_KEY=seed-secret-42\n"...), 0o600); err != nil {
		t.Fatal(err)
	}
	seeded, mixed := loadWith(t, seedOnly, nil, "postgres"), loadWith(t, both, nil, "postgres")
	want := map[string]string{"minioadmin": "seed-user", "minioadmin-change-me": "seed-secret-42"}
	n := 0
	for _, name := range example.ServiceNames() {
		for k, v := range service(t, example, name).Environment {
			if v == nil || want[*v] == "" {
				continue
			}
			n++
			if got := service(t, seeded, name).Environment[k]; got == nil || *got != want[*v] {
				t.Errorf("%s: %s = %v with only the seed names set, want %q", name, k, got, want[*v])
			}
			if got := service(t, mixed, name).Environment[k]; got == nil || *got != *v {
				t.Errorf("%s: %s = %v with the standard names set too, want %q", name, k, got, *v)
			}
		}
	}
	if n < 8 { // MinIO's two, and a key and a secret for ingest, mlflow and jupyter
		t.Errorf("only %d MinIO credential entries found in docker-compose.yml", n)
	}
}

// TestComposeBackendSwitch: COMPOSE_PROFILES=postgres in .env (or
// --profile postgres) is the one switch. It adds the postgres service, and
// MLflow's start script, run here with sh and Python as in the image (only
// `mlflow` replaced by a script that prints its arguments), picks
// PostgreSQL exactly when that service's name resolves. Its worker count
// is sized to the machine unless MLFLOW_WORKERS is set.
func TestComposeBackendSwitch(t *testing.T) {
	if _, err := load(t).GetService("postgres"); err == nil {
		t.Error("postgres runs without its profile")
	}
	ex, err := os.ReadFile("../.env.example")
	if err != nil {
		t.Fatal(err)
	}
	envFile := filepath.Join(t.TempDir(), ".env")
	on := regexp.MustCompile(`(?m)^COMPOSE_PROFILES=.*$`).ReplaceAll(ex, []byte("COMPOSE_PROFILES=postgres"))
	if bytes.Equal(on, ex) {
		t.Fatal(".env.example has no COMPOSE_PROFILES line")
	}
	if err := os.WriteFile(envFile, on, 0o600); err != nil {
		t.Fatal(err)
	}
	p := loadWith(t, envFile, nil)
	if _, err := p.GetService("postgres"); err != nil {
		t.Fatalf("COMPOSE_PROFILES=postgres in .env does not start postgres: %v", err)
	}
	mlflow := service(t, p, "mlflow")
	if len(mlflow.Entrypoint) != 2 || mlflow.Entrypoint[0] != "/bin/sh" || len(mlflow.Command) != 1 {
		t.Fatalf("mlflow entrypoint %q command %q, want /bin/sh -c SCRIPT", mlflow.Entrypoint, mlflow.Command)
	}
	stub := t.TempDir()
	if err := os.WriteFile(filepath.Join(stub, "mlflow"), []byte("#!/bin/sh\necho \"$@\"\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	venvBin := filepath.Dir(testenv.Python(t))
	run := func(env map[string]string) string {
		t.Helper()
		cmd := exec.Command("/bin/sh", "-c", mlflow.Command[0])
		cmd.Env = []string{"PATH=" + stub + ":" + venvBin + ":/usr/bin:/bin"}
		for k, v := range mlflow.Environment {
			if v != nil {
				cmd.Env = append(cmd.Env, k+"="+*v)
			}
		}
		for k, v := range env {
			cmd.Env = append(cmd.Env, k+"="+v)
		}
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("mlflow start script: %v\n%s", err, out)
		}
		return string(out)
	}
	sized := max(1, min(4, runtime.NumCPU()/2))
	for _, tc := range []struct {
		name string
		env  map[string]string
		want []string
	}{
		{"postgres not running", map[string]string{"POSTGRES_HOST": "postgres.invalid"},
			[]string{"--backend-store-uri sqlite:////mlflow/mlflow.db", "--workers " + strconv.Itoa(sized)}},
		{"postgres running", map[string]string{"POSTGRES_HOST": "localhost"},
			[]string{"--backend-store-uri postgresql+psycopg2://mlflow:mlflow-change-me@localhost:5432/mlflow"}},
		{"workers set", map[string]string{"POSTGRES_HOST": "postgres.invalid", "MLFLOW_WORKERS": "3"}, []string{"--workers 3"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out := run(tc.env)
			for _, w := range tc.want {
				if !strings.Contains(out, w) {
					t.Errorf("mlflow server %s; want %q", strings.TrimSpace(out), w)
				}
			}
		})
	}
	if v := mlflow.Environment["MLFLOW_SERVER_ENABLE_JOB_EXECUTION"]; v == nil || *v != "false" {
		t.Errorf("MLFLOW_SERVER_ENABLE_JOB_EXECUTION = %v, want false by default", v)
	}
}
