"""Which devices a caller may look at: administrators all, a client those they own now.

Someone else's device answers exactly like one that does not exist, so that a client
cannot probe other clients' ids.
"""

from __future__ import annotations

from faas_ems.runtime import db
from faas_ems.runtime.auth import Caller
from faas_ems.runtime.errors import NotFound

_COLUMNS = (
    "id, name, meter_id, owner_id, max_hourly_kwh, timezone, last_reading_at, offline_since,"
    " reading_kind, tariff_id"
)


def one(conn, caller: Caller, device_id: str) -> dict:
    """The device ``device_id`` if the caller may see it, else a 404."""
    device = conn.execute(
        f"SELECT {_COLUMNS} FROM devices WHERE id = %s AND deleted_at IS NULL", [device_id]
    ).fetchone()
    if device is None or not caller.may_see(device["owner_id"]):
        raise NotFound("device")
    return device


def every(
    conn, caller: Caller, search: str | None = None, ids: list[str] | None = None
) -> list[dict]:
    """The caller's devices (all of them for an administrator), by name.

    ``search`` keeps those whose name or meter number holds it; ``ids`` those listed.
    """
    where = "deleted_at IS NULL" + ("" if caller.is_admin else " AND owner_id = %(caller)s")
    if search:
        where += " AND (name ILIKE %(search)s OR meter_id ILIKE %(search)s)"
    if ids is not None:
        where += " AND id = ANY(%(ids)s::uuid[])"
    return conn.execute(
        f"SELECT {_COLUMNS} FROM devices WHERE {where} ORDER BY name, id",
        {"caller": caller.id, "search": search and db.contains(search), "ids": ids},
    ).fetchall()
