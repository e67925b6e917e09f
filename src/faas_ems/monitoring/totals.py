"""Storing readings once and adding them to exact hourly totals, one statement a batch.

The same statement keeps quarter-hour totals, for views in zones whose hours start
at :30 or :45.

A reading's ``measurement_value`` is the energy of the interval that ends at its
timestamp, so it counts in the hour that interval lies in: the reading at 11:00 in
10:00-11:00, the one at 11:10 in 11:00-12:00 (UTC hours; every complete hour holds
one reading per interval).

Only readings this statement actually inserted are added (``ON CONFLICT DO
NOTHING ... RETURNING``), and the hour rows are upserted with ``kwh = kwh +
excluded.kwh`` in the database (quarters alike), so redeliveries and any number of concurrent
replicas give exact totals. Rows are written in key order, so concurrent batches
lock them in the same order and never deadlock. A late reading reopens a closed
hour (``final = false``) so that hourly-aggregate recloses it and refreshes its day.
Readings of devices monitoring has no copy of, or a deleted one, are left out and
named, in the same statement.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import datetime

from . import pg_arrays
from .readings import Reading

_ADD = """
WITH incoming AS (
    SELECT * FROM unnest(%(devices)s::uuid[], %(taken)s::timestamptz[], %(kwh)s::numeric[])
        AS r(device_id, taken_at, kwh)
), asked AS (
    SELECT DISTINCT i.device_id, d.id IS NOT NULL AS known, d.deleted_at IS NOT NULL AS deleted
      FROM incoming i LEFT JOIN devices d ON d.id = i.device_id
), stored AS (
    INSERT INTO readings (device_id, taken_at, kwh)
    SELECT i.device_id, i.taken_at, i.kwh
      FROM incoming i JOIN asked a ON a.device_id = i.device_id AND a.known AND NOT a.deleted
     ORDER BY i.device_id, i.taken_at
    ON CONFLICT DO NOTHING
    RETURNING device_id, taken_at, kwh
), added AS (
    SELECT device_id, date_trunc('hour', taken_at - interval '1 microsecond', 'UTC') AS hour_start,
           sum(kwh) AS kwh, count(*)::int AS samples
      FROM stored
     GROUP BY 1, 2
), totals AS (
    INSERT INTO hourly_totals AS h (device_id, hour_start, kwh, samples)
    SELECT device_id, hour_start, kwh, samples FROM added ORDER BY device_id, hour_start
    ON CONFLICT (device_id, hour_start) DO UPDATE
       SET kwh = h.kwh + excluded.kwh, samples = h.samples + excluded.samples, final = false
    RETURNING h.device_id, h.hour_start, h.kwh
), quarters AS (
    INSERT INTO quarter_totals AS q (device_id, quarter_start, kwh)
    SELECT device_id,
           date_bin('15 minutes', taken_at - interval '1 microsecond',
                    timestamptz '2000-01-01 00:00+00'),
           sum(kwh)
      FROM stored
     GROUP BY 1, 2
     ORDER BY 1, 2
    ON CONFLICT (device_id, quarter_start) DO UPDATE SET kwh = q.kwh + excluded.kwh
)
SELECT (SELECT coalesce(sum(samples), 0) FROM added)::int AS stored,
       (SELECT array_agg(device_id::text) FROM asked WHERE NOT known) AS unknown,
       (SELECT array_agg(device_id::text) FROM asked WHERE deleted) AS deleted,
       array_agg(t.device_id) FILTER (WHERE t.kwh > d.max_hourly_kwh) AS over_devices,
       array_agg(t.hour_start) FILTER (WHERE t.kwh > d.max_hourly_kwh) AS over_hours,
       array_agg(t.kwh) FILTER (WHERE t.kwh > d.max_hourly_kwh) AS over_totals
  FROM totals t JOIN devices d ON d.id = t.device_id
"""


@dataclass
class OverLimit:
    """Hours this batch added to whose total is now above the device's limit."""

    device_ids: list = field(default_factory=list)
    hour_starts: list[datetime] = field(default_factory=list)
    totals: list = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.device_ids)


@dataclass
class Added:
    stored: int
    over_limit: OverLimit
    unknown: set[str] = field(default_factory=set)  # devices with no copy (yet)
    deleted: set[str] = field(default_factory=set)  # devices inventory deleted


def add(conn, readings: Collection[Reading]) -> Added:
    """Store the readings of live devices not stored yet and add exactly those to their hours."""
    if not readings:
        return Added(0, OverLimit())
    row = conn.execute(
        _ADD,
        {
            "devices": pg_arrays.literal(r.device_id for r in readings),
            "taken": pg_arrays.literal(r.taken_at.isoformat() for r in readings),
            "kwh": pg_arrays.literal(r.kwh for r in readings),
        },
    ).fetchone()
    over = OverLimit(row["over_devices"] or [], row["over_hours"] or [], row["over_totals"] or [])
    return Added(row["stored"], over, set(row["unknown"] or ()), set(row["deleted"] or ()))
