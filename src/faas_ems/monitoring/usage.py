"""Stored consumption summed into the viewer's hours, days and months.

Hourly totals are kept per UTC hour. For a zone whose hours begin on UTC hours (most
of them) a local hour is one stored hour and a local day a run of them. For a zone
such as Asia/Kolkata (+05:30) the local hours straddle the stored ones, so they are
summed from the quarter-hour totals ingest keeps alongside (bucketed alike: a reading
counts where the end of its interval minus an instant falls).

Days and months viewed in the device's own zone come from daily_totals (kept by
hourly-aggregate in that zone), except the days it may not have caught up with:
today and later, and any day with an hour still open (not aggregated yet, or reopened
by a late reading). Those are summed from their hours, so every answer is exact.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from . import local_time

# (device, instant, kwh) rows over [start, end): one row per stored or local hour
_FROM_HOURLY = """
    SELECT device_id, hour_start AS at, kwh FROM hourly_totals
    WHERE device_id = ANY(%(devices)s::uuid[]) AND hour_start >= %(start)s AND hour_start < %(end)s
"""
# Local hours that start at :30 or :45 UTC are whole quarter-hours: summing quarters
# gives exactly what binning each reading by its interval's end would.
_FROM_QUARTERS = """
    SELECT device_id, date_bin('1 hour', quarter_start, %(start)s) AS at, kwh
    FROM quarter_totals
    WHERE device_id = ANY(%(devices)s::uuid[])
      AND quarter_start >= %(start)s AND quarter_start < %(end)s
"""
_BUCKETS = {
    "hour": "at",
    "day": "(at AT TIME ZONE %(tz)s)::date",
    "month": "date_trunc('month', at AT TIME ZONE %(tz)s)::date",
}


# (day, kwh) rows of one device for the local days first..last, in its own zone: settled
# days (before ``settled_until``, none of their hours open) from daily_totals, open days
# and the days from ``settled_until`` on from their hours
_FROM_DAILY = """
    WITH open_days AS (
        SELECT DISTINCT (hour_start AT TIME ZONE %(tz)s)::date AS day FROM hourly_totals
        WHERE device_id = %(device)s AND NOT final
          AND hour_start >= %(start)s AND hour_start < %(settled_end)s
    )
    SELECT day, kwh FROM daily_totals
    WHERE device_id = %(device)s AND day >= %(first)s AND day < %(settled_until)s
      AND day NOT IN (SELECT day FROM open_days)
    UNION ALL
    SELECT o.day, h.kwh FROM open_days o JOIN hourly_totals h
      ON h.device_id = %(device)s
     AND h.hour_start >= (o.day::timestamp AT TIME ZONE %(tz)s)
     AND h.hour_start < ((o.day + 1)::timestamp AT TIME ZONE %(tz)s)
    UNION ALL
    SELECT (hour_start AT TIME ZONE %(tz)s)::date, kwh FROM hourly_totals
    WHERE device_id = %(device)s AND hour_start >= %(settled_end)s AND hour_start < %(end)s
"""
_DAY_BUCKETS = {"day": "day", "month": "date_trunc('month', day)::date"}


def _source(tz: ZoneInfo, start: datetime, end: datetime) -> str:
    return _FROM_HOURLY if local_time.on_whole_hours(tz, start, end) else _FROM_QUARTERS


def sums(
    conn, device: dict, first: date, last: date, tz: ZoneInfo, granularity: str
) -> dict[datetime | date, Decimal]:
    """kWh per bucket of ``granularity`` over the local days ``first`` to ``last``.

    An hour bucket is keyed by its UTC start, a day by its local date, a month by the
    local date of its first day; buckets with nothing are absent.
    """
    start, end = local_time.span(first, last, tz)
    whole_hours = local_time.on_whole_hours(tz, start, end)
    if granularity in _DAY_BUCKETS and whole_hours and device["timezone"] == tz.key:
        sql = f"""
            SELECT {_DAY_BUCKETS[granularity]} AS bucket, sum(kwh) AS kwh
            FROM ({_FROM_DAILY}) days GROUP BY 1
        """
    else:
        sql = f"""
            SELECT {_BUCKETS[granularity]} AS bucket, sum(kwh) AS kwh
            FROM ({_FROM_HOURLY if whole_hours else _FROM_QUARTERS}) hours GROUP BY 1
        """
    # daily_totals may lag behind today (its hours close as they end)
    settled_until = max(first, min(local_time.today(tz), last + timedelta(days=1)))
    params = {
        "device": device["id"],
        "devices": [str(device["id"])],
        "start": start,
        "end": end,
        "first": first,
        "settled_until": settled_until,
        "settled_end": local_time.day_start(settled_until, tz),
        "tz": tz.key,
    }
    return {row["bucket"]: row["kwh"] for row in conn.execute(sql, params)}


def totals_by_device(
    conn, device_ids: list[str], start: datetime, end: datetime, tz: ZoneInfo
) -> dict[str, Decimal]:
    """Each device's kWh over ``[start, end)`` (a local day, for the summary)."""
    if not device_ids:
        return {}
    sql = f"""
        SELECT device_id, sum(kwh) AS kwh FROM ({_source(tz, start, end)}) hours GROUP BY 1
    """
    params = {"devices": device_ids, "start": start, "end": end}
    return {str(row["device_id"]): row["kwh"] for row in conn.execute(sql, params)}
