"""Closing past hours and keeping daily totals, for hourly-aggregate.

An hour is closed once it has ended: marked ``final`` and flagged ``incomplete``
when it holds fewer readings than a full hour should. Each day that holds a hour
closed now is recomputed from its hours, in the device's site time zone (a day
there has 23, 24 or 25 hours). Recomputing rather than adding makes a second run
change nothing, and a late reading (which reopens its hour) lands in its day at
the next run. Hour rows are locked in key order, as ingest locks them.
"""

from __future__ import annotations

from dataclasses import dataclass

_CLOSE = """
WITH ended AS (
    SELECT device_id, hour_start FROM hourly_totals
     WHERE NOT final AND hour_start < date_trunc('hour', now(), 'UTC')
     ORDER BY device_id, hour_start
       FOR UPDATE
), closed AS (
    UPDATE hourly_totals h
       SET final = true, incomplete = h.samples < %(expected)s
      FROM ended WHERE (h.device_id, h.hour_start) = (ended.device_id, ended.hour_start)
    RETURNING h.device_id, h.hour_start
), days AS (
    SELECT DISTINCT c.device_id, d.timezone,
           (c.hour_start AT TIME ZONE d.timezone)::date AS day
      FROM closed c JOIN devices d ON d.id = c.device_id
), summed AS (
    SELECT days.device_id, days.day, sum(h.kwh) AS kwh, sum(h.samples)::int AS samples
      FROM days JOIN hourly_totals h
        ON h.device_id = days.device_id
       AND h.hour_start >= (days.day::timestamp AT TIME ZONE days.timezone)
       AND h.hour_start < ((days.day + 1)::timestamp AT TIME ZONE days.timezone)
     GROUP BY days.device_id, days.day
), refreshed AS (
    INSERT INTO daily_totals AS t (device_id, day, kwh, samples)
    SELECT device_id, day, kwh, samples FROM summed ORDER BY device_id, day
    ON CONFLICT (device_id, day) DO UPDATE SET kwh = excluded.kwh, samples = excluded.samples
    RETURNING 1
)
SELECT (SELECT count(*) FROM closed)::int AS hours, (SELECT count(*) FROM refreshed)::int AS days
"""


@dataclass(frozen=True)
class Closed:
    hours: int
    days: int


def close_past_hours(conn, readings_per_hour: int) -> Closed:
    row = conn.execute(_CLOSE, {"expected": readings_per_hour}).fetchone()
    return Closed(row["hours"], row["days"])
