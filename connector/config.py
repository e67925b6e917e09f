"""The connector's settings, read once from the environment at start-up."""

from __future__ import annotations

import os
import socket
from dataclasses import dataclass, field

from faas_ems.runtime import settings


def _floats(raw: str) -> tuple[float, ...]:
    return tuple(float(part) for part in raw.split(",") if part.strip())


def gateway_auth() -> tuple[str, str] | None:
    """OpenFaaS guards ``/system/*`` with basic auth; its secrets name the credentials."""
    password = settings.optional_secret("basic-auth-password")
    if password is None:
        return None
    return settings.optional_secret("basic-auth-user") or "admin", password


@dataclass(frozen=True)
class Config:
    amqp_url: str
    exchange: str
    gateway_url: str
    internal_token: str
    gateway_auth: tuple[str, str] | None = None
    refresh_seconds: float = 10.0
    prefetch: int = 1000
    batch_size: int = 500
    batch_wait_ms: int = 20
    concurrency: int = 2
    retry_delays: tuple[float, ...] = (1, 5, 30, 120, 600)
    queue_prefix: str = "ems."
    call_timeout_seconds: float = 120.0
    pause_max_seconds: float = 30.0
    alive_file: str = ""
    identity: str = field(default_factory=lambda: f"{socket.gethostname()}/{os.getpid()}")

    @classmethod
    def from_environment(cls) -> Config:
        env = os.environ.get
        return cls(
            amqp_url=settings.amqp_url(),
            exchange=settings.exchange_name(),
            gateway_url=settings.gateway_url(),
            internal_token=settings.secret("internal-token"),
            gateway_auth=gateway_auth(),
            refresh_seconds=float(env("CONNECTOR_REFRESH_SECONDS", "10")),
            prefetch=int(env("CONNECTOR_PREFETCH", "1000")),
            batch_size=int(env("CONNECTOR_BATCH_SIZE", "500")),
            batch_wait_ms=int(env("CONNECTOR_BATCH_WAIT_MS", "20")),
            concurrency=int(env("CONNECTOR_CONCURRENCY", "2")),
            retry_delays=_floats(env("CONNECTOR_RETRY_DELAYS", "1,5,30,120,600")),
            queue_prefix=env("CONNECTOR_QUEUE_PREFIX", "ems."),
            call_timeout_seconds=float(env("CONNECTOR_CALL_TIMEOUT_SECONDS", "120")),
            pause_max_seconds=float(env("CONNECTOR_PAUSE_MAX_SECONDS", "30")),
            alive_file=env("CONNECTOR_ALIVE_FILE", ""),
        )
