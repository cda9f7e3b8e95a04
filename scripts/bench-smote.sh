#!/usr/bin/env bash
# bench-smote.sh times SMOTE in Go (pkg/resample, neighbours from
# pkg/neighbors, all cores) against imbalanced-learn's
# SMOTE(k_neighbors=5).fit_resample on the same matrix, in the same run: the
# tall table of scripts/bench/shapes.py (250,000 x 10) after median
# imputation and one-hot encoding (13 features; 30,000 positive rows, so
# 190,000 new rows). Only the resampling is timed, not reading. Go and
# Python alternate; each keeps its best of RUNS.
#
# BIG=1 adds the neighbour search of a big-table training fold: the
# positive rows of the first training fold of RepeatedStratifiedKFold(5 x 2)
# of the 1,000,000 x 30 table (160,000 x 42 after one-hot), each row's 5
# nearest other rows, pkg/neighbors (auto) against what imbalanced-learn
# runs, scikit-learn's NearestNeighbors(n_neighbors=6).fit(X).kneighbors(X)
# (it picks brute force there; several minutes per run).
#
#   scripts/bench-smote.sh                 tall, RUNS=3
#   RUNS=5 BIG=1 scripts/bench-smote.sh    more runs, and the big fold (BIG_RUNS=1)
#
# The last line is
#   smote speedup_vs_imblearn=<imbalanced-learn seconds / Go seconds>
set -euo pipefail
. "$(dirname "$0")/lib.sh"
cd "$REPO_ROOT"

RUNS="${RUNS:-3}"
BIG="${BIG:-0}"
BIG_RUNS="${BIG_RUNS:-1}"
need go "install Go 1.26"
venv="${MLSTACK_VENV:-$(scripts/setup-python.sh)}"
py="$venv/bin/python"

# The generated tables are cached by the generator's hash, as in
# bench-pipeline.sh.
data="$MLSTACK_CACHE/bench-shapes-$(sha12 scripts/bench/shapes.py)"
mkdir -p "$data"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
go build -o "$work/benchsmote" ./pkg/resample/internal/benchsmote
shapes=tall
[ "$BIG" = 1 ] && shapes="tall big"
for shape in $shapes; do
	if [ ! -s "$data/$shape.csv" ]; then
		note "generating $shape"
		"$py" scripts/bench/shapes.py "$data" "$shape" >&2
	fi
	note "cleaning $shape"
	"$work/benchsmote" -csv "$data/$shape.csv" -out "$work/$shape" $([ "$shape" = big ] && echo -fold)
done

# py_run PREFIX smote|knn prints py_<mode>_seconds=…
py_run() {
	"$py" - "$@" <<'PY'
import sys, time, warnings
import numpy as np
warnings.filterwarnings("ignore")
prefix, mode = sys.argv[1], sys.argv[2]
n, d = map(int, open(prefix + ".shape").read().split())
X = np.fromfile(prefix + ".x", dtype=np.float64, count=n * d).reshape(n, d)
y = np.fromfile(prefix + ".y", dtype=np.float64, count=n).astype(int)
if mode == "smote":
    from imblearn.over_sampling import SMOTE
    t0 = time.perf_counter()
    Xr, yr = SMOTE(k_neighbors=5, random_state=0).fit_resample(X, y)
    print("py_smote_seconds=%.4f" % (time.perf_counter() - t0))
    print("py_smote_rows=%d" % len(yr))
else:
    from sklearn.neighbors import NearestNeighbors
    t0 = time.perf_counter()
    nn = NearestNeighbors(n_neighbors=6).fit(X)
    nn.kneighbors(X, return_distance=False)
    print("py_knn_seconds=%.4f" % (time.perf_counter() - t0))
    print("py_knn_algorithm=%s" % nn._fit_method)
PY
}

# best KEY LINES… prints the smallest value of KEY.
best() {
	local key=$1
	shift
	printf '%s\n' "$@" | sed -n "s/^$key=//p" | sort -g | head -1
}

# compare LABEL PREFIX MODE RUNS [GO FLAGS…]: alternating runs, best of each.
compare() {
	local label=$1 prefix=$2 mode=$3 runs=$4
	shift 4
	local out=() i g p
	for i in $(seq "$runs"); do
		if [ $((i % 2)) = 1 ]; then
			g=$("$work/benchsmote" -data "$prefix" "$@")
			p=$(py_run "$prefix" "$mode")
		else
			p=$(py_run "$prefix" "$mode")
			g=$("$work/benchsmote" -data "$prefix" "$@")
		fi
		note "$label run $i: $(echo $g) $(echo $p)"
		out+=("$g" "$p")
	done
	local gs ps
	gs=$(best "go_${mode}_seconds" "${out[@]}")
	ps=$(best "py_${mode}_seconds" "${out[@]}")
	echo "$label go_s=$gs python_s=$ps speedup=$(awk -v p="$ps" -v g="$gs" 'BEGIN { printf "%.2f", p / g }') $(printf '%s\n' "${out[@]}" | grep -E '_(rows|algorithm)=' | sort -u | tr '\n' ' ')"
}

note "load: $(uptime)"
if [ "$BIG" = 1 ]; then
	compare "big_fold_knn (160k x 42, k=5)" "$work/big.fold" knn "$BIG_RUNS" -knn
fi
line=$(compare "tall_smote (250k x 13)" "$work/tall" smote "$RUNS")
echo "$line"
note "load: $(uptime)"
echo "smote speedup_vs_imblearn=$(echo "$line" | sed -n 's/.* speedup=\([0-9.]*\).*/\1/p')"
