#!/bin/sh
# The upstream rabbitmq image's start-up, for Debian's RabbitMQ: own the data
# directory, then run the server as user rabbitmq (never as root).
set -eu

if [ "$1" = rabbitmq-server ]; then
    shift
    chown -R rabbitmq:rabbitmq /var/lib/rabbitmq
    exec setpriv --reuid=rabbitmq --regid=rabbitmq --init-groups \
        env HOME=/var/lib/rabbitmq /usr/lib/rabbitmq/bin/rabbitmq-server "$@"
fi
exec "$@"
