"""The hub's settings, read once at start-up from the environment and secrets."""

from __future__ import annotations

import os
import socket
from dataclasses import dataclass

from faas_ems.runtime import settings


def _origins(raw: str) -> str | list[str] | None:
    """Unset: the page's own origin only (the hub is served on the gateway's URL, which
    forwards ``X-Forwarded-Host``); ``*``: any; otherwise a comma-separated list."""
    raw = raw.strip()
    if not raw:
        return None
    return "*" if raw == "*" else [origin.strip() for origin in raw.split(",") if origin.strip()]


@dataclass(frozen=True)
class HubConfig:
    host: str
    port: int
    hub_id: str
    redis_url: str
    key_prefix: str
    amqp_url: str
    exchange: str
    queue: str
    prefetch: int
    gateway_url: str
    internal_token: str
    call_timeout_seconds: float
    typing_seconds: float
    session_check_seconds: float
    cors_origins: str | list[str] | None

    @property
    def redis_channel(self) -> str:
        """The manager's pub/sub channel: one per system, so test runs never mix."""
        return f"{self.key_prefix}socket.io"

    @property
    def dead_queue(self) -> str:
        return f"{self.queue}.dead"

    @classmethod
    def from_environment(cls) -> HubConfig:
        env = os.environ.get
        port = int(env("HUB_PORT", "8000"))
        return cls(
            host=env("HUB_HOST", "0.0.0.0"),
            port=port,
            hub_id=env("HUB_ID") or f"{socket.gethostname()}:{port}:{os.getpid()}",
            redis_url=settings.redis_url(),
            key_prefix=settings.key_prefix(),
            amqp_url=settings.amqp_url(),
            exchange=settings.exchange_name(),
            queue=env("HUB_QUEUE", "ems.socket-hub"),
            prefetch=int(env("HUB_PREFETCH", "200")),
            gateway_url=settings.gateway_url(),
            internal_token=settings.secret("internal-token"),
            call_timeout_seconds=float(env("HUB_CALL_TIMEOUT_SECONDS", "10")),
            typing_seconds=float(env("HUB_TYPING_SECONDS", "5")),
            session_check_seconds=float(env("HUB_SESSION_CHECK_SECONDS", "60")),
            cors_origins=_origins(env("HUB_CORS_ORIGINS", "")),
        )
