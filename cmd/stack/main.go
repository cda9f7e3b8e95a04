// Command stack runs the workbench's services natively on 127.0.0.1 — the
// same services, variables, buckets and ports as docker-compose.yml, without
// Docker:
//
//	stack up       start MinIO, MLflow (SQLite, or PostgreSQL with COMPOSE_PROFILES=postgres) and JupyterLab
//	stack down     stop them; no process is left behind
//	stack status   show what runs where
//	stack env      print the clients' variables for a shell: eval "$(bin/stack env)"
//
// Configuration is read as compose reads it (stack.Load): .env (or the
// files COMPOSE_ENV_FILES lists, as with compose) and the environment, with
// .env.example's values as defaults; client URLs derive from the ports.
// The supervisor is internal/stack's Native; this command only maps its
// outcome to exit codes.
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
	"os"
	"os/signal"
	"path/filepath"
	"syscall"

	"github.com/mlstack/mlstack/internal/crash"
	"github.com/mlstack/mlstack/internal/stack"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	os.Exit(run(ctx, os.Args[1:], os.Stdout, os.Stderr))
}

const usage = "usage: stack up|down|status|env"

// Exit codes: 0 done, 1 failure, 2 usage or an invalid configuration, 3
// internal error (a bug: the message names the file holding the stack).
func run(ctx context.Context, args []string, stdout, stderr io.Writer) (code int) {
	defer crash.Handle(stderr, "stack", &code)
	if len(args) != 1 || (args[0] != "up" && args[0] != "down" && args[0] != "status" && args[0] != "env") {
		fmt.Fprintln(stderr, usage)
		return 2
	}
	root, err := os.Getwd()
	if err != nil {
		fmt.Fprintln(stderr, "stack:", err)
		return 1
	}
	cfg, err := stack.Load(root, nil)
	if err == nil {
		err = cfg.Validate()
	}
	var ce *stack.ConfigError
	if err != nil && (args[0] != "down" || !errors.As(err, &ce) || ce.Var == "MLSTACK_STACK_DIR") {
		// A bad configuration does not stop `down`, which needs only the
		// pid files in the state folder.
		fmt.Fprintln(stderr, "stack:", err)
		return 2 // a configuration the user can fix
	}
	s := &stack.Native{Config: cfg, Out: stdout}
	switch args[0] {
	case "up":
		example, exErr := stack.ReadEnvFile(filepath.Join(root, ".env.example"))
		if exErr != nil {
			fmt.Fprintln(stderr, "stack:", exErr)
			return 2
		}
		if v := cfg.Env["MLFLOW_BACKEND"]; v != "" {
			fmt.Fprintf(stderr, "stack: MLFLOW_BACKEND=%s is no longer read: COMPOSE_PROFILES=postgres is the one switch for PostgreSQL (as compose's --profile postgres)\n", v)
		}
		cfg.WarnDefaults(stderr, example)
		err = s.Up(ctx)
	case "down":
		err = s.Down()
	case "status":
		err = s.Status(ctx)
	case "env":
		err = s.PrintEnv()
	}
	if err != nil {
		var inUse *stack.PortInUseError
		if errors.As(err, &inUse) {
			fmt.Fprintf(stderr, "stack: %v: stop what uses it or set %s in .env\n", err, stack.PortVar[inUse.Service])
			return 1
		}
		fmt.Fprintln(stderr, "stack:", err)
		return 1
	}
	return 0
}
