#!/usr/bin/env bash
# setup-nats.sh builds the pinned NATS server (JetStream built in) from the
# Go module proxy, as setup-minio.sh does for MinIO, and prints the
# binary's path. Distributed searches (`train worker --nats`) and the test
# harness's JetStream clusters run it.
#
#   scripts/setup-nats.sh          build when missing, print the path
#   scripts/setup-nats.sh --path   print the path only
set -euo pipefail
. "$(dirname "$0")/lib.sh"

mod="$REPO_ROOT/tools/nats"
version=$(awk '$1 == "github.com/nats-io/nats-server/v2" && NF >= 2 { print $2; exit }' "$mod/go.mod")
[ -n "$version" ] || die "tools/nats/go.mod does not pin github.com/nats-io/nats-server/v2"
bin="$MLSTACK_CACHE/nats-server-$version/nats-server"
if [ "${1:-}" = --path ]; then echo "$bin"; exit 0; fi
if [ -x "$bin" ]; then echo "$bin"; exit 0; fi

need go "install Go 1.24 or newer (https://go.dev/doc/install; Debian: apt-get install golang)"
mkdir -p "$(dirname "$bin")"
exec 9>"$(dirname "$bin")/.lock"
flock 9
if [ -x "$bin" ]; then echo "$bin"; exit 0; fi
note "building nats-server $version from the Go module proxy (about a minute, once)"
(cd "$mod" && CGO_ENABLED=0 go build -trimpath -o "$bin.tmp" github.com/nats-io/nats-server/v2) ||
	die "building nats-server failed (see the go output above)"
mv "$bin.tmp" "$bin"
echo "$bin"
