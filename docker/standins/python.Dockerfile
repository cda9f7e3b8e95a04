# Stand-in for python:<version>-slim-bookworm: Debian bookworm's Python 3.11
# (3.11.2, where the official image builds 3.11.x from source) as a virtual
# environment at /usr/local, which gives the official layout: python,
# python3 and pip in /usr/local/bin, packages in
# /usr/local/lib/python3.11/site-packages, and no Debian-managed packages
# for pip to trip on. pip is the 24.0 the official 3.11 images bundle; it
# trusts the system's certificates (Debian's roots and the host's own CAs,
# see scripts/compose-standins.sh) where the official pip trusts the roots
# of its bundled certifi.
ARG BASE
FROM ${BASE}
RUN apt-get update && apt-get install -y --no-install-recommends \
        ca-certificates netbase tzdata python3 python3-venv && \
    rm -rf /var/lib/apt/lists/* && \
    python3 -m venv /usr/local && \
    /usr/local/bin/pip install --no-cache-dir pip==24.0 && \
    /usr/local/bin/python -c 'import ssl, sqlite3, venv'
ENV LANG=C.UTF-8 \
    PIP_CERT=/etc/ssl/certs/ca-certificates.crt \
    PATH=/usr/local/bin:/usr/local/sbin:/usr/sbin:/usr/bin:/sbin:/bin
CMD ["python3"]
