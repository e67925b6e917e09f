"""Register readings into exact totals, beside interval readings, in the same run.

    .venv/bin/python -m tests.benchmarks.bench_registers [--messages 60000] [--devices 500]
        [--replicas 2]

Two fleets of the same size: one sends interval readings (``measurement_value``), the
other its cumulative register (``register_kwh``), one reading a message every 10
minutes, queued first while ingest has no replica, in a shuffled order (meters and
the network deliver out of order). Then ingest is scaled up and the connector drains
each fleet through the gateway, interval first; the clock runs from the replicas being
ready to the last reading counted. Totals are checked against the ones computed here
(for registers: sorted by time, the first reading a baseline).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import time
from collections import defaultdict
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from tests.benchmarks.pipeline_stack import (
    PROPERTIES,
    create_devices,
    queue_depth,
    start_stack,
    wait_for_queue,
)
from tests.harness import TestStack

INTERVAL = timedelta(minutes=10)


def hour_of(moment: datetime) -> datetime:
    return (moment - timedelta(microseconds=1)).replace(minute=0, second=0, microsecond=0)


def fleet_readings(device_ids: list[str], count: int, register: bool, seed: int):
    """``count`` bodies and the hourly totals they must give."""
    rng = random.Random(seed)
    steps = -(-count // len(device_ids))
    now = datetime.now(UTC).replace(second=0, microsecond=0)
    first = now.replace(minute=now.minute - now.minute % 10) - steps * INTERVAL
    bodies, expected = [], defaultdict(Decimal)
    for device_id in device_ids:
        index = Decimal(rng.randint(0, 10**7)) / 1000
        for step in range(1, steps + 1):
            moment = first + step * INTERVAL
            kwh = Decimal(rng.randint(0, 500)) / 1000
            if register:
                index += kwh
                reading = {"device_id": device_id, "register_kwh": float(index)}
                if step > 1:  # the first register reading is the baseline
                    expected[(device_id, hour_of(moment))] += kwh
            else:
                reading = {"device_id": device_id, "measurement_value": float(kwh)}
                expected[(device_id, hour_of(moment))] += kwh
            bodies.append(json.dumps({**reading, "timestamp": moment.isoformat()}).encode())
    rng.shuffle(bodies)
    return bodies, dict(expected)


def counted(db, device_ids: list[str]) -> int:
    return db.execute(
        "SELECT count(*) FROM readings WHERE device_id = ANY(%s::uuid[])", [device_ids]
    ).fetchone()[0]


def totals(db, device_ids: list[str]) -> dict:
    rows = db.execute(
        "SELECT device_id::text, hour_start, kwh FROM hourly_totals"
        " WHERE device_id = ANY(%s::uuid[]) AND kwh <> 0",
        [device_ids],
    ).fetchall()
    return {(device_id, hour): kwh for device_id, hour, kwh in rows}


def drain(stack: TestStack, bodies: list[bytes], device_ids: list[str], replicas: int) -> float:
    stack.scale("ingest", 0)
    with stack.amqp() as connection:
        channel = connection.channel()
        for body in bodies:
            channel.basic_publish("ems", "meter.reading", body, PROPERTIES)
        while queue_depth(channel, "ems.ingest") < len(bodies):
            connection.sleep(0.2)
    with stack.db("monitoring") as db:
        stack.scale("ingest", replicas)
        started = time.perf_counter()
        while counted(db, device_ids) < len(bodies):
            time.sleep(0.2)
        return time.perf_counter() - started


def run(messages: int, devices: int, replicas: int) -> None:
    print(f"starting the metering stack ({messages:,} readings a fleet of {devices:,})")
    stack = start_stack(CONNECTOR_PAUSE_MAX_SECONDS="1", LOG_LEVEL="WARNING")
    figures = {}
    try:
        wait_for_queue(stack, "ems.ingest")
        for seed, kind in enumerate(("interval", "register")):
            device_ids = create_devices(stack, devices, limit=1000.0)
            bodies, expected = fleet_readings(device_ids, messages, kind == "register", seed)
            print(f"draining {len(bodies):,} {kind} readings", flush=True)
            seconds = drain(stack, bodies, device_ids, replicas)
            with stack.db("monitoring") as db:
                exact = totals(db, device_ids) == {k: v for k, v in expected.items() if v}
            figures[kind] = (len(bodies), seconds, exact)
    finally:
        stack.stop()
    print()
    for kind, (count, seconds, exact) in figures.items():
        print(f"{kind:<9} {count:,} readings in {seconds:.1f}s = {count / seconds:,.0f}"
              f" readings/s, totals exact: {exact}")  # fmt: skip
    interval, register = (figures[k][0] / figures[k][1] for k in ("interval", "register"))
    print(f"register / interval: {register / interval:.0%} (aim: at least 60%)")
    print(f"({replicas} ingest replicas; machine load average {os.getloadavg()[0]:.1f})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--messages", type=int, default=60_000)
    parser.add_argument("--devices", type=int, default=500)
    parser.add_argument("--replicas", type=int, default=2)
    args = parser.parse_args()
    run(args.messages, args.devices, args.replicas)


if __name__ == "__main__":
    main()
