#!/usr/bin/env bash
# bench-shap.sh times pkg/boost's exact TreeSHAP (Model.Contributions)
# against Python xgboost's Booster.predict(pred_contribs=True) (project
# venv) on the same model: 100 trees of depth 6 trained by Go on
# synthetic dense binary data (benchboost -gen: N(0,1) float32 features),
# written as XGBoost JSON and loaded from that file by both sides;
# 100,000 x 28 rows explained, 2 threads each.
#
#   scripts/bench-shap.sh               full run (a few minutes on 2 busy cores)
#   ROWS=20000 scripts/bench-shap.sh    smaller data
#
# Prints key=value lines; the last line is
#   shap speed_ratio_vs_xgboost=<Go rows/s / xgboost rows/s>
# Go and xgboost run twice in alternating order (Go, xgboost, xgboost,
# Go), each timing its best of 2; each side keeps its best. The values of
# the two sides are compared (max |diff|, printed). The machine may be
# shared: compare ratios from one run, not absolute times across runs.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

ROWS="${ROWS:-100000}"
COLS="${COLS:-28}"
TREES="${TREES:-100}"
DEPTH="${DEPTH:-6}"
THREADS="${THREADS:-2}"

need go "install Go 1.26"
venv="$("$REPO_ROOT/scripts/setup-python.sh")"
py="$venv/bin/python"

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
cd "$REPO_ROOT"
go build -o "$tmp/benchboost" ./pkg/boost/internal/benchboost
go build -o "$tmp/benchshap" ./pkg/boost/internal/benchshap
"$tmp/benchboost" -gen -rows "$ROWS" -cols "$COLS" -out "$tmp/data"
note "training $TREES trees of depth $DEPTH on $ROWS x $COLS"
"$tmp/benchshap" -train -data "$tmp/data" -rows "$ROWS" -cols "$COLS" -trees "$TREES" -depth "$DEPTH" \
	-threads "$THREADS" -model "$tmp/model.json"
go_run() {
	"$tmp/benchshap" -data "$tmp/data" -rows "$ROWS" -cols "$COLS" -threads "$THREADS" \
		-model "$tmp/model.json" -out "$tmp/go.f32"
}
xgb_run() {
	"$py" - "$tmp/data" "$ROWS" "$COLS" "$THREADS" "$tmp/model.json" "$tmp/go.f32" <<'PY'
import sys, time
import numpy as np
import xgboost as xgb

prefix, rows, cols, threads, model, gofile = sys.argv[1], *map(int, sys.argv[2:5]), sys.argv[5], sys.argv[6]
X = np.fromfile(prefix + ".x", dtype=np.float32, count=rows * cols).reshape(rows, cols)
b = xgb.Booster(model_file=model)
b.set_param({"nthread": threads})
d = xgb.DMatrix(X, nthread=threads)
best = float("inf")
for _ in range(2):
    t0 = time.perf_counter()
    c = b.predict(d, pred_contribs=True)
    best = min(best, time.perf_counter() - t0)
print("xgb_version=%s" % xgb.__version__)
print("xgb_contribs_seconds=%.3f" % best)
print("xgb_contribs_rows_per_second=%.0f" % (rows / best))
try:
    g = np.fromfile(gofile, dtype=np.float32).reshape(c.shape)
    print("max_abs_diff_go_vs_xgboost=%.3g" % float(np.max(np.abs(g - c))))
except (FileNotFoundError, ValueError):
    pass
PY
}
note "round 1: Go, then xgboost ($ROWS x $COLS, $THREADS threads)"
go1="$(go_run)"
py1="$(xgb_run)"
note "round 2: xgboost, then Go"
py2="$(xgb_run)"
go2="$(go_run)"
printf '%s\n' "rows=$ROWS cols=$COLS trees=$TREES depth=$DEPTH threads=$THREADS" \
	"# round 1" "$go1" "$py1" "# round 2" "$py2" "$go2"
best() { printf '%s\n' "$go1" "$go2" "$py1" "$py2" | sed -n "s/^$1=//p" | sort -g | tail -1; }
awk -v gp="$(best go_contribs_rows_per_second)" -v xp="$(best xgb_contribs_rows_per_second)" 'BEGIN {
	printf "best: go_contribs_rows_per_second=%s xgb_contribs_rows_per_second=%s\n", gp, xp
	printf "shap speed_ratio_vs_xgboost=%.2f\n", gp / xp
}'
