"""Checking that PostgreSQL, RabbitMQ and Redis answer, and saying how to get them."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

from .config import Config


@dataclass(frozen=True)
class Service:
    name: str
    host: str
    port: int
    debian_package: str
    start_command: str

    def reachable(self, timeout: float = 1.0) -> bool:
        try:
            with socket.create_connection((self.host, self.port), timeout=timeout):
                return True
        except OSError:
            return False


def required_services(config: Config) -> list[Service]:
    amqp = urlsplit(config.values["AMQP_URL"])
    redis = urlsplit(config.values["REDIS_URL"])
    return [
        Service(
            "PostgreSQL",
            config.values["DB_HOST"],
            int(config.values["DB_PORT"]),
            "postgresql",
            "pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start",
        ),
        Service(
            "RabbitMQ",
            amqp.hostname or "127.0.0.1",
            amqp.port or 5672,
            "rabbitmq-server",
            "rabbitmq-server -detached",
        ),
        Service(
            "Redis",
            redis.hostname or "127.0.0.1",
            redis.port or 6379,
            "redis-server",
            'redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no',
        ),
    ]


def _is_local(service: Service) -> bool:
    return service.host in {"127.0.0.1", "localhost", "::1"}


def ensure(config: Config, *, start: bool, say=print) -> list[Service]:
    """Return the services still unreachable; with ``start``, try to start local ones."""
    missing = [service for service in required_services(config) if not service.reachable()]
    for service in missing:
        if start and _is_local(service) and os.geteuid() == 0:
            _start(service, say)
    still = [service for service in missing if not _wait(service, 30 if start else 0)]
    for service in still:
        say(
            f"{service.name} is not reachable at {service.host}:{service.port}.\n"
            f"  Start it:   {service.start_command}\n"
            f"  Install it: apt-get install -y {service.debian_package}"
        )
    return still


def _start(service: Service, say) -> None:
    binary = service.start_command.split()[0]
    if shutil.which(binary) is None:
        say(f"installing {service.debian_package} (apt-get) ...")
        subprocess.run(["apt-get", "update", "-qq"], check=False)
        subprocess.run(
            ["apt-get", "install", "-y", "-qq", service.debian_package],
            check=False,
            env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"},
        )
    say(f"starting {service.name}: {service.start_command}")
    subprocess.run(service.start_command, shell=True, check=False)


def _wait(service: Service, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while True:
        if service.reachable():
            return True
        if time.monotonic() >= deadline:
            return False
        time.sleep(0.5)
