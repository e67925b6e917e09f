"""How early and how rightly the early warning fires, on the simulator's load shape.

    .venv/bin/python -m tests.benchmarks.bench_early_warning [--devices 40] [--days 14]
        [--warmup-days 7] [--seed 2]

A fleet of simulated household meters (simulator.profile.LoadModel, the simulator's
own shape: its peaks sit close to the limit, so a few percent of hours go over) is
replayed reading by reading, one batch per 10-minute interval, through monitoring's
own statements (totals.add, early_warning.warn, alerts.raise_over_limit) on a real
PostgreSQL database of the benchmark's own, with "now" at each batch's readings.
The first ``--warmup-days`` only build the same-hour history. Over the days after,
it prints the over-limit hours, how many were warned, the median minutes between the
warning and the reading that took the hour over, the share warned at least 10
minutes ahead, and the share of warnings whose hour ended within the limit.

The model's knobs are read from the environment as the functions read them
(MONITORING_WARNING_THRESHOLD, MONITORING_WARNING_MIN_READINGS, ...); they were
tuned on seed 1 and are reported on seed 2.
"""

from __future__ import annotations

import argparse
import statistics
import uuid
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from psycopg.rows import dict_row

from ems import databases
from faas_ems.monitoring import alerts, early_warning, totals
from faas_ems.monitoring.readings import Reading
from simulator.fleet import Device
from simulator.profile import LoadModel
from tests.harness import SERVICES

INTERVAL = timedelta(minutes=10)


def hour_of(moment: datetime) -> datetime:
    return (moment - timedelta(microseconds=1)).replace(minute=0, second=0, microsecond=0)


def own_database():
    """A monitoring database of this run's own, migrated as `ems up` migrates one."""
    prefix = f"ems_bench_{uuid.uuid4().hex[:8]}_"
    config = replace(SERVICES.config, values={**SERVICES.config.values, "EMS_DB_PREFIX": prefix})
    databases.create_missing(config)
    databases.migrate(config)
    return prefix, SERVICES.postgres(prefix + "monitoring", row_factory=dict_row)


def replay(conn, fleet: list[Device], model: LoadModel, start: datetime, days: int):
    """Every interval of every device in time order; the warnings and crossings seen."""
    warned: dict[tuple, datetime] = {}
    crossed: dict[tuple, datetime] = {}
    end = start + timedelta(days=days)
    moment = start + INTERVAL
    while moment <= end:
        batch = [
            Reading(device.id, moment, str(Decimal(str(model.kwh(device, moment)))))
            for device in fleet
        ]
        added = totals.add(conn, batch)
        for data in early_warning.warn(conn, batch, moment):
            warned[(data["device_id"], data["hour_start"])] = moment
        for data in alerts.raise_over_limit(conn, added.over_limit):
            crossed[(data["device_id"], data["raised_hour"])] = moment
        conn.commit()
        moment += INTERVAL
    return warned, crossed


def report(warned: dict, crossed: dict, since: datetime) -> None:
    def measured(key) -> bool:
        return datetime.fromisoformat(key[1]) >= since

    over = {key: at for key, at in crossed.items() if measured(key)}
    warnings = {key: at for key, at in warned.items() if measured(key)}
    leads = [(over[key] - warnings[key]) / timedelta(minutes=1) for key in over if key in warnings]
    ahead = sum(1 for lead in leads if lead >= 10)
    false = sum(1 for key in warnings if key not in over)
    print(f"over-limit hours            {len(over)}")
    print(f"warned                      {len(leads)} ({100 * len(leads) / max(1, len(over)):.1f}%)")
    print(f"median minutes ahead        {statistics.median(leads) if leads else 0:.0f}")
    print(f"warned >= 10 min ahead      {100 * ahead / max(1, len(over)):.1f}%")
    print(f"warnings                    {len(warnings)}")
    print(f"false warnings              {false} ({100 * false / max(1, len(warnings)):.1f}%)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--devices", type=int, default=40)
    parser.add_argument("--days", type=int, default=14)
    parser.add_argument("--warmup-days", type=int, default=7)
    parser.add_argument("--seed", type=int, default=2)
    args = parser.parse_args()

    prefix, conn = own_database()
    try:
        fleet = [
            Device(str(uuid.UUID(int=n + 1)), 3.0, "Europe/Bucharest") for n in range(args.devices)
        ]
        for device in fleet:
            conn.execute(
                "INSERT INTO devices (id, name, max_hourly_kwh, timezone, version)"
                " VALUES (%s, %s, %s, %s, 1)",
                [device.id, f"meter {device.id[-4:]}", device.max_hourly_kwh, device.timezone],
            )
        conn.commit()
        start = datetime(2026, 10, 5, tzinfo=UTC)  # a Monday; the days cross the DST change
        model = LoadModel(args.seed, int(INTERVAL.total_seconds()))
        warned, crossed = replay(conn, fleet, model, start, args.warmup_days + args.days)
        print(f"{args.devices} devices, {args.days} days measured after {args.warmup_days}"
              f" of history, seed {args.seed}")  # fmt: skip
        report(warned, crossed, start + timedelta(days=args.warmup_days))
    finally:
        conn.close()
        SERVICES.drop_databases(prefix)


if __name__ == "__main__":
    main()
