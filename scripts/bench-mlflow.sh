#!/usr/bin/env bash
# bench-mlflow.sh times logging 100 params and 10,000 metric points to a
# real MLflow server on loopback (SQLite backend, artifacts proxied into
# MinIO, started by internal/testenv) from Go (pkg/mlflow Run) and from the
# Python client in the project venv, one run each, and prints the figures.
# The last line is `mlflow log_speedup_vs_python=<x>`: Python's default
# client (one request per log call, as in a training loop) over Go.
#
#   scripts/bench-mlflow.sh
set -euo pipefail
. "$(dirname "$0")/lib.sh"
cd "$REPO_ROOT"
need go "install Go 1.26"
bash scripts/setup-python.sh >/dev/null
out=$(MLSTACK_BENCH_MLFLOW=1 go test -count=1 -run '^TestLogSpeedVsPython$' -v ./pkg/mlflow 2>&1) || {
	printf '%s\n' "$out" >&2
	die "benchmark failed"
}
printf '%s\n' "$out" | grep '^mlflow ' | grep -v '^mlflow log_speedup_vs_python=' || true
printf '%s\n' "$out" | grep '^mlflow log_speedup_vs_python='
