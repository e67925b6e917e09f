"""The consumption answers: a local day hour by hour, a range by hour, day or month,
and today's figures for every visible device.

Every bucket of the period is present, with 0 kWh where nothing was used or nothing
arrived, so that a chart has no gaps and a 23- or 25-hour day shows as such.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from faas_ems.runtime import paging

from . import comparisons, live_power, liveness, local_time, pricing, registers, usage
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


class _Costs:
    """A device's exact cost per bucket of a period, fixed charges in day/month buckets."""

    def __init__(self, conn, device: dict, first: date, last: date, tz, granularity: str):
        self.tariff = pricing.tariff_of(conn, device)
        self.buckets: dict = {}
        self.total: Decimal | None = None
        self.fixed = ZERO
        if self.tariff is None:
            return
        start, end = local_time.span(first, last, tz)
        tariffs = {self.tariff.id: self.tariff}
        found = pricing.energy_costs(conn, [device], tariffs, start, end, tz, granularity)
        self.buckets = found[str(device["id"])]
        self.total = ZERO
        for cost in self.buckets.values():
            self.total = pricing.add(self.total, cost)
        for day, amount in pricing.fixed_charges(self.tariff, first, last).items():
            self.fixed += amount
            if granularity != "hour":
                key = day if granularity == "day" else day.replace(day=1)
                self.buckets[key] = pricing.add(self.buckets.get(key, ZERO), amount)
        self.total = pricing.add(self.total, self.fixed)

    def of(self, key) -> Decimal | None:
        if self.tariff is None:
            return None
        return self.tariff.rounded(self.buckets.get(key, ZERO))

    def fields(self) -> dict:
        """``total_cost``, ``fixed_cost``, ``currency`` and ``tariff_id`` of the answer."""
        tariff = self.tariff
        return {
            "total_cost": tariff.rounded(self.total) if tariff else None,
            "fixed_cost": tariff.rounded(self.fixed) if tariff else None,
            "currency": tariff.currency if tariff else None,
            "tariff_id": tariff.id if tariff else None,
        }


def _filled(keys: list[tuple], found: dict, costs: _Costs) -> list[dict]:
    return [
        {"start": start, "kwh": found.get(key, ZERO), "cost": costs.of(key)} for key, start in keys
    ]


def _compared(conn, device: dict, query, answer: dict, view) -> dict:
    earlier = comparisons.earlier(query)
    if earlier is not None and query.format == "json":
        before = view(conn, device, earlier)
        answer["comparison"] = comparisons.beside(answer, before, query.compare)
    return answer


def day(conn, device: dict, query: DayQuery) -> dict:
    start, end = local_time.span(query.day, query.day, query.tz)
    found = usage.sums(conn, device, query.day, query.day, query.tz, "hour")
    costs = _Costs(conn, device, query.day, query.day, query.tz, "hour")
    keys = [(at, at.astimezone(query.tz)) for at in local_time.hour_starts(start, end)]
    hours = _filled(keys, found, costs)
    answer = {
        "device_id": str(device["id"]),
        "date": query.day,
        "timezone": query.tz.key,
        "hours": hours,
        "total_kwh": sum((h["kwh"] for h in hours), ZERO),
        "max_hourly_kwh": device["max_hourly_kwh"],
        **costs.fields(),
    }
    return _compared(conn, device, query, answer, day)


def period(conn, device: dict, query: RangeQuery) -> dict:
    found = usage.sums(conn, device, query.first, query.last, query.tz, query.granularity)
    costs = _Costs(conn, device, query.first, query.last, query.tz, query.granularity)
    buckets = _filled(_bucket_starts(query), found, costs)
    answer = {
        "device_id": str(device["id"]),
        "from": query.first,
        "to": query.last,
        "granularity": query.granularity,
        "timezone": query.tz.key,
        "buckets": buckets,
        "total_kwh": sum((b["kwh"] for b in buckets), ZERO),
        "max_hourly_kwh": device["max_hourly_kwh"],
        **costs.fields(),
    }
    return _compared(conn, device, query, answer, period)


def _utc(moment: datetime | None) -> datetime | None:
    return None if moment is None else moment.astimezone(UTC)


def costs_today(conn, devices: list[dict], tz: ZoneInfo) -> dict[str, tuple]:
    """(exact cost, tariff) of each priced device's local day today in ``tz``, fixed charge in."""
    today_here = local_time.today(tz)
    start, end = local_time.span(today_here, today_here, tz)
    tariffs = pricing.load(conn, (d["tariff_id"] for d in devices))
    tariff_of = {str(d["id"]): str(d["tariff_id"]) for d in devices}
    found = {}
    for key, buckets in pricing.energy_costs(conn, devices, tariffs, start, end, tz).items():
        tariff = tariffs[tariff_of[key]]
        found[key] = (pricing.add(tariff.fixed_on(today_here), buckets.get(0, ZERO)), tariff)
    return found


SUMMARY_SORTS = ("name", "meter_id", "today_kwh", "online", "last_reading_at")


def _status(device: dict, today_kwh: Decimal, heard_since: datetime) -> dict:
    return {
        "device_id": str(device["id"]),
        "name": device["name"],
        "meter_id": device["meter_id"],
        "owner_id": None if device["owner_id"] is None else str(device["owner_id"]),
        "max_hourly_kwh": device["max_hourly_kwh"],
        "timezone": device["timezone"],
        "today_kwh": today_kwh,
        "last_reading_at": _utc(device["last_reading_at"]),
        "online": _online(device, heard_since),
        "reading_kind": device["reading_kind"],
    }


def _online(device: dict, heard_since: datetime) -> bool:
    return (
        device["offline_since"] is None
        and device["last_reading_at"] is not None
        and device["last_reading_at"] >= heard_since
    )


def _heard_since() -> datetime:
    """Silent for three reading intervals is offline, as hourly-aggregate judges it."""
    return datetime.now(UTC) - timedelta(seconds=liveness.silence_seconds())


def _sort_value(row: dict, key: str):
    value = row[key]
    return value.lower() if isinstance(value, str) else value


def _in_order(rows: list[dict], key: str, descending: bool) -> list[dict]:
    """By ``key`` (missing values last either way), then by name and id."""
    rows = sorted(rows, key=lambda r: (r["name"].lower(), r["device_id"]))
    known = [r for r in rows if r[key] is not None]
    missing = [r for r in rows if r[key] is None]
    return sorted(known, key=lambda r: _sort_value(r, key), reverse=descending) + missing


def summary(
    conn,
    devices: list[dict],
    tz: ZoneInfo,
    page: paging.Page | None = None,
    *,
    power: bool = False,
    online: bool | None = None,
) -> tuple[list[dict], int]:
    """Today's kWh, cost and status per device, one page of them in the page's order; with
    ``power``, the page's live kW and last hour too; ``online`` keeps the devices in
    that state. Without ``page``: all, by name.

    Today's kWh and the online state are monitoring's own, so this is where the
    device lists sort by them: every matching device's figure is summed (one query),
    sorted here, and only the page's get the costlier register and power details.
    """
    ids = [str(d["id"]) for d in devices]
    today_here = local_time.today(tz)
    start, end = local_time.span(today_here, today_here, tz)
    today = usage.totals_by_device(conn, ids, start, end, tz)
    heard_since = _heard_since()
    rows = [_status(d, today.get(str(d["id"]), ZERO), heard_since) for d in devices]
    if online is not None:
        rows = [row for row in rows if row["online"] == online]
    total = len(rows)
    if page is not None:
        rows = page.window(_in_order(rows, page.sort, page.descending))
    shown = [row["device_id"] for row in rows]
    by_id = {str(d["id"]): d for d in devices}
    costs = costs_today(conn, [by_id[device_id] for device_id in shown], tz)
    resets = registers.resets(conn, shown)
    recent = live_power.recent(conn, shown) if power else {}
    for row in rows:
        reset = resets.get(row["device_id"]) or {"resets": 0, "last_reset_at": None}
        row["register_resets"] = reset["resets"]
        row["last_register_reset_at"] = _utc(reset["last_reset_at"])
        cost, tariff = costs.get(row["device_id"], (None, None))
        row["today_cost"] = tariff.rounded(cost) if tariff else None
        row["currency"] = tariff.currency if tariff else None
        if power:
            row.update(recent.get(row["device_id"], {"power_kw": None, "last_hour": []}))
    return rows, total


def _by_currency(costs: dict[str, tuple]) -> list[dict]:
    """Exact costs summed per currency, each sum rounded once; unknown costs left out."""
    sums: dict[str, tuple] = {}
    for cost, tariff in costs.values():
        if cost is not None:
            before, _ = sums.get(tariff.currency, (ZERO, tariff))
            sums[tariff.currency] = (before + cost, tariff)
    return [
        {"currency": currency, "amount": tariff.rounded(total)}
        for currency, (total, tariff) in sorted(sums.items())
    ]


def totals(conn, devices: list[dict], tz: ZoneInfo) -> dict:
    """Today, this week (from Monday) and this month, summed over ``devices``, in ``tz``;
    last week until the same moment of it; today's cost per currency."""
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
    heard_since = _heard_since()
    online = sum(_online(device, heard_since) for device in devices)
    start, day_end = local_time.span(today_here, today_here, tz)
    over_limit = conn.execute(
        "SELECT count(DISTINCT device_id) AS n FROM alert_hours"
        " WHERE device_id = ANY(%s::uuid[]) AND hour_start >= %s AND hour_start < %s",
        [ids, start, day_end],
    ).fetchone()["n"]
    week_ago = datetime.now(UTC) - timedelta(days=7)
    last_week_from = local_time.day_start(week_from - timedelta(days=7), tz)
    last_week = usage.totals_by_device(conn, ids, last_week_from, week_ago, tz)
    return {
        "timezone": tz.key,
        "devices": len(devices),
        "online": online,
        "offline": len(devices) - online,
        "over_limit_today": over_limit,
        "today_kwh": since(today_here),
        "week_kwh": week,
        "month_kwh": month,
        "last_week_kwh": sum(last_week.values(), ZERO),
        "today_cost": _by_currency(costs_today(conn, devices, tz)),
        "week_from": week_from,
        "month_from": month_from,
    }
