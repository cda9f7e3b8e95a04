# Stand-in for quay.io/minio/minio:RELEASE.*: MinIO publishes no images any
# more, so this is the server scripts/setup-minio.sh builds from the Go
# module proxy (tools/minio pins it) with the official image's entrypoint
# (a first argument other than "minio" is an argument of minio), volume and
# ports, and bash (the compose healthcheck speaks HTTP with it).
ARG BASE
FROM ${BASE}
COPY minio /usr/bin/minio
RUN printf '%s\n' '#!/bin/sh' \
        'if [ "${1}" != "minio" ] && [ -n "${1}" ]; then set -- minio "$@"; fi' \
        'exec "$@"' > /usr/bin/docker-entrypoint.sh && \
    chmod 755 /usr/bin/docker-entrypoint.sh /usr/bin/minio && minio --version
EXPOSE 9000
VOLUME ["/data"]
ENTRYPOINT ["/usr/bin/docker-entrypoint.sh"]
CMD ["minio"]
