"""Drain throughput: queued single-reading messages into exact hourly totals.

    .venv/bin/python -m tests.benchmarks.bench_drain [--messages 200000] [--devices 1000]
        [--replicas 2]

The messages (the seeds' format, one reading each, a fleet reporting every 10
minutes) are queued first while ingest has no replica, then ingest is scaled up and
the connector drains them through the local gateway. The clock runs from the
replicas being ready to the moment every reading is counted; the totals are then checked
against the sums computed here. The same messages, queued at the same time in a
queue of its own, are then drained by a consumer that works the way the seed
projects do: one transaction per reading that reads the hour row, adds in Python
and writes it back. Peak memory is each process's VmHWM. Everything shares the
machine's cores with PostgreSQL and RabbitMQ.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import time
from collections import defaultdict
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from tests.benchmarks.pipeline_stack import (
    PROPERTIES,
    CpuMeter,
    create_devices,
    peak_memory_mib,
    process_roles,
    queue_depth,
    reading_body,
    start_stack,
    wait_for_queue,
)
from tests.harness import TestStack

INTERVAL = timedelta(minutes=10)
SEED_QUEUE = "bench.seed-consumer"


def generate(device_ids: list[str], count: int, seed: int = 7):
    """``count`` readings, interval by interval across the fleet, ending in the past."""
    rng = random.Random(seed)
    intervals = -(-count // len(device_ids))
    now = datetime.now(UTC).replace(second=0, microsecond=0)
    first = now.replace(minute=now.minute - now.minute % 10) - intervals * INTERVAL
    made = 0
    for step in range(1, intervals + 1):
        for device_id in device_ids:
            if made == count:
                return
            made += 1
            yield device_id, first + step * INTERVAL, Decimal(rng.randint(0, 500)) / 1000


def hour_of(moment: datetime) -> datetime:
    return (moment - timedelta(microseconds=1)).replace(minute=0, second=0, microsecond=0)


def fill(stack: TestStack, readings: list) -> dict:
    """Queue every reading (to ingest's queue and the seed consumer's); return the reference."""
    expected: dict = defaultdict(Decimal)
    with stack.amqp() as connection:
        channel = connection.channel()
        channel.queue_declare(SEED_QUEUE, durable=True)
        channel.queue_bind(SEED_QUEUE, "ems", "meter.reading")
        for n, (device_id, moment, kwh) in enumerate(readings, 1):
            channel.basic_publish("ems", "meter.reading", reading_body(device_id, moment, kwh),
                                  PROPERTIES)  # fmt: skip
            expected[(device_id, hour_of(moment))] += kwh
            if n % 20000 == 0:
                print(f"  queued {n:,}/{len(readings):,}", flush=True)
        while min(queue_depth(channel, q) for q in ("ems.ingest", SEED_QUEUE)) < len(readings):
            connection.sleep(0.2)
    return expected


def counted(db) -> int:
    return db.execute("SELECT coalesce(sum(samples), 0) FROM hourly_totals").fetchone()[0]


def drain_through_pipeline(stack: TestStack, total: int, replicas: int, cpu: CpuMeter) -> float:
    """Seconds from the ingest replicas being ready to the last reading counted."""
    with stack.db("monitoring") as db:
        stack.scale("ingest", replicas)  # returns once the new replicas answer
        cpu.start()
        started = last_report = time.perf_counter()
        while (done := counted(db)) < total:
            if time.perf_counter() - last_report >= 2:
                last_report = time.perf_counter()
                rate = done / (last_report - started)
                print(f"  pipeline: {done:,}/{total:,} ({rate:,.0f}/s)", flush=True)
            time.sleep(0.25)
        seconds = time.perf_counter() - started
        cpu.stop()
        return seconds


def stored_totals(db) -> dict:
    rows = db.execute("SELECT device_id::text, hour_start, kwh FROM hourly_totals").fetchall()
    return {(device_id, hour): kwh for device_id, hour, kwh in rows}


class SeedConsumer:
    """The seed projects' monitoring consumer: one transaction per reading, read-add-write."""

    SCHEMA = """CREATE TABLE hourly (device_id uuid, hour_start timestamptz, kwh numeric(16, 6),
                PRIMARY KEY (device_id, hour_start))"""

    def __init__(self, stack: TestStack, total: int):
        self.dbname = f"{stack.db_prefix}seed_consumer"
        with stack.services.postgres(autocommit=True) as db:
            db.execute(f'CREATE DATABASE "{self.dbname}"')
        self.db = stack.services.postgres(self.dbname)
        self.db.execute(self.SCHEMA)
        self.db.commit()
        self.stack = stack
        self.total = total
        self.done = 0

    def on_message(self, channel, method, _properties, body) -> None:
        reading = json.loads(body)
        moment = datetime.fromisoformat(reading["timestamp"])
        key = (reading["device_id"], hour_of(moment.astimezone(UTC)))
        with self.db.transaction():
            row = self.db.execute(
                "SELECT kwh FROM hourly WHERE device_id = %s AND hour_start = %s", key
            ).fetchone()
            kwh = Decimal(str(reading["measurement_value"]))
            if row is None:
                self.db.execute("INSERT INTO hourly VALUES (%s, %s, %s)", [*key, kwh])
            else:
                self.db.execute(
                    "UPDATE hourly SET kwh = %s WHERE device_id = %s AND hour_start = %s",
                    [row[0] + kwh, *key],
                )
        channel.basic_ack(method.delivery_tag)
        self.done += 1
        if self.done == self.total:
            channel.stop_consuming()
        elif self.done % 5000 == 0:
            print(f"  per-reading consumer: {self.done:,}/{self.total:,}", flush=True)

    def drain(self) -> float:
        self.db.autocommit = True  # transaction() blocks are the only transactions
        with self.stack.amqp() as connection:
            channel = connection.channel()
            channel.basic_qos(prefetch_count=250)  # Spring AMQP's default
            channel.basic_consume(SEED_QUEUE, self.on_message)
            started = time.perf_counter()
            channel.start_consuming()
            return time.perf_counter() - started

    def totals(self) -> dict:
        rows = self.db.execute("SELECT device_id::text, hour_start, kwh FROM hourly").fetchall()
        self.db.close()
        return {(device_id, hour): kwh for device_id, hour, kwh in rows}


def run(messages: int, devices: int, replicas: int) -> None:
    print(f"starting the metering stack ({messages:,} messages, {devices:,} devices)", flush=True)
    stack = start_stack(CONNECTOR_PAUSE_MAX_SECONDS="1", LOG_LEVEL="WARNING")
    try:
        device_ids = create_devices(stack, devices, limit=100.0)
        wait_for_queue(stack, "ems.ingest")
        stack.scale("ingest", 0)
        readings = list(generate(device_ids, messages))
        expected = fill(stack, readings)
        print("draining through connector, gateway and ingest", flush=True)
        cpu = CpuMeter(stack)
        seconds = drain_through_pipeline(stack, messages, replicas, cpu)
        memory = {
            role: [peak_memory_mib(pid) for pid in pids]
            for role, pids in process_roles(stack).items()
        }
        with stack.db("monitoring") as db:
            exact = stored_totals(db) == expected
        rate = messages / seconds
        print("draining the same messages with the per-reading consumer", flush=True)
        seed = SeedConsumer(stack, messages)
        seed_seconds = seed.drain()
        seed_exact = seed.totals() == expected
        seed_rate = messages / seed_seconds
    finally:
        stack.stop()
    print()
    print(f"pipeline  (connector + gateway + {replicas} ingest): {messages:,} readings in "
          f"{seconds:.1f}s = {rate:,.0f} readings/s, totals exact: {exact}")  # fmt: skip
    print(f"per-reading consumer (seed style, 1 process): {seed_seconds:.1f}s = "
          f"{seed_rate:,.0f} readings/s, totals exact: {seed_exact}")  # fmt: skip
    print(f"ratio: {rate / seed_rate:.1f}x")
    print("peak memory (VmHWM):")
    for role, values in sorted(memory.items()):
        print(f"  {role:<16} " + ", ".join(f"{value:.0f} MiB" for value in values))
    print(f"CPU seconds while draining (machine load average {os.getloadavg()[0]:.1f}):")
    for role, used in sorted(cpu.used.items()):
        print(f"  {role:<18} {used:6.2f} s = {used * 1e6 / messages:5.0f} us a reading")
    if not (exact and seed_exact):
        sys.exit(1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=200_000)
    parser.add_argument("--devices", type=int, default=1000)
    parser.add_argument("--replicas", type=int, default=2, help="ingest replicas")
    args = parser.parse_args()
    run(args.messages, args.devices, args.replicas)


if __name__ == "__main__":
    main()
