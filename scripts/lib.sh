# shellcheck shell=bash
# Shared helpers for the setup scripts: where the cache lives and how to fail.
# Every install is cached under $MLSTACK_CACHE keyed by version, so a second
# run is quick; nothing here assumes the cache exists.

MLSTACK_CACHE="${MLSTACK_CACHE:-$HOME/.cache/mlstack}"
REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

# die prints one line saying what is wrong and exits 1.
die() { printf 'mlstack: %s\n' "$*" >&2; exit 1; }

# note prints progress to stderr (stdout is kept for values callers read).
note() { printf '==> %s\n' "$*" >&2; }

# need fails with an install hint when a command is missing.
need() {
	command -v "$1" >/dev/null 2>&1 || die "$1 not found: $2"
}

# sha12 prints the first 12 hex digits of the SHA-256 of its input files.
sha12() { cat "$@" | sha256sum | cut -c1-12; }

# apt_install installs Debian packages when we are root, else says what to run.
apt_install() {
	if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
		note "apt-get install $*"
		if [ ! -f "$MLSTACK_CACHE/.apt-updated" ] || [ -n "$(find "$MLSTACK_CACHE/.apt-updated" -mmin +720 2>/dev/null)" ]; then
			DEBIAN_FRONTEND=noninteractive apt-get update -qq >&2 || die "apt-get update failed"
			mkdir -p "$MLSTACK_CACHE" && touch "$MLSTACK_CACHE/.apt-updated"
		fi
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >&2 ||
			die "apt-get install $* failed"
	else
		die "missing Debian packages: run 'sudo apt-get install $*'"
	fi
}

# pinned_server NAME TOOLS_DIR MODULE PKG BINARY DURATION [--path]: builds the
# server PKG that tools/TOOLS_DIR/go.mod pins (module MODULE) from the Go
# module proxy into $MLSTACK_CACHE/BINARY-<version>/BINARY, once, under a
# lock, and prints the binary's path (--path: only the path). NAME and
# DURATION are for the message ("MinIO", "about 6 minutes on 2 cores").
pinned_server() {
	local name=$1 mod="$REPO_ROOT/tools/$2" module=$3 pkg=$4 binary=$5 duration=$6 version bin
	version=$(awk -v m="$module" '$1 == m && NF >= 2 { print $2; exit }' "$mod/go.mod")
	[ -n "$version" ] || die "tools/$2/go.mod does not pin $module"
	bin="$MLSTACK_CACHE/$binary-$version/$binary"
	if [ "${7:-}" = --path ] || [ -x "$bin" ]; then echo "$bin"; return 0; fi
	need go "install Go 1.24 or newer (https://go.dev/doc/install; Debian: apt-get install golang)"
	mkdir -p "$(dirname "$bin")"
	exec 9>"$(dirname "$bin")/.lock"
	flock 9
	if [ ! -x "$bin" ]; then
		note "building $name $version from the Go module proxy ($duration, once)"
		(cd "$mod" && CGO_ENABLED=0 go build -trimpath -o "$bin.tmp" "$pkg") ||
			die "building $name failed (see the go output above)"
		mv "$bin.tmp" "$bin"
	fi
	exec 9>&-
	echo "$bin"
}
