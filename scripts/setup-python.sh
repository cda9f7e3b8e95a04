#!/usr/bin/env bash
# setup-python.sh creates the Python virtualenv the tests and the native stack
# use (MLflow server, JupyterLab, and the peers xgboost, scikit-learn,
# imbalanced-learn, mlflow client) and prints its path on stdout.
#
#   scripts/setup-python.sh          install when missing, print the venv path
#   scripts/setup-python.sh --path   print the path only
set -euo pipefail
. "$(dirname "$0")/lib.sh"

req="$REPO_ROOT/requirements-dev.txt"
need python3 "install Python 3 (Debian: apt-get install python3 python3-venv)"
pyver=$(python3 -c 'import sys; print("%d.%d" % sys.version_info[:2])')
venv="$MLSTACK_CACHE/venv-py$pyver-$(sha12 "$req")"
if [ "${1:-}" = --path ]; then echo "$venv"; exit 0; fi

if [ -f "$venv/.complete" ]; then echo "$venv"; exit 0; fi
mkdir -p "$MLSTACK_CACHE"
exec 9>"$MLSTACK_CACHE/venv.lock"
flock 9 # one installer at a time; a second caller waits, then finds it done
if [ -f "$venv/.complete" ]; then echo "$venv"; exit 0; fi
python3 -c 'import venv, ensurepip' 2>/dev/null || apt_install python3-venv
note "creating $venv (pip install -r requirements-dev.txt; a few minutes the first time)"
# Build in place; .complete marks a finished install, so an interrupted one is redone.
rm -rf "$venv"
python3 -m venv "$venv" || die "python3 -m venv failed: install python3-venv"
"$venv/bin/python" -m pip install -q --disable-pip-version-check --upgrade pip >&2 ||
	die "pip cannot reach PyPI (pip install --upgrade pip failed)"
"$venv/bin/python" -m pip install -q --disable-pip-version-check -r "$req" >&2 ||
	die "pip install -r requirements-dev.txt failed"
"$venv/bin/python" -m pip freeze >"$venv/requirements.lock"
touch "$venv/.complete"
echo "$venv"
