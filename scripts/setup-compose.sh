#!/usr/bin/env bash
# setup-compose.sh builds the Docker Compose CLI that tools/compose pins
# (github.com/docker/compose/v5, from the Go module proxy) and prints the
# binary's path. `make compose-test` drives docker-compose.yml with it
# against podman's Docker API.
#
#   scripts/setup-compose.sh          build when missing, print the path
#   scripts/setup-compose.sh --path   print the path only
set -euo pipefail
. "$(dirname "$0")/lib.sh"

mod="$REPO_ROOT/tools/compose"
version=$(awk '$1 == "github.com/docker/compose/v5" && NF >= 2 { print $2; exit }' "$mod/go.mod")
[ -n "$version" ] || die "tools/compose/go.mod does not pin github.com/docker/compose/v5"
bin="$MLSTACK_CACHE/compose-$version-$(sha12 "$mod/go.sum")/docker-compose"
if [ "${1:-}" = --path ]; then echo "$bin"; exit 0; fi
if [ -x "$bin" ]; then echo "$bin"; exit 0; fi

need go "install Go 1.24 or newer (https://go.dev/doc/install; Debian: apt-get install golang)"
mkdir -p "$(dirname "$bin")"
exec 9>"$(dirname "$bin")/.lock"
flock 9
if [ -x "$bin" ]; then echo "$bin"; exit 0; fi
note "building Docker Compose $version from the Go module proxy (about 3 minutes on 2 cores, once)"
(cd "$mod" && CGO_ENABLED=0 go build -trimpath -o "$bin.tmp" github.com/docker/compose/v5/cmd) ||
	die "building Docker Compose failed (see the go output above)"
mv "$bin.tmp" "$bin"
echo "$bin"
