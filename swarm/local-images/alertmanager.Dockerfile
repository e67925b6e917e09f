# Stand-in for prom/alertmanager: Debian's Alertmanager as the entrypoint (the stack
# passes its flags as the command), wget for the health check, /alertmanager for its data.
ARG DEBIAN_IMAGE=faas-ems-local/debian:bookworm
FROM ${DEBIAN_IMAGE}
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends prometheus-alertmanager wget \
 && rm -rf /var/lib/apt/lists/* \
 && mkdir /alertmanager && chown prometheus:prometheus /alertmanager
USER prometheus
ENTRYPOINT ["/usr/bin/prometheus-alertmanager"]
