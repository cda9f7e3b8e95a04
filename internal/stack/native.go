package stack

import (
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/mlstack/mlstack/internal/redact"
	"github.com/mlstack/mlstack/internal/seedenv"
)

// Native supervises the stack of `make stack-up` (cmd/stack): the
// services run detached, their pids in Config.Dir/NAME.pid, so that a
// later `stack down` or `stack status` finds them.
type Native struct {
	Config
	Out io.Writer // progress and status
}

// PortVar names the variable that moves each service's port.
var PortVar = map[string]string{
	"minio": "MINIO_PORT (and MINIO_CONSOLE_PORT)", "mlflow": "MLFLOW_PORT",
	"postgres": "POSTGRES_PORT", "jupyter": "JUPYTER_PORT",
}

func (s *Native) pidFile(name string) string { return filepath.Join(s.Dir, name+".pid") }

// running returns the pid of a live service started earlier, or 0.
func (s *Native) running(name string) int {
	b, err := os.ReadFile(s.pidFile(name))
	if err != nil {
		return 0
	}
	pid, _ := strconv.Atoi(strings.TrimSpace(string(b)))
	if !Alive(pid) {
		return 0
	}
	return pid
}

// Services lists the services the configuration runs, in start order.
func (c Config) Services() []string {
	if c.Postgres {
		return []string{"minio", "postgres", "mlflow", "jupyter"}
	}
	return []string{"minio", "mlflow", "jupyter"}
}

// minio is the MinIO the configuration runs.
func (c Config) minio() MinIO {
	return MinIO{
		Bin: c.MinIOBin, DataDir: filepath.Join(c.Dir, "minio", "data"),
		Addr: Addr(c.MinIOPort), ConsoleAddr: Addr(c.MinIOConsolePort),
		User: c.MinIOUser, Password: c.MinIOPassword,
	}
}

// Up starts the services that are not running, ensures the buckets and
// prints the status.
func (s *Native) Up(ctx context.Context) error {
	// .stack holds mlflow.db, the logs (jupyter.log), MinIO's objects and
	// credentials: the owner's only, also when made by an earlier version.
	if err := privateDir(s.Dir); err != nil {
		return err
	}
	minioSpec := s.minio()
	pg := Postgres{DataDir: filepath.Join(s.Dir, "postgres", "data"), User: s.PostgresUser, Port: s.PostgresPort}
	for _, name := range s.Services() {
		if pid := s.running(name); pid != 0 {
			fmt.Fprintf(s.Out, "%-9s already running (pid %d)\n", name, pid)
			continue
		}
		logDir := filepath.Join(s.Dir, name)
		if err := privateDir(logDir); err != nil {
			return err
		}
		logPath := filepath.Join(logDir, name+".log")
		var p *Process
		var err error
		switch name {
		case "minio":
			if minioSpec.Bin == "" {
				return errors.New("MLSTACK_MINIO is not set: run `make stack-up` (it builds MinIO first)")
			}
			p, err = minioSpec.Start(ctx, logPath, true)
		case "postgres":
			if pg.BinDir, err = FindPostgresBin(); err != nil {
				return err
			}
			if p, err = pg.Start(ctx, logPath, true); err == nil {
				err = pg.CreateDatabase(ctx, s.PostgresDB)
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
		fmt.Fprintf(s.Out, "%-9s started (pid %d), log %s\n", name, p.Cmd.Process.Pid, rel(s.Root, logPath))
	}
	// Buckets are ensured on every up, so a wiped bucket comes back.
	if err := minioSpec.EnsureBuckets(ctx, s.BucketData, s.BucketMLflow); err != nil {
		return err
	}
	fmt.Fprintln(s.Out)
	return s.Status(ctx)
}

func (s *Native) startMLflow(ctx context.Context, m MinIO, pg Postgres, logPath string) (*Process, error) {
	if s.Venv == "" {
		return nil, errors.New("MLSTACK_VENV is not set: run `make stack-up` (it installs MLflow first)")
	}
	if err := m.EnsureBuckets(ctx, s.BucketMLflow); err != nil {
		return nil, err
	}
	db := filepath.Join(s.Dir, "mlflow", "mlflow.db")
	backend := "sqlite:///" + db
	if s.Postgres {
		backend = pg.URI(s.PostgresDB)
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
	spec := MLflow{
		Venv: s.Venv, Addr: Addr(s.MLflowPort), BackendURI: backend,
		ArtifactsDestination: "s3://" + s.BucketMLflow,
		S3Endpoint:           "http://" + m.Addr, AccessKey: m.User, SecretKey: m.Password,
		Workers: s.MLflowWorkers, JobExecution: s.MLflowJobs,
		Dir: filepath.Dir(logPath),
	}
	return spec.Start(ctx, logPath, true)
}

func (s *Native) startJupyter(ctx context.Context, logPath string) (*Process, error) {
	if s.Venv == "" || s.GoTools == "" {
		return nil, errors.New("MLSTACK_VENV or MLSTACK_GOTOOLS is not set: run `make stack-up` (it installs JupyterLab and GoNB first)")
	}
	spec := Jupyter{
		Venv: s.Venv, GoTools: s.GoTools, Addr: Addr(s.JupyterPort),
		Root: s.Root, Token: s.JupyterToken,
		DataDir: filepath.Join(s.Dir, "jupyter"),
		Env:     s.ClientEnv(),
	}
	return spec.Start(ctx, logPath, true)
}

// ClientEnv is what notebooks and `stack env` see: the configuration,
// with the client settings set to what the stack really serves (the
// MLflow and MinIO addresses it listens on, MinIO's credentials),
// whatever .env says about them; the seed project's names for them are
// left out. Sorted by name, NAME=value.
func (c Config) ClientEnv() []string {
	env := maps.Clone(c.Env)
	for _, a := range seedenv.Aliases {
		delete(env, a.Seed)
	}
	env["MLFLOW_TRACKING_URI"] = "http://" + Addr(c.MLflowPort)
	env["MLFLOW_S3_ENDPOINT_URL"] = "http://" + Addr(c.MinIOPort)
	env["AWS_ACCESS_KEY_ID"] = c.MinIOUser
	env["AWS_SECRET_ACCESS_KEY"] = c.MinIOPassword
	var out []string
	for _, k := range slices.Sorted(maps.Keys(env)) {
		out = append(out, k+"="+env[k])
	}
	return out
}

// PrintEnv writes ClientEnv as shell assignments (export NAME='value'),
// for `eval "$(bin/stack env)"` before train, ingest or make notebooks.
func (s *Native) PrintEnv() error {
	for _, kv := range s.ClientEnv() {
		k, v, _ := strings.Cut(kv, "=")
		if _, err := fmt.Fprintf(s.Out, "export %s='%s'\n", k, strings.ReplaceAll(v, "'", `'\''`)); err != nil {
			return err
		}
	}
	return nil
}

// Down stops every service started earlier; no process is left behind.
func (s *Native) Down() error {
	var errs []error
	for _, name := range []string{"jupyter", "mlflow", "postgres", "minio"} {
		pid := s.running(name)
		if pid == 0 {
			os.Remove(s.pidFile(name))
			continue
		}
		if err := StopPID(pid, 15*time.Second, nil); err != nil {
			errs = append(errs, err)
			continue
		}
		os.Remove(s.pidFile(name))
		fmt.Fprintf(s.Out, "%-9s stopped (pid %d)\n", name, pid)
	}
	return errors.Join(errs...)
}

// Status prints what runs where.
func (s *Native) Status(ctx context.Context) error {
	tw := tabwriter.NewWriter(s.Out, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "SERVICE\tSTATE\tPID\tURL")
	urls := map[string]string{
		"minio":    "http://" + Addr(s.MinIOPort) + "  (console http://" + Addr(s.MinIOConsolePort) + ")",
		"mlflow":   "http://" + Addr(s.MLflowPort),
		"postgres": "postgresql://" + Addr(s.PostgresPort) + "/" + s.PostgresDB,
		"jupyter":  "http://" + Addr(s.JupyterPort) + "/lab  (token: JUPYTER_TOKEN in .env)",
	}
	for _, name := range s.Services() {
		state, pid := "stopped", "-"
		if p := s.running(name); p != 0 {
			state, pid = "running", strconv.Itoa(p)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", name, state, pid, urls[name])
	}
	return tw.Flush()
}

// WarnDefaults says, loudly, which secret variables of the services that
// run still have the value example (.env.example) gives them: anyone who
// reads the repository knows them. Values are never printed.
func (c Config) WarnDefaults(w io.Writer, example Env) {
	uses := map[string]bool{}
	for _, s := range c.Services() {
		uses[s] = true
	}
	var names []string
	for _, k := range slices.Sorted(maps.Keys(example)) {
		if !redact.IsSecretName(k) || example[k] == "" || c.Env[k] != example[k] {
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
