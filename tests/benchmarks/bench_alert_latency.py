"""Alert latency: from publishing the reading that crosses a limit to ``alert.raised``.

    .venv/bin/python -m tests.benchmarks.bench_alert_latency [--samples 200] [--rate 2000]
        [--warmup 5]

A background publisher keeps ``--rate`` single readings a second flowing (meters far
below their limits). Every 100 ms a reading of 1.5 kWh is published for a device
whose hourly limit is 1 kWh; the clock runs from that publish to the moment the
matching ``alert.raised`` arrives on a queue of our own bound to the exchange, so it
covers RabbitMQ, the connector (and its batch wait), the gateway, ingest, PostgreSQL
and the alert's publication. The first ``--warmup`` samples (each replica opening its
broker connection) are left out of the percentiles and shown apart.
"""

from __future__ import annotations

import argparse
import json
import statistics
import threading
import time
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from tests.benchmarks.pipeline_stack import (
    PROPERTIES,
    create_devices,
    queue_depth,
    reading_body,
    start_stack,
    wait_for_queue,
)
from tests.harness import TestStack

SAMPLE_GAP_SECONDS = 0.1
TICK_SECONDS = 0.01


class Background(threading.Thread):
    """Publishes readings at a steady rate, each meter stepping through past intervals."""

    def __init__(self, stack: TestStack, device_ids: list[str], rate: int):
        super().__init__(daemon=True)
        self.stack, self.device_ids, self.rate = stack, device_ids, rate
        self.stopping = threading.Event()
        self.sent = 0
        self.seconds = 0.0

    def run(self) -> None:
        start = datetime.now(UTC).replace(microsecond=0) - timedelta(days=30)
        per_tick = max(1, round(self.rate * TICK_SECONDS))
        with self.stack.amqp() as connection:
            channel = connection.channel()
            began = time.perf_counter()
            while not self.stopping.is_set():
                for _ in range(per_tick):
                    device = self.device_ids[self.sent % len(self.device_ids)]
                    step = self.sent // len(self.device_ids) + 1
                    moment = start + step * timedelta(minutes=10)
                    body = reading_body(device, moment, Decimal("0.01"))
                    channel.basic_publish("ems", "meter.reading", body, PROPERTIES)
                    self.sent += 1
                due = began + (self.sent / self.rate)
                connection.sleep(max(0.0, due - time.perf_counter()))
            self.seconds = time.perf_counter() - began


class AlertWatch(threading.Thread):
    """Our own queue on ``alert.raised``: when each device's alert arrived."""

    def __init__(self, stack: TestStack):
        super().__init__(daemon=True)
        self.stack = stack
        self.arrived: dict[str, float] = {}
        self.ready = threading.Event()
        self.stopping = threading.Event()

    def run(self) -> None:
        with self.stack.amqp() as connection:
            channel = connection.channel()
            queue = channel.queue_declare("", exclusive=True).method.queue
            channel.queue_bind(queue, "ems", "alert.raised")

            def on_alert(_channel, _method, _properties, body):
                device_id = json.loads(body)["data"]["device_id"]
                self.arrived.setdefault(device_id, time.perf_counter())

            channel.basic_consume(queue, on_alert, auto_ack=True)
            self.ready.set()
            while not self.stopping.is_set():
                connection.process_data_events(time_limit=0.05)


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def run(samples: int, rate: int, warmup: int, meters: int) -> None:
    print(f"starting the metering stack ({samples} samples, {rate:,} readings/s around them)")
    stack = start_stack(LOG_LEVEL="WARNING")
    try:
        background_ids = create_devices(stack, meters, limit=1000.0)
        crossing_ids = create_devices(stack, samples + warmup, limit=1.0)
        wait_for_queue(stack, "ems.ingest")
        watch = AlertWatch(stack)
        watch.start()
        watch.ready.wait(30)
        background = Background(stack, background_ids, rate)
        background.start()
        time.sleep(2)  # the flow is steady before the first sample
        published: dict[str, float] = {}
        with stack.amqp() as connection:
            channel = connection.channel()
            for n, device_id in enumerate(crossing_ids):
                moment = datetime.now(UTC) - timedelta(minutes=1)
                body = reading_body(device_id, moment, Decimal("1.5"))
                published[device_id] = time.perf_counter()
                channel.basic_publish("ems", "meter.reading", body, PROPERTIES)
                connection.sleep(SAMPLE_GAP_SECONDS)
                if (n + 1) % 50 == 0:
                    print(f"  {n + 1}/{len(crossing_ids)} samples, {len(watch.arrived)} alerts")
            deadline = time.monotonic() + 30
            while len(watch.arrived) < len(crossing_ids) and time.monotonic() < deadline:
                connection.sleep(0.1)
            backlog = queue_depth(channel, "ems.ingest")
        background.stopping.set()
        background.join()
        watch.stopping.set()
        watch.join()
    finally:
        stack.stop()
    latencies = [
        (watch.arrived[d] - published[d]) * 1000 for d in crossing_ids if d in watch.arrived
    ]
    missing = len(crossing_ids) - len(latencies)
    steady, first = latencies[warmup:], latencies[:warmup]
    print()
    flow = background.sent / background.seconds
    print(f"background: {background.sent:,} readings in {background.seconds:.1f}s = "
          f"{flow:,.0f}/s; ingest backlog at the end: {backlog}")  # fmt: skip
    print(f"alert latency over {len(steady)} samples: p50 {percentile(steady, 0.5):.1f} ms, "
          f"p99 {percentile(steady, 0.99):.1f} ms, max {max(steady):.1f} ms, "
          f"mean {statistics.mean(steady):.1f} ms")  # fmt: skip
    print("warm-up samples: " + ", ".join(f"{value:.0f} ms" for value in first))
    if missing:
        print(f"MISSING: {missing} alert(s) never arrived")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=200)
    parser.add_argument("--rate", type=int, default=2000, help="background readings per second")
    parser.add_argument("--warmup", type=int, default=5)
    parser.add_argument("--meters", type=int, default=2000, help="background meters")
    args = parser.parse_args()
    run(args.samples, args.rate, args.warmup, args.meters)


if __name__ == "__main__":
    main()
