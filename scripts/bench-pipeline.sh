#!/usr/bin/env bash
# bench-pipeline.sh times the seed pipeline end to end — clean (median
# imputation, one-hot) → SMOTE inside repeated stratified k-fold → boosted
# trees (100 trees, depth 4, η 0.1, subsample/colsample 0.9) → seven metrics
# with 95% intervals → the final model on all rows — as the Go `train`
# binary (offline spool, charts off, folds on all cores) and as the same
# pipeline in Python (scripts/bench/pipeline.py: pandas, imbalanced-learn,
# scikit-learn, xgboost on all cores, folds one after another), in the same
# run, on tables of several shapes (scripts/bench/shapes.py):
#
#   small  768 x 8 (diabetes.csv)              5 x 10 folds
#   wide   10,000 x 32 -> 500 after one-hot    5 x 10 folds
#   tall   250,000 x 10                        5 x 2 folds
#   big    1,000,000 x 30                      5 x 2 folds
#
# Both sides include start-up and reading the CSV. Go and Python alternate;
# each keeps its best time. One line per shape, then the last line:
#   pipeline min_speedup_vs_python=<lowest Python time / Go time over the shapes>
#
#   SHAPES="small tall" scripts/bench-pipeline.sh      some shapes only
#   RUNS=1 scripts/bench-pipeline.sh                   runs per side (default 3; big: 1)
set -euo pipefail
. "$(dirname "$0")/lib.sh"
cd "$REPO_ROOT"

SHAPES="${SHAPES:-small wide tall big}"
venv="${MLSTACK_VENV:-$(scripts/setup-python.sh)}"
py="$venv/bin/python"
jobs=$(nproc)
[ -x /usr/bin/time ] || die "/usr/bin/time not found: apt-get install time"

# The generated tables are cached by the generator's hash (the same script
# always writes the same bytes).
data="$MLSTACK_CACHE/bench-shapes-$(sha12 scripts/bench/shapes.py)"
mkdir -p "$data"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
go build -o "$work/train" ./cmd/train

# timed OUT CMD...: runs CMD with its output in OUT.log and prints "seconds peak_MiB".
timed() {
	local out=$1
	shift
	/usr/bin/time -f '%e %M' -o "$out.time" "$@" >"$out.log" 2>&1 || {
		tail -20 "$out.log" >&2
		die "failed: $*"
	}
	awk '{ printf "%.2f %.0f\n", $1, $2 / 1024 }' "$out.time"
}

min_speedup=""
for shape in $SHAPES; do
	csv="$data/$shape.csv"
	if [ ! -s "$csv" ]; then
		note "generating $shape"
		"$py" scripts/bench/shapes.py "$data" "$shape" >&2
	fi
	case $shape in
	small)
		repeats=10 runs=${RUNS:-3}
		go_cfg=(--config configs/classification.yaml --set data.source="$csv")
		py_args=(Outcome 5 10 "$jobs" Glucose,BloodPressure,SkinThickness,Insulin,BMI)
		;;
	wide)
		repeats=10 runs=${RUNS:-3}
		go_cfg=(--config scripts/bench/pipeline.yaml --set data.source="$csv")
		py_args=(target 5 10 "$jobs")
		;;
	tall | big)
		repeats=2 runs=${RUNS:-3}
		[ "$shape" = big ] && runs=${RUNS:-1}
		go_cfg=(--config scripts/bench/pipeline.yaml --set data.source="$csv")
		py_args=(target 5 2 "$jobs")
		;;
	*) die "unknown shape $shape (small, wide, tall, big)" ;;
	esac
	go_best="" py_best="" go_mem="" py_mem=""
	for i in $(seq "$runs"); do
		run_go() {
			MLSTACK_MLFLOW_SPOOL="$work/spool" timed "$work/go" "$work/train" "${go_cfg[@]}" \
				--set validation.n_repeats="$repeats" --set tracking.offline=true --set artifacts.charts=false \
				--set validation.workers="$jobs" --out "$work/out-$shape-$i" >"$work/t"
			rm -rf "$work/out-$shape-$i" "$work/spool"
			read -r t m <"$work/t"
			note "$shape go run $i: $t s, peak $m MiB"
			go_best=$(printf '%s\n' $go_best "$t" | sort -g | head -1)
			go_mem=$(printf '%s\n' $go_mem "$m" | sort -g | tail -1)
		}
		run_py() {
			timed "$work/py" "$py" scripts/bench/pipeline.py "$csv" "${py_args[@]}" >"$work/t"
			read -r t m <"$work/t"
			note "$shape python run $i: $t s, peak $m MiB"
			py_best=$(printf '%s\n' $py_best "$t" | sort -g | head -1)
			py_mem=$(printf '%s\n' $py_mem "$m" | sort -g | tail -1)
		}
		if [ $((i % 2)) = 1 ]; then run_go; run_py; else run_py; run_go; fi
	done
	go_auc=$(awk '$1 == "roc_auc" { print $2; exit }' "$work/go.log")
	py_auc=$(awk '$1 == "roc_auc" { print $2; exit }' "$work/py.log")
	speedup=$(awk -v p="$py_best" -v g="$go_best" 'BEGIN { printf "%.2f", p / g }')
	echo "shape=$shape go_s=$go_best python_s=$py_best speedup=$speedup go_peak_mib=$go_mem python_peak_mib=$py_mem go_auc=$go_auc python_auc=$py_auc"
	min_speedup=$(printf '%s\n' $min_speedup "$speedup" | sort -g | head -1)
done
echo "pipeline min_speedup_vs_python=$min_speedup"
