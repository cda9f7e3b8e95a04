// Package docker_test checks docker-compose.yml without a Docker engine: it
// is loaded with compose-go (the library the docker compose CLI uses) and
// its structure is checked against what the stack promises.
package docker_test

import (
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/compose-spec/compose-go/v2/cli"
	"github.com/compose-spec/compose-go/v2/types"

	"github.com/mlstack/mlstack/internal/stack"
	"github.com/mlstack/mlstack/internal/testenv"
)

func load(t *testing.T, profiles ...string) *types.Project {
	t.Helper()
	return loadEnv(t, nil, profiles...)
}

// loadEnv loads docker-compose.yml with .env.example and the variables env
// (KEY=VALUE) set in the environment, which wins over the .env file as in
// the compose CLI.
func loadEnv(t *testing.T, env []string, profiles ...string) *types.Project {
	t.Helper()
	opts, err := cli.NewProjectOptions([]string{"../docker-compose.yml"},
		cli.WithWorkingDirectory(".."),
		cli.WithEnv(env),
		cli.WithEnvFiles("../.env.example"),
		cli.WithDotEnv,
		cli.WithProfiles(profiles),
		cli.WithName("mlstack"),
	)
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
	env, err := stack.LoadEnv("../.env.example")
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range regexp.MustCompile(`\$\{([A-Z0-9_]+)`).FindAllStringSubmatch(string(b), -1) {
		if _, ok := env[m[1]]; !ok {
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
