#!/usr/bin/env bash
# Deploys faas-ems to Docker Swarm, or scales a part of it. See docs/deployment.md.
#
#   swarm/deploy.sh                       everything: swarm, secrets, images, stack, functions
#   swarm/deploy.sh scale connector 4     RabbitMQ consumers (competing, any number)
#   swarm/deploy.sh scale hub 5           Socket.IO replicas (nginx finds them by DNS)
#   swarm/deploy.sh scale gateway 3
#   swarm/deploy.sh scale function ingest 8
#                                         pins replicas now; the gateway's alert-driven
#                                         scaling moves it within com.openfaas.scale.min/max
#   swarm/deploy.sh functions             only the functions (faas-cli up), e.g. once faas-cli
#                                         is installed
#   swarm/deploy.sh status
#
# Settings: EMS_STACK (ems), EMS_HTTP_PORT (8080, redirects), EMS_HTTPS_PORT (443),
# EMS_IMAGE_PREFIX (faas-ems), EMS_TAG (latest), EMS_PUSH=1 to push the images (several
# nodes need them in a registry; set EMS_IMAGE_PREFIX to it, and the function images in
# stack.yml likewise). TLS: EMS_TLS_CERT and EMS_TLS_KEY (PEM files) become the tls-cert
# and tls-key secrets; without them a self-signed pair for EMS_TLS_HOST (this host's
# name) is made, once. FAAS_CLI (faas-cli on PATH), EMS_BUILD_ARGS ("NAME=value ..." for
# every image build, e.g. PYTHON_IMAGE=...; see docs/deployment.md), EMS_RESOLVE_IMAGE
# (always; `never` where no registry answers).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
STACK="${EMS_STACK:-ems}"
export EMS_HTTP_PORT="${EMS_HTTP_PORT:-8080}"
export EMS_HTTPS_PORT="${EMS_HTTPS_PORT:-443}"
export EMS_IMAGE_PREFIX="${EMS_IMAGE_PREFIX:-faas-ems}"
export EMS_TAG="${EMS_TAG:-latest}"
# nginx answers /system/ over HTTPS only; its certificate may be our own self-signed one.
GATEWAY="https://127.0.0.1:${EMS_HTTPS_PORT}"
FAAS_CLI="${FAAS_CLI:-faas-cli}"
BUILD_FLAGS=()
for arg in ${EMS_BUILD_ARGS:-}; do BUILD_FLAGS+=(--build-arg "$arg"); done
CREDENTIALS_DIR="${EMS_CREDENTIALS_DIR:-$HOME/.config/faas-ems}"
# image name -> Dockerfile, all built from the repository root
IMAGES=(connector:connector/Dockerfile socket-hub:socket-hub/Dockerfile
    frontend:frontend/Dockerfile migrate:swarm/migrate/Dockerfile
    simulator:simulator/Dockerfile)

say() { printf '[deploy] %s\n' "$*"; }
die() { say "$*" >&2; exit 1; }
need() { command -v "$1" >/dev/null || die "$1 is not installed: $2"; }

ensure_swarm() {
    if docker info --format '{{.Swarm.LocalNodeState}}' | grep -qx active; then
        say "swarm: active"
    else
        say "swarm: not active here, running docker swarm init"
        docker swarm init >/dev/null
    fi
}

# PostgreSQL and RabbitMQ keep their volumes on the node labelled for them; nginx runs
# on every node labelled ems.edge. Without labels, this (manager) node gets them all.
ensure_labels() {
    local self label
    self="$(docker info --format '{{.Swarm.NodeID}}')"
    for label in ems.postgres ems.rabbitmq ems.edge; do
        if docker node ls -q | xargs docker node inspect \
            --format "{{ index .Spec.Labels \"$label\" }}" | grep -qx true; then
            say "node label $label: set"
        else
            say "node label $label: none yet, putting it on this node"
            docker node update --label-add "$label=true" "$self" >/dev/null
        fi
    done
}

build_images() {
    local entry name dockerfile
    for entry in "${IMAGES[@]}"; do
        name="${entry%%:*}"
        dockerfile="${entry#*:}"
        say "image $EMS_IMAGE_PREFIX/$name:$EMS_TAG ($dockerfile)"
        docker build -q "${BUILD_FLAGS[@]}" -f "$ROOT/$dockerfile" -t "$EMS_IMAGE_PREFIX/$name:$EMS_TAG" \
            "$ROOT" >/dev/null
        if [[ "${EMS_PUSH:-0}" == 1 ]]; then
            docker push -q "$EMS_IMAGE_PREFIX/$name:$EMS_TAG" >/dev/null
        fi
    done
}

deploy_stack() {
    # Swarm configs are immutable: a new hash of swarm/ makes changed files new configs.
    EMS_CONFIG_VERSION="$(cd "$ROOT/swarm" && find prometheus rabbitmq postgres -type f \
        -not -name '*.py' -print0 | sort -z | xargs -0 cat | sha256sum | cut -c1-12)"
    export EMS_CONFIG_VERSION
    say "docker stack deploy $STACK (configs $EMS_CONFIG_VERSION)"
    docker stack deploy --with-registry-auth --prune --resolve-image "${EMS_RESOLVE_IMAGE:-always}" \
        -c "$ROOT/swarm/stack.yml" "$STACK"
}

ensure_tls_secrets() {
    if docker secret inspect tls-cert >/dev/null 2>&1; then
        say "kept tls-cert and tls-key (exist)"
        return
    fi
    local dir cert key host
    if [[ -n "${EMS_TLS_CERT:-}" && -n "${EMS_TLS_KEY:-}" ]]; then
        cert="$EMS_TLS_CERT" key="$EMS_TLS_KEY"
        say "tls: the certificate in $cert"
    else
        need openssl "apt-get install -y openssl"
        host="${EMS_TLS_HOST:-$(hostname -f)}"
        dir="$(mktemp -d)" && cert="$dir/cert.pem" key="$dir/key.pem"
        openssl req -x509 -newkey rsa:2048 -sha256 -nodes -days 825 -subj "/CN=$host" \
            -addext "subjectAltName=DNS:$host,DNS:localhost,IP:127.0.0.1" \
            -keyout "$key" -out "$cert" 2>/dev/null
        (umask 077 && mkdir -p "$CREDENTIALS_DIR" && cp "$cert" "$CREDENTIALS_DIR/tls-cert.pem")
        say "tls: self-signed for $host (browsers warn; trust $CREDENTIALS_DIR/tls-cert.pem or give EMS_TLS_CERT/EMS_TLS_KEY)"
    fi
    docker secret create --label project=faas-ems tls-cert "$cert" >/dev/null
    docker secret create --label project=faas-ems tls-key "$key" >/dev/null
    [[ -n "${dir:-}" ]] && rm -rf "$dir"
}

basic_auth_password() {
    [[ -f "$CREDENTIALS_DIR/basic-auth-password" ]] \
        || die "no $CREDENTIALS_DIR/basic-auth-password: the secret was made elsewhere; put it there"
    cat "$CREDENTIALS_DIR/basic-auth-password"
}

wait_for_gateway() {
    local password attempt
    password="$(basic_auth_password)"
    say "waiting for the gateway behind $GATEWAY/system/ ..."
    for attempt in $(seq 1 120); do
        if curl -fsSk -o /dev/null -u "admin:$password" "$GATEWAY/system/functions" 2>/dev/null; then
            say "gateway answers (after ${attempt} tries)"
            return
        fi
        sleep 5
    done
    die "the gateway did not answer in 10 minutes: docker stack ps $STACK"
}

deploy_functions() {
    local push=(--skip-push)
    [[ "${EMS_PUSH:-0}" == 1 ]] && push=()
    need "$FAAS_CLI" "https://github.com/openfaas/faas-cli/releases (0.12.x), or set FAAS_CLI"
    wait_for_gateway
    cd "$ROOT"
    # faas-cli looks for templates in ./template; ours lives in templates/ (git-ignored copy).
    say "faas-cli: template python3-ems from templates/"
    rm -rf template && mkdir template && cp -R templates/python3-ems template/
    basic_auth_password | "$FAAS_CLI" login --tls-no-verify --gateway "$GATEWAY" \
        --username admin --password-stdin
    say "faas-cli up -f stack.yml (build, deploy into network func_functions)"
    # --disable-stack-pull: the template is ours, copied above, not one from the store.
    "$FAAS_CLI" up -f stack.yml --tls-no-verify --gateway "$GATEWAY" --disable-stack-pull \
        "${push[@]}" "${BUILD_FLAGS[@]}"
}

deploy_all() {
    need docker "https://docs.docker.com/engine/install/"
    need curl "apt-get install -y curl"
    ensure_swarm
    ensure_labels
    say "secrets"
    "$ROOT/swarm/secrets.sh"
    ensure_tls_secrets
    build_images
    deploy_stack
    if ! command -v "$FAAS_CLI" >/dev/null; then
        say "functions: NOT deployed, $FAAS_CLI is not installed (0.12.x:"
        say "  https://github.com/openfaas/faas-cli/releases); the rest of the stack is up."
        say "  Install it, then: swarm/deploy.sh functions"
        return
    fi
    deploy_functions
    say "done: https://<this host>:${EMS_HTTPS_PORT}/  (administrator: admin, password in $CREDENTIALS_DIR/admin-password)"
    say "status: swarm/deploy.sh status; scale: swarm/deploy.sh scale <connector|hub|gateway|function NAME> N"
}

scale() {
    local part="${1:-}" count="${2:-}"
    case "$part" in
        connector | gateway)
            docker service scale "${STACK}_${part}=${count:?replicas}"
            ;;
        hub)
            # nginx looks tasks.socket-hub up again within seconds (swarm/nginx.conf).
            docker service scale "${STACK}_socket-hub=${count:?replicas}"
            ;;
        function)
            local name="${2:?function name}"
            count="${3:?replicas}"
            docker service scale "${name}=${count}"
            ;;
        *)
            die "scale what? connector N | hub N | gateway N | function NAME N"
            ;;
    esac
}

case "${1:-deploy}" in
    deploy) deploy_all ;;
    functions) deploy_functions ;;
    scale) shift && scale "$@" ;;
    status)
        docker stack services "$STACK"
        docker service ls --filter label=com.openfaas.function
        ;;
    *) die "usage: swarm/deploy.sh [deploy | functions | scale ... | status]" ;;
esac
