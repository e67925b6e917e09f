"""Readings per second into exact totals through each door: AMQP, MQTT and HTTP, one run.

    .venv/bin/python -m tests.benchmarks.bench_meter_doors [--meters 200] [--readings 100]

Three fleets of ``--meters`` devices, one per door, each meter sending ``--readings``
interval readings (one every 10 minutes, in the past):

- AMQP: a connection per meter (all at once) publishing single-reading
  ``meter.reading`` messages, each confirmed;
- MQTT: a paho-mqtt client per meter, signed in with its own credential, publishing QoS 1
  to ``meters/<meter number>/reading`` (all meters at once);
- HTTP: ``POST /function/readings`` with the meter's secret, 500 readings of one meter
  a call (as many readings in all, from fewer meters), four gateways posting at once.

The clock runs from the first message sent to the last reading counted in the hourly
totals; the totals are then compared with the ones computed here. Runs as root: MQTT
needs a RabbitMQ node of its own (tests/own_broker.py). Everything shares the machine.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import tempfile
import threading
import time
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import paho.mqtt.client as mqtt

from faas_ems.runtime import amqp
from tests.harness import TestStack, server_port, wait_for
from tests.own_broker import own_node

INTERVAL = timedelta(minutes=10)
HTTP_BATCH = 500


def hour_of(moment: datetime) -> datetime:
    return (moment - timedelta(microseconds=1)).replace(minute=0, second=0, microsecond=0)


class Fleet:
    """Devices made through the API, each with a meter number, a credential and readings."""

    def __init__(self, stack: TestStack, door: str, meters: int, readings: int, seed: int):
        rng = random.Random(seed)
        self.door = door
        self.devices = []
        for n in range(meters):
            device = stack.create_device(meter_id=f"{door}-{seed}-{n}", max_hourly_kwh=1000)
            made = stack.call(
                "POST", f"/function/devices/{device['id']}/credentials", token=stack.admin_token
            ).json()
            self.devices.append({**device, "username": made["username"], "secret": made["secret"]})
        now = datetime.now(UTC).replace(second=0, microsecond=0)
        first = now.replace(minute=now.minute - now.minute % 10) - readings * INTERVAL
        self.readings: dict[str, list[dict]] = {}
        self.expected: dict = defaultdict(Decimal)
        for device in self.devices:
            series = []
            for step in range(1, readings + 1):
                moment = first + step * INTERVAL
                kwh = Decimal(rng.randint(0, 500)) / 1000
                series.append({"timestamp": moment.isoformat(), "measurement_value": float(kwh)})
                self.expected[(device["id"], hour_of(moment))] += kwh
            self.readings[device["id"]] = series
        self.count = meters * readings

    def counted(self, db) -> int:
        return db.execute(
            "SELECT count(*) FROM readings WHERE device_id = ANY(%s::uuid[])",
            [[d["id"] for d in self.devices]],
        ).fetchone()[0]

    def exact(self, db) -> bool:
        rows = db.execute(
            "SELECT device_id::text, hour_start, kwh FROM hourly_totals"
            " WHERE device_id = ANY(%s::uuid[])",
            [[d["id"] for d in self.devices]],
        ).fetchall()
        return {(d, h): kwh for d, h, kwh in rows} == dict(self.expected)


def send_amqp(stack: TestStack, fleet: Fleet) -> None:
    """Every meter at once, each on its own connection, each reading confirmed."""

    def meter(device: dict) -> None:
        with stack.amqp() as connection:
            channel = connection.channel()
            channel.confirm_delivery()
            for reading in fleet.readings[device["id"]]:
                body = json.dumps({**reading, "device_id": device["id"]}).encode()
                channel.basic_publish("ems", "meter.reading", body, amqp.PERSISTENT_JSON)

    with ThreadPoolExecutor(len(fleet.devices)) as pool:
        list(pool.map(meter, fleet.devices))


def send_mqtt(stack: TestStack, fleet: Fleet, port: int) -> None:
    """Every meter at once, each on its own connection, QoS 1."""
    start = threading.Barrier(len(fleet.devices))

    def meter(device: dict) -> None:
        client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id=device["username"])
        client.username_pw_set(device["username"], device["secret"])
        client.connect("127.0.0.1", port)
        client.loop_start()
        start.wait()
        topic = f"meters/{device['meter_id']}/reading"
        sent = [client.publish(topic, json.dumps(r), qos=1) for r in fleet.readings[device["id"]]]
        for info in sent:
            info.wait_for_publish(timeout=120)
        client.loop_stop()
        client.disconnect()

    with ThreadPoolExecutor(len(fleet.devices)) as pool:
        list(pool.map(meter, fleet.devices))


def send_http(stack: TestStack, fleet: Fleet) -> None:
    calls = []
    for device in fleet.devices:
        series = fleet.readings[device["id"]]
        for n in range(0, len(series), HTTP_BATCH):
            calls.append((device["secret"], series[n : n + HTTP_BATCH]))

    def post(call) -> None:
        secret, batch = call
        answer = stack.call("POST", "/function/readings", token=secret, json=batch, timeout=120)
        assert answer.status_code == 202 and not answer.json()["rejected"], answer.text

    with ThreadPoolExecutor(4) as pool:
        list(pool.map(post, calls))


def timed(db, fleet: Fleet, send) -> float:
    started = time.perf_counter()
    send()
    wait_for(lambda: fleet.counted(db) >= fleet.count, timeout=900, interval=0.2)
    return time.perf_counter() - started


def run(meters: int, readings: int) -> None:
    state = Path(tempfile.mkdtemp(prefix="bench-doors-"))
    with own_node(state, say=lambda _: None) as services:
        mqtt_port = server_port()
        stack = TestStack(
            {"EMS_MQTT": "1", "EMS_MQTT_PORT": str(mqtt_port), "EMS_REPLICAS": "",
             "LOG_LEVEL": "WARNING"},
            services=services,
        ).start()  # fmt: skip
        try:
            print("making the devices, each with a credential", flush=True)
            fleets = {
                "amqp": Fleet(stack, "amqp", meters, readings, 0),
                "mqtt": Fleet(stack, "mqtt", meters, readings, 1),
                # as many readings, in calls of 500 readings of one meter each
                "http": Fleet(
                    stack, "http", max(1, meters * readings // HTTP_BATCH), HTTP_BATCH, 2
                ),
            }
            with stack.db("monitoring") as db:
                ids = [d["id"] for fleet in fleets.values() for d in fleet.devices]
                wait_for(
                    lambda: db.execute(
                        "SELECT count(*) FROM devices WHERE id = ANY(%s::uuid[])", [ids]
                    ).fetchone()[0] == len(ids),
                    timeout=120,
                )  # fmt: skip
            senders = {
                "amqp": lambda: send_amqp(stack, fleets["amqp"]),
                "mqtt": lambda: send_mqtt(stack, fleets["mqtt"], mqtt_port),
                "http": lambda: send_http(stack, fleets["http"]),
            }
            figures = {}
            with stack.db("monitoring") as db:
                for door, send in senders.items():
                    print(f"sending {fleets[door].count:,} readings over {door}", flush=True)
                    seconds = timed(db, fleets[door], send)
                    figures[door] = (fleets[door].count / seconds, seconds, fleets[door].exact(db))
        finally:
            stack.stop()
    print()
    labels = {
        "amqp": f"AMQP (confirmed, {meters} meters at once)",
        "mqtt": f"MQTT (QoS 1, {meters} meters at once)",
        "http": f"HTTP (batches of {HTTP_BATCH}, 4 at once)",
    }
    for door, (rate, seconds, exact) in figures.items():
        print(f"{labels[door]:<52} {rate:>8,.0f} readings/s ({seconds:.1f}s), exact: {exact}")
    amqp = figures["amqp"][0]
    print(f"MQTT / AMQP: {figures['mqtt'][0] / amqp:.0%} (aim: at least 50%)")
    print(f"HTTP: {figures['http'][0]:,.0f} readings/s (aim: at least 5,000)")
    print(f"(machine load average {os.getloadavg()[0]:.1f})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--meters", type=int, default=200)
    parser.add_argument("--readings", type=int, default=100)
    args = parser.parse_args()
    run(args.meters, args.readings)


if __name__ == "__main__":
    main()
