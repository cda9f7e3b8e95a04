#!/usr/bin/env bash
# deps.sh installs everything the tests and the native stack need (each step
# is idempotent and cached under ~/.cache/mlstack keyed by version) and prints
# shell exports naming where the tools are:
#
#   eval "$(scripts/deps.sh)"
set -euo pipefail
. "$(dirname "$0")/lib.sh"

need go "install Go 1.24 or newer (https://go.dev/doc/install; Debian: apt-get install golang)"
need python3 "install Python 3 (Debian: apt-get install python3 python3-venv python3-pip)"
python3 -m pip --version >/dev/null 2>&1 || die "pip not found: install it (Debian: apt-get install python3-pip)"
need flock "install util-linux (Debian: apt-get install util-linux)"

"$REPO_ROOT/scripts/setup-debian.sh"
venv=$("$REPO_ROOT/scripts/setup-python.sh")
minio=$("$REPO_ROOT/scripts/setup-minio.sh")
gotools=$("$REPO_ROOT/scripts/setup-gonb.sh")
nats=$("$REPO_ROOT/scripts/setup-nats.sh")
printf 'export MLSTACK_VENV=%q MLSTACK_MINIO=%q MLSTACK_GOTOOLS=%q MLSTACK_NATS=%q\n' "$venv" "$minio" "$gotools" "$nats"
