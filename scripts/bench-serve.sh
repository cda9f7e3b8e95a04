#!/usr/bin/env bash
# bench-serve.sh serves one registered model (diabetes: a cleaning
# pipeline and 100 trees of depth 4, logged to a real MLflow server on
# loopback started by internal/testenv) with `mlflow models serve
# --env-manager local` (the test venv, its default workers) and with
# cmd/serve, both from models:/<name>@champion, checks that they give the
# same predictions, then drives each with the same Go load generator:
# concurrency 16, a fixed number of requests, 1 and 100 rows per request
# as JSON dataframe_split, rounds alternating which server goes first,
# each side keeping its best figures. It prints per case throughput and
# p50/p99 latency, the start-up time (process start to first 200), and
# last `serve throughput_ratio_vs_mlflow=<min over cases>
# p99_ratio_vs_mlflow=<max over cases>`.
#
#   scripts/bench-serve.sh        # MLSTACK_BENCH_REQUESTS (2000), MLSTACK_BENCH_ROUNDS (2)
set -euo pipefail
. "$(dirname "$0")/lib.sh"
cd "$REPO_ROOT"
need go "install Go 1.26"
bash scripts/setup-python.sh >/dev/null
out=$(MLSTACK_BENCH_SERVE=1 go test -count=1 -timeout 30m -run '^TestServeVsMLflow$' -v ./pkg/serve 2>&1) || {
	printf '%s\n' "$out" >&2
	die "benchmark failed"
}
printf '%s\n' "$out" | grep '^serve ' | grep -v '^serve throughput_ratio_vs_mlflow=' || true
printf '%s\n' "$out" | grep '^serve throughput_ratio_vs_mlflow='
