# Stand-in for golang:<version>-bookworm (Docker Hub's official image): the
# Go toolchain from the Go module proxy (golang.org/toolchain, checked
# against sum.golang.org by `go mod download`) on Debian bookworm with the
# packages and variables of the official image that builds use.
ARG BASE
FROM ${BASE}
ARG GO_VERSION
RUN apt-get update && apt-get install -y --no-install-recommends \
        ca-certificates curl git gcc libc6-dev make pkg-config procps && \
    rm -rf /var/lib/apt/lists/*
COPY go/ /usr/local/go/
ENV GOLANG_VERSION=${GO_VERSION} \
    GOTOOLCHAIN=local \
    GOPATH=/go \
    PATH=/go/bin:/usr/local/go/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
RUN mkdir -p /go/src /go/bin && chmod -R 1777 /go && go version
WORKDIR /go
