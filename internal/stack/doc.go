// Package stack starts, health-checks and stops the native services of the
// workbench — MinIO, the MLflow tracking server, PostgreSQL and JupyterLab —
// as plain processes on 127.0.0.1, without Docker.
//
// Two callers share it: cmd/stack (`make stack-up`), which runs the services
// detached with fixed ports and data under .stack/ through Native, and
// internal/testenv, which runs them attached on free ports with data in a
// temporary directory.
//
// The native stack's configuration is a Config: Default (the values
// .env.example publishes, in one place; a test holds them equal), Load
// (.env read as compose reads it, with compose-go's dotenv rules: LoadEnv)
// and Validate. A bad value is a *ConfigError naming its variable.
//
// Rules:
//   - Every service listens on 127.0.0.1 only.
//   - A service is started in its own process group, so Stop ends it and its
//     children (MLflow's uvicorn workers) together.
//   - Start returns only once the service answers its health check; when the
//     process dies first, the error carries the tail of its log.
//   - A port already in use is reported as *PortInUseError before anything is
//     started.
//   - Secrets (passwords, the Jupyter token) travel in the environment of
//     the service, never in its argv, and are never printed: WarnDefaults
//     names the variables that keep a published value, not the values.
package stack
