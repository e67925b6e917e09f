# Stand-in for prom/prometheus: Debian's Prometheus as the entrypoint (the stack passes
# its flags as the command), wget for the health check, /prometheus for its data.
ARG DEBIAN_IMAGE=faas-ems-local/debian:bookworm
FROM ${DEBIAN_IMAGE}
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends prometheus wget \
 && rm -rf /var/lib/apt/lists/* \
 && mkdir /prometheus && chown prometheus:prometheus /prometheus
USER prometheus
ENTRYPOINT ["/usr/bin/prometheus"]
