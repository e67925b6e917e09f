"""Meter credentials: made and revoked by administrators, checked for every meter login.

A credential belongs to one device. Its secret is made here, shown once, and kept only
as its SHA-256 (see the migration for why not a slow hash). Revoking deletes it, so the
next login or call with it is refused. ``last_used_at`` moves at most once a minute, so
that a meter posting every second does not write a row every second.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass

from faas_ems.runtime import db
from faas_ems.runtime.errors import NotFound

SECRET_PREFIX = "ems_"
SHOWN_PREFIX = 8

PUBLIC = ("id", "username", "prefix", "created_at", "last_used_at")


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def new_secret() -> str:
    """A secret for a meter or a gateway: 256 random bits, recognisable by its prefix."""
    return SECRET_PREFIX + secrets.token_urlsafe(32)


def representation(row: dict) -> dict:
    return {name: row[name] for name in PUBLIC}


def create(device_id: str) -> dict:
    """A new credential for the device, with its secret (the only time it is known)."""
    secret = new_secret()
    username = f"meter-{secrets.token_hex(6)}"
    with db.connection() as conn:
        if conn.execute("SELECT 1 FROM devices WHERE id = %s", [device_id]).fetchone() is None:
            raise NotFound("device")
        row = conn.execute(
            "INSERT INTO meter_credentials (device_id, username, secret_sha256, prefix)"
            " VALUES (%s, %s, %s, %s) RETURNING id, username, prefix, created_at, last_used_at",
            [device_id, username, digest(secret), secret[:SHOWN_PREFIX]],
        ).fetchone()
    return {**representation(row), "secret": secret}


def of_device(device_id: str) -> list[dict]:
    with db.connection() as conn:
        if conn.execute("SELECT 1 FROM devices WHERE id = %s", [device_id]).fetchone() is None:
            raise NotFound("device")
        return conn.execute(
            "SELECT id, username, prefix, created_at, last_used_at FROM meter_credentials"
            " WHERE device_id = %s ORDER BY created_at, id",
            [device_id],
        ).fetchall()


def revoke(device_id: str, credential_id: str) -> None:
    with db.connection() as conn:
        deleted = conn.execute(
            "DELETE FROM meter_credentials WHERE id = %s AND device_id = %s",
            [credential_id, device_id],
        ).rowcount
    if not deleted:
        raise NotFound("credential")


@dataclass(frozen=True)
class Meter:
    """Who a credential lets in: the device, by id and by meter number."""

    credential_id: str
    username: str
    device_id: str
    meter_id: str | None
    timezone: str

    @property
    def references(self) -> set[str]:
        """The names the meter may use for itself (in readings and MQTT topics)."""
        return {self.device_id} | ({self.meter_id} if self.meter_id else set())

    def coverage(self) -> Coverage:
        """Its own device, which is also what a reading naming no device is for."""
        own = Covered(self.device_id, self.meter_id, self.timezone)
        return Coverage([own], default=own)


@dataclass(frozen=True)
class Covered:
    """A device a credential may post readings for."""

    device_id: str
    meter_id: str | None
    timezone: str


class Coverage:
    """The devices a credential covers, found by the name a reading gives them: an id
    (in any case) or a meter number; ``meter_id`` in a reading means a meter number only.
    ``default`` is the device a reading naming none is for (a meter's own; a gateway has
    none)."""

    def __init__(self, devices: list[Covered], default: Covered | None = None):
        self.default = default
        self._by_id = {device.device_id: device for device in devices}
        self._by_meter_id = {device.meter_id: device for device in devices if device.meter_id}

    def find(self, reference: str, *, meter_id_only: bool = False) -> Covered | None:
        if meter_id_only:
            return self._by_meter_id.get(reference)
        return self._by_id.get(reference.lower()) or self._by_meter_id.get(reference)


_CHECK = """
WITH found AS (
    SELECT c.id, c.username, c.device_id, d.meter_id, d.timezone
      FROM meter_credentials c JOIN devices d ON d.id = c.device_id
     WHERE {where}
), used AS (
    UPDATE meter_credentials c SET last_used_at = now()
      FROM found
     WHERE c.id = found.id
       AND (c.last_used_at IS NULL OR c.last_used_at < now() - interval '1 minute')
)
SELECT id::text, username, device_id::text, meter_id, timezone FROM found
"""


def _meter(where: str, value: str) -> Meter | None:
    with db.connection() as conn:
        row = conn.execute(_CHECK.format(where=where), [value]).fetchone()
    if row is None:
        return None
    return Meter(row["id"], row["username"], row["device_id"], row["meter_id"], row["timezone"])


def by_secret(secret: str) -> Meter | None:
    """The meter whose secret this is (an HTTP call), or None."""
    return _meter("c.secret_sha256 = %s", digest(secret))


def sign_in(username: str, secret: str) -> Meter | None:
    """The meter if the username and secret belong together (a broker login), or None."""
    meter = by_secret(secret)
    if meter is None or not secrets.compare_digest(meter.username, username):
        return None
    return meter


def by_username(username: str) -> Meter | None:
    """The meter a broker asks about after its login (vhost, resource and topic checks)."""
    return _meter("c.username = %s", username)
