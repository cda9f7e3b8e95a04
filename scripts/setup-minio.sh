#!/usr/bin/env bash
# setup-minio.sh builds the pinned MinIO server from the Go module proxy
# (MinIO publishes no new images or binaries) and prints the binary's path.
#
#   scripts/setup-minio.sh          build when missing, print the path
#   scripts/setup-minio.sh --path   print the path only
set -euo pipefail
. "$(dirname "$0")/lib.sh"

mod="$REPO_ROOT/tools/minio"
version=$(awk '$1 == "github.com/minio/minio" && NF >= 2 { print $2; exit }' "$mod/go.mod")
[ -n "$version" ] || die "tools/minio/go.mod does not pin github.com/minio/minio"
bin="$MLSTACK_CACHE/minio-$version/minio"
if [ "${1:-}" = --path ]; then echo "$bin"; exit 0; fi
if [ -x "$bin" ]; then echo "$bin"; exit 0; fi

need go "install Go 1.24 or newer (https://go.dev/doc/install; Debian: apt-get install golang)"
mkdir -p "$(dirname "$bin")"
exec 9>"$(dirname "$bin")/.lock"
flock 9
if [ -x "$bin" ]; then echo "$bin"; exit 0; fi
note "building MinIO $version from the Go module proxy (about 6 minutes on 2 cores, once)"
(cd "$mod" && CGO_ENABLED=0 go build -trimpath -o "$bin.tmp" github.com/minio/minio) ||
	die "building MinIO failed (see the go output above)"
mv "$bin.tmp" "$bin"
echo "$bin"
