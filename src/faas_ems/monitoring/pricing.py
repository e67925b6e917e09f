"""What the energy of a period cost: each stored hour at the price in force then.

A stored hour (a quarter-hour where a zone's hours start at :30 or :45) is priced by
the band of its site's local wall clock, from the tariff's prices whose
``valid_from`` is the latest on or before that local date, so a price change
applies from its day on and earlier days keep their prices. Costs are exact
(``Decimal`` kWh x price); only what is shown is rounded, half-even to the
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

    def price_at(self, local: datetime) -> Decimal | None:
        """The price per kWh at a local wall-clock time, or ``None`` before the first."""
        at = bisect.bisect_right(self.starts, local.date()) - 1
        return None if at < 0 else self.grids[at][local.weekday()][local.hour]

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


def energy_costs(
    conn,
    devices: list[dict],
    tariffs: dict[str, Tariff],
    start: datetime,
    end: datetime,
    zones: Iterable[ZoneInfo] = (),
) -> dict[str, list[tuple[datetime, Decimal | None]]]:
    """Each priced device's exact cost per stored hour in ``[start, end)``, by device id.

    Quarter-hours are priced instead of hours when the site's zone or one of ``zones``
    (the viewer's) has hours that do not begin on UTC hours.
    """
    priced = {str(d["id"]): d for d in devices if str(d.get("tariff_id")) in tariffs}
    if not priced:
        return {}
    sites = {key: ZoneInfo(d["timezone"]) for key, d in priced.items()}
    whole = all(local_time.on_whole_hours(tz, start, end) for tz in [*sites.values(), *zones])
    rows = conn.execute(
        _HOURS if whole else _QUARTERS,
        {"devices": list(priced), "start": start, "end": end},
    )
    costs: dict[str, list] = {key: [] for key in priced}
    for row in rows:
        key = str(row["device_id"])
        tariff = tariffs[str(priced[key]["tariff_id"])]
        price = tariff.price_at(row["at"].astimezone(sites[key]))
        costs[key].append((row["at"], None if price is None else row["kwh"] * price))
    return costs


def add(total: Decimal | None, amount: Decimal | None) -> Decimal | None:
    """Sum where an unknown part makes the whole unknown."""
    return None if total is None or amount is None else total + amount


def fixed_charges(tariff: Tariff, first: date, last: date) -> dict[date, Decimal]:
    """The fixed charge of each local day from ``first`` to ``last``."""
    days = (first + timedelta(days=n) for n in range((last - first).days + 1))
    return {day: tariff.fixed_on(day) for day in days}
