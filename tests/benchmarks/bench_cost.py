"""What pricing costs the consumption views: a year by day with and without a tariff.

    .venv/bin/python -m tests.benchmarks.bench_cost [--devices 20] [--days 365]
        [--calls 100]

It seeds monitoring as bench_chart does (10-minute readings, hourly and daily totals),
gives half of the devices a time-of-use tariff (weekday day and night bands, weekends,
a price change half-way, a fixed charge), and times, one call at a time through the
gateway with the owner's token: the year by day of an unpriced device, of a priced one
(8,760 hours priced one by one), the same with ``compare=previous`` (the year before
priced too), and a priced day view; it prints p50 and p95 of each.
"""

from __future__ import annotations

import argparse
import random
import time
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from tests.benchmarks.bench_chart import (
    ZONE,
    client_token,
    consumption_only_stack,
    report,
    seed,
    timed,
)
from tests.harness import TestStack

_TARIFF = """
WITH made AS (INSERT INTO tariffs (name, currency) VALUES ('bench', 'EUR') RETURNING id)
SELECT id FROM made
"""
_PRICES = [
    ("2000-01-01", "weekdays", 7, 23, "0.31"),
    ("2000-01-01", "weekdays", 23, 7, "0.12"),
    ("2000-01-01", "weekends", 0, 24, "0.2"),
]


def priced(system: TestStack, ids: list[str], change: str) -> list[str]:
    """Give every other device a tariff; return those devices."""
    with system.db("monitoring") as db:
        tariff = db.execute(_TARIFF).fetchone()[0]
        for valid_from, days, start, end, price in [*_PRICES, (change, "all", 0, 24, "0.27")]:
            db.execute(
                "INSERT INTO tariff_prices VALUES (%s, %s, %s, %s, %s, %s)",
                [tariff, valid_from, days, start, end, price],
            )
        db.execute("INSERT INTO tariff_fixed_charges VALUES (%s, '2000-01-01', 0.45)", [tariff])
        chosen = ids[::2]
        db.execute("UPDATE devices SET tariff_id = %s WHERE id = ANY(%s::uuid[])", [tariff, chosen])
    return chosen


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--devices", type=int, default=20)
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--calls", type=int, default=100)
    args = parser.parse_args()

    system = TestStack({"EMS_STACK_FILE": str(consumption_only_stack()), "EMS_REPLICAS": ""})
    system.start()
    try:
        owner_id, ids, _ = seed(system, args.devices, args.days)
        today = datetime.now(ZoneInfo(ZONE)).date()
        year_from = today - timedelta(days=364)
        with_tariff = priced(system, ids, (year_from + timedelta(days=182)).isoformat())
        without = [device for device in ids if device not in with_tariff]
        token = client_token(system, owner_id)
        generator = random.Random(5)

        def years(devices: list[str], **extra) -> list[dict]:
            return [
                {
                    "device_id": generator.choice(devices),
                    "from": year_from.isoformat(),
                    "to": today.isoformat(),
                    "granularity": "day",
                    **extra,
                }
                for _ in range(args.calls)
            ]

        days = [
            {"device_id": generator.choice(with_tariff), "date": today.isoformat()}
            for _ in range(args.calls)
        ]
        timed(system, token, years(ids, compare="none")[:20])  # warm-up: pools, plans
        started = time.monotonic()
        report("year by day, no tariff", timed(system, token, years(without, compare="none")))
        report("year by day, priced", timed(system, token, years(with_tariff, compare="none")))
        report(
            "year by day, priced, with the year before (not seeded: its SQL, no hours to price)",
            timed(system, token, years(with_tariff, compare="previous")),
        )
        report("day view, priced, with yesterday", timed(system, token, days))
        print(f"timed in {time.monotonic() - started:.0f}s")
    finally:
        system.stop()


if __name__ == "__main__":
    main()
