#!/usr/bin/env bash
# setup-minio.sh builds the pinned MinIO server from the Go module proxy
# (MinIO publishes no new images or binaries) and prints the binary's path.
#
#   scripts/setup-minio.sh          build when missing, print the path
#   scripts/setup-minio.sh --path   print the path only
set -euo pipefail
. "$(dirname "$0")/lib.sh"

pinned_server MinIO minio github.com/minio/minio github.com/minio/minio minio "about 6 minutes on 2 cores" "${1:-}"
