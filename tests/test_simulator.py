"""The meter simulator against the real RabbitMQ, run as users run it.

Every test runs ``python -m simulator`` as a process in a vhost of this module's
own and reads what it published from a queue bound to ``meter.reading``. The
gateway of ``--from-gateway`` is a small HTTP server here that answers the two
calls the simulator makes.
"""

from __future__ import annotations

import contextlib
import json
import math
import os
import subprocess
import sys
import threading
import time
import uuid
from collections import defaultdict
from datetime import datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from statistics import mean
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import pika
import pytest

from ems.paths import ROOT
from ems.processes import free_port
from tests.harness import SERVICES, wait_for

NOW = "2024-03-11T00:03:00+00:00"  # a Monday; the grid's last past point is 00:00
RUN_TIMEOUT = 120
GRID = 600


@pytest.fixture(scope="module")
def amqp_url():
    with SERVICES.vhost("ems-sim-test") as vhost:
        yield SERVICES.amqp_url(vhost)


@contextlib.contextmanager
def channel(url: str):
    connection = pika.BlockingConnection(pika.URLParameters(url))
    try:
        yield connection.channel()
    finally:
        connection.close()


class ReadingsQueue:
    """A queue bound to ``meter.reading``, read back after a run."""

    def __init__(self, url: str):
        self.url = url
        self.name = f"readings-{uuid.uuid4().hex[:8]}"
        with channel(self.url) as amqp:
            amqp.exchange_declare("ems", exchange_type="topic", durable=True)
            amqp.queue_declare(self.name, durable=True)
            amqp.queue_bind(self.name, "ems", "meter.reading")

    def depth(self) -> int:
        with channel(self.url) as amqp:
            return amqp.queue_declare(self.name, passive=True).method.message_count

    def bodies(self) -> list:
        """Every message waiting, decoded; the queue is empty afterwards."""
        with channel(self.url) as amqp:
            waiting = amqp.queue_declare(self.name, passive=True).method.message_count
            bodies: list = []
            for _method, _props, body in amqp.consume(
                self.name, auto_ack=True, inactivity_timeout=5
            ):
                if body is None:
                    break
                bodies.append(json.loads(body))
                if len(bodies) >= waiting:
                    break
            amqp.cancel()
        assert len(bodies) == waiting
        return bodies

    def readings(self) -> list[dict]:
        readings = []
        for body in self.bodies():
            readings.extend(body if isinstance(body, list) else [body])
        return readings

    def delete(self) -> None:
        with channel(self.url) as amqp:
            amqp.queue_delete(self.name)


@pytest.fixture
def queue(amqp_url):
    readings_queue = ReadingsQueue(amqp_url)
    yield readings_queue
    readings_queue.delete()


def simulator(*args: str, env: dict | None = None, wait: bool = True):
    """``python -m simulator`` with ``args``; the finished process, or the running one."""
    command = [sys.executable, "-m", "simulator", *args]
    environment = {**os.environ, **(env or {})}
    if not wait:
        return subprocess.Popen(
            command, cwd=ROOT, env=environment, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            text=True,
        )  # fmt: skip
    return subprocess.run(
        command, cwd=ROOT, env=environment, capture_output=True, text=True, timeout=RUN_TIMEOUT
    )


def summary(stdout: str) -> dict[str, str]:
    """The summary's rows: a name in the first 11 columns, then the value."""
    return {line[:11].strip(): line[12:] for line in stdout.splitlines() if line.strip()}


def fleet_file(tmp_path: Path, count: int, name: str = "fleet.json", **extra) -> str:
    devices = [
        {"id": f"meter-{number:03d}", "max_hourly_kwh": 1.0 + number % 4, **extra}
        for number in range(count)
    ]
    path = tmp_path / name
    path.write_text(json.dumps(devices))
    return str(path)


def key(reading: dict) -> tuple[str, str]:
    return reading["device_id"], reading["timestamp"]


def expected_ends(days: float) -> list[str]:
    last = datetime.fromisoformat(NOW).replace(minute=0)
    count = int(days * 86400 // GRID)
    return [(last - timedelta(seconds=GRID * step)).isoformat() for step in range(count)]


def test_backfill_publishes_every_interval_of_every_device_in_the_seeds_format(
    amqp_url, queue, tmp_path
):
    run = simulator(
        "--config", fleet_file(tmp_path, 3), "--backfill", "2", "--now", NOW, "--amqp", amqp_url
    )
    assert run.returncode == 0, run.stderr

    readings = queue.readings()
    assert len(readings) == 3 * 2 * 144
    assert {key(reading) for reading in readings} == {
        (f"meter-{number:03d}", end) for number in range(3) for end in expected_ends(2)
    }
    for reading in readings:
        assert set(reading) == {"timestamp", "device_id", "measurement_value"}
        stamp = datetime.fromisoformat(reading["timestamp"])
        assert reading["timestamp"].endswith("+00:00")
        assert stamp.timestamp() % GRID == 0
        assert isinstance(reading["measurement_value"], float)
        assert reading["measurement_value"] >= 0
    figures = summary(run.stdout)
    assert figures["readings"] == "864"
    assert figures["messages"] == "864"
    assert figures["devices"] == "3"
    total = sum(reading["measurement_value"] for reading in readings)
    assert float(figures["kWh total"]) == pytest.approx(total, abs=0.01)
    assert "864/864 readings 100.0%" in run.stderr


def test_the_same_seed_gives_the_same_readings_and_another_seed_others(amqp_url, queue, tmp_path):
    fleet = fleet_file(tmp_path, 4)

    def readings(seed: str, *extra: str) -> dict:
        run = simulator(
            "--config", fleet, "--backfill", "1", "--now", NOW, "--seed", seed,
            "--amqp", amqp_url, "--quiet", *extra,
        )  # fmt: skip
        assert run.returncode == 0, run.stderr
        return {key(reading): reading["measurement_value"] for reading in queue.readings()}

    first = readings("7")
    assert len(first) == 4 * 144
    assert readings("7") == first
    assert readings("7", "--batch", "50") == first  # batching does not change a value
    other = readings("8")
    assert other.keys() == first.keys()
    assert sum(other[k] != first[k] for k in first) > 0.9 * len(first)


def test_the_daily_shape_peaks_in_the_evening_and_sometimes_goes_over_the_limit(
    amqp_url, queue, tmp_path
):
    zone = ZoneInfo("Europe/Bucharest")
    fleet = fleet_file(tmp_path, 20, timezone="Europe/Bucharest")
    run = simulator("--config", fleet, "--backfill", "28", "--now", NOW, "--amqp", amqp_url,
                    "--batch", "200", "--quiet")  # fmt: skip
    assert run.returncode == 0, run.stderr
    limits = {entry["id"]: entry["max_hourly_kwh"] for entry in json.loads(Path(fleet).read_text())}

    hourly: dict[tuple[str, datetime], float] = defaultdict(float)
    for reading in queue.readings():
        end = datetime.fromisoformat(reading["timestamp"])
        hour = (end - timedelta(seconds=1)).replace(minute=0, second=0)  # the hour it ends in
        hourly[reading["device_id"], hour] += reading["measurement_value"]

    def share(predicate) -> float:
        return mean(
            kwh / limits[device] for (device, hour), kwh in hourly.items()
            if predicate(hour.astimezone(zone))
        )  # fmt: skip

    night = share(lambda local: local.hour < 5)
    evening = share(lambda local: 18 <= local.hour < 22)
    assert night < evening / 2
    weekday_midday = share(lambda local: local.weekday() < 5 and 10 <= local.hour < 15)
    weekend_midday = share(lambda local: local.weekday() >= 5 and 10 <= local.hour < 15)
    assert weekend_midday > weekday_midday

    over = [kwh > limits[device] for (device, _hour), kwh in hourly.items()]
    assert len(over) == 20 * 28 * 24
    assert 0.005 < sum(over) / len(over) < 0.1
    devices_over = {device for (device, _hour), kwh in hourly.items() if kwh > limits[device]}
    assert len(devices_over) > 10


def test_batch_sends_lists_of_readings(amqp_url, queue, tmp_path):
    run = simulator(
        "--config", fleet_file(tmp_path, 7), "--backfill", "1", "--now", NOW,
        "--batch", "50", "--amqp", amqp_url,
    )  # fmt: skip
    assert run.returncode == 0, run.stderr

    bodies = queue.bodies()
    assert all(isinstance(body, list) for body in bodies)
    assert all(1 <= len(body) <= 50 for body in bodies)
    assert len(bodies) == math.ceil(7 * 144 / 50)
    readings = [reading for body in bodies for reading in body]
    assert len({key(reading) for reading in readings}) == 7 * 144
    assert summary(run.stdout)["messages"] == str(len(bodies))


def test_nothing_is_lost_when_the_broker_drops_the_connection_mid_run(amqp_url, queue, tmp_path):
    devices, days = 60, 7
    vhost = amqp_url.rsplit("/", 1)[1]
    run = simulator(
        "--config", fleet_file(tmp_path, devices), "--backfill", str(days), "--now", NOW,
        "--amqp", amqp_url, wait=False,
    )  # fmt: skip
    try:
        wait_for(lambda: queue.depth() > 5000, timeout=60, message="readings to flow")
        # The broker goes away for a while: connections are closed and refused.
        SERVICES.revoke(vhost)
        try:
            SERVICES.rabbitmqctl("close_all_connections", "-p", vhost, "test: the broker goes away")
            time.sleep(2)
        finally:
            SERVICES.grant(vhost)
        stdout, stderr = run.communicate(timeout=RUN_TIMEOUT)
    finally:
        run.kill()
        run.wait()
    assert run.returncode == 0, stderr
    assert "connection lost" in stderr
    assert "cannot connect" in stderr
    figures = summary(stdout)
    assert int(figures["reconnects"]) >= 1
    assert figures["readings"] == str(devices * days * 144)

    arrived = {key(reading) for reading in queue.readings()}
    expected = {(f"meter-{n:03d}", end) for n in range(devices) for end in expected_ends(days)}
    assert expected - arrived == set()


def test_live_pacing_waits_for_each_interval(amqp_url, queue):
    started = time.monotonic()
    run = simulator(
        "--device", "meter-a:2", "--count", "3", "--interval", "60", "--speed", "60",
        "--now", NOW, "--amqp", amqp_url,
    )  # fmt: skip
    elapsed = time.monotonic() - started
    assert run.returncode == 0, run.stderr

    stamps = sorted(reading["timestamp"] for reading in queue.readings())
    assert stamps == [
        "2024-03-11T00:04:00+00:00", "2024-03-11T00:05:00+00:00", "2024-03-11T00:06:00+00:00",
    ]  # fmt: skip
    # The third interval ends 3 simulated minutes after NOW: 3 real seconds at 60x.
    assert elapsed >= 2.5


class FakeGateway:
    """The two gateway calls ``--from-gateway`` makes, with one administrator."""

    def __init__(self, devices: list[dict], username="admin", password="secret-pass"):
        self.token = uuid.uuid4().hex
        gateway = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def answer(self, status: int, body) -> None:
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_POST(self):
                length = int(self.headers.get("Content-Length", 0))
                body = json.loads(self.rfile.read(length) or b"{}")
                if self.path != "/function/auth-login":
                    self.answer(404, {"error": {"code": "not_found", "message": "no such path"}})
                elif body == {"username": username, "password": password}:
                    self.answer(200, {"token": gateway.token, "user": {"role": "admin"}})
                else:
                    self.answer(401, {"error": {"code": "unauthorized", "message": "wrong"}})

            def do_GET(self):
                if urlsplit(self.path).path != "/function/devices":
                    self.answer(404, {"error": {"code": "not_found", "message": "no such path"}})
                elif self.headers.get("Authorization") != f"Bearer {gateway.token}":
                    self.answer(401, {"error": {"code": "unauthorized", "message": "no token"}})
                else:
                    self.answer(200, devices)

        self.server = ThreadingHTTPServer(("127.0.0.1", free_port()), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def gateway():
    server = FakeGateway(
        [
            {"id": "5f0c1a8e-0000-4000-8000-000000000001", "name": "Flat", "max_hourly_kwh": 1.5,
             "timezone": "Europe/Bucharest", "owner_id": None},
            {"id": "5f0c1a8e-0000-4000-8000-000000000002", "name": "House", "max_hourly_kwh": 4,
             "timezone": "UTC", "owner_id": None},
        ]
    )  # fmt: skip
    yield server
    server.close()


def test_from_gateway_simulates_every_device_the_gateway_lists(amqp_url, queue, gateway):
    run = simulator(
        "--from-gateway", gateway.url, "--backfill", "1", "--count", "3", "--now", NOW,
        "--amqp", amqp_url,
        env={"EMS_ADMIN_USERNAME": "admin", "EMS_ADMIN_PASSWORD": "secret-pass"},
    )  # fmt: skip
    assert run.returncode == 0, run.stderr

    readings = queue.readings()
    assert {reading["device_id"] for reading in readings} == {
        "5f0c1a8e-0000-4000-8000-000000000001",
        "5f0c1a8e-0000-4000-8000-000000000002",
    }
    assert len(readings) == 2 * 3


def test_from_gateway_with_wrong_credentials_says_so_and_publishes_nothing(
    amqp_url, queue, gateway
):
    run = simulator(
        "--from-gateway", gateway.url, "--username", "admin", "--password", "wrong",
        "--backfill", "1", "--amqp", amqp_url,
    )  # fmt: skip
    assert run.returncode == 2
    assert "login as 'admin' failed (401 wrong)" in run.stderr
    assert queue.depth() == 0


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["--backfill", "1"], "name the devices"),
        (["--device", "meter-1:lots"], "is not a number"),
        (["--device", "meter-1:-2"], "must be a number above 0"),
        (["--device", "m", "--now", "2024-03-11T00:00:00"], "give the offset too"),
        (["--device", "m", "--batch", "0"], "must be 1 or more"),
        (["--device", "m", "--timezone", "Mars/Olympus"], "unknown time zone 'Mars/Olympus'"),
    ],
)
def test_bad_arguments_are_refused_with_a_clear_message(amqp_url, queue, args, says):
    run = simulator(*args, "--amqp", amqp_url)
    assert run.returncode == 2
    assert says in run.stderr
    assert queue.depth() == 0


def test_a_yaml_config_and_bad_config_files(amqp_url, queue, tmp_path):
    good = tmp_path / "fleet.yaml"
    good.write_text("- id: kitchen\n  max_hourly_kwh: 2.5\n- id: garage\n  max_hourly_kwh: 6\n")
    run = simulator("--config", str(good), "--backfill", "1", "--count", "2", "--now", NOW,
                    "--amqp", amqp_url)  # fmt: skip
    assert run.returncode == 0, run.stderr
    assert sorted(key(reading) for reading in queue.readings()) == [
        ("garage", "2024-03-10T00:10:00+00:00"), ("garage", "2024-03-10T00:20:00+00:00"),
        ("kitchen", "2024-03-10T00:10:00+00:00"), ("kitchen", "2024-03-10T00:20:00+00:00"),
    ]  # fmt: skip

    bad = tmp_path / "bad.yaml"
    bad.write_text("- id: kitchen\n  max_hourly_kwh: many\n")
    run = simulator("--config", str(bad), "--backfill", "1", "--amqp", amqp_url)
    assert run.returncode == 2
    assert "bad.yaml, device 1: the hourly limit 'many' is not a number" in run.stderr
    assert queue.depth() == 0


def test_wrong_broker_credentials_end_the_run_with_a_clear_message(amqp_url):
    wrong = SERVICES.amqp_url(amqp_url.rsplit("/", 1)[1], password="not-the-password")
    run = simulator("--device", "m", "--backfill", "1", "--amqp", wrong)
    assert run.returncode == 1
    assert "refused the credentials" in run.stderr
    assert "not-the-password" not in run.stderr
