"""The consumption answers: a local day hour by hour, a range by hour, day or month,
and today's figures for every visible device.

Every bucket of the period is present, with 0 kWh where nothing was used or nothing
arrived, so that a chart has no gaps and a 23- or 25-hour day shows as such.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from . import live_power, liveness, local_time, registers, usage
from .view_params import DayQuery, RangeQuery

ZERO = Decimal(0)


def _bucket_starts(query: RangeQuery) -> list[tuple[datetime | date, datetime]]:
    """(key as :func:`usage.sums` gives it, local start) for every bucket of the range."""
    tz = query.tz
    if query.granularity == "hour":
        start, end = local_time.span(query.first, query.last, tz)
        return [(at, at.astimezone(tz)) for at in local_time.hour_starts(start, end)]
    days = [query.first + timedelta(days=n) for n in range((query.last - query.first).days + 1)]
    if query.granularity == "month":
        days = [day for day in days if day == query.first or day.day == 1]
        return [(day.replace(day=1), _local_start(day, tz)) for day in days]
    return [(day, _local_start(day, tz)) for day in days]


def _local_start(day: date, tz: ZoneInfo) -> datetime:
    return local_time.day_start(day, tz).astimezone(tz)


def _filled(keys: list[tuple], found: dict) -> list[dict]:
    return [{"start": start, "kwh": found.get(key, ZERO)} for key, start in keys]


def day(conn, device: dict, query: DayQuery) -> dict:
    start, end = local_time.span(query.day, query.day, query.tz)
    found = usage.sums(conn, device, query.day, query.day, query.tz, "hour")
    keys = [(at, at.astimezone(query.tz)) for at in local_time.hour_starts(start, end)]
    hours = _filled(keys, found)
    return {
        "device_id": str(device["id"]),
        "date": query.day,
        "timezone": query.tz.key,
        "hours": hours,
        "total_kwh": sum((h["kwh"] for h in hours), ZERO),
        "max_hourly_kwh": device["max_hourly_kwh"],
    }


def period(conn, device: dict, query: RangeQuery) -> dict:
    found = usage.sums(conn, device, query.first, query.last, query.tz, query.granularity)
    buckets = _filled(_bucket_starts(query), found)
    return {
        "device_id": str(device["id"]),
        "from": query.first,
        "to": query.last,
        "granularity": query.granularity,
        "timezone": query.tz.key,
        "buckets": buckets,
        "total_kwh": sum((b["kwh"] for b in buckets), ZERO),
        "max_hourly_kwh": device["max_hourly_kwh"],
    }


def _utc(moment: datetime | None) -> datetime | None:
    return None if moment is None else moment.astimezone(UTC)


def summary(conn, devices: list[dict], tz: ZoneInfo, *, power: bool = False) -> list[dict]:
    """Today's kWh and status per device; with ``power``, its live kW and last hour too."""
    ids = [str(d["id"]) for d in devices]
    today_here = local_time.today(tz)
    start, end = local_time.span(today_here, today_here, tz)
    today = usage.totals_by_device(conn, ids, start, end, tz)
    # silent for three reading intervals is offline, as hourly-aggregate judges it
    heard_since = datetime.now(UTC) - timedelta(seconds=liveness.silence_seconds())
    resets = registers.resets(conn, ids)
    recent = live_power.recent(conn, ids) if power else {}
    rows = []
    for device in devices:
        reset = resets.get(str(device["id"])) or {"resets": 0, "last_reset_at": None}
        row = {
            "device_id": str(device["id"]),
            "today_kwh": today.get(str(device["id"]), ZERO),
            "last_reading_at": _utc(device["last_reading_at"]),
            "online": device["offline_since"] is None
            and device["last_reading_at"] is not None
            and device["last_reading_at"] >= heard_since,
            "reading_kind": device["reading_kind"],
            "register_resets": reset["resets"],
            "last_register_reset_at": _utc(reset["last_reset_at"]),
        }
        if power:
            row.update(recent.get(str(device["id"]), {"power_kw": None, "last_hour": []}))
        rows.append(row)
    return rows


def totals(conn, devices: list[dict], tz: ZoneInfo) -> dict:
    """Today, this week (from Monday) and this month, summed over ``devices``, in ``tz``."""
    today_here = local_time.today(tz)
    week_from = today_here - timedelta(days=today_here.weekday())
    month_from = today_here.replace(day=1)
    ids = [str(d["id"]) for d in devices]
    end = local_time.day_start(today_here + timedelta(days=1), tz)

    def since(first: date) -> Decimal:
        found = usage.totals_by_device(conn, ids, local_time.day_start(first, tz), end, tz)
        return sum(found.values(), ZERO)

    month = since(month_from)
    week = month if week_from == month_from else since(week_from)
    return {
        "timezone": tz.key,
        "devices": len(devices),
        "today_kwh": since(today_here),
        "week_kwh": week,
        "month_kwh": month,
        "week_from": week_from,
        "month_from": month_from,
    }
