#!/usr/bin/env bash
# test.sh is `make test`: install what the tests need, then run go vet and
# every test tier against real services (MinIO, MLflow, PostgreSQL started on
# 127.0.0.1 by internal/testenv) and the real Python peers.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
cd "$REPO_ROOT"

exports=$(scripts/deps.sh)
eval "$exports"
note "go vet ./..."
go vet ./...
# The packages with assembly also build without it: the purego tag and
# another architecture take their Go fallbacks (which the tests above run
# too, by switching the assembly off).
note "go vet -tags purego, GOARCH=arm64 (assembly packages)"
go vet -tags purego ./pkg/boost ./pkg/neighbors
GOARCH=arm64 go vet ./pkg/boost ./pkg/neighbors
# staticcheck, pinned and cached like the other tools (2026.2.2 = v0.8.2).
staticcheck_version=v0.8.2
staticcheck="$MLSTACK_CACHE/staticcheck-$staticcheck_version/staticcheck"
if [ ! -x "$staticcheck" ]; then
	note "installing staticcheck $staticcheck_version from the Go module proxy"
	GOBIN="$(dirname "$staticcheck")" go install "honnef.co/go/tools/cmd/staticcheck@$staticcheck_version"
fi
note "staticcheck ./..."
"$staticcheck" ./...
note "go test ./... (unit, integration, interop)"
# CI=true makes a missing tool a failure instead of a skip; set it here too so
# that `make test` never passes by skipping.
CI="${CI:-true}" go test -count=1 -timeout 40m ./...

# The unit tier again under the race detector: every package's goroutines
# (folds, trees, neighbour searches, uploads, the server) with their shared
# state checked. -short with CI= skips what needs a server or Python, which
# the tier above has run (under -race those would take most of an hour);
# about 5 minutes on two cores.
note "go test -race -short ./... (unit tier, race detector)"
CI= go test -race -short -count=1 -timeout 20m ./...

# A short fuzz of every parser that reads what a user or a server hands us
# (issue 16): a count of inputs per target, a few seconds each on a loaded
# machine, so CI spends about a minute here. A finding fails the run and is
# written under the package's testdata/fuzz. Counts, not durations: with a
# duration, Go 1.26's fuzz coordinator can fail a target with a bare
# "context deadline exceeded" when a starved worker is mid-input at the
# deadline (go.dev/issue/75804, fixed in Go 1.27), which is no finding.
# MLSTACK_FUZZTIME sets one -fuzztime for every target ("30s", "100000x";
# 0 skips).
fuzztime="${MLSTACK_FUZZTIME:-}"
if [ "$fuzztime" != 0s ] && [ "$fuzztime" != 0 ]; then
	for target in \
		./pkg/experiment:FuzzParse:5000x \
		./pkg/boost:FuzzReadXGBoostJSON:50000x \
		./pkg/boost:FuzzLoadLeaves:30000x \
		./pkg/frame:FuzzReadCSV:20000x \
		./pkg/model:FuzzLoad:2000x \
		./pkg/serve:FuzzInvocations:5000x \
		./pkg/serve:FuzzParseJSON:50000x \
		./pkg/dataset:FuzzExtract:1000x; do
		IFS=: read -r pkg name count <<<"$target"
		n="${fuzztime:-$count}"
		note "fuzz $name ($pkg, $n)"
		go test -run='^$' -fuzz="^${name}\$" -fuzztime="$n" "$pkg"
	done
fi
