#!/usr/bin/env bash
# setup-gonb.sh builds the GoNB kernel and the tools it needs in every cell
# (goimports, gopls), at the versions pinned in go.mod and tools/gotools/go.mod,
# and prints the directory holding them.
#
#   scripts/setup-gonb.sh          build when missing, print the directory
#   scripts/setup-gonb.sh --path   print the directory only
set -euo pipefail
. "$(dirname "$0")/lib.sh"

gonb=$(awk '$1 == "github.com/janpfeifer/gonb" && NF >= 2 { print $2; exit }' "$REPO_ROOT/go.mod")
gopls=$(awk '$1 == "golang.org/x/tools/gopls" && NF >= 2 { print $2; exit }' "$REPO_ROOT/tools/gotools/go.mod")
[ -n "$gonb" ] && [ -n "$gopls" ] || die "go.mod must pin github.com/janpfeifer/gonb and tools/gotools/go.mod golang.org/x/tools/gopls"
dir="$MLSTACK_CACHE/gotools-gonb$gonb-gopls$gopls-$(sha12 "$REPO_ROOT/tools/gotools/go.sum")"
if [ "${1:-}" = --path ]; then echo "$dir"; exit 0; fi
if [ -f "$dir/.complete" ]; then echo "$dir"; exit 0; fi

need go "install Go 1.24 or newer (https://go.dev/doc/install; Debian: apt-get install golang)"
mkdir -p "$dir"
exec 9>"$dir/.lock"
flock 9
if [ -f "$dir/.complete" ]; then echo "$dir"; exit 0; fi
note "building gonb $gonb, goimports and gopls $gopls (once)"
(cd "$REPO_ROOT" && go build -trimpath -o "$dir/gonb" github.com/janpfeifer/gonb) || die "building gonb failed"
(cd "$REPO_ROOT/tools/gotools" && go build -trimpath -o "$dir/goimports" golang.org/x/tools/cmd/goimports &&
	go build -trimpath -o "$dir/gopls" golang.org/x/tools/gopls) || die "building goimports/gopls failed"
touch "$dir/.complete"
echo "$dir"
