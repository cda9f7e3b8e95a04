package stack

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"
)

// MinIO describes a MinIO server.
type MinIO struct {
	Bin         string // the minio binary (scripts/setup-minio.sh builds it)
	DataDir     string
	Addr        string // S3 API, e.g. 127.0.0.1:9000
	ConsoleAddr string // web console, e.g. 127.0.0.1:9001
	User        string // MINIO_ROOT_USER
	Password    string // MINIO_ROOT_PASSWORD (at least 8 characters)
}

// Start runs the server and waits until it is ready for requests.
func (m MinIO) Start(ctx context.Context, logPath string, detach bool) (*Process, error) {
	for _, a := range []string{m.Addr, m.ConsoleAddr} {
		if err := CheckPort("minio", a); err != nil {
			return nil, err
		}
	}
	// The objects and MinIO's credentials: the owner's only, also in a
	// data directory made by an earlier version.
	if err := privateDir(m.DataDir); err != nil {
		return nil, err
	}
	cmd := exec.Command(m.Bin, "server", m.DataDir, "--address", m.Addr, "--console-address", m.ConsoleAddr, "--quiet")
	cmd.Env = append(os.Environ(),
		"MINIO_ROOT_USER="+m.User, "MINIO_ROOT_PASSWORD="+m.Password,
		"MINIO_BROWSER_REDIRECT=off", "MINIO_UPDATE=off", "MINIO_CI_CD=1")
	p, err := start("minio", cmd, logPath, detach)
	if err != nil {
		return nil, err
	}
	// /minio/health/live answers 200 as soon as the listener is up, before
	// the object layer, bucket metadata and IAM are initialized (requests
	// then fail with "Server not initialized yet"); the cluster check
	// answers 503 until all three are.
	if err := p.waitHealthy(ctx, 60*time.Second, httpOK("http://"+m.Addr+MinIOReadyPath)); err != nil {
		p.Stop(5 * time.Second)
		return nil, err
	}
	return p, nil
}

// MinIOReadyPath is the MinIO health check that answers 200 only once the
// server can serve S3 requests.
const MinIOReadyPath = "/minio/health/cluster"

// Client returns a minio-go client for the server.
func (m MinIO) Client() (*minio.Client, error) {
	return minio.New(m.Addr, &minio.Options{Creds: credentials.NewStaticV4(m.User, m.Password, "")})
}

// EnsureBuckets creates the buckets that do not exist yet.
func (m MinIO) EnsureBuckets(ctx context.Context, buckets ...string) error {
	c, err := m.Client()
	if err != nil {
		return err
	}
	for _, b := range buckets {
		ok, err := c.BucketExists(ctx, b)
		if err != nil {
			return fmt.Errorf("minio: bucket %s: %w", b, err)
		}
		if ok {
			continue
		}
		if err := c.MakeBucket(ctx, b, minio.MakeBucketOptions{}); err != nil {
			if resp := minio.ToErrorResponse(err); resp.Code == "BucketAlreadyOwnedByYou" {
				continue
			}
			return fmt.Errorf("minio: create bucket %s: %w", b, err)
		}
	}
	return nil
}

// MLflow describes an MLflow tracking server serving artifacts from S3.
type MLflow struct {
	Venv                 string // virtualenv holding mlflow (scripts/setup-python.sh)
	Addr                 string // e.g. 127.0.0.1:5000
	BackendURI           string // sqlite:////abs/mlflow.db or postgresql://...
	ArtifactsDestination string // e.g. s3://mlflow
	S3Endpoint           string // MLFLOW_S3_ENDPOINT_URL, e.g. http://127.0.0.1:9000
	AccessKey, SecretKey string
	AllowedHosts         string // MLFLOW_SERVER_ALLOWED_HOSTS; default: localhost and 127.0.0.1 on any port
	Workers              int    // uvicorn workers; 0 means DefaultMLflowWorkers()
	// JobExecution runs MLflow's job runner (huey consumers for LLM
	// judges and prompt optimisation, MLFLOW_SERVER_ENABLE_JOB_EXECUTION);
	// off by default: nothing here uses it and it costs a process per job
	// type.
	JobExecution bool
	Dir          string // working directory (scratch files)
}

// DefaultMLflowWorkers is the server's worker count sized to the machine:
// one per two cores, at least 1 and at most 4 (MLflow's own default is 4
// whatever the machine; each worker holds a full copy of the server).
func DefaultMLflowWorkers() int { return min(4, max(1, runtime.NumCPU()/2)) }

// Start runs `mlflow server` and waits until /health answers.
func (s MLflow) Start(ctx context.Context, logPath string, detach bool) (*Process, error) {
	if err := CheckPort("mlflow", s.Addr); err != nil {
		return nil, err
	}
	host, port, err := net.SplitHostPort(s.Addr)
	if err != nil {
		return nil, fmt.Errorf("mlflow: address %q: %w", s.Addr, err)
	}
	workers := s.Workers
	if workers <= 0 {
		workers = DefaultMLflowWorkers()
	}
	allowed := s.AllowedHosts
	if allowed == "" {
		allowed = "localhost,localhost:*,127.0.0.1,127.0.0.1:*"
	}
	cmd := exec.Command(filepath.Join(s.Venv, "bin", "mlflow"), "server",
		"--host", host, "--port", port, "--workers", strconv.Itoa(workers),
		"--backend-store-uri", s.BackendURI,
		"--serve-artifacts", "--artifacts-destination", s.ArtifactsDestination)
	cmd.Dir = s.Dir
	cmd.Env = append(os.Environ(),
		"MLFLOW_S3_ENDPOINT_URL="+s.S3Endpoint,
		"AWS_ACCESS_KEY_ID="+s.AccessKey, "AWS_SECRET_ACCESS_KEY="+s.SecretKey,
		"AWS_DEFAULT_REGION=us-east-1",
		"MLFLOW_SERVER_ALLOWED_HOSTS="+allowed,
		"MLFLOW_SERVER_ENABLE_JOB_EXECUTION="+strconv.FormatBool(s.JobExecution),
		"PATH="+filepath.Join(s.Venv, "bin")+":"+os.Getenv("PATH"))
	p, err := start("mlflow", cmd, logPath, detach)
	if err != nil {
		return nil, err
	}
	// The first start migrates the database; give it time on a slow machine.
	if err := p.waitHealthy(ctx, 180*time.Second, httpOK("http://"+s.Addr+"/health")); err != nil {
		p.Stop(5 * time.Second)
		return nil, err
	}
	return p, nil
}

// Postgres describes a PostgreSQL server used as MLflow's backend store.
type Postgres struct {
	BinDir  string // directory with initdb, postgres, pg_isready, createdb
	DataDir string
	Port    int
	User    string // database superuser created by initdb; default "mlflow"
}

// FindPostgresBin locates the server binaries (Debian keeps them under
// /usr/lib/postgresql/<version>/bin, off the PATH).
func FindPostgresBin() (string, error) {
	if p, err := exec.LookPath("initdb"); err == nil {
		if real, err := filepath.EvalSymlinks(p); err == nil {
			p = real // Debian links some, not all, binaries into PATH
		}
		if _, err := os.Stat(filepath.Join(filepath.Dir(p), "pg_isready")); err == nil {
			return filepath.Dir(p), nil
		}
	}
	matches, _ := filepath.Glob("/usr/lib/postgresql/*/bin/initdb")
	if len(matches) > 0 {
		return filepath.Dir(matches[len(matches)-1]), nil
	}
	return "", fmt.Errorf("postgres: initdb not found: install PostgreSQL (Debian: apt-get install postgresql)")
}

// Start initialises the data directory when empty, runs the server and
// waits until it accepts connections. PostgreSQL refuses to run as root, so
// when we are root it runs as the "postgres" user (created by Debian's
// package) or "nobody".
func (pg Postgres) Start(ctx context.Context, logPath string, detach bool) (*Process, error) {
	addr := fmt.Sprintf("127.0.0.1:%d", pg.Port)
	if err := CheckPort("postgres", addr); err != nil {
		return nil, err
	}
	if pg.User == "" {
		pg.User = "mlflow"
	}
	cred, uid, gid, err := dropRoot()
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(pg.DataDir, 0o700); err != nil {
		return nil, err
	}
	if uid >= 0 {
		if err := os.Chown(pg.DataDir, uid, gid); err != nil {
			return nil, err
		}
		if err := os.Chown(filepath.Dir(logPath), uid, gid); err != nil {
			return nil, err
		}
	}
	if _, err := os.Stat(filepath.Join(pg.DataDir, "PG_VERSION")); err != nil {
		cmd := exec.Command(filepath.Join(pg.BinDir, "initdb"), "-D", pg.DataDir, "-U", pg.User, "-A", "trust", "-E", "UTF8", "--no-sync")
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: cred}
		cmd.Dir = "/"
		if out, err := cmd.CombinedOutput(); err != nil {
			return nil, fmt.Errorf("postgres: initdb: %w\n%s", err, out)
		}
	}
	cmd := exec.Command(filepath.Join(pg.BinDir, "postgres"), "-D", pg.DataDir,
		"-p", strconv.Itoa(pg.Port), "-h", "127.0.0.1", "-k", pg.DataDir, "-c", "fsync=off")
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: cred}
	cmd.Dir = "/"
	p, err := start("postgres", cmd, logPath, detach)
	if err != nil {
		return nil, err
	}
	ready := func(ctx context.Context) error {
		c := exec.CommandContext(ctx, filepath.Join(pg.BinDir, "pg_isready"), "-h", "127.0.0.1", "-p", strconv.Itoa(pg.Port), "-U", pg.User)
		return c.Run()
	}
	if err := p.waitHealthy(ctx, 60*time.Second, ready); err != nil {
		p.Stop(5 * time.Second)
		return nil, err
	}
	return p, nil
}

// CreateDatabase creates database name when it does not exist.
func (pg Postgres) CreateDatabase(ctx context.Context, name string) error {
	if pg.User == "" {
		pg.User = "mlflow"
	}
	cmd := exec.CommandContext(ctx, filepath.Join(pg.BinDir, "createdb"), "-h", "127.0.0.1", "-p", strconv.Itoa(pg.Port), "-U", pg.User, name)
	out, err := cmd.CombinedOutput()
	if err != nil && !strings.Contains(string(out), "already exists") {
		return fmt.Errorf("postgres: createdb %s: %w: %s", name, err, out)
	}
	return nil
}

// URI returns the SQLAlchemy URI of database name (psycopg2 driver: the
// default driver of SQLAlchemy 2.1 is psycopg 3, which MLflow does not ship).
func (pg Postgres) URI(name string) string {
	user := pg.User
	if user == "" {
		user = "mlflow"
	}
	return fmt.Sprintf("postgresql+psycopg2://%s@127.0.0.1:%d/%s", user, pg.Port, name)
}

// dropRoot returns the credential to run PostgreSQL with when we are root
// (nil, -1, -1 otherwise).
func dropRoot() (*syscall.Credential, int, int, error) {
	if os.Geteuid() != 0 {
		return nil, -1, -1, nil
	}
	for _, name := range []string{"postgres", "nobody"} {
		u, err := user.Lookup(name)
		if err != nil {
			continue
		}
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		return &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}, uid, gid, nil
	}
	return nil, -1, -1, fmt.Errorf("postgres: running as root and no 'postgres' or 'nobody' user to run the server as")
}

// ModelServer describes `mlflow models serve`: MLflow's scoring server
// for one model (POST /invocations), in the venv's own environment
// (--env-manager local).
type ModelServer struct {
	Venv     string   // virtualenv holding mlflow and the model's requirements
	Addr     string   // e.g. 127.0.0.1:5001
	ModelURI string   // runs:/..., models:/..., or a directory
	Env      []string // KEY=VALUE added to the environment (MLFLOW_TRACKING_URI, S3 credentials)
	Dir      string   // working directory
}

// Start runs `mlflow models serve` and waits until /ping answers (the
// model is downloaded and loaded by then).
func (s ModelServer) Start(ctx context.Context, logPath string) (*Process, error) {
	if err := CheckPort("mlflow models serve", s.Addr); err != nil {
		return nil, err
	}
	host, port, err := net.SplitHostPort(s.Addr)
	if err != nil {
		return nil, fmt.Errorf("mlflow models serve: address %q: %w", s.Addr, err)
	}
	cmd := exec.Command(filepath.Join(s.Venv, "bin", "mlflow"), "models", "serve",
		"-m", s.ModelURI, "--env-manager", "local", "--host", host, "--port", port, "--workers", "1")
	cmd.Dir = s.Dir
	cmd.Env = append(append(os.Environ(), s.Env...), "PATH="+filepath.Join(s.Venv, "bin")+":"+os.Getenv("PATH"))
	p, err := start("mlflow-models-serve", cmd, logPath, false)
	if err != nil {
		return nil, err
	}
	if err := p.waitHealthy(ctx, 180*time.Second, httpOK("http://"+s.Addr+"/ping")); err != nil {
		p.Stop(5 * time.Second)
		return nil, err
	}
	return p, nil
}

// privateDir creates dir (and missing parents) for the owner only, and
// makes an existing one so.
func privateDir(dir string) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	return os.Chmod(dir, 0o700)
}
