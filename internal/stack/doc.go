// Package stack starts, health-checks and stops the native services of the
// workbench — MinIO, the MLflow tracking server, PostgreSQL and JupyterLab —
// as plain processes on 127.0.0.1, without Docker.
//
// Two callers share it: cmd/stack (`make stack-up`), which runs the services
// detached with fixed ports and data under .stack/, and internal/testenv,
// which runs them attached on free ports with data in a temporary directory.
//
// Rules:
//   - Every service listens on 127.0.0.1 only.
//   - A service is started in its own process group, so Stop ends it and its
//     children (MLflow's uvicorn workers) together.
//   - Start returns only once the service answers its health check; when the
//     process dies first, the error carries the tail of its log.
//   - A port already in use is reported as *PortInUseError before anything is
//     started.
package stack
