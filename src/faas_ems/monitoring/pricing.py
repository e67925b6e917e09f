"""What the energy of a period cost: each stored hour at the price in force then.

A stored hour (a quarter-hour where a zone's hours start at :30 or :45) is priced by
the band of its site's local wall clock, from the tariff's prices whose
``valid_from`` is the latest on or before that local date, so a price change
applies from its day on and earlier days keep their prices. Costs are exact
(``numeric`` kWh x price, summed per bucket in PostgreSQL, which joins each stored hour
to its price); only what is shown is rounded, half-even to the
currency's minor unit, each figure once from its exact value (see docs/api.md).
An hour before the tariff's first price has no cost (``None``), and so has every
sum that holds it. The daily fixed charge counts once per local day of the period
asked, from the tariff's first price on.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_EVEN, Decimal
from zoneinfo import ZoneInfo

from . import local_time
from .tariff_terms import DAY_KINDS, Price, minor_unit

ZERO = Decimal(0)


@dataclass(frozen=True)
class Tariff:
    id: str
    currency: str
    starts: tuple[date, ...]  # each schedule's valid_from, ascending
    grids: tuple[tuple[tuple[Decimal, ...], ...], ...]  # [schedule][weekday][hour]
    fixed_starts: tuple[date, ...]
    fixed_amounts: tuple[Decimal, ...]

    def fixed_on(self, day: date) -> Decimal:
        """The fixed charge of the local ``day`` (none before the first price)."""
        at = bisect.bisect_right(self.fixed_starts, day) - 1
        if at < 0 or not self.starts or day < self.starts[0]:
            return ZERO
        return self.fixed_amounts[at]

    def rounded(self, amount: Decimal | None) -> Decimal | None:
        if amount is None:
            return None
        return amount.quantize(minor_unit(self.currency), rounding=ROUND_HALF_EVEN)


def load(conn, tariff_ids: Iterable[str]) -> dict[str, Tariff]:
    """The tariffs named, by id; a tariff that does not exist (any more) is absent."""
    ids = sorted({str(t) for t in tariff_ids if t})
    if not ids:
        return {}
    heads = conn.execute(
        "SELECT id, currency FROM tariffs WHERE id = ANY(%s::uuid[])", [ids]
    ).fetchall()
    prices: dict[str, dict[date, list]] = {}
    for row in conn.execute("SELECT * FROM tariff_prices WHERE tariff_id = ANY(%s::uuid[])", [ids]):
        band = Price.from_row(row)
        grid = prices.setdefault(str(row["tariff_id"]), {}).setdefault(
            band.valid_from, [[None] * 24 for _ in range(7)]
        )
        for weekday in DAY_KINDS[band.days]:
            for hour in band.hours():
                grid[weekday][hour] = band.price_per_kwh
    fixed: dict[str, list] = {}
    for row in conn.execute(
        "SELECT * FROM tariff_fixed_charges WHERE tariff_id = ANY(%s::uuid[]) ORDER BY valid_from",
        [ids],
    ):
        fixed.setdefault(str(row["tariff_id"]), []).append((row["valid_from"], row["amount"]))
    found = {}
    for head in heads:
        key = str(head["id"])
        schedules = sorted(prices.get(key, {}).items())
        charges = fixed.get(key, [])
        found[key] = Tariff(
            id=key,
            currency=head["currency"].strip(),
            starts=tuple(day for day, _ in schedules),
            grids=tuple(tuple(tuple(day) for day in grid) for _, grid in schedules),
            fixed_starts=tuple(day for day, _ in charges),
            fixed_amounts=tuple(amount for _, amount in charges),
        )
    return found


def tariff_of(conn, device: dict) -> Tariff | None:
    return load(conn, [device.get("tariff_id")]).get(str(device.get("tariff_id")))


_HOURS = """
SELECT device_id, hour_start AS at, kwh FROM hourly_totals
 WHERE device_id = ANY(%(devices)s::uuid[]) AND hour_start >= %(start)s AND hour_start < %(end)s
"""
_QUARTERS = """
SELECT device_id, quarter_start AS at, kwh FROM quarter_totals
 WHERE device_id = ANY(%(devices)s::uuid[])
   AND quarter_start >= %(start)s AND quarter_start < %(end)s
"""
# Each stored hour joined to the price of its site's local weekday, hour and date, and the
# exact costs summed per bucket; a bucket holding an hour without a price is unpriced.
_COSTS = """
WITH sites AS (
    SELECT * FROM unnest(%(devices)s::uuid[], %(zones)s::text[], %(tariff_of)s::uuid[])
        AS s(device_id, zone, tariff_id)
), prices AS (
    SELECT * FROM unnest(%(tariffs)s::uuid[], %(froms)s::date[], %(untils)s::date[],
                         %(weekdays)s::int[], %(hours)s::int[], %(prices)s::numeric[])
        AS p(tariff_id, valid_from, valid_until, weekday, hour, price)
), stored AS (
    SELECT h.device_id, h.at, h.kwh, h.at AT TIME ZONE s.zone AS site, s.tariff_id
      FROM ({source}) h JOIN sites s USING (device_id)
)
SELECT r.device_id, {bucket} AS bucket, sum(r.kwh * p.price) AS cost,
       bool_and(p.price IS NOT NULL) AS priced
  FROM stored r LEFT JOIN prices p
    ON p.tariff_id = r.tariff_id
   AND p.weekday = extract(isodow FROM r.site)::int - 1
   AND p.hour = extract(hour FROM r.site)::int
   AND r.site::date >= p.valid_from AND r.site::date < p.valid_until
 GROUP BY 1, 2
"""
_BUCKETS = {
    "hour": "date_bin('1 hour', r.at, %(start)s)",
    "day": "(r.at AT TIME ZONE %(tz)s)::date",
    "month": "date_trunc('month', r.at AT TIME ZONE %(tz)s)::date",
    None: "0",
}
_NEVER = date(9999, 12, 31)


def _price_rows(tariffs: Iterable[Tariff]) -> dict[str, list]:
    """Every tariff's (weekday, hour) prices with the dates they hold, as SQL arrays."""
    rows: dict[str, list] = {name: [] for name in ("tariffs", "froms", "untils")}
    rows.update(weekdays=[], hours=[], prices=[])
    for tariff in tariffs:
        untils = [*tariff.starts[1:], _NEVER]
        for valid_from, until, grid in zip(tariff.starts, untils, tariff.grids, strict=True):
            for weekday, day in enumerate(grid):
                for hour, price in enumerate(day):
                    rows["tariffs"].append(tariff.id)
                    rows["froms"].append(valid_from)
                    rows["untils"].append(until)
                    rows["weekdays"].append(weekday)
                    rows["hours"].append(hour)
                    rows["prices"].append(price)
    return rows


def energy_costs(
    conn,
    devices: list[dict],
    tariffs: dict[str, Tariff],
    start: datetime,
    end: datetime,
    tz: ZoneInfo,
    granularity: str | None = None,
) -> dict[str, dict]:
    """Each priced device's exact energy cost per bucket of ``granularity`` in ``tz``
    (one bucket, ``0``, without one) over ``[start, end)``, by device id.

    A bucket key is what :func:`usage.sums` gives; a bucket with an unpriced hour is
    ``None``. Quarter-hours are priced instead of hours when the site's zone or ``tz``
    has hours that do not begin on UTC hours.
    """
    priced = [d for d in devices if str(d.get("tariff_id")) in tariffs]
    if not priced:
        return {}
    zones = {ZoneInfo(d["timezone"]) for d in priced} | {tz}
    whole = all(local_time.on_whole_hours(zone, start, end) for zone in zones)
    sql = _COSTS.format(source=_HOURS if whole else _QUARTERS, bucket=_BUCKETS[granularity])
    params = {
        "devices": [str(d["id"]) for d in priced],
        "zones": [d["timezone"] for d in priced],
        "tariff_of": [str(d["tariff_id"]) for d in priced],
        "start": start,
        "end": end,
        "tz": tz.key,
        **_price_rows(tariffs[str(d["tariff_id"])] for d in priced),
    }
    costs: dict[str, dict] = {str(d["id"]): {} for d in priced}
    for row in conn.execute(sql, params):
        costs[str(row["device_id"])][row["bucket"]] = row["cost"] if row["priced"] else None
    return costs


def add(total: Decimal | None, amount: Decimal | None) -> Decimal | None:
    """Sum where an unknown part makes the whole unknown."""
    return None if total is None or amount is None else total + amount


def fixed_charges(tariff: Tariff, first: date, last: date) -> dict[date, Decimal]:
    """The fixed charge of each local day from ``first`` to ``last``."""
    days = (first + timedelta(days=n) for n in range((last - first).days + 1))
    return {day: tariff.fixed_on(day) for day in days}
