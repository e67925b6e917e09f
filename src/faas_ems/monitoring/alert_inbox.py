"""Alarms as their readers see them: filtered, paged, newest first, one with its trail.

An administrator sees every alarm. A client sees the alarms of the devices they own
now, raised while they owned them (``alerts.owner_id`` is the owner when the alarm
was raised): a new owner does not inherit the previous occupant's warnings, and a
former owner loses them with the device.
"""

from __future__ import annotations

from faas_ems.runtime.auth import Caller
from faas_ems.runtime.errors import NotFound

from . import alarm_audit, alarm_shape
from .alarm_params import AlarmFilters, Page

# a client's share; an administrator's is every alarm (a separate statement, so that each
# gets its own plan: the owner index for a client, the time index for an administrator)
_OWNED_NOW_AND_THEN = """
    a.owner_id = %(caller)s AND EXISTS (
        SELECT 1 FROM devices d
        WHERE d.id = a.device_id AND d.owner_id = %(caller)s AND d.deleted_at IS NULL)
"""


def visible(caller: Caller) -> str:
    """The condition on ``alerts a`` that keeps what ``caller`` may see (``%(caller)s``)."""
    return "true" if caller.is_admin else _OWNED_NOW_AND_THEN


def _where(caller: Caller, filters: AlarmFilters) -> tuple[str, dict]:
    conditions = [visible(caller)]
    params: dict = {"caller": caller.id}
    if filters.states:
        conditions.append("a.state = ANY(%(states)s)")
        params["states"] = list(filters.states)
    if filters.severities:
        conditions.append("a.severity = ANY(%(severities)s)")
        params["severities"] = list(filters.severities)
    if filters.device_id is not None:
        conditions.append("a.device_id = %(device)s")
        params["device"] = filters.device_id
    if filters.owner_id is not None:
        conditions.append("a.owner_id = %(owner)s")
        params["owner"] = filters.owner_id
    if filters.since is not None:  # the alarm's last hour ends after the period starts
        conditions.append("a.last_hour_start > %(since)s - interval '1 hour'")
        params["since"] = filters.since
    if filters.until is not None:
        conditions.append("a.hour_start < %(until)s")
        params["until"] = filters.until
    return " AND ".join(conditions), params


EVERY = AlarmFilters()
FIRST_PAGE = Page()


def listing(conn, caller: Caller, filters: AlarmFilters = EVERY, page: Page = FIRST_PAGE):
    where, params = _where(caller, filters)
    rows = conn.execute(
        f"""SELECT {alarm_shape.COLUMNS} FROM alerts a WHERE {where}
            ORDER BY a.raised_at DESC, a.hour_start DESC, a.id
            LIMIT %(limit)s OFFSET %(offset)s""",
        params | {"limit": page.limit, "offset": page.offset},
    ).fetchall()
    return [alarm_shape.shape(row) for row in rows]


def count(conn, caller: Caller, filters: AlarmFilters = EVERY) -> dict:
    """How many alarms :func:`listing` would give over all pages, in all and per device.

    A page is capped at ``MAX_LIMIT``; a figure such as "open alerts" must not be.
    """
    where, params = _where(caller, filters)
    rows = conn.execute(
        f"""SELECT a.device_id, count(*) AS alerts FROM alerts a
            WHERE {where} GROUP BY a.device_id""",
        params,
    ).fetchall()
    by_device = {str(row["device_id"]): row["alerts"] for row in rows}
    return {"total": sum(by_device.values()), "by_device": by_device}


def one(conn, caller: Caller, alert_id: str) -> dict:
    row = conn.execute(
        f"SELECT {alarm_shape.COLUMNS} FROM alerts a WHERE a.id = %(alert)s AND {visible(caller)}",
        {"alert": alert_id, "caller": caller.id},
    ).fetchone()
    if row is None:
        raise NotFound("alert")
    return alarm_shape.shape(row)


def with_trail(conn, caller: Caller, alert_id: str) -> dict:
    """The alarm and its audit trail, oldest transition first."""
    return one(conn, caller, alert_id) | {"audit": alarm_audit.trail(conn, alert_id)}
