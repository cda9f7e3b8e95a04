# Stand-in for ghcr.io/mlflow/mlflow:v<version>-full: the MLflow server with
# boto3 (S3 artifacts) and psycopg2 (PostgreSQL), at the pins of
# requirements-dev.txt (compose-standins.sh checks that the tag names the
# pinned mlflow).
ARG BASE
FROM ${BASE}
COPY requirements-dev.txt /tmp/requirements-dev.txt
RUN pip install --no-cache-dir -c /tmp/requirements-dev.txt mlflow boto3 psycopg2-binary && \
    rm /tmp/requirements-dev.txt && mlflow --version
