package stack

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// Config is the native stack's configuration (cmd/stack): where it keeps
// its state, the ports it serves on, the credentials and names of its
// services, and the tools it runs. Default gives the values
// .env.example publishes (a test holds the two equal); Load reads .env as
// compose does on top of them (LoadEnv); Validate checks the result.
type Config struct {
	Root string // the repository: JupyterLab serves it, .env is read there
	Dir  string // logs, data and pid files: Root/.stack, or $MLSTACK_STACK_DIR
	Env  Env    // every variable of .env.example and .env, resolved

	MinIOPort, MinIOConsolePort, MLflowPort, PostgresPort, JupyterPort int

	MinIOUser, MinIOPassword string // MINIO_ROOT_USER, MINIO_ROOT_PASSWORD
	JupyterToken             string // JUPYTER_TOKEN
	PostgresUser, PostgresDB string // POSTGRES_USER, POSTGRES_DB
	BucketData, BucketMLflow string // BUCKET_DATA, BUCKET_MLFLOW
	// Postgres is COMPOSE_PROFILES holding "postgres": MLflow's backend
	// store is then PostgreSQL instead of SQLite.
	Postgres bool
	// MLflowWorkers is MLFLOW_WORKERS; 0 sizes them to the machine.
	MLflowWorkers int
	// MLflowJobs is MLFLOW_SERVER_ENABLE_JOB_EXECUTION.
	MLflowJobs bool

	// The tools, located by scripts/deps.sh (make stack-up).
	MinIOBin string // MLSTACK_MINIO
	Venv     string // MLSTACK_VENV: MLflow, JupyterLab
	GoTools  string // MLSTACK_GOTOOLS: GoNB
}

// Default is the configuration of a stack in root with nothing set: the
// values of .env.example.
func Default(root string) Config {
	return Config{
		Root: root, Dir: filepath.Join(root, ".stack"), Env: Env{},
		MinIOPort: 9000, MinIOConsolePort: 9001, MLflowPort: 5000, PostgresPort: 5432, JupyterPort: 8888,
		MinIOUser: "minioadmin", MinIOPassword: "minioadmin-change-me",
		JupyterToken: "mlstack-change-me",
		PostgresUser: "mlflow", PostgresDB: "mlflow",
		BucketData: "data-bucket", BucketMLflow: "mlflow",
	}
}

// ConfigError is a configuration the user can fix: a malformed .env, a
// variable with a bad value. cmd/stack exits with 2 on it.
type ConfigError struct {
	Var string // the variable, or "" for a file
	Err error
}

func (e *ConfigError) Error() string {
	if e.Var == "" {
		return e.Err.Error()
	}
	return e.Var + ": " + e.Err.Error()
}

func (e *ConfigError) Unwrap() error { return e.Err }

// Load reads the configuration of the stack in root: Default, then the
// dotenv files compose would read (COMPOSE_ENV_FILES, comma-separated and
// relative to root, each required; else root/.env, optional) over
// root/.env.example with compose-go's dotenv rules and the process
// environment (LoadEnv), and MLSTACK_STACK_DIR, MLSTACK_MINIO,
// MLSTACK_VENV and MLSTACK_GOTOOLS from getenv (os.Getenv when nil).
// Errors are *ConfigError; the Config returned with one still has its Dir
// (unless the error is MLSTACK_STACK_DIR's), which is all `stack down`
// needs. Load does not Validate.
func Load(root string, getenv func(string) string) (Config, error) {
	if getenv == nil {
		getenv = os.Getenv
	}
	c := Default(root)
	// The state folder first: `stack down` needs it even when the rest of
	// the configuration is wrong.
	if d := getenv("MLSTACK_STACK_DIR"); d != "" {
		var err error
		if c.Dir, err = filepath.Abs(d); err != nil {
			return c, &ConfigError{Var: "MLSTACK_STACK_DIR", Err: err}
		}
	}
	c.MinIOBin, c.Venv, c.GoTools = getenv("MLSTACK_MINIO"), getenv("MLSTACK_VENV"), getenv("MLSTACK_GOTOOLS")
	files, err := envFiles(root, getenv("COMPOSE_ENV_FILES"))
	if err != nil {
		return c, &ConfigError{Var: "COMPOSE_ENV_FILES", Err: err}
	}
	env, err := LoadEnv(filepath.Join(root, ".env.example"), files...)
	if err != nil {
		return c, &ConfigError{Err: err}
	}
	c.Env = env
	var errs []error
	port := func(key string, p *int) {
		if v := env[key]; v != "" {
			n, err := strconv.Atoi(v)
			if err != nil || n < 1 || n > 65535 {
				errs = append(errs, &ConfigError{Var: key, Err: fmt.Errorf("%q is not a port (1-65535)", v)})
				return
			}
			*p = n
		}
	}
	port("MINIO_PORT", &c.MinIOPort)
	port("MINIO_CONSOLE_PORT", &c.MinIOConsolePort)
	port("MLFLOW_PORT", &c.MLflowPort)
	port("POSTGRES_PORT", &c.PostgresPort)
	port("JUPYTER_PORT", &c.JupyterPort)
	for key, p := range map[string]*string{
		"MINIO_ROOT_USER": &c.MinIOUser, "MINIO_ROOT_PASSWORD": &c.MinIOPassword, "JUPYTER_TOKEN": &c.JupyterToken,
		"POSTGRES_USER": &c.PostgresUser, "POSTGRES_DB": &c.PostgresDB,
		"BUCKET_DATA": &c.BucketData, "BUCKET_MLFLOW": &c.BucketMLflow,
	} {
		*p = env.Get(key, *p)
	}
	for _, p := range strings.Split(env["COMPOSE_PROFILES"], ",") {
		c.Postgres = c.Postgres || strings.TrimSpace(p) == "postgres"
	}
	if v := env["MLFLOW_WORKERS"]; v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			errs = append(errs, &ConfigError{Var: "MLFLOW_WORKERS", Err: fmt.Errorf("%q: want a number of processes (at least 1), or empty to size them to the machine", v)})
		}
		c.MLflowWorkers = n
	}
	if v := env["MLFLOW_SERVER_ENABLE_JOB_EXECUTION"]; v != "" {
		b, err := strconv.ParseBool(v)
		if err != nil {
			errs = append(errs, &ConfigError{Var: "MLFLOW_SERVER_ENABLE_JOB_EXECUTION", Err: fmt.Errorf("%q: want true or false", v)})
		}
		c.MLflowJobs = b
	}
	return c, errors.Join(errs...)
}

// envFiles returns the dotenv files to read, as compose chooses them:
// list (COMPOSE_ENV_FILES: comma-separated, relative to root; each must
// exist), else root's .env (optional).
func envFiles(root, list string) ([]string, error) {
	if list == "" {
		return []string{filepath.Join(root, ".env")}, nil
	}
	var files []string
	for _, f := range strings.Split(list, ",") {
		if !filepath.IsAbs(f) {
			f = filepath.Join(root, f)
		}
		if _, err := os.Stat(f); err != nil {
			return nil, err
		}
		files = append(files, f)
	}
	return files, nil
}

// Validate checks what Load cannot check one variable at a time: the
// ports of the services that run are distinct, and the names and
// credentials they need are set. Errors are *ConfigError.
func (c Config) Validate() error {
	var errs []error
	seen := map[int]string{}
	for _, p := range []struct {
		key  string
		port int
		used bool
	}{
		{"MINIO_PORT", c.MinIOPort, true}, {"MINIO_CONSOLE_PORT", c.MinIOConsolePort, true},
		{"MLFLOW_PORT", c.MLflowPort, true}, {"POSTGRES_PORT", c.PostgresPort, c.Postgres}, {"JUPYTER_PORT", c.JupyterPort, true},
	} {
		if !p.used {
			continue
		}
		if p.port < 1 || p.port > 65535 {
			errs = append(errs, &ConfigError{Var: p.key, Err: fmt.Errorf("%d is not a port (1-65535)", p.port)})
		} else if other, ok := seen[p.port]; ok {
			errs = append(errs, &ConfigError{Var: p.key, Err: fmt.Errorf("port %d is %s's too", p.port, other)})
		}
		seen[p.port] = p.key
	}
	for _, v := range []struct{ key, val string }{
		{"MINIO_ROOT_USER", c.MinIOUser}, {"MINIO_ROOT_PASSWORD", c.MinIOPassword}, {"JUPYTER_TOKEN", c.JupyterToken},
		{"BUCKET_DATA", c.BucketData}, {"BUCKET_MLFLOW", c.BucketMLflow},
	} {
		if v.val == "" {
			errs = append(errs, &ConfigError{Var: v.key, Err: errors.New("is empty")})
		}
	}
	if len(c.MinIOPassword) > 0 && len(c.MinIOPassword) < 8 {
		errs = append(errs, &ConfigError{Var: "MINIO_ROOT_PASSWORD", Err: errors.New("MinIO wants at least 8 characters")})
	}
	if c.Postgres && (c.PostgresUser == "" || c.PostgresDB == "") {
		errs = append(errs, &ConfigError{Var: "POSTGRES_USER", Err: errors.New("POSTGRES_USER and POSTGRES_DB must be set with COMPOSE_PROFILES=postgres")})
	}
	if c.MLflowWorkers < 0 {
		errs = append(errs, &ConfigError{Var: "MLFLOW_WORKERS", Err: fmt.Errorf("%d: want at least 1, or 0 to size them to the machine", c.MLflowWorkers)})
	}
	return errors.Join(errs...)
}

// Addr is 127.0.0.1:port, where every service listens.
func Addr(port int) string { return "127.0.0.1:" + strconv.Itoa(port) }
