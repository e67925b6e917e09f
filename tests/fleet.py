"""A fleet of meters stored straight in the databases, for lists at fleet scale.

Creating 10,000 devices through the API (and waiting for monitoring's copies) would take
minutes; the benchmarks and browser tests that need a big fleet store it directly:
inventory's devices, monitoring's copies of them (same id, name, meter number, owner),
today's use in the current hour and a last reading (every tenth meter silent for two
hours: offline). Only the lists are under test, so nothing else needs to know.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from tests.harness import TestStack


@dataclass(frozen=True)
class Meter:
    id: str
    name: str
    meter_id: str
    today_kwh: float
    online: bool


def meters(count: int, prefix: str) -> list[Meter]:
    """``count`` meters named ``<prefix> 00001``..., each with a different use today."""
    return [
        Meter(
            id=str(uuid.uuid4()),
            name=f"{prefix} {n:05d}",
            meter_id=f"{prefix.upper()}-{n:05d}",
            # a permutation of 0.01 .. count/100 kWh: every figure differs, not in name order
            today_kwh=((n * 7919) % count + 1) / 100,
            online=n % 10 != 0,
        )
        for n in range(1, count + 1)
    ]


def seed(system: TestStack, count: int, prefix: str, owner_id: str | None = None) -> list[Meter]:
    fleet = meters(count, prefix)
    columns = {
        "ids": [m.id for m in fleet],
        "names": [m.name for m in fleet],
        "meters": [m.meter_id for m in fleet],
        "kwh": [m.today_kwh for m in fleet],
        "online": [m.online for m in fleet],
        "owner": owner_id,
    }
    now = datetime.now(UTC)
    with system.db("inventory") as db:
        db.execute(
            "INSERT INTO devices (id, name, meter_id, address, owner_id, max_hourly_kwh)"
            " SELECT id, name, meter, 'Fleet Street ' || meter, %(owner)s, 5"
            " FROM unnest(%(ids)s::uuid[], %(names)s::text[], %(meters)s::text[])"
            " AS d(id, name, meter)",
            columns,
        )
    with system.db("monitoring") as db:
        db.execute(
            "INSERT INTO devices (id, name, meter_id, owner_id, max_hourly_kwh, timezone, version,"
            " last_reading_at)"
            " SELECT id, name, meter, %(owner)s, 5, 'UTC', 1,"
            "        CASE WHEN online THEN %(now)s ELSE %(silent)s END"
            " FROM unnest(%(ids)s::uuid[], %(names)s::text[], %(meters)s::text[],"
            "             %(online)s::bool[]) AS d(id, name, meter, online)",
            {**columns, "now": now, "silent": now - timedelta(hours=2)},
        )
        db.execute(
            "INSERT INTO hourly_totals (device_id, hour_start, kwh)"
            " SELECT id, %(hour)s, kwh"
            " FROM unnest(%(ids)s::uuid[], %(kwh)s::numeric[]) AS t(id, kwh)",
            {**columns, "hour": now.replace(minute=0, second=0, microsecond=0)},
        )
        db.execute("ANALYZE devices")
    return fleet


def remove(system: TestStack, fleet: list[Meter]) -> None:
    """Take a seeded fleet away again, so that the tests after it see the stack as it was."""
    ids = [m.id for m in fleet]
    with system.db("inventory") as db:
        db.execute("DELETE FROM devices WHERE id = ANY(%s::uuid[])", [ids])
    with system.db("monitoring") as db:
        db.execute("DELETE FROM hourly_totals WHERE device_id = ANY(%s::uuid[])", [ids])
        db.execute("DELETE FROM devices WHERE id = ANY(%s::uuid[])", [ids])
