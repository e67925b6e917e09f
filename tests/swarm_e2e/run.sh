#!/usr/bin/env bash
# make swarm-test: the Swarm deployment on a real Docker engine, end to end.
#
#   engine    Debian's docker.io, dockerd, a single-node swarm (engine.sh)
#   images    base images from Debian's packages (swarm/local-images/build.sh)
#   deploy    swarm/deploy.sh, as docs/deployment.md tells an operator
#   scenario  pytest tests/swarm_e2e through nginx's published port
#   teardown  the stack, its volumes and secrets; the swarm and dockerd if this run
#             made them. Built images stay, so that the next run reuses them.
#
# Settings: EMS_HTTP_PORT, EMS_HTTPS_PORT (18080, 18443: the machine's own services keep
# 8080), EMS_KEEP=1 leaves the stack up for a look (then: tests/swarm_e2e/run.sh teardown).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
HERE="$ROOT/tests/swarm_e2e"
STATE="$ROOT/.swarm"
export EMS_SWARM_STATE="$STATE"
export EMS_STACK="${EMS_STACK:-ems}"
export EMS_HTTP_PORT="${EMS_HTTP_PORT:-18080}"
export EMS_HTTPS_PORT="${EMS_HTTPS_PORT:-18443}"
export EMS_MQTT_PORT="${EMS_MQTT_PORT:-18883}" # the machine's own broker may have 1884
export EMS_TLS_HOST=localhost # deploy.sh's self-signed certificate, which the clients trust
export EMS_CREDENTIALS_DIR="$STATE/credentials"
# Secrets the scenario must know (to sign a token, to publish as a meter gateway) are
# given to swarm/secrets.sh as files, the way an operator brings their own.
export EMS_SECRETS_FROM="$STATE/secrets"
export EMS_RESOLVE_IMAGE=never # no registry answers: use the images built here
export DOCKER_BUILDKIT=0       # BuildKit would fetch its Dockerfile frontend from a registry
LOCAL=faas-ems-local
export EMS_BUILD_ARGS="PYTHON_IMAGE=$LOCAL/python NODE_IMAGE=$LOCAL/node NGINX_IMAGE=$LOCAL/nginx"
export EMS_POSTGRES_IMAGE=$LOCAL/postgres EMS_RABBITMQ_IMAGE=$LOCAL/rabbitmq
export EMS_REDIS_IMAGE=$LOCAL/redis EMS_PROMETHEUS_IMAGE=$LOCAL/prometheus
export EMS_ALERTMANAGER_IMAGE=$LOCAL/alertmanager

TIMES=()
say() { printf '[swarm-test] %s\n' "$*"; }

phase() {
    local name="$1" started status=0
    shift
    say "=== $name"
    started=$SECONDS
    "$@" || status=$?
    TIMES+=("$name $((SECONDS - started))s")
    say "=== $name $([[ $status == 0 ]] && echo done || echo FAILED) in $((SECONDS - started))s"
    return "$status"
}

report_times() {
    say "phase times: ${TIMES[*]:-none}"
}

deploy() {
    "$ROOT/swarm/deploy.sh" 2>&1 | grep -v -e '^DEPRECATED: The legacy builder' \
        -e '^ *BuildKit is currently disabled' -e '^ *environment-variable' -e '^$'
}

scenario() {
    local ca="$EMS_CREDENTIALS_DIR/tls-cert.pem"
    EMS_SWARM_E2E=1 REQUESTS_CA_BUNDLE="$ca" WEBSOCKET_CLIENT_CA_BUNDLE="$ca" \
        "$ROOT/.venv/bin/pytest" "$HERE" -p no:cacheprovider -v
}

remove_stack() {
    docker info >/dev/null 2>&1 || return 0
    # Functions are services of their own (faas-swarm made them) on the stack's network:
    # they go first, or the network could not be removed with the stack.
    docker service ls -q --filter label=com.openfaas.function | xargs -r docker service rm >/dev/null
    if docker stack ls --format '{{.Name}}' | grep -qx "$EMS_STACK"; then
        docker stack rm "$EMS_STACK" >/dev/null
    fi
    # Swarm stops the containers and removes the network a little after `stack rm`
    # returns; a job's finished containers stay until removed.
    local stack_label="label=com.docker.stack.namespace=$EMS_STACK"
    for _ in $(seq 1 120); do
        [[ -z "$(docker ps -q --filter "$stack_label")" ]] && break
        sleep 1
    done
    docker ps -aq --filter "$stack_label" | xargs -r docker rm -f >/dev/null
    for _ in $(seq 1 60); do
        docker network inspect func_functions >/dev/null 2>&1 || break
        # Left behind when `stack rm` ran while a function still used it.
        docker network rm func_functions >/dev/null 2>&1 || sleep 1
    done
    docker volume ls -q --filter "label=com.docker.stack.namespace=$EMS_STACK" \
        | xargs -r docker volume rm >/dev/null
    docker secret ls -q --filter label=project=faas-ems | xargs -r docker secret rm >/dev/null
    docker config ls -q --filter "label=com.docker.stack.namespace=$EMS_STACK" \
        | xargs -r docker config rm >/dev/null 2>&1 || true
    rm -rf "$EMS_CREDENTIALS_DIR" "$EMS_SECRETS_FROM"
}

supply_secrets() {
    local name
    (umask 077 && mkdir -p "$EMS_SECRETS_FROM")
    for name in jwt-secret rabbitmq-password internal-token; do
        head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' >"$EMS_SECRETS_FROM/$name"
    done
}

teardown() {
    remove_stack
    "$HERE/engine.sh" down
}

finish() {
    local status=$?
    if [[ "${EMS_KEEP:-0}" == 1 ]]; then
        say "EMS_KEEP=1: the stack stays up on https://127.0.0.1:$EMS_HTTPS_PORT/"
    else
        phase teardown teardown || status=1
    fi
    report_times
    exit "$status"
}

main() {
    [[ -x "$ROOT/.venv/bin/pytest" ]] || { say "no .venv: run make venv"; exit 1; }
    trap finish EXIT
    phase engine "$HERE/engine.sh" up
    # A stack a previous run left (EMS_KEEP=1, or a killed run) would keep old volumes.
    remove_stack
    phase images "$ROOT/swarm/local-images/build.sh"
    supply_secrets
    phase deploy deploy
    phase scenario scenario
}

case "${1:-run}" in
    run) main ;;
    teardown) teardown ;;
    *) say "usage: tests/swarm_e2e/run.sh [run | teardown]" >&2; exit 2 ;;
esac
