package docker_test

import (
	"debug/elf"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/compose-spec/compose-go/v2/types"
	"github.com/mlstack/mlstack/internal/testenv"
)

// TestServeDockerfileBuilds replays the build stage of
// docker/serve/Dockerfile (replayStage): the binary must be static (the
// distroless final stage has no libc) and small enough for an image under
// 30 MB, run (`serve -h`), and the final stage must run it as a numeric
// non-root user from a pinned distroless base.
func TestServeDockerfileBuilds(t *testing.T) {
	testenv.SkipShort(t, "a build of the serve binary")
	const dockerfile = "../docker/serve/Dockerfile"
	ins := parseDockerfile(t, dockerfile)
	outDir := replayStage(t, dockerfile, "build")
	bin := filepath.Join(outDir, "serve")
	ef, err := elf.Open(bin)
	if err != nil {
		t.Fatalf("the build stage made no binary at /out/serve: %v", err)
	}
	defer ef.Close()
	for _, p := range ef.Progs {
		if p.Type == elf.PT_INTERP {
			t.Error("/out/serve is dynamically linked; the distroless static image has no libc")
		}
	}
	if out, err := exec.Command(bin, "-h").CombinedOutput(); err != nil || !strings.Contains(string(out), "-model") {
		t.Errorf("serve -h: %v\n%s", err, out)
	}
	// distroless/static is about 2 MB: the image stays under 30 MB with a
	// binary under 26 MiB.
	if st, err := os.Stat(bin); err != nil {
		t.Error(err)
	} else if st.Size() > 26<<20 {
		t.Errorf("/out/serve is %d bytes; want a stripped binary under 26 MiB (image < 30 MB)", st.Size())
	} else {
		t.Logf("/out/serve: %.1f MiB", float64(st.Size())/(1<<20))
	}
	final := finalStage(ins)
	if !strings.Contains(final[0].args, "distroless/static") || !strings.Contains(final[0].args, ":") {
		t.Errorf("final stage FROM %s: want a pinned distroless static base", final[0].args)
	}
	var copied, user, entry bool
	for _, i := range final[1:] {
		switch i.op {
		case "COPY":
			copied = copied || strings.HasPrefix(i.args, "--from=build /out/serve ")
		case "USER":
			u, _, _ := strings.Cut(i.args, ":")
			user = u != "0" && u != "root" && regexp.MustCompile(`^[0-9]+$`).MatchString(u)
		case "ENTRYPOINT":
			entry = strings.Contains(i.args, "/usr/local/bin/serve")
		}
	}
	if !copied || !user || !entry {
		t.Errorf("final stage: binary copied from the build stage %v, numeric non-root USER %v, ENTRYPOINT serve %v", copied, user, entry)
	}
	b, err := os.ReadFile(dockerfile)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range regexp.MustCompile(`(?m)^FROM\s+(\S+)`).FindAllStringSubmatch(string(b), -1) {
		if !strings.Contains(m[1], ":") || strings.HasSuffix(m[1], ":latest") {
			t.Errorf("FROM %s is not pinned", m[1])
		}
	}
}

// TestComposeServe: the serve service runs only with its profile, is
// built from docker/serve/Dockerfile, serves SERVE_MODEL from the
// compose MLflow once it is healthy, publishes on 127.0.0.1 only and is
// health-checked by the binary itself (the image has no shell).
func TestComposeServe(t *testing.T) {
	if _, err := load(t).GetService("serve"); err == nil {
		t.Error("serve runs without its profile")
	}
	p := load(t, "serve")
	s := service(t, p, "serve")
	if s.Build == nil || s.Build.Dockerfile != "docker/serve/Dockerfile" {
		t.Errorf("serve is not built from docker/serve/Dockerfile: %+v", s.Build)
	}
	cmd := strings.Join(s.Command, " ")
	for _, want := range []string{"--model models:/diabetes-xgb@champion", "--host 0.0.0.0", "--port 8080", "--poll"} {
		if !strings.Contains(cmd, want) {
			t.Errorf("serve command %q lacks %q", cmd, want)
		}
	}
	if v := s.Environment["MLFLOW_TRACKING_URI"]; v == nil || *v != "http://mlflow:5000" {
		t.Errorf("MLFLOW_TRACKING_URI = %v", v)
	}
	if d, ok := s.DependsOn["mlflow"]; !ok || d.Condition != types.ServiceConditionHealthy {
		t.Errorf("serve depends_on mlflow = %+v, want healthy", d)
	}
	if len(s.Ports) != 1 || s.Ports[0].HostIP != "127.0.0.1" || s.Ports[0].Published != "8080" || s.Ports[0].Target != 8080 {
		t.Errorf("serve ports = %+v, want 127.0.0.1:8080:8080", s.Ports)
	}
	if h := s.HealthCheck; h == nil || !slices.Equal(h.Test, types.HealthCheckTest{"CMD", "/usr/local/bin/serve", "ping", "http://127.0.0.1:8080"}) {
		t.Errorf("serve healthcheck = %+v, want the binary's ping", h)
	}
	// The defaults are .env.example's.
	bare := service(t, loadWith(t, "", nil, "serve"), "serve")
	if strings.Join(bare.Command, " ") != cmd || bare.Ports[0].Published != s.Ports[0].Published {
		t.Errorf("serve differs without .env and with .env.example: %v %v", bare.Command, bare.Ports)
	}
}
