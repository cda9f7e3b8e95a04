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
