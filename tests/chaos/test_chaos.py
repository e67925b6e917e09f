"""Chaos: faults and poison against a whole system on servers of its own.

The suite sets up a PostgreSQL cluster, a RabbitMQ node and a Redis that are its own
(``ems services --start`` on free ports) and runs ``ems up`` on them (the fixtures
``own_machine`` and ``system_on_own_machine``, which the chaos scenarios are the last
to use); in each scenario it publishes meter readings the way meters do
while it kills replicas, restarts the broker and the database, stops Redis, or mixes
poison into the stream. The ground truth is computed here from what was published,
never read back from the code under test: every reading's exact value, every hourly
and quarter-hour total, every alert, and every message accounted for:
published = stored + dead-lettered (each exactly once) + pending (none).

The summary table (published / stored / dead / copies per scenario) is printed at the
end of the run (tests/chaos/conftest.py).
"""

from __future__ import annotations

import contextlib
import json
import os
import random
import signal
import threading
import time
import uuid
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pika
import pytest
import redis

from ems.services.host import run
from ems.services.postgres import clusters
from faas_ems.runtime import amqp
from tests.chaos.conftest import ROWS, Row
from tests.harness import TestStack, ems_services, wait_for

pytestmark = [
    pytest.mark.skipif(os.geteuid() != 0, reason="the suite starts servers of its own as root"),
    pytest.mark.timeout(300),
]

INTERVAL = timedelta(minutes=10)
INSTANT = timedelta(microseconds=1)
LIMIT = Decimal("1.2")  # six readings of up to 0.4 kWh: about half the hours go over
DRAIN_SECONDS = 120


# -- the ground truth ----------------------------------------------------------------


def hour_of(moment: datetime) -> datetime:
    """The UTC hour a reading counts in: the one its interval (ending at ``moment``) lies in."""
    return (moment - INSTANT).replace(minute=0, second=0, microsecond=0)


def reading_body(device: str, moment: datetime, kwh) -> bytes:
    """A reading as a meter sends it, the value as exact decimal text."""
    value = format(kwh, "f") if isinstance(kwh, Decimal) else json.dumps(kwh)
    return (
        f'{{"timestamp": "{moment.isoformat()}", "device_id": "{device}",'
        f' "measurement_value": {value}}}'
    ).encode()


@dataclass
class Ledger:
    """What a scenario published, and so what must be stored, totalled and refused."""

    devices: list[str]
    rng: random.Random
    good: dict[tuple[str, datetime], Decimal] = field(default_factory=dict)
    poison: list[bytes] = field(default_factory=list)
    bodies: list[tuple[bytes, dict | None]] = field(default_factory=list)

    def readings(self, count: int) -> list[bytes]:
        """``count`` good readings spread over the devices, ten minutes apart, ending two
        hours ago, each with up to 12 decimals."""
        per_device = count // len(self.devices)
        end = datetime.now(UTC).replace(minute=0, second=0, microsecond=0) - timedelta(hours=2)
        bodies = []
        for device in self.devices:
            for n in range(per_device):
                moment = end - n * INTERVAL
                kwh = Decimal(self.rng.randrange(0, 4 * 10**11)) / 10**12
                self.good[(device, moment)] = kwh
                bodies.append(reading_body(device, moment, kwh))
        self.rng.shuffle(bodies)
        return bodies

    def refused(self, body: bytes, headers: dict | None = None) -> tuple[bytes, dict | None]:
        self.poison.append(body)
        return body, headers

    def hours(self) -> dict[tuple[str, datetime], Decimal]:
        totals: dict[tuple[str, datetime], Decimal] = defaultdict(Decimal)
        for (device, moment), kwh in self.good.items():
            totals[(device, hour_of(moment))] += kwh
        return dict(totals)

    def device_totals(self) -> dict[str, Decimal]:
        totals: dict[str, Decimal] = defaultdict(Decimal)
        for (device, _), kwh in self.good.items():
            totals[device] += kwh
        return dict(totals)

    def alerts(self) -> set[tuple[str, datetime]]:
        return {key for key, total in self.hours().items() if total > LIMIT}


# -- the system under test -----------------------------------------------------------


class Chaos:
    """The stack on its own servers, and the faults that can be done to them."""

    def __init__(self, stack: TestStack, settings: dict[str, str], client_token: str, owner: str):
        self.stack = stack
        self.settings = settings
        self.client_token = client_token
        self.owner = owner
        self.rng = random.Random(13)

    def ledger(self, devices: int) -> Ledger:
        made = [
            self.stack.monitored_device(owner_id=self.owner, max_hourly_kwh=float(LIMIT))["id"]
            for _ in range(devices)
        ]
        return Ledger(made, self.rng)

    # faults ------------------------------------------------------------------------
    def start_services(self) -> None:
        """``ems services --start``: whatever is down is started again, as on a bare machine."""
        started = ems_services(self.settings, "--start")
        assert started.returncode == 0, started.stdout + started.stderr

    def stop_broker(self) -> None:
        self.stack.services.rabbitmqctl("stop")

    def stop_database(self) -> None:
        [cluster] = [c for c in clusters() if c.port == int(self.settings["DB_PORT"])]
        run(["pg_ctlcluster", cluster.version, cluster.name, "stop", "-m", "fast"])

    def stop_redis(self) -> None:
        with contextlib.suppress(redis.ConnectionError):  # it hangs up: stopped
            self.stack.services.redis().shutdown(nosave=True)

    def kill_replicas(self, function: str, count: int | None = None) -> list[int]:
        pids = self.stack.replica_pids(function)[:count]
        for pid in pids:
            os.kill(pid, signal.SIGKILL)
        return pids

    # what there is -------------------------------------------------------------------
    def queues(self) -> dict[str, int]:
        """Messages (ready and unacknowledged) per queue of the stack's vhost."""
        listed = self.stack.services.rabbitmqctl(
            "list_queues", "-p", self.stack.vhost, "--no-table-headers", "name", "messages"
        )
        rows = (line.split("\t") for line in listed.splitlines() if line.strip())
        return {name: int(count) for name, count in rows}

    def pending(self) -> int:
        """Ingest's messages not settled: queued, in flight, or waiting to be retried."""
        return sum(
            count
            for name, count in self.queues().items()
            if name == "ems.ingest" or name.startswith("ems.ingest.retry.")
        )

    def stored(self, devices: list[str]) -> dict[tuple[str, datetime], Decimal]:
        with self.stack.db("monitoring") as db:
            rows = db.execute(
                "SELECT device_id::text, taken_at, kwh FROM readings"
                " WHERE device_id = ANY(%s::uuid[])",
                [devices],
            ).fetchall()
        return {(device, moment.astimezone(UTC)): kwh for device, moment, kwh in rows}

    def hours(self, devices: list[str]) -> dict[tuple[str, datetime], Decimal]:
        with self.stack.db("monitoring") as db:
            rows = db.execute(
                "SELECT device_id::text, hour_start, kwh FROM hourly_totals"
                " WHERE device_id = ANY(%s::uuid[])",
                [devices],
            ).fetchall()
        return {(device, hour.astimezone(UTC)): kwh for device, hour, kwh in rows}

    def quarter_totals(self, devices: list[str]) -> dict[str, Decimal]:
        with self.stack.db("monitoring") as db:
            rows = db.execute(
                "SELECT device_id::text, sum(kwh) FROM quarter_totals"
                " WHERE device_id = ANY(%s::uuid[]) GROUP BY 1",
                [devices],
            ).fetchall()
        return dict(rows)

    def alerts(self, devices: list[str]) -> set[tuple[str, datetime]]:
        with self.stack.db("monitoring") as db:
            rows = db.execute(
                "SELECT device_id::text, hour_start FROM alert_hours"
                " WHERE device_id = ANY(%s::uuid[])",
                [devices],
            ).fetchall()
        return {(device, hour.astimezone(UTC)) for device, hour in rows}

    def take_dead(self) -> Counter:
        """Every body in ingest's dead-letter queue, taken out (one scenario at a time)."""
        bodies: Counter = Counter()
        with self.stack.amqp() as connection:
            channel = connection.channel()
            while True:
                method, _, body = channel.basic_get("ems.ingest.dead", auto_ack=True)
                if method is None:
                    return bodies
                bodies[body] += 1


class Meters:
    """Meters publishing as a gateway does: persistent and confirmed, optionally paced; a
    message the broker did not confirm (it went away) is published again once it is back,
    so the one in doubt may arrive twice, which ingest must count once."""

    def __init__(self, stack: TestStack):
        self.stack = stack
        self.channel = None
        self.connection = None

    def _connect(self) -> None:
        self.connection = wait_for(self._try_connect, timeout=90, interval=0.5)
        self.channel = self.connection.channel()
        self.channel.confirm_delivery()

    def _try_connect(self):
        try:
            return self.stack.amqp()
        except pika.exceptions.AMQPError:
            return None

    def send(self, bodies: list[tuple[bytes, dict | None]], per_second: float = 0) -> None:
        started = time.monotonic()
        sent = 0
        while sent < len(bodies):
            if self.channel is None:
                self._connect()
            body, headers = bodies[sent]
            properties = amqp.PERSISTENT_JSON
            if headers:
                properties = pika.BasicProperties(
                    content_type="application/json", delivery_mode=2, headers=headers
                )
            try:
                self.channel.basic_publish("ems", "meter.reading", body, properties)
            except pika.exceptions.AMQPError:
                self.close()
                continue
            sent += 1
            if per_second and (ahead := started + sent / per_second - time.monotonic()) > 0:
                time.sleep(ahead)

    def close(self) -> None:
        with contextlib.suppress(pika.exceptions.AMQPError):
            if self.connection is not None and self.connection.is_open:
                self.connection.close()
        self.connection = self.channel = None


def publish(chaos: Chaos, ledger: Ledger, bodies: list, per_second: float = 0) -> None:
    ledger.bodies += bodies
    meters = Meters(chaos.stack)
    try:
        meters.send(bodies, per_second)
    finally:
        meters.close()


def publish_in_background(chaos: Chaos, ledger: Ledger, bodies: list, per_second: float):
    ledger.bodies += bodies
    meters = Meters(chaos.stack)
    failures: list[BaseException] = []

    def send():
        try:
            meters.send(bodies, per_second)
        except BaseException as exc:  # reported by the test, not lost in a thread
            failures.append(exc)
        finally:
            meters.close()

    thread = threading.Thread(target=send, daemon=True)
    thread.start()
    return thread, failures


def wait_stored(chaos: Chaos, ledger: Ledger, fraction: float) -> int:
    """Wait until part of the scenario is stored: a fault then lands mid-drain."""
    wanted = int(len(ledger.good) * fraction)
    return wait_for(
        lambda: (count := len(chaos.stored(ledger.devices))) >= wanted and count,
        timeout=60,
        interval=0.2,
        message=f"{wanted} readings stored",
    )


def account(chaos: Chaos, name: str, ledger: Ledger, started: float, note: str = "") -> None:
    """Wait for the scenario to settle, then hold everything against the ground truth."""
    done = False
    deadline = time.monotonic() + DRAIN_SECONDS
    while not done and time.monotonic() < deadline:
        time.sleep(0.5)
        dead_waiting = chaos.queues().get("ems.ingest.dead", 0)
        stored_count = len(chaos.stored(ledger.devices))
        done = (
            chaos.pending() == 0
            and stored_count >= len(ledger.good)
            and dead_waiting >= len(ledger.poison)
        )
    seconds = time.monotonic() - started
    time.sleep(1)  # a copy made twice would show up in this second
    pending = chaos.pending()
    dead = chaos.take_dead()
    stored = chaos.stored(ledger.devices)
    alerts = chaos.alerts(ledger.devices)
    expected_alerts = ledger.alerts()
    ROWS.append(
        Row(
            scenario=name,
            published=len(ledger.bodies),
            stored=len(stored),
            dead=len(dead),
            copies=sum(dead.values()) - len(dead),
            pending=pending,
            alerts=f"{len(alerts)}/{len(expected_alerts)}",
            seconds=seconds,
            note=note,
        )
    )
    assert pending == 0, chaos.queues()
    assert dead == Counter(ledger.poison), (
        f"{len(dead)} dead, {len(ledger.poison)} refused; good ones dead: "
        f"{len(set(dead) - set(ledger.poison))}"
    )
    assert stored == ledger.good, f"{len(stored)} stored of {len(ledger.good)}"
    assert chaos.hours(ledger.devices) == ledger.hours()
    assert chaos.quarter_totals(ledger.devices) == ledger.device_totals()
    assert alerts == expected_alerts
    assert len(ledger.bodies) == len(stored) + sum(dead.values()) + pending


# -- the system, once for the suite ----------------------------------------------------


@pytest.fixture(scope="module")
def chaos(own_machine, system_on_own_machine):
    settings, _, _ = own_machine
    stack = system_on_own_machine
    stack.scale("ingest", 2)
    client, token = stack.create_user()
    yield Chaos(stack, settings, token, client["id"])


# -- the scenarios -----------------------------------------------------------------------


def test_replicas_killed_mid_drain(chaos):
    """kill -9 of one ingest replica, then of every one, while meters keep publishing:
    ems up starts them again and the connector resumes within seconds."""
    ledger = chaos.ledger(4)
    bodies = [(body, None) for body in ledger.readings(2400)]
    started = time.monotonic()
    thread, failures = publish_in_background(chaos, ledger, bodies, per_second=400)
    wait_stored(chaos, ledger, 0.15)
    chaos.kill_replicas("ingest", 1)
    wait_stored(chaos, ledger, 0.35)
    killed = chaos.kill_replicas("ingest")
    killed_at_count = len(chaos.stored(ledger.devices))
    wait_for(
        lambda: set(chaos.stack.replica_pids("ingest")) - set(killed),
        timeout=30,
        message="ingest started again",
    )
    back = time.monotonic()
    wait_for(
        lambda: len(chaos.stored(ledger.devices)) > killed_at_count,
        timeout=30,
        interval=0.1,
        message="readings stored again after the replicas came back",
    )
    resumed = time.monotonic() - back
    thread.join(60)
    assert not failures
    account(
        chaos,
        "kill -9 replicas",
        ledger,
        started,
        note=f"connector resumed {resumed:.1f}s after ingest came back",
    )


def test_broker_restarted_mid_drain(chaos):
    """The node stopped while meters publish and ingest drains, then started again by
    ``ems services --start``: persistent messages survive, connections come back."""
    ledger = chaos.ledger(4)
    bodies = [(body, None) for body in ledger.readings(3000)]
    started = time.monotonic()
    thread, failures = publish_in_background(chaos, ledger, bodies, per_second=500)
    at_fault = wait_stored(chaos, ledger, 0.2)
    chaos.stop_broker()
    chaos.start_services()
    thread.join(90)
    assert not failures
    account(chaos, "broker restart", ledger, started, note=f"stopped at {at_fault} stored")


def test_database_restarted_mid_drain(chaos):
    """Ingest answers 503 while PostgreSQL is away (the connector waits, counting no
    attempt); after the restart the pools replace their broken connections."""
    ledger = chaos.ledger(4)
    bodies = [(body, None) for body in ledger.readings(3000)]
    started = time.monotonic()
    thread, failures = publish_in_background(chaos, ledger, bodies, per_second=500)
    at_fault = wait_stored(chaos, ledger, 0.2)
    chaos.stop_database()
    time.sleep(2)
    chaos.start_services()
    thread.join(90)
    assert not failures
    account(chaos, "database restart", ledger, started, note=f"stopped at {at_fault} stored")
    # Every pooled connection was ended by the restart; the views answer all the same.
    device = ledger.devices[0]
    day = max(moment for d, moment in ledger.good if d == device).date().isoformat()
    view = chaos.stack.call(
        "GET",
        f"/function/consumption?device_id={device}&date={day}",
        token=chaos.client_token,
    )
    assert view.status_code == 200, view.text


def test_redis_down(chaos):
    """Redis holds what may be lost: ingest and the alert list carry on without it."""
    ledger = chaos.ledger(3)
    bodies = [(body, None) for body in ledger.readings(1200)]
    started = time.monotonic()
    chaos.stop_redis()
    try:
        publish(chaos, ledger, bodies)
        account(chaos, "Redis down", ledger, started)
        for device in ledger.devices:
            listed = chaos.stack.call(
                "GET",
                f"/function/alerts?device_id={device}&severity=over_limit,far_over_limit&limit=500",
                token=chaos.client_token,
            )
            assert listed.status_code == 200, listed.text
            expected = {hour for d, hour in ledger.alerts() if d == device}
            # repeated hours of a device are grouped into one alarm that counts them
            assert sum(alarm["hours"] for alarm in listed.json()) == len(expected)
    finally:
        chaos.start_services()


def test_poison_flood(chaos):
    """Every kind of bad message, interleaved with good readings: each bad one is
    dead-lettered once with a short reason, and no good reading pays for it."""
    ledger = chaos.ledger(4)
    device = ledger.devices[0]
    moment = datetime.now(UTC).replace(minute=0, second=0, microsecond=0) - timedelta(hours=2)
    good = [(body, None) for body in ledger.readings(2000)]
    refused = ledger.refused
    poison = [
        *(
            refused(reading_body("7" * (1_000_000 + n), moment, 0.1))  # a 1 MB device_id
            for n in range(3)
        ),
        *(refused(b"[" * (100_000 + n) + b"]" * (100_000 + n)) for n in range(3)),  # 200 KB
        refused(b'{"a":' * 40 + b"1" + b"}" * 40),  # parseable, deeper than functions take
        refused(reading_body(device, moment, 0.1).replace(device.encode(), b"\\u0000")),
        refused(reading_body(device, moment, 0.1).decode().encode("utf-16")),
        refused(reading_body(device, moment, 0.1).decode().encode("utf-32")),
        refused(b'{"device_id": "\xff\xfe"}'),  # not UTF-8
        refused(b"<reading>0.1</reading>"),
        refused(b""),
        refused(b"null"),
        refused(b"[]"),
        refused(reading_body(device, moment, -0.5)),
        refused(reading_body(device, moment, Decimal("0.1234567890123"))),  # 13 decimals
        refused(reading_body(device, moment, Decimal("1e400"))),
        refused(reading_body(str(uuid.uuid4()), moment, 0.1)),  # a device nobody knows
        refused(reading_body(device, moment, 0.1).replace(b"timestamp", b"taken")),
        refused(json.dumps([{"measurement_value": -n} for n in range(5000)]).encode()),
        refused(  # headers too large to travel with the reason: dropped from the copy
            reading_body(device, moment, -1.5), headers={"x-meter-note": "n" * 100_000}
        ),
    ]
    # A UTF-8 byte order mark is allowed (RFC 8259): those readings count.
    with_bom = [(b"\xef\xbb\xbf" + body, None) for body, _ in good[:20]]
    stream = with_bom + good[20:]
    for index, message in enumerate(poison):
        stream.insert((index + 1) * len(stream) // (len(poison) + 1), message)
    started = time.monotonic()
    publish(chaos, ledger, stream)
    account(chaos, "poison flood", ledger, started, note=f"{len(poison)} kinds of poison")
