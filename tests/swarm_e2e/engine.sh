#!/usr/bin/env bash
# A Docker engine in Swarm mode for make swarm-test, on a machine without systemd:
# installs Debian's docker.io if missing, starts dockerd in the background (overlay2,
# data under /var/lib/docker) and initialises a single-node swarm. `down` undoes only
# what `up` did: it leaves the swarm if it created it and stops dockerd if it started it.
#
#   tests/swarm_e2e/engine.sh up | down
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
STATE="${EMS_SWARM_STATE:-$ROOT/.swarm}/engine"
SOCKET=/var/run/docker.sock

say() { printf '[engine] %s\n' "$*"; }

answers() { docker version --format '{{.Server.Version}}' >/dev/null 2>&1; }

install_engine() {
    command -v dockerd >/dev/null && return
    say "installing Debian's docker.io"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq docker.io >/dev/null
}

start_dockerd() {
    if answers; then
        say "dockerd: already running"
        return
    fi
    say "dockerd: starting (overlay2, /var/lib/docker; log in $STATE/dockerd.log)"
    dockerd --storage-driver overlay2 --data-root /var/lib/docker --host "unix://$SOCKET" \
        >"$STATE/dockerd.log" 2>&1 &
    echo $! >"$STATE/dockerd.pid"
    for _ in $(seq 1 60); do
        answers && { say "dockerd: up ($(docker version --format '{{.Server.Version}}'))"; return; }
        kill -0 "$(cat "$STATE/dockerd.pid")" 2>/dev/null || break
        sleep 1
    done
    tail -20 "$STATE/dockerd.log" >&2
    say "dockerd did not come up"
    exit 1
}

init_swarm() {
    if docker info --format '{{.Swarm.LocalNodeState}}' | grep -qx active; then
        say "swarm: already active"
        return
    fi
    say "swarm: docker swarm init (single node)"
    docker swarm init --advertise-addr 127.0.0.1 >/dev/null
    touch "$STATE/swarm-created"
}

up() {
    mkdir -p "$STATE"
    install_engine
    start_dockerd
    init_swarm
}

down() {
    if [[ -f "$STATE/swarm-created" ]]; then
        say "swarm: leaving the swarm this run created"
        docker swarm leave --force >/dev/null
        rm -f "$STATE/swarm-created"
    fi
    if [[ -f "$STATE/dockerd.pid" ]]; then
        local pid
        pid="$(cat "$STATE/dockerd.pid")"
        say "dockerd: stopping the one this run started (pid $pid)"
        kill "$pid" 2>/dev/null || true
        for _ in $(seq 1 60); do
            kill -0 "$pid" 2>/dev/null || break
            sleep 1
        done
        rm -f "$STATE/dockerd.pid"
    fi
}

case "${1:-}" in
    up) up ;;
    down) down ;;
    *) say "usage: tests/swarm_e2e/engine.sh up | down" >&2; exit 2 ;;
esac
