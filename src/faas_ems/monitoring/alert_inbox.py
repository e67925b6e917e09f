"""Alerts as their readers see them: listed newest first, acknowledged once.

An administrator sees every alert. A client sees the alerts of the devices they own
now, raised while they owned them (``alerts.owner_id`` is the owner when the alert
was raised): a new owner does not inherit the previous occupant's warnings, and a
former owner loses them with the device.
"""

from __future__ import annotations

from datetime import UTC, datetime

from faas_ems.runtime.auth import Caller
from faas_ems.runtime.errors import NotFound

DEFAULT_LIMIT = 50
MAX_LIMIT = 500

_COLUMNS = (
    "a.id, a.device_id, a.hour_start, a.total_kwh, a.limit_kwh, a.raised_at, a.acknowledged_at"
)
# a client's share; an administrator's is every alert (a separate statement, so that each
# gets its own plan: the owner index for a client, the time index for an administrator)
_OWNED_NOW_AND_THEN = """
    a.owner_id = %(caller)s AND EXISTS (
        SELECT 1 FROM devices d
        WHERE d.id = a.device_id AND d.owner_id = %(caller)s AND d.deleted_at IS NULL)
"""


def _utc(moment: datetime | None) -> datetime | None:
    return None if moment is None else moment.astimezone(UTC)


def shape(row: dict) -> dict:
    return {
        "id": str(row["id"]),
        "device_id": str(row["device_id"]),
        "hour_start": _utc(row["hour_start"]),
        "total_kwh": row["total_kwh"],
        "limit_kwh": row["limit_kwh"],
        "raised_at": _utc(row["raised_at"]),
        "acknowledged_at": _utc(row["acknowledged_at"]),
    }


def _visible(caller: Caller) -> str:
    return "true" if caller.is_admin else _OWNED_NOW_AND_THEN


def _where(caller: Caller, device_id: str | None, unacknowledged: bool) -> str:
    conditions = [_visible(caller)]
    if device_id is not None:
        conditions.append("a.device_id = %(device)s")
    if unacknowledged:
        conditions.append("a.acknowledged_at IS NULL")
    return " AND ".join(conditions)


def listing(
    conn, caller: Caller, *, device_id: str | None, unacknowledged: bool, limit: int
) -> list[dict]:
    rows = conn.execute(
        f"""SELECT {_COLUMNS} FROM alerts a WHERE {_where(caller, device_id, unacknowledged)}
            ORDER BY a.raised_at DESC, a.hour_start DESC, a.id LIMIT %(limit)s""",
        {"caller": caller.id, "device": device_id, "limit": limit},
    ).fetchall()
    return [shape(row) for row in rows]


def count(conn, caller: Caller, *, device_id: str | None, unacknowledged: bool) -> dict:
    """How many alerts :func:`listing` would give without its cap, in all and per device.

    A list is capped at ``MAX_LIMIT``; a figure such as "open alerts" must not be.
    """
    rows = conn.execute(
        f"""SELECT a.device_id, count(*) AS alerts FROM alerts a
            WHERE {_where(caller, device_id, unacknowledged)} GROUP BY a.device_id""",
        {"caller": caller.id, "device": device_id},
    ).fetchall()
    by_device = {str(row["device_id"]): row["alerts"] for row in rows}
    return {"total": sum(by_device.values()), "by_device": by_device}


def acknowledge(conn, caller: Caller, alert_id: str) -> dict:
    """Mark the alert seen; acknowledging again keeps the first time."""
    row = conn.execute(
        f"""UPDATE alerts a SET acknowledged_at = coalesce(a.acknowledged_at, now())
            WHERE a.id = %(alert)s AND {_visible(caller)}
            RETURNING {_COLUMNS}""",
        {"caller": caller.id, "alert": alert_id},
    ).fetchone()
    if row is None:
        raise NotFound("alert")
    return shape(row)
