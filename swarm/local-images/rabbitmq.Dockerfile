# Stand-in for rabbitmq:3.13-management-alpine: Debian's RabbitMQ behind an entrypoint
# with the upstream image's contract (docker-entrypoint.sh rabbitmq-server, started as
# root, running as rabbitmq; conf.d; the CLI tools share the server's cookie).
ARG DEBIAN_IMAGE=faas-ems-local/debian:bookworm
FROM ${DEBIAN_IMAGE}
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends rabbitmq-server \
 && rm -rf /var/lib/apt/lists/* \
 && mkdir -p /etc/rabbitmq/conf.d \
 && ln -sf /var/lib/rabbitmq/.erlang.cookie /root/.erlang.cookie
COPY swarm/local-images/rabbitmq-entrypoint.sh /usr/local/bin/docker-entrypoint.sh
ENTRYPOINT ["docker-entrypoint.sh"]
CMD ["rabbitmq-server"]
