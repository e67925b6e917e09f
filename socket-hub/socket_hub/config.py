"""The hub's settings: the platform's, and its own ``HUB_*`` knobs."""

from __future__ import annotations

import os
import socket
from typing import Annotated

from pydantic import Field, field_validator
from pydantic_settings import NoDecode

from faas_ems.runtime.settings import TokenSettings, secret


def knob(default, name: str):
    return Field(default, validation_alias=name)


class HubConfig(TokenSettings):
    internal_token: str = secret("internal-token", required=True)
    jwt_secret: str = secret("jwt-secret", required=True)
    host: str = knob("0.0.0.0", "HUB_HOST")
    port: int = knob(8000, "HUB_PORT")
    given_id: str = knob("", "HUB_ID")
    queue: str = knob("ems.socket-hub", "HUB_QUEUE")
    prefetch: int = knob(200, "HUB_PREFETCH")
    call_timeout_seconds: float = knob(10.0, "HUB_CALL_TIMEOUT_SECONDS")
    typing_seconds: float = knob(5.0, "HUB_TYPING_SECONDS")
    typing_limit: int = knob(20, "HUB_TYPING_EVENTS_PER_10_SECONDS")
    session_check_seconds: float = knob(60.0, "HUB_SESSION_CHECK_SECONDS")
    # Unset: the page's own origin only (the hub is served on the gateway's URL, which
    # forwards ``X-Forwarded-Host``); ``*``: any; otherwise a comma-separated list.
    cors_origins: Annotated[str | list[str] | None, NoDecode] = knob(None, "HUB_CORS_ORIGINS")

    @field_validator("cors_origins", mode="before")
    @classmethod
    def _origins(cls, raw):
        if not isinstance(raw, str) or not raw.strip():
            return None
        raw = raw.strip()
        return (
            "*" if raw == "*" else [origin.strip() for origin in raw.split(",") if origin.strip()]
        )

    @property
    def hub_id(self) -> str:
        """This replica's name in the census: ``HUB_ID``, else host, port and process."""
        return self.given_id or f"{socket.gethostname()}:{self.port}:{os.getpid()}"

    @property
    def redis_channel(self) -> str:
        """The manager's pub/sub channel: one per system, so test runs never mix."""
        return f"{self.key_prefix}socket.io"

    @property
    def dead_queue(self) -> str:
        return f"{self.queue}.dead"
