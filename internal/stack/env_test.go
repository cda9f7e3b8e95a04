package stack_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mlstack/mlstack/internal/stack"
)

// TestLoadEnv reads the repository's .env.example with the .env files a
// user writes: a changed port moves every URL derived from it, whether
// .env is a full copy or holds the port alone; the environment overrides
// .env; seed names fill the standard ones.
func TestLoadEnv(t *testing.T) {
	example := filepath.Join("..", "..", ".env.example")
	ex, err := os.ReadFile(example)
	if err != nil {
		t.Fatal(err)
	}
	copyWith := func(lines ...string) string {
		s := string(ex)
		for _, l := range lines {
			k, _, _ := strings.Cut(l, "=")
			i := strings.Index(s, "\n"+k+"=")
			if i < 0 {
				t.Fatalf(".env.example has no %s", k)
			}
			j := strings.IndexByte(s[i+1:], '\n')
			s = s[:i+1] + l + s[i+1+j:]
		}
		return s
	}
	for _, tc := range []struct {
		name    string
		dotenv  string // "" for no .env
		environ map[string]string
		want    map[string]string
	}{
		{"example only", "", nil, map[string]string{
			"MLFLOW_TRACKING_URI": "http://127.0.0.1:5000", "MLFLOW_S3_ENDPOINT_URL": "http://127.0.0.1:9000",
			"AWS_ACCESS_KEY_ID": "minioadmin", "AWS_SECRET_ACCESS_KEY": "minioadmin-change-me", "COMPOSE_PROFILES": ""}},
		{"copy with ports edited", copyWith("MLFLOW_PORT=15000", "MINIO_PORT=19000"), nil, map[string]string{
			"MLFLOW_TRACKING_URI": "http://127.0.0.1:15000", "MLFLOW_S3_ENDPOINT_URL": "http://127.0.0.1:19000", "MINIO_CONSOLE_PORT": "9001"}},
		{"ports alone", "MLFLOW_PORT=15000\nMINIO_PORT=19000\n", nil, map[string]string{
			"MLFLOW_TRACKING_URI": "http://127.0.0.1:15000", "MLFLOW_S3_ENDPOINT_URL": "http://127.0.0.1:19000", "JUPYTER_TOKEN": "mlstack-change-me"}},
		{"password once", "MINIO_ROOT_PASSWORD='my pass#1'  # quoted, with a comment\n", nil, map[string]string{
			"MINIO_ROOT_PASSWORD": "my pass#1", "AWS_SECRET_ACCESS_KEY": "my pass#1"}},
		{"environment over .env", "MLFLOW_PORT=15000\n", map[string]string{"MLFLOW_PORT": "25000"}, map[string]string{
			"MLFLOW_PORT": "25000", "MLFLOW_TRACKING_URI": "http://127.0.0.1:25000"}},
		{"seed names", "AWS_ACCESS_KEY=seed-user\nAWS_SECRET_KEY=seed-secret-42\nMINIO_URL=http://127.0.0.1:9100\n", nil, map[string]string{
			"MINIO_ROOT_USER": "seed-user", "AWS_ACCESS_KEY_ID": "seed-user", "MINIO_ROOT_PASSWORD": "seed-secret-42",
			"AWS_SECRET_ACCESS_KEY": "seed-secret-42", "MLFLOW_S3_ENDPOINT_URL": "http://127.0.0.1:9100"}},
		{"standard over seed", copyWith("MINIO_ROOT_USER=std-user") + "AWS_ACCESS_KEY=seed-user\n", nil, map[string]string{
			"MINIO_ROOT_USER": "std-user", "AWS_ACCESS_KEY_ID": "std-user"}},
		{"profile switch", "COMPOSE_PROFILES=postgres\n", nil, map[string]string{"COMPOSE_PROFILES": "postgres"}},
		{"own variable", "MLFLOW_PORT=15000\nMY_SETTING=${MLFLOW_PORT}/x\n", nil, map[string]string{"MY_SETTING": "15000/x"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for _, k := range []string{"MLFLOW_PORT", "MINIO_PORT", "MLFLOW_TRACKING_URI", "MLFLOW_S3_ENDPOINT_URL", "AWS_ACCESS_KEY_ID",
				"AWS_SECRET_ACCESS_KEY", "AWS_ACCESS_KEY", "AWS_SECRET_KEY", "MINIO_URL", "MINIO_ROOT_USER", "MINIO_ROOT_PASSWORD", "COMPOSE_PROFILES"} {
				t.Setenv(k, "")
				os.Unsetenv(k)
			}
			for k, v := range tc.environ {
				t.Setenv(k, v)
			}
			local := filepath.Join(t.TempDir(), ".env")
			if tc.dotenv != "" {
				if err := os.WriteFile(local, []byte(tc.dotenv), 0o600); err != nil {
					t.Fatal(err)
				}
			}
			env, err := stack.LoadEnv(example, local)
			if err != nil {
				t.Fatal(err)
			}
			for k, want := range tc.want {
				if got, ok := env[k]; !ok || got != want {
					t.Errorf("%s = %q (set %v), want %q", k, got, ok, want)
				}
			}
		})
	}
}

// TestLoadEnvErrors: a malformed .env is an error naming the file and line.
func TestLoadEnvErrors(t *testing.T) {
	local := filepath.Join(t.TempDir(), ".env")
	if err := os.WriteFile(local, []byte("MLFLOW_PORT=5000\nNOT A LINE\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := stack.LoadEnv(filepath.Join("..", "..", ".env.example"), local)
	if err == nil || !strings.Contains(err.Error(), local) || !strings.Contains(err.Error(), "line 2") {
		t.Errorf("LoadEnv = %v, want an error naming %s and line 2", err, local)
	}
}
