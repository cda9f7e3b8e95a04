#!/usr/bin/env bash
# bench-read.sh times reading a CSV into memory: pkg/frame's ReadFile
# (pkg/frame/internal/benchread, a process of its own) against pandas
# read_csv (project venv) on the same files, in the same run:
#
#   numeric  2,200,000 x 14 numeric columns, 1% missing, ~200 MB
#            (benchread -gen: the issue-14 table)
#   big      1,000,000 x 31: 26 numeric (1% missing in some), 4 categorical,
#            a 0/1 target, 171 MB (scripts/bench/shapes.py, as bench-pipeline)
#
# Each side is a fresh process; the read time is measured inside it (pandas'
# import is not counted), the peak resident set by /usr/bin/time (%M; for
# pandas it includes ~115 MB of interpreter and imports). Go and pandas
# alternate; each keeps its best time and its highest peak. One line per
# file, then the last line:
#   read min_speedup_vs_pandas=<lowest pandas time / Go time> max_go_peak_per_file=<highest Go peak / file size>
#
#   FILES="numeric" RUNS=5 scripts/bench-read.sh
#   SHAPES_DIR=/tmp/shapes scripts/bench-read.sh      big.csv already generated there
set -euo pipefail
. "$(dirname "$0")/lib.sh"
cd "$REPO_ROOT"

FILES="${FILES:-numeric big}"
RUNS="${RUNS:-3}"
venv="${MLSTACK_VENV:-$(scripts/setup-python.sh)}"
py="$venv/bin/python"
[ -x /usr/bin/time ] || die "/usr/bin/time not found: apt-get install time"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
go build -o "$work/benchread" ./pkg/frame/internal/benchread

min_speedup="" max_peak=""
for name in $FILES; do
	case $name in
	numeric)
		data="$MLSTACK_CACHE/bench-read-$(sha12 pkg/frame/internal/synth/synth.go)"
		csv="$data/numeric.csv"
		if [ ! -s "$csv" ]; then
			note "generating $csv"
			mkdir -p "$data"
			"$work/benchread" -gen -rows 2200000 -out "$csv.tmp" && mv "$csv.tmp" "$csv"
		fi
		;;
	big)
		data="${SHAPES_DIR:-$MLSTACK_CACHE/bench-shapes-$(sha12 scripts/bench/shapes.py)}"
		csv="$data/big.csv"
		if [ ! -s "$csv" ]; then
			note "generating $csv"
			mkdir -p "$data"
			"$py" scripts/bench/shapes.py "$data" big >&2
		fi
		;;
	*) die "unknown file $name (numeric, big)" ;;
	esac
	size=$(stat -c %s "$csv")
	go_best="" py_best="" go_mem="" py_mem=""
	run_go() {
		/usr/bin/time -f '%M' -o "$work/mem" "$work/benchread" "$csv" >"$work/out"
		t=$(sed -n 's/.*read_s=\([0-9.]*\).*/\1/p' "$work/out")
		m=$(cat "$work/mem")
		note "$name go: $t s, peak $((m / 1024)) MiB"
		go_best=$(printf '%s\n' $go_best "$t" | sort -g | head -1)
		go_mem=$(printf '%s\n' $go_mem "$m" | sort -g | tail -1)
	}
	run_py() {
		/usr/bin/time -f '%M' -o "$work/mem" "$py" -c '
import sys, time
import pandas as pd
t = time.perf_counter()
df = pd.read_csv(sys.argv[1])
print(f"read_s={time.perf_counter() - t:.3f} rows={len(df)}")' "$csv" >"$work/out"
		t=$(sed -n 's/.*read_s=\([0-9.]*\).*/\1/p' "$work/out")
		m=$(cat "$work/mem")
		note "$name pandas: $t s, peak $((m / 1024)) MiB"
		py_best=$(printf '%s\n' $py_best "$t" | sort -g | head -1)
		py_mem=$(printf '%s\n' $py_mem "$m" | sort -g | tail -1)
	}
	for i in $(seq "$RUNS"); do
		if [ $((i % 2)) = 1 ]; then run_go; run_py; else run_py; run_go; fi
	done
	speedup=$(awk -v p="$py_best" -v g="$go_best" 'BEGIN { printf "%.2f", p / g }')
	peak=$(awk -v m="$go_mem" -v s="$size" 'BEGIN { printf "%.2f", m * 1024 / s }')
	echo "file=$name mb=$(awk -v s="$size" 'BEGIN { printf "%.0f", s / 1e6 }') go_s=$go_best pandas_s=$py_best speedup=$speedup go_peak_mib=$((go_mem / 1024)) pandas_peak_mib=$((py_mem / 1024)) go_peak_per_file=$peak"
	min_speedup=$(printf '%s\n' $min_speedup "$speedup" | sort -g | head -1)
	max_peak=$(printf '%s\n' $max_peak "$peak" | sort -g | tail -1)
done
echo "read min_speedup_vs_pandas=$min_speedup max_go_peak_per_file=$max_peak"
