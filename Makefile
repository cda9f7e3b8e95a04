# The commands the README gives. Logic lives in scripts/ and cmd/; this file
# only names it.
SHELL := /bin/bash
export MLSTACK_CACHE ?= $(HOME)/.cache/mlstack

.PHONY: demo test test-fast deps vet notebooks stack-up stack-down stack-status stack-env compose-test bench-boost bench-mlflow bench-pipeline bench-ingest bench-smote bench-read serve bench-serve bench-search bench-shap

## demo: run the main job (train --config configs/classification.yaml) on built-in data, no services needed
demo: bin/train
	bin/train --config configs/classification.yaml

## test: install what the tests need (cached), then go vet and every test tier against real services
test:
	@scripts/test.sh

## test-fast: the unit tier for the inner loop (under 90 s on a quiet machine): go vet and `go test -short`,
## which skips every test that needs a server, Python, GoNB or a browser (testenv.SkipShort) and the long
## trainings; CI= so that it skips even where CI is set. `make test` (CI) still runs everything.
test-fast:
	@go vet ./... && CI= go test -short -count=1 ./...

## deps: only install the tools (Python venv, MinIO server, GoNB, Debian packages)
deps:
	@scripts/deps.sh >/dev/null

vet:
	go vet ./...

## notebooks: execute every notebook headless (nbconvert) and fail on any failing cell
notebooks:
	@eval "$$(scripts/deps.sh)" && scripts/notebooks.sh

## stack-up / stack-down / stack-status / stack-env: the native stack (MinIO, MLflow, NATS, JupyterLab+GoNB) on 127.0.0.1;
## make stack-up WORKERS=2 also starts two search workers (train worker) on its NATS;
## stack-env prints its clients' variables: eval "$(make -s stack-env)"
stack-up: bin/stack bin/train
	@eval "$$(scripts/deps.sh)" && MLSTACK_WORKERS=$(WORKERS) bin/stack up

stack-down: bin/stack
	@bin/stack down

stack-status: bin/stack
	@bin/stack status

stack-env: bin/stack
	@bin/stack env

## serve: serve a registered model with MLflow's scoring protocol on 127.0.0.1:$SERVE_PORT (8080), from the
## native stack (make stack-up first); MODEL defaults to .env's SERVE_MODEL (models:/diabetes-xgb@champion)
MODEL ?=
SERVE_FLAGS ?= --poll 30s
serve: bin/serve bin/stack
	@eval "$$(bin/stack env)" && exec bin/serve --model "$(if $(MODEL),$(MODEL),$$SERVE_MODEL)" --port "$${SERVE_PORT:-8080}" $(SERVE_FLAGS)

## compose-test: docker-compose.yml for real under podman (root, runc), driven by the real Docker Compose:
## images built by their Dockerfiles, stack up and healthy, ingest, notebook 02 in the Jupyter container, train, down
compose-test:
	@scripts/compose-test.sh

# Programs are built (not `go run`) so their exit codes and messages reach
# the terminal unchanged. Go's build cache makes this quick.
.PHONY: bin/train bin/stack bin/serve
bin/train bin/stack bin/serve:
	@go build -o $@ ./cmd/$(@F)

## benchmarks: each prints its ratio against the peer, measured in the same run, as its last line
bench-boost:
	@eval "$$(scripts/deps.sh)" && scripts/bench-boost.sh

bench-shap:
	@eval "$$(scripts/deps.sh)" && scripts/bench-shap.sh

bench-mlflow:
	@eval "$$(scripts/deps.sh)" && scripts/bench-mlflow.sh

bench-pipeline:
	@eval "$$(scripts/deps.sh)" && scripts/bench-pipeline.sh

bench-ingest:
	@eval "$$(scripts/deps.sh)" && scripts/bench-ingest.sh

bench-smote:
	@eval "$$(scripts/deps.sh)" && scripts/bench-smote.sh

bench-read:
	@eval "$$(scripts/deps.sh)" && scripts/bench-read.sh

bench-search:
	@eval "$$(scripts/deps.sh)" && scripts/bench-search.sh

bench-serve:
	@eval "$$(scripts/deps.sh)" && scripts/bench-serve.sh
