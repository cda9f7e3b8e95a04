#!/usr/bin/env bash
# bench-pipeline.sh times the seed experiment end to end — diabetes.csv,
# zeros as missing, median imputation, SMOTE and boosted trees inside
# RepeatedStratifiedKFold(5 x 10), metrics with 95% intervals, the final
# model — in Go (`train`, offline, charts off) and in Python (pandas +
# imbalanced-learn + scikit-learn + xgboost), in the same run, on all cores.
# Each side runs 3 times; the best time counts. Last line:
#   pipeline speedup_vs_python=<python seconds / go seconds>
set -euo pipefail
. "$(dirname "$0")/lib.sh"
cd "$REPO_ROOT"

venv="${MLSTACK_VENV:-$(scripts/setup-python.sh)}"
jobs=$(nproc)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
go build -o "$work/train" ./cmd/train
cp pkg/dataset/samples/diabetes.csv "$work/diabetes.csv"

best() { sort -g | head -1; }
go_times=() py_times=()
for i in 1 2 3; do
	s=$(date +%s.%N)
	MLSTACK_MLFLOW_SPOOL="$work/spool" "$work/train" --config configs/classification.yaml \
		--set data.source="$work/diabetes.csv" --set tracking.offline=true --set artifacts.charts=false \
		--set validation.workers="$jobs" --out "$work/out$i" >"$work/go.log" 2>&1
	e=$(date +%s.%N)
	go_times+=("$(awk -v a="$s" -v b="$e" 'BEGIN { printf "%.3f", b - a }')")
	py_times+=("$("$venv/bin/python" scripts/bench/pipeline.py "$work/diabetes.csv" "$jobs" 2>"$work/py.log" | tail -1)")
done
go_best=$(printf '%s\n' "${go_times[@]}" | best)
py_best=$(printf '%s\n' "${py_times[@]}" | best)
echo "go     (train):                   ${go_times[*]} s  best $go_best s"
echo "python (pandas+imblearn+xgboost): ${py_times[*]} s  best $py_best s"
grep -E 'roc_auc|accuracy' "$work/go.log" | sed 's/^/go    /'
grep -E 'roc_auc|accuracy' "$work/py.log" | sed 's/^/python/'
awk -v p="$py_best" -v g="$go_best" 'BEGIN { printf "pipeline speedup_vs_python=%.2f\n", p / g }'
