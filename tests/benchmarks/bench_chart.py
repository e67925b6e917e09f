"""Chart latency: the consumption views over a year of readings for 200 devices.

    .venv/bin/python -m tests.benchmarks.bench_chart [--devices 200] [--days 365]
        [--calls 400]

It brings up ``ems up`` with only the consumption function (the real stack.yml entry),
seeds its monitoring database with SQL (generate_series): every device in
Europe/Bucharest with a 10-minute reading for every interval of the last ``--days``
days (200 x 365 days is about 10.5 million rows), the hourly totals summed from them
and the daily totals summed from those, as ingest and hourly-aggregate would leave
them (hours closed up to the current one, rows stored in time order, so that one
device's rows are spread over the table as in real use). The bench database's tables
are made UNLOGGED first, which speeds the seeding and changes nothing for reads.

Then, one call at a time through the gateway with a client's token (the owner of every
device, in Europe/Bucharest), it times the day view of a random device and day, the
year by day of a random device (daily totals), and the same year viewed from UTC
(``&tz=UTC``: other days than the device's, so summed from 8,760 hourly totals), and
prints p50 and p95 of each. The client runs on the same machine.
"""

from __future__ import annotations

import argparse
import random
import statistics
import tempfile
import time
import uuid
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import jwt
import yaml

from ems.paths import STACK_FILE
from tests.harness import TestStack

ZONE = "Europe/Bucharest"
INTERVAL = timedelta(minutes=10)
WEEK = timedelta(days=7)

# one week of every device's readings, in time order as ingest stores them, and the
# hourly totals they add up to (an hour split by two weeks is added to, as ingest does)
_WEEK = """
WITH stored AS (
    INSERT INTO readings (device_id, taken_at, kwh)
    SELECT d.id, t,
           round((0.02 + d.scale * (1 + sin(pi() * (extract(hour FROM t AT TIME ZONE %(zone)s) - 6)
                  / 12.0)) + 0.02 * random())::numeric, 6)
      FROM generate_series(%(first)s::timestamptz, %(last)s::timestamptz, interval '10 minutes') t
     CROSS JOIN unnest(%(devices)s::uuid[], %(scales)s::float8[]) AS d(id, scale)
     ORDER BY t, d.id
    RETURNING device_id, taken_at, kwh
)
INSERT INTO hourly_totals AS h (device_id, hour_start, kwh, samples, final)
SELECT device_id, date_trunc('hour', taken_at - interval '1 microsecond', 'UTC'), sum(kwh),
       count(*), true
  FROM stored GROUP BY 1, 2 ORDER BY 2, 1
    ON CONFLICT (device_id, hour_start)
    DO UPDATE SET kwh = h.kwh + excluded.kwh, samples = h.samples + excluded.samples
"""
_DAILY = """
INSERT INTO daily_totals (device_id, day, kwh, samples)
SELECT device_id, (hour_start AT TIME ZONE %(zone)s)::date, sum(kwh), sum(samples)
  FROM hourly_totals GROUP BY 1, 2 ORDER BY 2, 1
"""


def consumption_only_stack() -> Path:
    """stack.yml with the consumption function alone, its own paths made absolute."""
    base = STACK_FILE.parent
    raw = yaml.safe_load(STACK_FILE.read_text())
    entry = raw["functions"]["consumption"]
    entry["handler"] = str((base / entry["handler"]).resolve())
    entry["environment_file"] = [str((base / f).resolve()) for f in entry["environment_file"]]
    raw["functions"] = {"consumption": entry}
    folder = Path(tempfile.mkdtemp(prefix="bench-chart-"))
    # configuration.copy stays as written (faas-cli puts it under function/ as such): the
    # copied folder is reached through a link beside the file
    (folder / "src").symlink_to(base / "src")
    path = folder / "stack.yml"
    path.write_text(yaml.safe_dump(raw))
    return path


def client_token(system: TestStack, owner_id: str) -> str:
    now = int(time.time())
    claims = {
        "iss": "faas-ems",
        "sub": owner_id,
        "role": "client",
        "username": "bench",
        "name": "Bench",
        "tz": ZONE,
        "iat": now,
        "exp": now + 6 * 3600,
    }
    return jwt.encode(claims, system.jwt_secret, algorithm="HS256")


def progress(done: int, total: int, rows: int, started: float) -> None:
    elapsed = time.monotonic() - started
    print(f"\rreadings: week {done}/{total}, {rows / 1e6:.2f} M rows, {elapsed:.0f}s", end="")
    print(flush=True, end="\n" if done == total else "")


def seed(system: TestStack, devices: int, days: int) -> tuple[str, list[str], datetime]:
    """Fill monitoring's tables week by week, all devices at once, as ingest would."""
    owner_id = str(uuid.uuid4())
    ids = [str(uuid.uuid4()) for _ in range(devices)]
    generator = random.Random(7)
    scales = [generator.uniform(0.05, 0.25) for _ in ids]
    now = datetime.now(UTC)
    last = now.replace(minute=now.minute - now.minute % 10, second=0, microsecond=0)
    first = last - timedelta(days=days) + INTERVAL
    weeks = [first + WEEK * n for n in range(-(-days // 7))]
    started = time.monotonic()
    with system.db("monitoring") as db:
        for table in ("readings", "hourly_totals", "daily_totals"):
            db.execute(f"ALTER TABLE {table} SET UNLOGGED")
        db.execute(
            "INSERT INTO devices (id, name, owner_id, max_hourly_kwh, timezone, version,"
            " last_reading_at) SELECT id, 'bench-' || n, %s, 1.5, %s, 1, %s"
            " FROM unnest(%s::uuid[]) WITH ORDINALITY AS d(id, n)",
            [owner_id, ZONE, last, ids],
        )
        rows = 0
        for number, week in enumerate(weeks, 1):
            week_last = min(week + WEEK - INTERVAL, last)
            params = {"devices": ids, "scales": scales, "zone": ZONE}
            db.execute(_WEEK, {**params, "first": week, "last": week_last})
            rows += devices * ((week_last - week) // INTERVAL + 1)
            progress(number, len(weeks), rows, started)
        current_hour = last.replace(minute=0)
        db.execute("UPDATE hourly_totals SET final = false WHERE hour_start >= %s", [current_hour])
        daily = db.execute(_DAILY, {"zone": ZONE}).rowcount
        print(f"daily totals: {daily:,} rows, {time.monotonic() - started:.0f}s; analysing...")
        for table in ("readings", "hourly_totals", "daily_totals", "devices"):
            db.execute(f"VACUUM ANALYZE {table}")
    print(f"seeded {rows:,} readings in {time.monotonic() - started:.0f}s")
    return owner_id, ids, first


def timed(system: TestStack, token: str, queries: list[dict]) -> list[float]:
    latencies = []
    for query in queries:
        started = time.perf_counter()
        response = system.call("GET", "/function/consumption", token=token, params=query)
        latencies.append(time.perf_counter() - started)
        if response.status_code != 200:
            raise RuntimeError(f"{response.status_code}: {response.text}")
    return latencies


def report(name: str, latencies: list[float]) -> None:
    ordered = sorted(latencies)
    p95 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))]
    print(
        f"{name}: p50 {statistics.median(ordered) * 1000:.1f} ms, p95 {p95 * 1000:.1f} ms,"
        f" max {ordered[-1] * 1000:.1f} ms ({len(ordered)} calls)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--devices", type=int, default=200)
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--calls", type=int, default=400)
    args = parser.parse_args()

    started = time.monotonic()
    system = TestStack({"EMS_STACK_FILE": str(consumption_only_stack()), "EMS_REPLICAS": ""})
    system.start()
    print(f"ems up ready in {time.monotonic() - started:.1f}s (consumption function only)")
    try:
        owner_id, ids, first = seed(system, args.devices, args.days)
        token = client_token(system, owner_id)
        today = datetime.now(ZoneInfo(ZONE)).date()
        generator = random.Random(11)
        first_day = first.date() + timedelta(days=1)

        def some_day() -> date:
            return first_day + timedelta(days=generator.randrange((today - first_day).days + 1))

        days = [
            {"device_id": generator.choice(ids), "date": some_day().isoformat()}
            for _ in range(args.calls)
        ]
        years = [
            {
                "device_id": generator.choice(ids),
                "from": (today - timedelta(days=364)).isoformat(),
                "to": today.isoformat(),
                "granularity": "day",
            }
            for _ in range(args.calls)
        ]
        elsewhere = [{**query, "tz": "UTC"} for query in years]
        timed(system, token, days[:50] + years[:50])  # warm-up: pools, plans
        report("day view (24 hours)", timed(system, token, days))
        report("year by day (365 days)", timed(system, token, years))
        report("year by day from UTC (hourly totals)", timed(system, token, elsewhere))
    finally:
        system.stop()


if __name__ == "__main__":
    main()
