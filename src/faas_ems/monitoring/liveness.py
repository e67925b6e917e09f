"""Whether a device is reporting: its last reading, offline when silent, online again.

A device is silent when its newest reading is older than three reading intervals
(``MONITORING_READING_INTERVAL_SECONDS``, default 600). hourly-aggregate marks
silent devices offline and publishes ``device.offline``; the first recent reading
marks one online again and publishes ``device.online``. Devices that never sent a
reading are not offline, they have no data yet. Events go through the outbox, so
they leave once the flip has committed, and the ``offline_since`` flip makes sure
only one caller announces each change.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime

from faas_ems.runtime import outbox, settings

from . import pg_arrays
from .readings import Reading

SILENT_INTERVALS = 3


def interval_seconds() -> int:
    return settings.current().monitoring_reading_interval_seconds


def silence_seconds() -> int:
    return SILENT_INTERVALS * interval_seconds()


def readings_per_hour() -> int:
    return max(1, 3600 // interval_seconds())


_SEEN = """
WITH latest AS (
    SELECT * FROM unnest(%(devices)s::uuid[], %(latest)s::timestamptz[]) AS l(id, at)
), locked AS (
    SELECT d.id, d.offline_since IS NOT NULL AS was_offline, l.at
      FROM devices d JOIN latest l ON l.id = d.id
     WHERE d.deleted_at IS NULL
       AND (d.last_reading_at IS NULL OR d.last_reading_at < l.at
            OR (d.offline_since IS NOT NULL AND l.at >= now() - make_interval(secs => %(silence)s)))
     ORDER BY d.id
       FOR UPDATE OF d
), updated AS (
    UPDATE devices d
       SET last_reading_at = greatest(d.last_reading_at, locked.at),
           offline_since = CASE
               WHEN greatest(d.last_reading_at, locked.at)
                    >= now() - make_interval(secs => %(silence)s) THEN NULL
               ELSE d.offline_since END
      FROM locked
     WHERE d.id = locked.id
    RETURNING d.id, d.owner_id, d.last_reading_at, locked.was_offline, d.offline_since
)
SELECT id, owner_id, last_reading_at FROM updated WHERE was_offline AND offline_since IS NULL
"""

_SILENT = """
WITH silent AS (
    SELECT id FROM devices
     WHERE deleted_at IS NULL AND offline_since IS NULL
       AND last_reading_at < now() - make_interval(secs => %(silence)s)
     ORDER BY id
       FOR UPDATE
)
UPDATE devices d SET offline_since = now()
  FROM silent WHERE d.id = silent.id
RETURNING d.id, d.owner_id, d.last_reading_at
"""


def event_data(device: dict) -> dict:
    return {
        "device_id": str(device["id"]),
        "owner_id": str(device["owner_id"]) if device["owner_id"] else None,
        "last_reading_at": device["last_reading_at"].astimezone(UTC).isoformat(),
    }


def mark_seen(conn, readings: Iterable[Reading]) -> list[dict]:
    """Move each device's last reading forward; queue ``device.online`` for those back."""
    latest: dict[str, datetime] = {}
    for reading in readings:
        if reading.device_id not in latest or latest[reading.device_id] < reading.taken_at:
            latest[reading.device_id] = reading.taken_at
    if not latest:
        return []
    back = conn.execute(
        _SEEN,
        {
            "devices": pg_arrays.literal(latest),
            "latest": pg_arrays.literal(moment.isoformat() for moment in latest.values()),
            "silence": silence_seconds(),
        },
    ).fetchall()
    for device in back:
        outbox.add(conn, "device.online", event_data(device))
    return back


def mark_silent(conn) -> list[dict]:
    """Mark devices silent for three intervals offline and queue ``device.offline``."""
    silent = conn.execute(_SILENT, {"silence": silence_seconds()}).fetchall()
    for device in silent:
        outbox.add(conn, "device.offline", event_data(device))
    return silent
