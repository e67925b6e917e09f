"""What each meter draws now: kW over its latest reading's interval, and its last hour.

A reading's kWh covers the interval that ends at its timestamp; that interval runs from
the meter's previous reading (or, for the first reading we hold, one configured reading
interval), so kW = kWh / interval hours whatever pace the meter reports at. Only the
last hour is read, and readings are kept at least that long (retention counts days).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from . import liveness

WINDOW = timedelta(hours=1)

# The readings of the last hour with the moment each one's interval began; the one
# before the window is read too, so the first in it has its real start.
_RECENT = """
WITH recent AS (
    SELECT device_id, taken_at, kwh,
           lag(taken_at) OVER (PARTITION BY device_id ORDER BY taken_at) AS previous_at
      FROM readings
     WHERE device_id = ANY(%(devices)s::uuid[])
       AND taken_at >= %(since)s - make_interval(secs => %(interval)s)
)
SELECT device_id, taken_at, kwh, previous_at FROM recent
 WHERE taken_at >= %(since)s
 ORDER BY device_id, taken_at
"""


def _kw(kwh: Decimal, seconds: float) -> float:
    return round(float(kwh) * 3600 / seconds, 3) if seconds > 0 else 0.0


def recent(conn, device_ids: list[str], now: datetime | None = None) -> dict[str, dict]:
    """``{device_id: {"power_kw", "last_hour": [{"at", "kw"}]}}`` for devices heard lately."""
    if not device_ids:
        return {}
    now = now or datetime.now(UTC)
    interval = liveness.interval_seconds()
    rows = conn.execute(
        _RECENT, {"devices": device_ids, "since": now - WINDOW, "interval": interval}
    ).fetchall()
    found: dict[str, dict] = {}
    for row in rows:
        began = row["previous_at"] or row["taken_at"] - timedelta(seconds=interval)
        point = {
            "at": row["taken_at"].astimezone(UTC),
            "kw": _kw(row["kwh"], (row["taken_at"] - began).total_seconds()),
        }
        entry = found.setdefault(str(row["device_id"]), {"power_kw": None, "last_hour": []})
        entry["last_hour"].append(point)
        entry["power_kw"] = point["kw"]
    return found
