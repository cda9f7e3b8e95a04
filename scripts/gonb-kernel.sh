#!/usr/bin/env bash
# gonb-kernel.sh installs the GoNB kernel spec ("gonb") into
# $JUPYTER_DATA_DIR/kernels/gonb for this repository. It is the one kernel
# install of scripts/notebooks.sh and the native stack (internal/stack).
#
#   JUPYTER_DATA_DIR=DIR scripts/gonb-kernel.sh [WORKSPACE]
#
# WORKSPACE (default: this repository) is put in every kernel's go.work
# (GoNB's -go_work), so any notebook, also a new one without the notebooks'
# first "go work" cell, imports github.com/mlstack/mlstack/pkg/... from the
# checkout, offline.
#
# The kernel's stderr is passed through a filter that drops one line: GoNB
# v0.11.5 logs its extra-log self-test ("E… main.go:191] … Error message")
# at every start even without -extra_log (main.go passes a nil *os.File as
# an io.Writer). Only a line ending in exactly "Error message" from
# main.go is dropped; every other log line, errors included, goes through,
# and once GoNB stops printing it the filter drops nothing.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

: "${JUPYTER_DATA_DIR:?set JUPYTER_DATA_DIR to the Jupyter data directory to install into}"
workspace=$(cd "${1:-$REPO_ROOT}" && pwd)
gotools="${MLSTACK_GOTOOLS:-$("$REPO_ROOT/scripts/setup-gonb.sh")}"
need python3 "install Python 3 (scripts/setup-python.sh makes the venv Jupyter runs from)"

"$gotools/gonb" --install --raw_error --logtostderr=false --go_work="$workspace" >/dev/null 2>&1 ||
	"$gotools/gonb" --install --raw_error --logtostderr=false --go_work="$workspace" # again, to show why

python3 - "$JUPYTER_DATA_DIR/kernels/gonb/kernel.json" <<'EOF'
import json, sys
path = sys.argv[1]
spec = json.load(open(path))
argv = spec["argv"]
if argv[0] != "bash":  # not yet wrapped
    filt = r"^E[0-9]{4} [0-9:.]+ +[0-9]+ main\.go:[0-9]+\] .*Error message$"
    spec["argv"] = ["bash", "-c",
        'exec "$@" 2> >(exec grep --line-buffered -v -E \'%s\' >&2)' % filt,
        "gonb-kernel"] + argv
json.dump(spec, open(path, "w"), indent=1)
EOF
