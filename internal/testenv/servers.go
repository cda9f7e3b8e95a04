package testenv

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/minio/minio-go/v7"

	"github.com/mlstack/mlstack/internal/stack"
)

var (
	mainCalled bool
	mu         sync.Mutex
	procs      []*stack.Process // started servers, stopped in reverse by Main
	scratch    string           // temporary directory holding every server's data
)

// Main runs the tests and then stops every server they started. Packages
// that use servers call it from TestMain.
func Main(m *testing.M) {
	mainCalled = true
	code := m.Run()
	stopAll()
	os.Exit(code)
}

func stopAll() {
	mu.Lock()
	defer mu.Unlock()
	for i := len(procs) - 1; i >= 0; i-- {
		procs[i].Stop(10 * time.Second)
	}
	procs = nil
	if scratch != "" {
		os.RemoveAll(scratch)
	}
}

// dir returns a fresh directory under the shared scratch directory.
func dir(t testing.TB, name string) string {
	t.Helper()
	mu.Lock()
	defer mu.Unlock()
	if scratch == "" {
		reapStale()
		d, err := os.MkdirTemp("", "mlstack-testenv-")
		if err != nil {
			t.Fatal(err)
		}
		if err := os.Chmod(d, 0o755); err != nil { // PostgreSQL runs as another user
			t.Fatal(err)
		}
		scratch = d
		if err := os.WriteFile(filepath.Join(d, "owner"), []byte(strconv.Itoa(os.Getpid())), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	d := filepath.Join(scratch, name)
	if err := os.MkdirAll(d, 0o755); err != nil {
		t.Fatal(err)
	}
	return d
}

func track(p *stack.Process) {
	mu.Lock()
	defer mu.Unlock()
	procs = append(procs, p)
	// Recorded for reapStale, in case this binary dies without Main's cleanup.
	if f, err := os.OpenFile(filepath.Join(scratch, "pgids"), os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644); err == nil {
		fmt.Fprintln(f, p.Cmd.Process.Pid)
		f.Close()
	}
}

// reapStale stops the servers of test binaries that died without running
// Main's cleanup (a timeout panic, a kill): their processes are killed and
// their scratch directories removed. A server's own children (MLflow's
// uvicorn workers) would otherwise outlive it, holding ports and CPU. Pids
// are reused, so a process is killed only if it is in a recorded process
// group and its command line or working directory names the stale
// directory.
func reapStale() {
	dirs, _ := filepath.Glob(filepath.Join(os.TempDir(), "mlstack-testenv-*"))
	for _, d := range dirs {
		b, err := os.ReadFile(filepath.Join(d, "owner"))
		if err != nil {
			continue
		}
		if owner, _ := strconv.Atoi(strings.TrimSpace(string(b))); owner <= 0 || stack.Alive(owner) {
			continue
		}
		groups := map[int]bool{}
		if b, err := os.ReadFile(filepath.Join(d, "pgids")); err == nil {
			for _, line := range strings.Fields(string(b)) {
				if pgid, _ := strconv.Atoi(line); pgid > 0 {
					groups[pgid] = true
				}
			}
		}
		procs, _ := filepath.Glob("/proc/[0-9]*")
		for _, p := range procs {
			pid, _ := strconv.Atoi(filepath.Base(p))
			pgid, err := syscall.Getpgid(pid)
			if err != nil || !groups[pgid] {
				continue
			}
			cmdline, _ := os.ReadFile(filepath.Join(p, "cmdline"))
			cwd, _ := os.Readlink(filepath.Join(p, "cwd"))
			if strings.Contains(string(cmdline), d) || strings.HasPrefix(cwd, d) {
				syscall.Kill(pid, syscall.SIGKILL)
			}
		}
		os.RemoveAll(d)
	}
}

func requireMain(t testing.TB) {
	t.Helper()
	if !mainCalled {
		t.Fatal("testenv: servers need func TestMain(m *testing.M) { testenv.Main(m) } in this package, so they are stopped at exit")
	}
}

// startWithRetry retries a start that lost its free port to another process.
func startWithRetry(t testing.TB, name string, start func() (*stack.Process, error)) *stack.Process {
	t.Helper()
	var err error
	for attempt := 0; attempt < 3; attempt++ {
		var p *stack.Process
		if p, err = start(); err == nil {
			track(p)
			return p
		}
		if inUse := (*stack.PortInUseError)(nil); !errors.As(err, &inUse) {
			break
		}
	}
	t.Fatalf("testenv: start %s: %v", name, err)
	return nil
}

func freePort(t testing.TB) int {
	t.Helper()
	p, err := stack.FreePort()
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// MinIOServer is a running MinIO server.
type MinIOServer struct {
	Endpoint  string // host:port of the S3 API
	AccessKey string
	SecretKey string
	spec      stack.MinIO
	proc      *stack.Process
}

// URL returns the S3 endpoint as an http URL.
func (m *MinIOServer) URL() string { return "http://" + m.Endpoint }

// Client returns a minio-go client for the server.
func (m *MinIOServer) Client(t testing.TB) *minio.Client {
	t.Helper()
	c, err := m.spec.Client()
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// Bucket creates a bucket with a unique name and returns the name.
func (m *MinIOServer) Bucket(t testing.TB) string {
	t.Helper()
	name := Name("bucket")
	if err := m.spec.EnsureBuckets(context.Background(), name); err != nil {
		t.Fatal(err)
	}
	return name
}

// Stop stops the server (for fault tests); Restart starts it again on the
// same port with the same data.
func (m *MinIOServer) Stop(t testing.TB) {
	t.Helper()
	mu.Lock()
	defer mu.Unlock()
	for i, p := range procs {
		if p == m.proc {
			p.Stop(10 * time.Second)
			procs = append(procs[:i], procs[i+1:]...)
			return
		}
	}
}

// Restart starts a stopped server again.
func (m *MinIOServer) Restart(t testing.TB) {
	t.Helper()
	p, err := m.spec.Start(context.Background(), filepath.Join(filepath.Dir(m.spec.DataDir), "minio.log"), false)
	if err != nil {
		t.Fatal(err)
	}
	m.proc = p
	track(p)
}

var (
	minioOnce sync.Once
	minioSrv  *MinIOServer
	minioErr  string
)

// MinIO returns the test binary's MinIO server, starting it on first use.
func MinIO(t testing.TB) *MinIOServer {
	t.Helper()
	SkipShort(t, "a MinIO server")
	requireMain(t)
	minioOnce.Do(func() {
		bin := os.Getenv("MLSTACK_MINIO")
		if bin == "" {
			out, err := script("setup-minio.sh", "--path")
			if err != nil {
				minioErr = err.Error()
				return
			}
			bin = out
		}
		if _, err := os.Stat(bin); err != nil {
			minioErr = fmt.Sprintf("MinIO server binary %s missing: run scripts/setup-minio.sh (make test does)", bin)
			return
		}
		d := dir(t, "minio")
		var spec stack.MinIO
		p := startWithRetry(t, "minio", func() (*stack.Process, error) {
			spec = stack.MinIO{
				Bin: bin, DataDir: filepath.Join(d, "data"),
				Addr:        fmt.Sprintf("127.0.0.1:%d", freePort(t)),
				ConsoleAddr: fmt.Sprintf("127.0.0.1:%d", freePort(t)),
				User:        "mlstack-test", Password: "mlstack-test-secret",
			}
			return spec.Start(context.Background(), filepath.Join(d, "minio.log"), false)
		})
		minioSrv = &MinIOServer{Endpoint: spec.Addr, AccessKey: spec.User, SecretKey: spec.Password, spec: spec, proc: p}
	})
	if minioSrv == nil {
		if minioErr == "" {
			t.Fatal("testenv: MinIO failed to start in an earlier test")
		}
		Unavailable(t, "%s", minioErr)
	}
	return minioSrv
}

// MLflowServer is a running MLflow tracking server.
type MLflowServer struct {
	URL             string       // e.g. http://127.0.0.1:PORT
	ArtifactsBucket string       // MinIO bucket behind --artifacts-destination
	MinIO           *MinIOServer // where the artifacts live
	BackendURI      string

	spec    stack.MLflow
	proc    *stack.Process
	logPath string
}

// NewMLflow starts an MLflow server of the caller's own (SQLite backend,
// artifacts in the shared MinIO), for fault tests that Kill and Restart
// it without disturbing the tests sharing MLflow(t). It is stopped with
// the others when the test binary ends.
func NewMLflow(t testing.TB) *MLflowServer {
	t.Helper()
	SkipShort(t, "an MLflow server")
	requireMain(t)
	m := MinIO(t)
	d := dir(t, Name("mlflow-own"))
	return startMLflow(t, m, "sqlite:///"+filepath.Join(d, "mlflow.db"), d)
}

// Kill ends the server with SIGKILL, as a crash would.
func (s *MLflowServer) Kill(t testing.TB) {
	t.Helper()
	mu.Lock()
	defer mu.Unlock()
	for i, p := range procs {
		if p == s.proc {
			if err := p.Kill(); err != nil {
				t.Fatal(err)
			}
			procs = append(procs[:i], procs[i+1:]...)
			return
		}
	}
	t.Fatal("testenv: Kill: the server is not running")
}

// Restart starts a killed server again on the same port with the same
// database.
func (s *MLflowServer) Restart(t testing.TB) {
	t.Helper()
	p, err := s.spec.Start(context.Background(), s.logPath, false)
	if err != nil {
		t.Fatal(err)
	}
	s.proc = p
	track(p)
}

// Env returns the variables a client (Go or Python) needs to use this
// server, including direct S3 access to its artifacts.
func (s *MLflowServer) Env() []string {
	return []string{
		"MLFLOW_TRACKING_URI=" + s.URL,
		"MLFLOW_S3_ENDPOINT_URL=" + s.MinIO.URL(),
		"AWS_ACCESS_KEY_ID=" + s.MinIO.AccessKey,
		"AWS_SECRET_ACCESS_KEY=" + s.MinIO.SecretKey,
		"AWS_DEFAULT_REGION=us-east-1",
	}
}

var (
	mlflowOnce, mlflowPGOnce sync.Once
	mlflowSrv, mlflowPGSrv   *MLflowServer
	pgOnce                   sync.Once
	pgSrv                    *PostgresServer
	pgErr                    string
)

// MLflow returns the test binary's MLflow server with a SQLite backend and
// artifacts proxied into MinIO, starting both on first use.
func MLflow(t testing.TB) *MLflowServer {
	t.Helper()
	SkipShort(t, "an MLflow server")
	requireMain(t)
	m := MinIO(t)
	mlflowOnce.Do(func() {
		d := dir(t, "mlflow-sqlite")
		mlflowSrv = startMLflow(t, m, "sqlite:///"+filepath.Join(d, "mlflow.db"), d)
	})
	if mlflowSrv == nil {
		t.Fatal("testenv: MLflow failed to start in an earlier test")
	}
	return mlflowSrv
}

// MLflowPostgres returns an MLflow server whose backend store is PostgreSQL.
func MLflowPostgres(t testing.TB) *MLflowServer {
	t.Helper()
	SkipShort(t, "an MLflow server on PostgreSQL")
	requireMain(t)
	m := MinIO(t)
	pg := Postgres(t)
	mlflowPGOnce.Do(func() {
		if err := pg.spec.CreateDatabase(context.Background(), "mlflow"); err != nil {
			t.Fatal(err)
		}
		mlflowPGSrv = startMLflow(t, m, pg.spec.URI("mlflow"), dir(t, "mlflow-postgres"))
	})
	if mlflowPGSrv == nil {
		t.Fatal("testenv: MLflow (PostgreSQL) failed to start in an earlier test")
	}
	return mlflowPGSrv
}

func startMLflow(t testing.TB, m *MinIOServer, backend, d string) *MLflowServer {
	t.Helper()
	py := Python(t)
	venv := filepath.Dir(filepath.Dir(py))
	bucket := Name("mlflow")
	if err := m.spec.EnsureBuckets(context.Background(), bucket); err != nil {
		t.Fatal(err)
	}
	var spec stack.MLflow
	logPath := filepath.Join(d, "mlflow.log")
	p := startWithRetry(t, "mlflow", func() (*stack.Process, error) {
		spec = stack.MLflow{
			Venv: venv, Addr: fmt.Sprintf("127.0.0.1:%d", freePort(t)),
			BackendURI: backend, ArtifactsDestination: "s3://" + bucket,
			S3Endpoint: m.URL(), AccessKey: m.AccessKey, SecretKey: m.SecretKey,
			Workers: 2, // what the tests were tuned with; the stack sizes its own to the machine
			Dir:     d,
		}
		return spec.Start(context.Background(), logPath, false)
	})
	return &MLflowServer{URL: "http://" + spec.Addr, ArtifactsBucket: bucket, MinIO: m, BackendURI: backend,
		spec: spec, proc: p, logPath: logPath}
}

// PostgresServer is a running PostgreSQL server.
type PostgresServer struct {
	Port int
	User string
	spec stack.Postgres
}

// URI returns the SQLAlchemy URI of database name (created when missing).
func (p *PostgresServer) URI(t testing.TB, name string) string {
	t.Helper()
	if err := p.spec.CreateDatabase(context.Background(), name); err != nil {
		t.Fatal(err)
	}
	return p.spec.URI(name)
}

// Postgres returns the test binary's PostgreSQL server, starting it on first use.
func Postgres(t testing.TB) *PostgresServer {
	t.Helper()
	SkipShort(t, "a PostgreSQL server")
	requireMain(t)
	pgOnce.Do(func() {
		bin, err := stack.FindPostgresBin()
		if err != nil {
			pgErr = err.Error()
			return
		}
		d := dir(t, "postgres")
		var spec stack.Postgres
		startWithRetry(t, "postgres", func() (*stack.Process, error) {
			spec = stack.Postgres{BinDir: bin, DataDir: filepath.Join(d, "data"), Port: freePort(t)}
			return spec.Start(context.Background(), filepath.Join(d, "postgres.log"), false)
		})
		pgSrv = &PostgresServer{Port: spec.Port, User: "mlflow", spec: spec}
	})
	if pgSrv == nil {
		if pgErr == "" {
			t.Fatal("testenv: PostgreSQL failed to start in an earlier test")
		}
		Unavailable(t, "%s", pgErr)
	}
	return pgSrv
}

// ServeModel runs `mlflow models serve -m uri --env-manager local` from the
// test venv until the test ends and returns its base URL (POST
// <url>/invocations). env entries reach the server (MLflowServer.Env for a
// runs:/ or models:/ URI).
func ServeModel(t testing.TB, uri string, env ...string) string {
	t.Helper()
	SkipShort(t, "mlflow models serve")
	requireMain(t)
	venv := filepath.Dir(filepath.Dir(Python(t)))
	d := dir(t, Name("serve"))
	var addr string
	p := startWithRetry(t, "mlflow models serve", func() (*stack.Process, error) {
		addr = fmt.Sprintf("127.0.0.1:%d", freePort(t))
		return stack.ModelServer{Venv: venv, Addr: addr, ModelURI: uri, Env: env, Dir: d}.Start(context.Background(), filepath.Join(d, "serve.log"))
	})
	t.Cleanup(func() { p.Stop(10 * time.Second) })
	return "http://" + addr
}
