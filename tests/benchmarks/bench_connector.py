"""Messages per second one connector process moves from RabbitMQ into a function.

    .venv/bin/python -m tests.benchmarks.bench_connector [--messages 50000] [--batch 500]
        [--concurrency 2]

The function is trivial (it counts the messages of each call and answers 200),
served by the scripted gateway of tests/test_connector.py, so the figure is the
connector's own cost plus RabbitMQ's and one HTTP round trip per batch. The
queue is filled first; the clock runs from the first call to the last message
acked. Everything shares the machine's cores.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import tempfile
import threading
import time
from pathlib import Path

import pika
from pika.exceptions import AMQPError

from connector import topology
from connector.config import Config
from tests.harness import SERVICES
from tests.test_connector import (
    EXCHANGE,
    GATEWAY_PASSWORD,
    INTERNAL_TOKEN,
    Broker,
    Call,
    Connector,
    FakeGateway,
    wait_until,
)


def fill(broker: Broker, queue: str, topic: str, count: int) -> None:
    """Publish without confirms (fast), then wait until the queue holds them all."""
    channel = broker.connection.channel()
    properties = pika.BasicProperties(content_type="application/json", delivery_mode=2)
    for n in range(count):
        body = json.dumps(
            {
                "id": f"bench-{n}",
                "type": "meter.reading",
                "occurred_at": "2026-11-22T10:00:00+00:00",
                "data": {"device_id": "d1", "timestamp": n, "measurement_value": 0.25},
            }
        )
        channel.basic_publish(EXCHANGE, topic, body, properties)
    wait_until(lambda: broker.queues().get(queue, (0, 0))[0] >= count, "the queue to fill", 300)
    channel.close()


def run(messages: int, batch: int, concurrency: int, tmp: str) -> None:
    vhost = f"ems-bench-connector-{int(time.time())}"
    SERVICES.rabbitmqctl("add_vhost", vhost)
    SERVICES.grant(vhost)
    gateway = FakeGateway()
    broker = Broker(vhost)
    received = {"count": 0, "first": 0.0, "last": 0.0}
    counting = threading.Lock()

    def sink(call: Call):
        count = len(call.json) if batch else 1
        with counting:
            now = time.perf_counter()
            received["first"] = received["first"] or now
            received["count"] += count
            received["last"] = now
        return 200, {}

    name, topic = "bench-sink", "bench.reading"
    queue = topology.main_queue("ems.", name)
    topology.declare(
        broker.channel, EXCHANGE, "ems.", name, [topic], Config.model_fields["retry_delays"].default
    )
    fill(broker, queue, topic, messages)
    gateway.add(name, sink, topic, batch or None)
    gateway.calls = []
    gateway.start()
    env = {
        "AMQP_URL": broker.url,
        "EMS_EXCHANGE": EXCHANGE,
        "GATEWAY_URL": gateway.url,
        "INTERNAL_TOKEN": INTERNAL_TOKEN,
        "BASIC_AUTH_PASSWORD": GATEWAY_PASSWORD,
        "CONNECTOR_CONCURRENCY": str(concurrency),
        "CONNECTOR_REFRESH_SECONDS": "1",
        "LOG_LEVEL": "WARNING",
    }
    connector = Connector({**os.environ, **env}, Path(tmp) / "bench.log")
    try:
        wait_until(lambda: received["count"] >= messages, "every message", 600)
        wait_until(lambda: broker.queues()[queue][0] == 0, "every ack", 60)
    finally:
        connector.stop()
        gateway.stop()
        with contextlib.suppress(AMQPError):
            broker.close()
        SERVICES.rabbitmqctl("delete_vhost", vhost)
    seconds = received["last"] - received["first"]
    calls = len(gateway.calls)
    print(
        f"batch={batch or 'off'} concurrency={concurrency}: {messages} messages in "
        f"{calls} calls, {seconds:.2f}s, {messages / seconds:,.0f} messages/s"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=50_000)
    parser.add_argument("--batch", type=int, default=500, help="0: one message per call")
    parser.add_argument("--concurrency", type=int, default=2)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        run(args.messages, args.batch, args.concurrency, tmp)


if __name__ == "__main__":
    main()
