package docker_test

import (
	"bufio"
	"debug/elf"
	"io/fs"
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

// instruction is one Dockerfile instruction, continuation lines joined.
type instruction struct {
	line int // first line, 1-based
	op   string
	args string
}

func parseDockerfile(t *testing.T, path string) []instruction {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []instruction
	var cur strings.Builder
	start, n := 0, 0
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		n++
		l := strings.TrimSpace(sc.Text())
		if l == "" || strings.HasPrefix(l, "#") {
			continue
		}
		if cur.Len() == 0 {
			start = n
		}
		if cont, ok := strings.CutSuffix(l, `\`); ok {
			cur.WriteString(cont + " ")
			continue
		}
		cur.WriteString(l)
		op, args, _ := strings.Cut(cur.String(), " ")
		out = append(out, instruction{line: start, op: strings.ToUpper(op), args: strings.TrimSpace(args)})
		cur.Reset()
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// stage returns the instructions of the stage named name (after its FROM).
func stage(ins []instruction, name string) []instruction {
	var out []instruction
	in := false
	for _, i := range ins {
		if i.op == "FROM" {
			f := strings.Fields(i.args)
			in = len(f) == 3 && strings.EqualFold(f[1], "AS") && f[2] == name
			continue
		}
		if in {
			out = append(out, i)
		}
	}
	return out
}

// replayStage replays the stage named name of a Dockerfile on this
// machine and returns the folder that stands for the image's /out: a
// folder holding only what its COPY lines copy from the context (the
// repository root), its ENV, and its RUN lines (cache mounts dropped,
// /out/ moved into the test's folder). A file the build needs but the
// image leaves out fails here as it would in docker build.
func replayStage(t *testing.T, dockerfile, name string) (outDir string) {
	t.Helper()
	build := stage(parseDockerfile(t, dockerfile), name)
	if len(build) == 0 {
		t.Fatalf("%s has no stage named %s", dockerfile, name)
	}
	root := t.TempDir()
	src := filepath.Join(root, "src")
	outDir = filepath.Join(root, "out")
	work := src
	env := append(os.Environ(), "GOTOOLCHAIN=local")
	mount := regexp.MustCompile(`^--mount=\S+\s+`)
	for _, i := range build {
		switch i.op {
		case "WORKDIR":
			work = filepath.Join(root, filepath.Base(i.args))
			if err := os.MkdirAll(work, 0o755); err != nil {
				t.Fatal(err)
			}
		case "ENV":
			for _, kv := range strings.Fields(i.args) {
				if !strings.Contains(kv, "=") {
					t.Fatalf("%s:%d: ENV %q: use the KEY=VALUE form", dockerfile, i.line, kv)
				}
				env = append(env, kv)
			}
		case "COPY":
			f := strings.Fields(i.args)
			dst := filepath.Join(work, f[len(f)-1])
			for _, s := range f[:len(f)-1] {
				copyPath(t, filepath.Join("..", s), dst, strings.HasSuffix(f[len(f)-1], "/"))
			}
		case "RUN":
			cmdline := i.args
			for mount.MatchString(cmdline) {
				cmdline = mount.ReplaceAllString(cmdline, "")
			}
			cmdline = strings.ReplaceAll(cmdline, "/out/", outDir+"/")
			cmd := exec.Command("sh", "-c", cmdline)
			cmd.Dir, cmd.Env = work, env
			if out, err := cmd.CombinedOutput(); err != nil {
				t.Fatalf("%s:%d: RUN %s: %v\n%s", dockerfile, i.line, i.args, err, out)
			}
		default:
			t.Fatalf("%s:%d: %s in stage %s: teach this test what it does", dockerfile, i.line, i.op, name)
		}
	}
	return outDir
}

// TestIngestDockerfileBuilds replays the build stage of ingest/Dockerfile
// (replayStage). The binary must be static, as the distroless final stage
// has no libc, and small, and the final stage must run it as a non-root
// user.
func TestIngestDockerfileBuilds(t *testing.T) {
	testenv.SkipShort(t, "a build of the ingest binary")
	ins := parseDockerfile(t, "../ingest/Dockerfile")
	outDir := replayStage(t, "../ingest/Dockerfile", "build")
	bin := filepath.Join(outDir, "ingest")
	ef, err := elf.Open(bin)
	if err != nil {
		t.Fatalf("the build stage made no binary at /out/ingest: %v", err)
	}
	defer ef.Close()
	for _, p := range ef.Progs {
		if p.Type == elf.PT_INTERP {
			t.Error("/out/ingest is dynamically linked; the distroless static image has no libc")
		}
	}
	if out, err := exec.Command(bin, "-h").CombinedOutput(); err != nil || !strings.Contains(string(out), "-source") {
		t.Errorf("ingest -h: %v\n%s", err, out)
	}
	// A small image: distroless/static is about 2 MB, the binary the rest
	// (9.8 MB stripped today).
	if st, err := os.Stat(bin); err != nil {
		t.Error(err)
	} else if st.Size() > 24<<20 {
		t.Errorf("/out/ingest is %d bytes; want a stripped binary under 24 MiB", st.Size())
	}

	// The final stage: the binary from the build stage, a numeric
	// non-root user, a static base.
	var final []instruction
	for k, i := range ins {
		if i.op == "FROM" {
			final = ins[k:]
		}
	}
	if !strings.Contains(final[0].args, "distroless/static") {
		t.Errorf("final stage FROM %s: want a distroless static base", final[0].args)
	}
	var copied, user bool
	for _, i := range final[1:] {
		switch i.op {
		case "COPY":
			copied = copied || strings.HasPrefix(i.args, "--from=build /out/ingest ")
		case "USER":
			u, _, _ := strings.Cut(i.args, ":")
			user = u != "0" && u != "root" && regexp.MustCompile(`^[0-9]+$`).MatchString(u)
		}
	}
	if !copied || !user {
		t.Errorf("final stage: binary copied from the build stage %v, numeric non-root USER %v", copied, user)
	}
}

// copyPath copies the file or folder src to dst the way COPY does: a
// folder's contents go into dst; a file goes into dst when dst is a folder
// (ends in /).
func copyPath(t *testing.T, src, dst string, intoDir bool) {
	t.Helper()
	st, err := os.Stat(src)
	if err != nil {
		t.Fatalf("COPY %s: %v", src, err)
	}
	if !st.IsDir() {
		if intoDir {
			dst = filepath.Join(dst, filepath.Base(src))
		}
		writeCopy(t, src, dst)
		return
	}
	err = filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		writeCopy(t, p, filepath.Join(dst, rel))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func writeCopy(t *testing.T, src, dst string) {
	t.Helper()
	b, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(dst, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestJupyterDockerfileTools replays the tools stage of the Jupyter image
// (replayStage): GoNB, goimports and gopls must build from the pinned
// go.mod files it copies and run.
func TestJupyterDockerfileTools(t *testing.T) {
	testenv.SkipShort(t, "builds of GoNB, goimports and gopls")
	out := replayStage(t, "../docker/jupyter/Dockerfile", "tools")
	for _, c := range [][]string{{"gonb", "--help"}, {"goimports", "-h"}, {"gopls", "version"}} {
		cmd := exec.Command(filepath.Join(out, c[0]), c[1:]...)
		b, err := cmd.CombinedOutput()
		if len(b) == 0 {
			t.Errorf("%s %s: no output (%v)", c[0], c[1], err)
		}
	}
}

// finalStage returns the instructions of a Dockerfile's last stage, its
// FROM first.
func finalStage(ins []instruction) []instruction {
	var final []instruction
	for k, i := range ins {
		if i.op == "FROM" {
			final = ins[k:]
		}
	}
	return final
}

// TestJupyterDockerfilePythonPins: the runtime stage installs its Python
// packages with requirements-dev.txt, the file the tests run against, as a
// constraints file (it pins their dependencies too), and every package it
// names is pinned there, mlflow, xgboost and pandas among them (pyfunc
// loading of a model bundle inside the stack). scripts/compose-test.sh
// checks the versions in the built image.
func TestJupyterDockerfilePythonPins(t *testing.T) {
	req, err := os.ReadFile("../requirements-dev.txt")
	if err != nil {
		t.Fatal(err)
	}
	pinned := map[string]string{}
	for _, m := range regexp.MustCompile(`(?m)^([A-Za-z0-9_.-]+)==(\S+)`).FindAllStringSubmatch(string(req), -1) {
		pinned[strings.ToLower(m[1])] = m[2]
	}
	final := finalStage(parseDockerfile(t, "../docker/jupyter/Dockerfile"))
	constraints := ""
	for _, i := range final {
		if i.op == "COPY" {
			if f := strings.Fields(i.args); len(f) == 2 && f[0] == "requirements-dev.txt" {
				constraints = f[1]
			}
		}
	}
	if constraints == "" {
		t.Fatal("the runtime stage does not COPY requirements-dev.txt (the pins) into the image")
	}
	installed := map[string]bool{}
	for _, i := range final {
		if i.op != "RUN" {
			continue
		}
		for _, cmd := range strings.Split(i.args, "&&") {
			f := strings.Fields(cmd)
			k := slices.Index(f, "install")
			if k < 1 || !strings.HasSuffix(f[k-1], "pip") {
				continue
			}
			if !slices.Contains(f, "-c") || f[slices.Index(f, "-c")+1] != constraints {
				t.Errorf("line %d: %s: want -c %s (requirements-dev.txt as constraints)", i.line, strings.TrimSpace(cmd), constraints)
			}
			for _, a := range f[k+1:] {
				if strings.HasPrefix(a, "-") || a == constraints {
					continue
				}
				name := strings.ToLower(a)
				if strings.ContainsAny(name, "=<>") {
					t.Errorf("line %d: installs %s: name the package and let requirements-dev.txt pin it", i.line, a)
					continue
				}
				installed[name] = true
				if pinned[name] == "" {
					t.Errorf("line %d: installs %s, which requirements-dev.txt does not pin", i.line, a)
				}
			}
		}
	}
	for _, want := range []string{"jupyterlab", "nbconvert", "mlflow", "xgboost", "pandas"} {
		if !installed[want] {
			t.Errorf("the runtime stage does not install %s", want)
		}
	}
}

// TestJupyterDockerfileUser: the notebook user and its caches, as the
// compose service mounts them. The user's ids are the build args UID and
// GID, which compose sets from JUPYTER_UID/JUPYTER_GID; GOMODCACHE and
// GOCACHE lie under the targets of the service's named volumes; and every
// such target is created by the notebook user in the image, because Docker
// mounts a new named volume at a path the image lacks as root (podman
// chowns it), and a root-owned cache is one the user cannot write.
func TestJupyterDockerfileUser(t *testing.T) {
	final := finalStage(parseDockerfile(t, "../docker/jupyter/Dockerfile"))
	args, env := map[string]bool{}, map[string]string{}
	user, home := "", ""
	var made []string // directories created as the notebook user
	for _, i := range final {
		switch i.op {
		case "ARG":
			name, _, _ := strings.Cut(i.args, "=")
			args[name] = true
		case "ENV":
			for _, kv := range strings.Fields(i.args) {
				k, v, _ := strings.Cut(kv, "=")
				env[k] = v
			}
		case "USER":
			user = i.args
		case "RUN":
			if m := regexp.MustCompile(`useradd .*--uid \$\{UID\} .*--gid \$\{GID\} .*\b([a-z_][a-z0-9_-]*)$`).FindStringSubmatch(strings.Split(i.args, "&&")[len(strings.Split(i.args, "&&"))-1]); m != nil {
				home = "/home/" + m[1]
				if !strings.Contains(i.args, "--create-home") {
					t.Errorf("line %d: useradd without --create-home", i.line)
				}
			}
			if user != "" && user != "root" {
				for _, cmd := range strings.Split(i.args, "&&") {
					if f := strings.Fields(cmd); len(f) > 2 && f[0] == "mkdir" && f[1] == "-p" {
						made = append(made, f[2:]...)
					}
				}
			}
		}
	}
	if !args["UID"] || !args["GID"] {
		t.Errorf("the runtime stage lacks ARG UID and ARG GID (the notebook user's ids): %v", args)
	}
	if home == "" {
		t.Fatal("no `useradd --create-home --uid ${UID} --gid ${GID} NAME` as the last command of a RUN line")
	}
	if user != filepath.Base(home) {
		t.Errorf("USER %s, want the notebook user %s", user, filepath.Base(home))
	}

	s := service(t, load(t), "jupyter")
	targets := map[string]bool{}
	for _, v := range s.Volumes {
		if v.Type == types.VolumeTypeVolume {
			targets[v.Target] = true
			if !strings.HasPrefix(v.Target, home+"/") {
				t.Errorf("volume %s at %s: outside the notebook user's home %s", v.Source, v.Target, home)
			}
			if !slices.ContainsFunc(made, func(d string) bool { return d == v.Target || strings.HasPrefix(d, v.Target+"/") }) {
				t.Errorf("volume %s at %s: the image does not create it as the notebook user (mkdir -p it, or a folder in it, after USER): Docker would mount it root-owned", v.Source, v.Target)
			}
		}
	}
	for _, k := range []string{"GOMODCACHE", "GOCACHE"} {
		dir := env[k]
		if dir == "" {
			t.Errorf("ENV %s is not set", k)
			continue
		}
		onVolume := false
		for tg := range targets {
			onVolume = onVolume || dir == tg || strings.HasPrefix(dir, tg+"/")
		}
		if !onVolume {
			t.Errorf("%s=%s is on no named volume of the jupyter service %v: the cache would not outlive the container", k, dir, targets)
		}
		if !slices.Contains(made, dir) {
			t.Errorf("%s=%s is not created as the notebook user", k, dir)
		}
	}

	// The ids come from .env: compose-go resolves the build args.
	if s.Build == nil || s.Build.Args["UID"] == nil || *s.Build.Args["UID"] != "1000" || s.Build.Args["GID"] == nil || *s.Build.Args["GID"] != "1000" {
		t.Fatalf("jupyter build args = %v, want UID and GID 1000 from .env.example", s.Build)
	}
	if a := service(t, loadEnv(t, []string{"JUPYTER_UID=1234", "JUPYTER_GID=2345"}), "jupyter").Build.Args; a["UID"] == nil || *a["UID"] != "1234" || a["GID"] == nil || *a["GID"] != "2345" {
		t.Errorf("with JUPYTER_UID=1234 JUPYTER_GID=2345 the build args are %v", a)
	}
}
