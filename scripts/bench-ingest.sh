#!/usr/bin/env bash
# bench-ingest.sh: a 1 GiB CSV into MinIO on loopback, `ingest` (check,
# SHA-256, idempotence stat, upload, manifest) against bare minio-go
# FPutObjects of the same file in the same run: one with minio-go's
# defaults, one sending what ingest sends on loopback (unsigned payload,
# CRC32C trailers). Order rotates, best of 3 each. The last line is
# `ingest throughput_ratio_vs_fput=<x>` (target >= 0.8); the line before it
# compares with the same-wire upload.
#
#   scripts/bench-ingest.sh                      1 GiB
#   MLSTACK_BENCH_INGEST_MIB=256 scripts/bench-ingest.sh
#
# The CSV and MinIO's data live in a temporary folder removed at exit.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

need go "install Go 1.26 (https://go.dev/doc/install)"
if [ -z "${MLSTACK_MINIO:-}" ]; then
	MLSTACK_MINIO=$(bash "$REPO_ROOT/scripts/setup-minio.sh")
fi
[ -x "$MLSTACK_MINIO" ] || die "MinIO binary $MLSTACK_MINIO missing: run scripts/setup-minio.sh"
export MLSTACK_MINIO
export MLSTACK_BENCH_INGEST_MIB="${MLSTACK_BENCH_INGEST_MIB:-1024}"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/bench-ingest-XXXXXX")
trap 'rm -rf "$tmp"' EXIT
export TMPDIR="$tmp" # t.TempDir (the CSV) and testenv's MinIO data go here

cd "$REPO_ROOT"
note "ingest vs FPutObject, ${MLSTACK_BENCH_INGEST_MIB} MiB CSV, MinIO $(basename "$(dirname "$MLSTACK_MINIO")")"
if ! go test -count=1 -run '^TestIngestThroughput$' -v ./ingest >"$tmp/out" 2>&1; then
	cat "$tmp/out" >&2
	die "benchmark failed"
fi
grep -E '^(ingest |  ingest: )' "$tmp/out" | grep -v 'throughput_ratio_vs_fput=' || true
grep '^ingest throughput_ratio_vs_fput=' "$tmp/out" | tail -1
