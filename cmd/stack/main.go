// Command stack runs the workbench's services natively on 127.0.0.1 — the
// same services, variables, buckets and ports as docker-compose.yml, without
// Docker:
//
//	stack up       start MinIO, MLflow (SQLite, or PostgreSQL with COMPOSE_PROFILES=postgres) and JupyterLab
//	stack down     stop them; no process is left behind
//	stack status   show what runs where
//	stack env      print the clients' variables for a shell: eval "$(bin/stack env)"
//
// Configuration is read as compose reads it (stack.LoadEnv): .env (or the
// files COMPOSE_ENV_FILES lists, as with compose) and the environment, with
// .env.example's values as defaults; client URLs derive from the ports.
// Logs, data and pid files live under .stack/ in the repository
// ($MLSTACK_STACK_DIR when set). JupyterLab serves the repository.
// `make stack-up` builds the tools first (scripts/setup-*.sh) and passes
// their locations in MLSTACK_MINIO, MLSTACK_VENV and MLSTACK_GOTOOLS.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"os/signal"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"text/tabwriter"
	"time"

	"github.com/mlstack/mlstack/internal/crash"
	"github.com/mlstack/mlstack/internal/redact"
	"github.com/mlstack/mlstack/internal/seedenv"
	"github.com/mlstack/mlstack/internal/stack"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	os.Exit(run(ctx, os.Args[1:], os.Stdout, os.Stderr))
}

const usage = "usage: stack up|down|status|env"

// Exit codes: 0 done, 1 failure, 2 usage or an invalid .env, 3 internal
// error (a bug: the message names the file holding the stack).
func run(ctx context.Context, args []string, stdout, stderr io.Writer) (code int) {
	defer crash.Handle(stderr, "stack", &code)
	if len(args) != 1 {
		fmt.Fprintln(stderr, usage)
		return 2
	}
	root, err := os.Getwd()
	if err != nil {
		fmt.Fprintln(stderr, "stack:", err)
		return 1
	}
	envFiles, err := envFiles(root)
	if err != nil {
		fmt.Fprintln(stderr, "stack:", err)
		return 2
	}
	env, err := stack.LoadEnv(filepath.Join(root, ".env.example"), envFiles...)
	if err != nil {
		fmt.Fprintln(stderr, "stack:", err)
		return 2 // a configuration the user can fix
	}
	dir := filepath.Join(root, ".stack")
	if d := os.Getenv("MLSTACK_STACK_DIR"); d != "" {
		if dir, err = filepath.Abs(d); err != nil {
			fmt.Fprintln(stderr, "stack: MLSTACK_STACK_DIR:", err)
			return 2
		}
	}
	s := &native{root: root, dir: dir, env: env, out: stdout}
	if args[0] == "up" {
		example, err := stack.ReadEnvFile(filepath.Join(root, ".env.example"))
		if err != nil {
			fmt.Fprintln(stderr, "stack:", err)
			return 2
		}
		if v := env["MLFLOW_BACKEND"]; v != "" {
			fmt.Fprintf(stderr, "stack: MLFLOW_BACKEND=%s is no longer read: COMPOSE_PROFILES=postgres is the one switch for PostgreSQL (as compose's --profile postgres)\n", v)
		}
		warnDefaults(stderr, env, example, s.services())
	}
	switch args[0] {
	case "up":
		err = s.up(ctx)
	case "down":
		err = s.down()
	case "status":
		err = s.status(ctx)
	case "env":
		err = s.printEnv()
	default:
		fmt.Fprintln(stderr, usage)
		return 2
	}
	if err != nil {
		var inUse *stack.PortInUseError
		if errors.As(err, &inUse) {
			fmt.Fprintf(stderr, "stack: %v: stop what uses it or set %s in .env\n", err, portVar[inUse.Service])
			return 1
		}
		fmt.Fprintln(stderr, "stack:", err)
		return 1
	}
	return 0
}

// envFiles returns the dotenv files to read, as compose chooses them:
// COMPOSE_ENV_FILES (comma-separated, relative to root; each must exist),
// else root's .env (optional).
func envFiles(root string) ([]string, error) {
	v := os.Getenv("COMPOSE_ENV_FILES")
	if v == "" {
		return []string{filepath.Join(root, ".env")}, nil
	}
	var files []string
	for _, f := range strings.Split(v, ",") {
		if !filepath.IsAbs(f) {
			f = filepath.Join(root, f)
		}
		if _, err := os.Stat(f); err != nil {
			return nil, fmt.Errorf("COMPOSE_ENV_FILES: %w", err)
		}
		files = append(files, f)
	}
	return files, nil
}

// portVar names the variable that moves each service's port.
var portVar = map[string]string{
	"minio": "MINIO_PORT (and MINIO_CONSOLE_PORT)", "mlflow": "MLFLOW_PORT",
	"postgres": "POSTGRES_PORT", "jupyter": "JUPYTER_PORT",
}

type native struct {
	root, dir string
	env       stack.Env
	out       io.Writer
}

func (s *native) addr(portKey, def string) string {
	return "127.0.0.1:" + s.env.Get(portKey, def)
}

func (s *native) pidFile(name string) string { return filepath.Join(s.dir, name+".pid") }

// running returns the pid of a live service started earlier, or 0.
func (s *native) running(name string) int {
	b, err := os.ReadFile(s.pidFile(name))
	if err != nil {
		return 0
	}
	pid, _ := strconv.Atoi(strings.TrimSpace(string(b)))
	if !stack.Alive(pid) {
		return 0
	}
	return pid
}

func (s *native) services() []string {
	if s.postgres() {
		return []string{"minio", "postgres", "mlflow", "jupyter"}
	}
	return []string{"minio", "mlflow", "jupyter"}
}

// postgres reports whether the "postgres" profile is on: compose's
// COMPOSE_PROFILES, the one switch for MLflow's backend store.
func (s *native) postgres() bool {
	for _, p := range strings.Split(s.env["COMPOSE_PROFILES"], ",") {
		if strings.TrimSpace(p) == "postgres" {
			return true
		}
	}
	return false
}

func (s *native) up(ctx context.Context) error {
	// .stack holds mlflow.db, the logs (jupyter.log), MinIO's objects and
	// credentials: the owner's only, also when made by an earlier version.
	if err := os.MkdirAll(s.dir, 0o700); err != nil {
		return err
	}
	if err := os.Chmod(s.dir, 0o700); err != nil {
		return err
	}
	minioSpec := stack.MinIO{
		Bin: os.Getenv("MLSTACK_MINIO"), DataDir: filepath.Join(s.dir, "minio", "data"),
		Addr: s.addr("MINIO_PORT", "9000"), ConsoleAddr: s.addr("MINIO_CONSOLE_PORT", "9001"),
		User: s.env.Get("MINIO_ROOT_USER", "minioadmin"), Password: s.env.Get("MINIO_ROOT_PASSWORD", "minioadmin-change-me"),
	}
	pg := stack.Postgres{DataDir: filepath.Join(s.dir, "postgres", "data"), User: s.env.Get("POSTGRES_USER", "mlflow")}
	pg.Port, _ = strconv.Atoi(s.env.Get("POSTGRES_PORT", "5432"))
	for _, name := range s.services() {
		if pid := s.running(name); pid != 0 {
			fmt.Fprintf(s.out, "%-9s already running (pid %d)\n", name, pid)
			continue
		}
		logDir := filepath.Join(s.dir, name)
		if err := os.MkdirAll(logDir, 0o700); err != nil {
			return err
		}
		if err := os.Chmod(logDir, 0o700); err != nil {
			return err
		}
		logPath := filepath.Join(logDir, name+".log")
		var p *stack.Process
		var err error
		switch name {
		case "minio":
			if minioSpec.Bin == "" {
				return errors.New("MLSTACK_MINIO is not set: run `make stack-up` (it builds MinIO first)")
			}
			p, err = minioSpec.Start(ctx, logPath, true)
		case "postgres":
			if pg.BinDir, err = stack.FindPostgresBin(); err != nil {
				return err
			}
			if p, err = pg.Start(ctx, logPath, true); err == nil {
				err = pg.CreateDatabase(ctx, s.env.Get("POSTGRES_DB", "mlflow"))
			}
		case "mlflow":
			p, err = s.startMLflow(ctx, minioSpec, pg, logPath)
		case "jupyter":
			p, err = s.startJupyter(ctx, logPath)
		}
		if err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
		if err := os.WriteFile(s.pidFile(name), []byte(strconv.Itoa(p.Cmd.Process.Pid)+"\n"), 0o600); err != nil {
			return err
		}
		fmt.Fprintf(s.out, "%-9s started (pid %d), log %s\n", name, p.Cmd.Process.Pid, rel(s.root, logPath))
	}
	// Buckets are ensured on every up, so a wiped bucket comes back.
	if err := minioSpec.EnsureBuckets(ctx, s.env.Get("BUCKET_DATA", "data-bucket"), s.env.Get("BUCKET_MLFLOW", "mlflow")); err != nil {
		return err
	}
	fmt.Fprintln(s.out)
	return s.status(ctx)
}

func (s *native) startMLflow(ctx context.Context, m stack.MinIO, pg stack.Postgres, logPath string) (*stack.Process, error) {
	venv := os.Getenv("MLSTACK_VENV")
	if venv == "" {
		return nil, errors.New("MLSTACK_VENV is not set: run `make stack-up` (it installs MLflow first)")
	}
	if err := m.EnsureBuckets(ctx, s.env.Get("BUCKET_MLFLOW", "mlflow")); err != nil {
		return nil, err
	}
	db := filepath.Join(s.dir, "mlflow", "mlflow.db")
	backend := "sqlite:///" + db
	if s.postgres() {
		backend = pg.URI(s.env.Get("POSTGRES_DB", "mlflow"))
	} else {
		// SQLite keeps the mode of an existing file: create it 0600.
		f, err := os.OpenFile(db, os.O_CREATE|os.O_RDONLY, 0o600)
		if err != nil {
			return nil, err
		}
		f.Close()
		if err := os.Chmod(db, 0o600); err != nil {
			return nil, err
		}
	}
	workers := 0 // sized to the machine
	if v := s.env["MLFLOW_WORKERS"]; v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			return nil, fmt.Errorf("MLFLOW_WORKERS=%q: want a number of processes (at least 1), or empty to size them to the machine", v)
		}
		workers = n
	}
	jobs, err := strconv.ParseBool(s.env.Get("MLFLOW_SERVER_ENABLE_JOB_EXECUTION", "false"))
	if err != nil {
		return nil, fmt.Errorf("MLFLOW_SERVER_ENABLE_JOB_EXECUTION=%q: want true or false", s.env["MLFLOW_SERVER_ENABLE_JOB_EXECUTION"])
	}
	spec := stack.MLflow{
		Venv: venv, Addr: s.addr("MLFLOW_PORT", "5000"), BackendURI: backend,
		ArtifactsDestination: "s3://" + s.env.Get("BUCKET_MLFLOW", "mlflow"),
		S3Endpoint:           "http://" + m.Addr, AccessKey: m.User, SecretKey: m.Password,
		Workers: workers, JobExecution: jobs,
		Dir: filepath.Dir(logPath),
	}
	return spec.Start(ctx, logPath, true)
}

func (s *native) startJupyter(ctx context.Context, logPath string) (*stack.Process, error) {
	venv, gotools := os.Getenv("MLSTACK_VENV"), os.Getenv("MLSTACK_GOTOOLS")
	if venv == "" || gotools == "" {
		return nil, errors.New("MLSTACK_VENV or MLSTACK_GOTOOLS is not set: run `make stack-up` (it installs JupyterLab and GoNB first)")
	}
	spec := stack.Jupyter{
		Venv: venv, GoTools: gotools, Addr: s.addr("JUPYTER_PORT", "8888"),
		Root: s.root, Token: s.env.Get("JUPYTER_TOKEN", "mlstack-change-me"),
		DataDir: filepath.Join(s.dir, "jupyter"),
		Env:     s.clientEnv(),
	}
	return spec.Start(ctx, logPath, true)
}

// clientEnv is what notebooks see: the configuration, with the client
// settings set to what the stack really serves (the MLflow and MinIO
// addresses it listens on, MinIO's credentials), whatever .env says about
// them; the seed project's names for them are left out.
func (s *native) clientEnv() []string {
	env := maps.Clone(s.env)
	for _, a := range seedenv.Aliases {
		delete(env, a.Seed)
	}
	env["MLFLOW_TRACKING_URI"] = "http://" + s.addr("MLFLOW_PORT", "5000")
	env["MLFLOW_S3_ENDPOINT_URL"] = "http://" + s.addr("MINIO_PORT", "9000")
	env["AWS_ACCESS_KEY_ID"] = s.env.Get("MINIO_ROOT_USER", "minioadmin")
	env["AWS_SECRET_ACCESS_KEY"] = s.env.Get("MINIO_ROOT_PASSWORD", "minioadmin-change-me")
	var out []string
	for _, k := range slices.Sorted(maps.Keys(env)) {
		out = append(out, k+"="+env[k])
	}
	return out
}

// printEnv writes clientEnv as shell assignments (export NAME='value'),
// for `eval "$(bin/stack env)"` before train, ingest or make notebooks.
func (s *native) printEnv() error {
	for _, kv := range s.clientEnv() {
		k, v, _ := strings.Cut(kv, "=")
		if _, err := fmt.Fprintf(s.out, "export %s='%s'\n", k, strings.ReplaceAll(v, "'", `'\''`)); err != nil {
			return err
		}
	}
	return nil
}

func (s *native) down() error {
	var errs []error
	for _, name := range []string{"jupyter", "mlflow", "postgres", "minio"} {
		pid := s.running(name)
		if pid == 0 {
			os.Remove(s.pidFile(name))
			continue
		}
		if err := stack.StopPID(pid, 15*time.Second, nil); err != nil {
			errs = append(errs, err)
			continue
		}
		os.Remove(s.pidFile(name))
		fmt.Fprintf(s.out, "%-9s stopped (pid %d)\n", name, pid)
	}
	return errors.Join(errs...)
}

func (s *native) status(ctx context.Context) error {
	tw := tabwriter.NewWriter(s.out, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "SERVICE\tSTATE\tPID\tURL")
	urls := map[string]string{
		"minio":    "http://" + s.addr("MINIO_PORT", "9000") + "  (console http://" + s.addr("MINIO_CONSOLE_PORT", "9001") + ")",
		"mlflow":   "http://" + s.addr("MLFLOW_PORT", "5000"),
		"postgres": "postgresql://" + s.addr("POSTGRES_PORT", "5432") + "/" + s.env.Get("POSTGRES_DB", "mlflow"),
		"jupyter":  "http://" + s.addr("JUPYTER_PORT", "8888") + "/lab  (token: JUPYTER_TOKEN in .env)",
	}
	for _, name := range s.services() {
		state, pid := "stopped", "-"
		if p := s.running(name); p != 0 {
			state, pid = "running", strconv.Itoa(p)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", name, state, pid, urls[name])
	}
	return tw.Flush()
}

// warnDefaults says, loudly, which secret variables still have the value
// .env.example gives them: anyone who reads the repository knows them.
// Values are never printed.
func warnDefaults(w io.Writer, env, example stack.Env, services []string) {
	uses := map[string]bool{}
	for _, s := range services {
		uses[s] = true
	}
	var names []string
	for _, k := range slices.Sorted(maps.Keys(example)) {
		if !redact.IsSecretName(k) || example[k] == "" || env[k] != example[k] {
			continue
		}
		if strings.HasPrefix(k, "POSTGRES_") && !uses["postgres"] {
			continue
		}
		names = append(names, k)
	}
	if len(names) == 0 {
		return
	}
	fmt.Fprintf(w, `
stack: WARNING: DEFAULT CREDENTIALS IN USE: %s
stack: WARNING: they are the values published in .env.example; anyone who can reach
stack: WARNING: these ports can log in. Set your own in .env (cp .env.example .env).

`, strings.Join(names, ", "))
}

func rel(root, path string) string {
	if r, err := filepath.Rel(root, path); err == nil && filepath.IsLocal(r) {
		return r
	}
	return path
}
