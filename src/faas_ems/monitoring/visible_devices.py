"""Which devices a caller may look at: administrators all, a client those they own now.

Someone else's device answers exactly like one that does not exist, so that a client
cannot probe other clients' ids.
"""

from __future__ import annotations

from faas_ems.runtime.auth import Caller
from faas_ems.runtime.errors import NotFound

_COLUMNS = (
    "id, name, owner_id, max_hourly_kwh, timezone, last_reading_at, offline_since, reading_kind,"
    " tariff_id"
)


def one(conn, caller: Caller, device_id: str) -> dict:
    """The device ``device_id`` if the caller may see it, else a 404."""
    device = conn.execute(
        f"SELECT {_COLUMNS} FROM devices WHERE id = %s AND deleted_at IS NULL", [device_id]
    ).fetchone()
    if device is None or not caller.may_see(device["owner_id"]):
        raise NotFound("device")
    return device


def every(conn, caller: Caller) -> list[dict]:
    """The caller's devices (all of them for an administrator), by name."""
    where = "deleted_at IS NULL" + ("" if caller.is_admin else " AND owner_id = %(caller)s")
    return conn.execute(
        f"SELECT {_COLUMNS} FROM devices WHERE {where} ORDER BY name, id",
        {"caller": caller.id},
    ).fetchall()
