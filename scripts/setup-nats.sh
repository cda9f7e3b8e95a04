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

pinned_server nats-server nats github.com/nats-io/nats-server/v2 github.com/nats-io/nats-server/v2 nats-server "about a minute" "${1:-}"
