#!/usr/bin/env bash
# Builds, from Debian's packages only, the base images that the project's Dockerfiles
# and swarm/stack.yml otherwise take from public registries, for an engine that reaches
# no registry (make swarm-test). Debian bookworm is debootstrapped into a folder and
# imported; every other image is built on it. Unchanged inputs reuse the images.
#
#   swarm/local-images/build.sh           then prints the settings that select them
#
# Settings: EMS_LOCAL_PREFIX (faas-ems-local), EMS_LOCAL_CACHE (.swarm/ of the
# repository), EMS_DEBIAN_MIRROR (debootstrap's default mirror when unset).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
HERE="$ROOT/swarm/local-images"
PREFIX="${EMS_LOCAL_PREFIX:-faas-ems-local}"
CACHE="${EMS_LOCAL_CACHE:-$ROOT/.swarm}"
SUITE=bookworm
DEBIAN_IMAGE="$PREFIX/debian:$SUITE"
# The build host's own extra certificate authorities: builds behind a proxy that
# re-signs TLS (as on the CI machines) must trust what the host trusts.
EXTRA_CAS=/usr/local/share/ca-certificates
STAND_INS=(python node nginx postgres rabbitmq redis prometheus alertmanager)

say() { printf '[local-images] %s\n' "$*"; }

inputs_of_debian() {
    {
        echo "$SUITE minbase ca-certificates ${EMS_DEBIAN_MIRROR:-}"
        find "$EXTRA_CAS" -type f -name '*.crt' -print0 2>/dev/null | sort -z | xargs -0r cat
    } | sha256sum | cut -c1-16
}

label_of() {
    docker image inspect --format '{{ index .Config.Labels "faas-ems.inputs" }}' "$1" 2>/dev/null || true
}

build_debian() {
    local inputs rootfs
    inputs="$(inputs_of_debian)"
    if [[ "$(label_of "$DEBIAN_IMAGE")" == "$inputs" ]]; then
        say "$DEBIAN_IMAGE: up to date"
        return
    fi
    command -v debootstrap >/dev/null || {
        say "installing Debian's debootstrap"
        apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq debootstrap
    }
    rootfs="$CACHE/rootfs-$SUITE"
    rm -rf "$rootfs"
    mkdir -p "$CACHE"
    say "$DEBIAN_IMAGE: debootstrap $SUITE into $rootfs"
    debootstrap --variant=minbase --include=ca-certificates "$SUITE" "$rootfs" \
        ${EMS_DEBIAN_MIRROR:+"$EMS_DEBIAN_MIRROR"} >"$CACHE/debootstrap.log" 2>&1 \
        || { tail -20 "$CACHE/debootstrap.log" >&2; exit 1; }
    if compgen -G "$EXTRA_CAS/*.crt" >/dev/null; then
        cp "$EXTRA_CAS"/*.crt "$rootfs/usr/local/share/ca-certificates/"
        chroot "$rootfs" update-ca-certificates >/dev/null
    fi
    chroot "$rootfs" apt-get clean
    rm -rf "$rootfs"/var/lib/apt/lists/*
    say "$DEBIAN_IMAGE: docker import"
    tar -C "$rootfs" -c . | docker import --change "LABEL faas-ems.inputs=$inputs" \
        --change 'CMD ["bash"]' - "$DEBIAN_IMAGE" >/dev/null
    rm -rf "$rootfs"
}

# The python stand-in's context: every requirements.txt of the repository, so that its
# one layer of dependencies changes only when they do.
requirements_context() {
    local context="$CACHE/python-requirements" file name
    rm -rf "$context" && mkdir -p "$context"
    while read -r file; do
        name="${file%/requirements.txt}"
        cp "$ROOT/$file" "$context/${name//\//-}.txt"
    done < <(cd "$ROOT" && git ls-files '*requirements.txt')
    echo "$context"
}

# Docker's build cache makes an unchanged stand-in a matter of seconds.
build_stand_in() {
    local name="$1" context="$ROOT" started=$SECONDS
    [[ "$name" == python ]] && context="$(requirements_context)"
    if DOCKER_BUILDKIT=0 docker build -q --build-arg "DEBIAN_IMAGE=$DEBIAN_IMAGE" \
        -f "$HERE/$name.Dockerfile" -t "$PREFIX/$name" "$context" >"$CACHE/build-$name.log" 2>&1; then
        say "$PREFIX/$name: built in $((SECONDS - started))s (swarm/local-images/$name.Dockerfile)"
    else
        tail -30 "$CACHE/build-$name.log" >&2
        say "$PREFIX/$name: FAILED (log: $CACHE/build-$name.log)"
        return 1
    fi
}

# The stand-ins only share the Debian image: they build side by side, mostly waiting
# for downloads.
build_stand_ins() {
    local name pids=() failed=0
    for name in "${STAND_INS[@]}"; do
        build_stand_in "$name" &
        pids+=($!)
    done
    for pid in "${pids[@]}"; do
        wait "$pid" || failed=1
    done
    return "$failed"
}

build_debian
build_stand_ins
say "done; select them with:"
cat <<EOF
EMS_BUILD_ARGS="PYTHON_IMAGE=$PREFIX/python NODE_IMAGE=$PREFIX/node NGINX_IMAGE=$PREFIX/nginx"
EMS_POSTGRES_IMAGE=$PREFIX/postgres EMS_RABBITMQ_IMAGE=$PREFIX/rabbitmq EMS_REDIS_IMAGE=$PREFIX/redis
EMS_PROMETHEUS_IMAGE=$PREFIX/prometheus EMS_ALERTMANAGER_IMAGE=$PREFIX/alertmanager
EOF
