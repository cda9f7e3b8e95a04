#!/usr/bin/env bash
# bench-boost.sh times pkg/boost against Python xgboost (project venv) and
# leaves in one run, on synthetic dense binary data: 1,000,000 x 28 float32
# N(0,1) features, 100 trees, depth 6, tree_method hist, 2 threads each.
#
#   scripts/bench-boost.sh            full run (about a minute or two)
#   ROWS=200000 scripts/bench-boost.sh   smaller data
#
# Prints key=value lines; the last line is
#   boost train_ratio_vs_xgboost=<Go time / xgboost time> predict_ratio_vs_xgboost=<Go rows/s / xgboost inplace_predict rows/s>
# Training time includes building the quantised matrix on both sides
# (Go: Train; xgboost: DMatrix + xgb.train). The machine may be shared:
# compare ratios from one run, not absolute times across runs.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

ROWS="${ROWS:-1000000}"
COLS="${COLS:-28}"
TREES="${TREES:-100}"
DEPTH="${DEPTH:-6}"
THREADS="${THREADS:-2}"
SCALING="${SCALING:-10000,100000}"

need go "install Go 1.26"
venv="$("$REPO_ROOT/scripts/setup-python.sh")"
py="$venv/bin/python"

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
cd "$REPO_ROOT"
go build -o "$tmp/benchboost" ./pkg/boost/internal/benchboost
"$tmp/benchboost" -gen -rows "$ROWS" -cols "$COLS" -out "$tmp/data"
note "Go: training $TREES trees on $ROWS x $COLS ($THREADS threads)"
go_out="$("$tmp/benchboost" -data "$tmp/data" -rows "$ROWS" -cols "$COLS" -trees "$TREES" -depth "$DEPTH" \
	-threads "$THREADS" -lightgbm "$tmp/model.txt" -scaling "$SCALING")"
note "xgboost: training $TREES trees on $ROWS x $COLS ($THREADS threads)"
py_out="$("$py" - "$tmp/data" "$ROWS" "$COLS" "$TREES" "$DEPTH" "$THREADS" <<'PY'
import sys, time
import numpy as np
import xgboost as xgb

prefix, rows, cols, trees, depth, threads = sys.argv[1], *map(int, sys.argv[2:7])
X = np.fromfile(prefix + ".x", dtype=np.float32, count=rows * cols).reshape(rows, cols)
y = np.fromfile(prefix + ".y", dtype=np.float32, count=rows)
params = {"objective": "binary:logistic", "tree_method": "hist", "max_depth": depth,
          "eta": 0.3, "max_bin": 256, "nthread": threads}
t0, c0 = time.perf_counter(), time.process_time()
b = xgb.train(params, xgb.DMatrix(X, label=y, nthread=threads), trees)
print("xgb_version=%s" % xgb.__version__)
print("xgb_train_seconds=%.3f" % (time.perf_counter() - t0))
print("xgb_train_cpu_seconds=%.3f" % (time.process_time() - c0))
best = float("inf")
for _ in range(3):
    t0 = time.perf_counter()
    b.inplace_predict(X)
    best = min(best, time.perf_counter() - t0)
print("xgb_predict_seconds=%.4f" % best)
print("xgb_predict_rows_per_second=%.0f" % (rows / best))
PY
)"
printf '%s\n' "rows=$ROWS cols=$COLS trees=$TREES depth=$DEPTH threads=$THREADS" "$go_out" "$py_out"
get() { printf '%s\n' "$go_out" "$py_out" | sed -n "s/^$1=//p"; }
awk -v gt="$(get go_train_seconds)" -v xt="$(get xgb_train_seconds)" \
	-v gc="$(get go_train_cpu_seconds)" -v xc="$(get xgb_train_cpu_seconds)" \
	-v gp="$(get go_predict_rows_per_second)" -v xp="$(get xgb_predict_rows_per_second)" \
	-v lp="$(get leaves_predict_rows_per_second)" 'BEGIN {
	printf "train_cpu_ratio_vs_xgboost=%.2f\n", gc / xc
	printf "go_predict_vs_leaves=%.2f\n", gp / lp
	printf "boost train_ratio_vs_xgboost=%.2f predict_ratio_vs_xgboost=%.2f\n", gt / xt, gp / xp
}'
