# The commands the README gives. Logic lives in scripts/ and cmd/; this file
# only names it.
SHELL := /bin/bash
export MLSTACK_CACHE ?= $(HOME)/.cache/mlstack

.PHONY: demo test deps vet notebooks stack-up stack-down stack-status stack-env compose-test bench-boost bench-mlflow bench-pipeline bench-ingest bench-smote bench-read bench-shap

## demo: run the main job (train --config configs/classification.yaml) on built-in data, no services needed
demo: bin/train
	bin/train --config configs/classification.yaml

## test: install what the tests need (cached), then go vet and every test tier against real services
test:
	@scripts/test.sh

## deps: only install the tools (Python venv, MinIO server, GoNB, Debian packages)
deps:
	@scripts/deps.sh >/dev/null

vet:
	go vet ./...

## notebooks: execute every notebook headless (nbconvert) and fail on any failing cell
notebooks:
	@eval "$$(scripts/deps.sh)" && scripts/notebooks.sh

## stack-up / stack-down / stack-status / stack-env: the native stack (MinIO, MLflow, JupyterLab+GoNB) on 127.0.0.1;
## stack-env prints its clients' variables: eval "$(make -s stack-env)"
stack-up: bin/stack
	@eval "$$(scripts/deps.sh)" && bin/stack up

stack-down: bin/stack
	@bin/stack down

stack-status: bin/stack
	@bin/stack status

stack-env: bin/stack
	@bin/stack env

## compose-test: docker-compose.yml for real under podman (root, runc), driven by the real Docker Compose:
## images built by their Dockerfiles, stack up and healthy, ingest, notebook 02 in the Jupyter container, train, down
compose-test:
	@scripts/compose-test.sh

# Programs are built (not `go run`) so their exit codes and messages reach
# the terminal unchanged. Go's build cache makes this quick.
.PHONY: bin/train bin/stack
bin/train bin/stack:
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
