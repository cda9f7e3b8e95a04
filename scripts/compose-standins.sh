#!/usr/bin/env bash
# compose-standins.sh builds local stand-ins for the public images that
# docker-compose.yml and the Dockerfiles it builds name, under those names,
# in the podman storage the caller configured (CONTAINERS_CONF,
# CONTAINERS_STORAGE_CONF, CONTAINERS_REGISTRIES_CONF; scripts/compose-test.sh
# sets them): no image registry is reachable on the machines that run
# `make compose-test`. The recipes are docker/standins/*.Dockerfile on a
# Debian bookworm made by debootstrap.
#
#   scripts/compose-standins.sh IMAGE...   e.g. golang:1.26.8-bookworm
#
# Each image is cached as an archive under $MLSTACK_CACHE/compose-standins,
# named by its version and keyed by its recipe and inputs; a missing or
# stale archive is rebuilt (a cold run takes about 10 minutes on 2 cores).
# The host's own CA certificates (/usr/local/share/ca-certificates) are
# trusted in the images too, so that builds behind a TLS-intercepting proxy
# reach PyPI and the Go module proxy as the host does.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

need podman "install podman (Debian: apt-get install podman runc)"
need debootstrap "install debootstrap (Debian: apt-get install debootstrap)"
need zstd "install zstd (Debian: apt-get install zstd)"
need unzip "install unzip (Debian: apt-get install unzip)"
need go "install Go 1.24 or newer"
[ -n "${CONTAINERS_STORAGE_CONF:-}" ] || die "CONTAINERS_STORAGE_CONF is not set: run this from scripts/compose-test.sh"

recipes="$REPO_ROOT/docker/standins"
cache="$MLSTACK_CACHE/compose-standins"
mkdir -p "$cache"
exec 9>"$cache/.lock"
flock 9
work=$(mktemp -d "${TMPDIR:-/tmp}/mlstack-standins.XXXXXX")
trap 'rm -rf "$work"' EXIT
cas=(/usr/local/share/ca-certificates/*.crt)
[ -e "${cas[0]}" ] || cas=()

# normalize prints the full name of an image reference, as Docker reads it.
normalize() {
	local ref=$1 first=${1%%/*}
	if [[ $ref != */* ]]; then
		ref=docker.io/library/$ref
	elif [[ $first != *.* && $first != *:* && $first != localhost ]]; then
		ref=docker.io/$ref
	fi
	printf '%s\n' "$ref"
}

# have REF KEY: the image is in storage, built from the recipe with KEY.
have() {
	[ "$(podman image inspect --format '{{index .Labels "mlstack.standin.key"}}' "$1" 2>/dev/null)" = "$2" ]
}

# cached SLUG KEY REF BUILD_FUNCTION ARGS...: load REF from its archive, or
# build it with the function and save the archive (older ones of the same
# slug are removed).
cached() {
	local slug=$1 key=$2 ref=$3 archive="$cache/$1-$2.tar.zst"
	shift 3
	if have "$ref" "$key"; then
		return
	fi
	if [ -f "$archive" ]; then
		note "stand-in $ref: loading $(basename "$archive")"
		if zstd -dcq "$archive" | podman load -q >/dev/null && have "$ref" "$key"; then
			return
		fi
		note "stand-in $ref: the archive is unusable, building again"
		rm -f "$archive"
	fi
	note "stand-in $ref: building"
	"$@"
	have "$ref" "$key" || die "stand-in $ref: the build left no image with key $key"
	rm -f "$cache/$slug"-*.tar.zst
	podman save -q "$ref" | zstd -q -T0 -3 -o "$archive.tmp"
	mv "$archive.tmp" "$archive"
}

# build REF KEY RECIPE CONTEXT [--build-arg ...]: podman build of a recipe.
build() {
	local ref=$1 key=$2 recipe=$3 ctx=$4
	shift 4
	cp "$recipes/$recipe" "$ctx/Dockerfile"
	podman build -q --label mlstack.standin.key="$key" --label mlstack.standin.recipe="$recipe" \
		-t "$ref" "$@" "$ctx" >/dev/null
}

# --- Debian bookworm (minbase), the base of every stand-in
debian_ref=localhost/mlstack-standin/debian:bookworm
debian_key=$(printf 'debootstrap --variant=minbase bookworm v1\n' | cat - "${cas[@]}" | sha256sum | cut -c1-12)
debian_build() {
	local root="$work/rootfs"
	debootstrap --variant=minbase --include=ca-certificates bookworm "$root" http://deb.debian.org/debian >"$work/debootstrap.log" 2>&1 ||
		{ tail -20 "$work/debootstrap.log" >&2; die "debootstrap failed"; }
	rm -f "$root/etc/apt/sources.list"
	printf '%s\n' 'Types: deb' 'URIs: http://deb.debian.org/debian' 'Suites: bookworm bookworm-updates' \
		'Components: main' 'Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg' '' \
		'Types: deb' 'URIs: http://deb.debian.org/debian-security' 'Suites: bookworm-security' \
		'Components: main' 'Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg' \
		>"$root/etc/apt/sources.list.d/debian.sources"
	if [ ${#cas[@]} -gt 0 ]; then
		cp "${cas[@]}" "$root/usr/local/share/ca-certificates/"
		chroot "$root" update-ca-certificates >/dev/null 2>&1
	fi
	chroot "$root" apt-get clean
	rm -rf "$root"/var/lib/apt/lists/* "$root"/var/cache/apt/*.bin
	tar -C "$root" -c . | podman import -q \
		--change 'CMD ["bash"]' \
		--change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
		--change "LABEL mlstack.standin.key=$debian_key" \
		- "$debian_ref" >/dev/null
	rm -rf "$root"
}
cached debian-bookworm "$debian_key" "$debian_ref" debian_build

# --- golang:<go version>-bookworm
standin_golang() {
	local ref=$1 tag=${1##*:} v key
	v=${tag%-bookworm}
	[[ $tag == *-bookworm && $v =~ ^[0-9]+\.[0-9]+(\.[0-9]+)?$ ]] || die "no stand-in for $ref: want golang:<version>-bookworm"
	key=$(cat "$recipes/golang.Dockerfile" | sha256sum | cut -c1-12)
	key=$(printf '%s %s %s\n' "$key" "$debian_key" "$v" | sha256sum | cut -c1-12)
	golang_build() {
		local ctx="$work/golang" mod zip
		mkdir -p "$ctx"
		mod="golang.org/toolchain@v0.0.1-go$v.linux-$(go env GOHOSTARCH)"
		zip=$(cd "$work" && GOFLAGS= go mod download -json "$mod" | sed -n 's/^\t"Zip": "\(.*\)",$/\1/p')
		[ -f "$zip" ] || die "go mod download $mod gave no zip"
		unzip -q "$zip" -d "$ctx/unzip"
		mv "$ctx/unzip/${mod}" "$ctx/go"
		chmod -R u+w,a+rX "$ctx/go"
		chmod a+x "$ctx/go"/bin/* "$ctx/go"/pkg/tool/*/*
		build "$ref" "$key" golang.Dockerfile "$ctx" --build-arg BASE="$debian_ref" --build-arg GO_VERSION="$v"
	}
	cached "golang-$v-bookworm" "$key" "$ref" golang_build
}

# --- python:<version>-slim-bookworm (Debian's Python 3.11)
python_key=
standin_python() {
	local ref=$1 tag=${1##*:} v key
	v=${tag%-slim-bookworm}
	[[ $tag == *-slim-bookworm && $v == 3.11.* ]] ||
		die "no stand-in for $ref: Debian bookworm's Python is 3.11, so want python:3.11.x-slim-bookworm"
	key=$(cat "$recipes/python.Dockerfile" | sha256sum | cut -c1-12)
	key=$(printf '%s %s %s\n' "$key" "$debian_key" "$v" | sha256sum | cut -c1-12)
	python_key=$key
	python_build() {
		mkdir -p "$work/python"
		build "$ref" "$key" python.Dockerfile "$work/python" --build-arg BASE="$debian_ref"
	}
	cached "python-$v-slim-bookworm" "$key" "$ref" python_build
}

# --- ghcr.io/mlflow/mlflow:v<version>-full, on the Python the Dockerfiles use
standin_mlflow() {
	local ref=$1 tag=${1##*:} v pinned key base
	v=${tag#v}
	v=${v%-full}
	pinned=$(sed -n 's/^mlflow==\([^ ]*\).*/\1/p' "$REPO_ROOT/requirements-dev.txt")
	[ "$v" = "$pinned" ] || die "docker-compose.yml runs $ref, but requirements-dev.txt pins mlflow==$pinned: make them agree"
	base=$(grep -h '^FROM python:' "$REPO_ROOT/docker/jupyter/Dockerfile" | awk '{print $2}' | head -1)
	[ -n "$base" ] || die "docker/jupyter/Dockerfile names no python image to build the mlflow stand-in on"
	base=$(normalize "$base")
	standin_python "$base"
	key=$(cat "$recipes/mlflow.Dockerfile" "$REPO_ROOT/requirements-dev.txt" | sha256sum | cut -c1-12)
	key=$(printf '%s %s\n' "$key" "$python_key" | sha256sum | cut -c1-12)
	mlflow_build() {
		mkdir -p "$work/mlflow"
		cp "$REPO_ROOT/requirements-dev.txt" "$work/mlflow/"
		build "$ref" "$key" mlflow.Dockerfile "$work/mlflow" --build-arg BASE="$base"
	}
	cached "mlflow-$v-full" "$key" "$ref" mlflow_build
}

# --- quay.io/minio/minio:RELEASE.*, the server tools/minio pins
standin_minio() {
	local ref=$1 bin key
	bin=$("$REPO_ROOT/scripts/setup-minio.sh")
	key=$(cat "$recipes/minio.Dockerfile" | sha256sum | cut -c1-12)
	key=$(printf '%s %s %s\n' "$key" "$debian_key" "$(sha256sum <"$bin" | cut -c1-12)" | sha256sum | cut -c1-12)
	minio_build() {
		mkdir -p "$work/minio"
		cp "$bin" "$work/minio/minio"
		build "$ref" "$key" minio.Dockerfile "$work/minio" --build-arg BASE="$debian_ref"
	}
	cached "$(basename "$(dirname "$bin")")" "$key" "$ref" minio_build
}

# --- gcr.io/distroless/static-debian12:nonroot
standin_distroless() {
	local ref=$1 key
	[ "${ref##*:}" = nonroot ] || die "no stand-in for $ref: want the :nonroot tag"
	key=$(cat "$recipes/distroless-static.Dockerfile" | sha256sum | cut -c1-12)
	key=$(printf '%s %s\n' "$key" "$debian_key" | sha256sum | cut -c1-12)
	distroless_build() {
		mkdir -p "$work/distroless"
		build "$ref" "$key" distroless-static.Dockerfile "$work/distroless" --build-arg BASE="$debian_ref"
	}
	cached distroless-static-debian12-nonroot "$key" "$ref" distroless_build
}

[ $# -gt 0 ] || die "usage: compose-standins.sh IMAGE..."
for img in "$@"; do
	ref=$(normalize "$img")
	case "${ref%:*}" in
	docker.io/library/golang) standin_golang "$ref" ;;
	docker.io/library/python) standin_python "$ref" ;;
	ghcr.io/mlflow/mlflow) standin_mlflow "$ref" ;;
	quay.io/minio/minio) standin_minio "$ref" ;;
	gcr.io/distroless/static-debian12) standin_distroless "$ref" ;;
	*) die "no stand-in recipe for $img (docker/standins has golang, python, mlflow, minio, distroless/static)" ;;
	esac
done
