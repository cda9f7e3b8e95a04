#!/usr/bin/env bash
# bench-search.sh times one hyperparameter search both ways in the same
# run: mlstack (`train` with scripts/bench/search.yaml, the local executor,
# trials on all cores) and Python Optuna (scripts/bench/search.py:
# TPESampler, xgboost + cross_val_score with the folds on all cores), the
# same five parameters, 40 trials x 5 folds, on a seeded 10,000 x 30
# imbalanced table. Both times include start-up and reading the CSV. It
# also runs mlstack with its default median pruner (which trains fewer
# folds than Optuna's cross_val_score side can). It prints the times and
# best values, the pruned run's ratio, then last the same-work one:
#   search_pruned speedup_vs_optuna=<python s / pruned go s> best_delta=...
#   search speedup_vs_optuna=<python s / go s> best_delta=<go best - optuna best>
#
#   TRIALS=20 scripts/bench-search.sh     fewer trials (default 40)
set -euo pipefail
. "$(dirname "$0")/lib.sh"
cd "$REPO_ROOT"

trials="${TRIALS:-40}"
venv="${MLSTACK_VENV:-$(scripts/setup-python.sh)}"
py="$venv/bin/python"
data="$MLSTACK_CACHE/bench-search-$(sha12 scripts/bench/search.py)"
mkdir -p "$data"
csv="$data/search.csv"
[ -s "$csv" ] || "$py" scripts/bench/search.py data "$csv"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
go build -o "$work/train" ./cmd/train

note "mlstack: $trials trials"
start=$(date +%s.%N)
"$work/train" --config scripts/bench/search.yaml --set "data.source=$csv" --set "search.n_trials=$trials" \
	--out "$work/out" >"$work/go.log" 2>&1 || { tail -20 "$work/go.log" >&2; die "train failed"; }
go_s=$(awk -v s="$start" -v e="$(date +%s.%N)" 'BEGIN { print e - s }')
go_best=$(sed -n 's/.*best trial [0-9]*: roc_auc_mean = \([0-9.e-]*\).*/\1/p' "$work/go.log" | tail -1)
[ -n "$go_best" ] || { tail -20 "$work/go.log" >&2; die "no best value in train's output"; }

note "mlstack: $trials trials, median pruner (mlstack's default; Optuna's cross_val_score side cannot prune)"
start=$(date +%s.%N)
"$work/train" --config scripts/bench/search.yaml --set "data.source=$csv" --set "search.n_trials=$trials" \
	--set search.pruner=median --out "$work/out-pruned" >"$work/go-pruned.log" 2>&1 || { tail -20 "$work/go-pruned.log" >&2; die "train failed"; }
pruned_s=$(awk -v s="$start" -v e="$(date +%s.%N)" 'BEGIN { print e - s }')
pruned_best=$(sed -n 's/.*best trial [0-9]*: roc_auc_mean = \([0-9.e-]*\).*/\1/p' "$work/go-pruned.log" | tail -1)
pruned_n=$(grep -c ' PRUNED ' "$work/go-pruned.log" || true)

note "optuna: $trials trials"
"$py" scripts/bench/search.py run "$csv" "$trials" >"$work/py.json"
py_s=$("$py" -c 'import json,sys; print(json.load(open(sys.argv[1]))["seconds"])' "$work/py.json")
py_best=$("$py" -c 'import json,sys; print(json.load(open(sys.argv[1]))["best"])' "$work/py.json")

printf 'mlstack  %8.1f s  best roc_auc_mean %.5f  no pruner (the same folds as Optuna)\n' "$go_s" "$go_best"
printf 'mlstack  %8.1f s  best roc_auc_mean %.5f  median pruner: %s of %s trials pruned\n' "$pruned_s" "$pruned_best" "$pruned_n" "$trials"
printf 'optuna   %8.1f s  best roc_auc_mean %.5f\n' "$py_s" "$py_best"
awk -v g="$pruned_s" -v p="$py_s" -v gb="$pruned_best" -v pb="$py_best" \
	'BEGIN { printf "search_pruned speedup_vs_optuna=%.2f best_delta=%+.4f\n", p / g, gb - pb }'
awk -v g="$go_s" -v p="$py_s" -v gb="$go_best" -v pb="$py_best" \
	'BEGIN { printf "search speedup_vs_optuna=%.2f best_delta=%+.4f\n", p / g, gb - pb }'
