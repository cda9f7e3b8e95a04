# Stand-in for gcr.io/distroless/static-debian12:nonroot: no shell, no libc;
# CA certificates, /etc/passwd with root, nobody and nonroot (65532),
# /tmp, and the nonroot user with HOME=/home/nonroot as the default user.
ARG BASE
FROM ${BASE} AS files
RUN mkdir -p /rootfs/etc/ssl/certs /rootfs/tmp /rootfs/root /rootfs/home/nonroot && \
    cp /etc/ssl/certs/ca-certificates.crt /rootfs/etc/ssl/certs/ && \
    cp /etc/os-release /rootfs/etc/os-release && \
    printf '%s\n' 'root:x:0:0:root:/root:/sbin/nologin' \
        'nobody:x:65534:65534:nobody:/nonexistent:/sbin/nologin' \
        'nonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin' > /rootfs/etc/passwd && \
    printf '%s\n' 'root:x:0:' 'nobody:x:65534:' 'tty:x:5:' 'staff:x:50:' 'nonroot:x:65532:' > /rootfs/etc/group && \
    chmod 1777 /rootfs/tmp && chmod 700 /rootfs/root /rootfs/home/nonroot

FROM scratch
COPY --from=files /rootfs/ /
COPY --from=files --chown=65532:65532 /rootfs/home/nonroot /home/nonroot
ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt
USER 65532
WORKDIR /home/nonroot
