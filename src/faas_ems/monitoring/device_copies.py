"""Monitoring's copy of each device (limit, owner, site time zone, meter number, tariff),
kept from events.

Inventory stamps every change with a growing ``version``; a change is applied only
if it is newer than the copy, so duplicated and reordered events end in the same
state. A deletion leaves a tombstone that nothing brings back.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from faas_ems.runtime.validation import UUID_PATTERN

from . import local_time


class InvalidEvent(ValueError):
    """An event whose data cannot be applied; the message says why."""


@dataclass(frozen=True)
class DeviceState:
    id: str
    name: str
    owner_id: str | None
    max_hourly_kwh: str
    timezone: str
    version: int
    meter_id: str | None = None
    tariff_id: str | None = None


def _uuid(value, what: str) -> str:
    if not isinstance(value, str) or not UUID_PATTERN.match(value):
        raise InvalidEvent(f"{what} {value!r} is not a UUID")
    return value.lower()


def _version(data: dict) -> int:
    version = data.get("version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 0:
        raise InvalidEvent(f"version {version!r} is not a non-negative integer")
    return version


def parse_device(data) -> DeviceState:
    if not isinstance(data, dict):
        raise InvalidEvent("data must be a device object")
    limit = data.get("max_hourly_kwh")
    if isinstance(limit, bool) or not isinstance(limit, int | float) or not math.isfinite(limit):
        raise InvalidEvent(f"max_hourly_kwh {limit!r} is not a number")
    if limit <= 0:
        raise InvalidEvent(f"max_hourly_kwh {limit!r} must be greater than 0")
    timezone = data.get("timezone") or "UTC"
    if local_time.zone(timezone) is None:
        raise InvalidEvent(f"timezone {timezone!r} is not an IANA time zone")
    owner = data.get("owner_id")
    name = data.get("name")
    meter_id = data.get("meter_id")
    tariff = data.get("tariff_id")
    return DeviceState(
        id=_uuid(data.get("id"), "id"),
        name=name if isinstance(name, str) else "",
        owner_id=None if owner is None else _uuid(owner, "owner_id"),
        max_hourly_kwh=repr(float(limit)),
        timezone=timezone,
        version=_version(data),
        meter_id=meter_id if isinstance(meter_id, str) and meter_id else None,
        tariff_id=None if tariff is None else _uuid(tariff, "tariff_id"),
    )


def parse_reference(data) -> tuple[str, int]:
    """``{"id", "version"}`` of a deletion."""
    if not isinstance(data, dict):
        raise InvalidEvent("data must be an object with id and version")
    return _uuid(data.get("id"), "id"), _version(data)


_CURRENT_ZONE = "SELECT timezone FROM devices WHERE id = %s FOR UPDATE"

_UPSERT = """
INSERT INTO devices AS d (id, name, owner_id, max_hourly_kwh, timezone, version, meter_id,
                          tariff_id)
SELECT %(id)s::uuid, %(name)s::text,
       CASE WHEN EXISTS (SELECT 1 FROM deleted_users u WHERE u.id = %(owner_id)s::uuid)
            THEN NULL ELSE %(owner_id)s::uuid END,
       %(max_hourly_kwh)s::numeric, %(timezone)s::text, %(version)s::bigint, %(meter_id)s::text,
       %(tariff_id)s::uuid
ON CONFLICT (id) DO UPDATE
   SET name = excluded.name, owner_id = excluded.owner_id,
       max_hourly_kwh = excluded.max_hourly_kwh, timezone = excluded.timezone,
       version = excluded.version, meter_id = excluded.meter_id, tariff_id = excluded.tariff_id
 WHERE d.deleted_at IS NULL AND d.version < excluded.version
"""

# Days are cut in the site's time zone: when it changes they are rebuilt from the hours
# by the next hourly-aggregate run, which recloses every hour reopened here.
_FORGET_DAYS = "DELETE FROM daily_totals WHERE device_id = %s"
_REOPEN_HOURS = "UPDATE hourly_totals SET final = false WHERE device_id = %s AND final"


def apply_state(conn, device: DeviceState) -> bool:
    """Store a created/updated/assigned/unassigned device if newer; True if applied."""
    before = conn.execute(_CURRENT_ZONE, [device.id]).fetchone()
    applied = conn.execute(_UPSERT, device.__dict__).rowcount == 1
    if applied and before is not None and before["timezone"] != device.timezone:
        conn.execute(_FORGET_DAYS, [device.id])
        conn.execute(_REOPEN_HOURS, [device.id])
    return applied


_TOMBSTONE = """
INSERT INTO devices AS d (id, max_hourly_kwh, version, deleted_at)
VALUES (%s, 0, %s, now())
ON CONFLICT (id) DO UPDATE SET version = excluded.version, deleted_at = excluded.deleted_at
 WHERE d.deleted_at IS NULL AND d.version < excluded.version
"""


def apply_deletion(conn, device_id: str, version: int) -> bool:
    """Leave a tombstone (also for a device whose creation has not arrived yet)."""
    return conn.execute(_TOMBSTONE, [device_id, version]).rowcount == 1


def forget_user(conn, user_id: str) -> int:
    """A deleted user owns nothing any more, now or in a late event; returns devices freed."""
    conn.execute("INSERT INTO deleted_users (id) VALUES (%s) ON CONFLICT DO NOTHING", [user_id])
    freed = conn.execute("UPDATE devices SET owner_id = NULL WHERE owner_id = %s", [user_id])
    return freed.rowcount
