package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestExitCodes runs the command in a repository copy that has only
// .env.example: an error of up (here: no MinIO binary) is exit 1 and named,
// a bad value in .env is exit 2 naming the variable (down still runs), and
// a bad command is usage.
func TestExitCodes(t *testing.T) {
	ex, err := os.ReadFile(filepath.Join("..", "..", ".env.example"))
	if err != nil {
		t.Fatal(err)
	}
	root := t.TempDir()
	if err := os.WriteFile(filepath.Join(root, ".env.example"), ex, 0o600); err != nil {
		t.Fatal(err)
	}
	t.Chdir(root)
	t.Setenv("MLSTACK_STACK_DIR", filepath.Join(root, "state"))
	t.Setenv("MLSTACK_MINIO", "")
	t.Setenv("COMPOSE_ENV_FILES", "")
	for _, k := range []string{"MINIO_PORT", "JUPYTER_PORT", "MLFLOW_WORKERS"} {
		t.Setenv(k, "")
		os.Unsetenv(k)
	}
	tests := []struct {
		name   string
		dotenv string
		args   []string
		code   int
		stderr string
	}{
		{"up fails", "", []string{"up"}, 1, "stack: MLSTACK_MINIO is not set"},
		{"bad port", "MINIO_PORT=x\n", []string{"status"}, 2, "stack: MINIO_PORT: \"x\" is not a port"},
		{"two services on a port", "JUPYTER_PORT=5000\n", []string{"up"}, 2, "stack: JUPYTER_PORT: port 5000 is MLFLOW_PORT's too"},
		{"down despite a bad value", "MLFLOW_WORKERS=none\n", []string{"down"}, 0, ""},
		{"usage", "", []string{"start"}, 2, "usage: stack up|down|status|env"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			os.Remove(filepath.Join(root, ".env"))
			if tt.dotenv != "" {
				if err := os.WriteFile(filepath.Join(root, ".env"), []byte(tt.dotenv), 0o600); err != nil {
					t.Fatal(err)
				}
			}
			var stdout, stderr strings.Builder
			code := run(context.Background(), tt.args, &stdout, &stderr)
			if code != tt.code || !strings.Contains(stderr.String(), tt.stderr) {
				t.Errorf("exit %d, stderr:\n%s\nwant exit %d and %q", code, stderr.String(), tt.code, tt.stderr)
			}
		})
	}
}
