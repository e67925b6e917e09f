"""The connector's settings: the platform's, and its own ``CONNECTOR_*`` knobs."""

from __future__ import annotations

import os
import socket
from typing import Annotated

from pydantic import Field, field_validator
from pydantic_settings import NoDecode

from faas_ems.runtime.settings import Platform, secret


def knob(default, name: str):
    return Field(default, validation_alias=name)


class Config(Platform):
    internal_token: str = secret("internal-token", required=True)
    basic_auth_user: str | None = secret("basic-auth-user")
    basic_auth_password: str | None = secret("basic-auth-password")
    refresh_seconds: float = knob(10.0, "CONNECTOR_REFRESH_SECONDS")
    prefetch: int = knob(1000, "CONNECTOR_PREFETCH")
    batch_size: int = knob(500, "CONNECTOR_BATCH_SIZE")
    batch_wait_ms: int = knob(20, "CONNECTOR_BATCH_WAIT_MS")
    concurrency: int = knob(2, "CONNECTOR_CONCURRENCY")
    retry_delays: Annotated[tuple[float, ...], NoDecode] = knob(
        (1, 5, 30, 120, 600), "CONNECTOR_RETRY_DELAYS"
    )
    queue_prefix: str = knob("ems.", "CONNECTOR_QUEUE_PREFIX")
    call_timeout_seconds: float = knob(120.0, "CONNECTOR_CALL_TIMEOUT_SECONDS")
    pause_max_seconds: float = knob(30.0, "CONNECTOR_PAUSE_MAX_SECONDS")
    alive_file: str = knob("", "CONNECTOR_ALIVE_FILE")

    @field_validator("retry_delays", mode="before")
    @classmethod
    def _comma_separated(cls, value):
        """``1,5,30`` in the environment: one retry per entry, in seconds."""
        if isinstance(value, str):
            return tuple(float(part) for part in value.split(",") if part.strip())
        return value

    @property
    def identity(self) -> str:
        """Who this connector is in the logs and the broker's consumer tags."""
        return f"{socket.gethostname()}/{os.getpid()}"

    @property
    def gateway_auth(self) -> tuple[str, str] | None:
        """OpenFaaS guards ``/system/*`` with basic auth; its secrets name the credentials."""
        if self.basic_auth_password is None:
            return None
        return self.basic_auth_user or "admin", self.basic_auth_password
