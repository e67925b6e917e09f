"""The queue connector against the real RabbitMQ, with a scripted gateway under it.

The connector runs as a real process (``python -m connector``) in a vhost of
its own. The gateway it calls is a small HTTP server in this test that lists
functions and answers for them as each test scripts: that is the system under
the connector's feet, the connector itself is not faked.
"""

from __future__ import annotations

import base64
import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pika
import pytest

from connector.gateway import INTERNAL_HEADER, Function, parse_functions
from ems.paths import ROOT
from ems.processes import free_port
from faas_ems.runtime import auth
from tests.harness import SERVICES

INTERNAL_TOKEN = "connector-test-token"
GATEWAY_USER, GATEWAY_PASSWORD = "admin", "gateway-test-password"
EXCHANGE = "ems"
RETRY_DELAYS = (0.2, 0.4)
WAIT_SECONDS = 30


@dataclass
class Call:
    function: str
    headers: dict[str, str]
    body: bytes

    @property
    def json(self):
        return json.loads(self.body)


# A scripted function: given a call, the status and the JSON body to answer with.
Script = Callable[[Call], tuple[int, object]]


class FakeGateway:
    """Serves ``/system/functions`` and ``/function/<name>`` like an OpenFaaS gateway."""

    def __init__(self):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.functions: dict[str, tuple[dict, Script]] = {}
        self.calls: list[Call] = []
        self.lock = threading.Lock()
        self.server: ThreadingHTTPServer | None = None
        self.open_sockets: set[socket.socket] = set()

    def add(self, name: str, script: Script, topic: str, batch: int | None = None) -> None:
        annotations = {"topic": topic}
        if batch:
            annotations["batch"] = str(batch)
        with self.lock:
            self.functions[name] = (annotations, script)

    def remove(self, name: str) -> None:
        with self.lock:
            del self.functions[name]

    def calls_to(self, name: str) -> list[Call]:
        with self.lock:
            return [c for c in self.calls if c.function == name]

    def start(self) -> None:
        gateway = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            wbufsize = -1  # headers and body in one segment: no Nagle/delayed-ACK stall

            def setup(self):
                super().setup()
                with gateway.lock:
                    gateway.open_sockets.add(self.connection)

            def log_message(self, *args):
                pass

            def do_GET(self):
                if self.path != "/system/functions":
                    return self._answer(404, {"error": "not found"})
                expected = base64.b64encode(f"{GATEWAY_USER}:{GATEWAY_PASSWORD}".encode())
                if self.headers.get("Authorization") != f"Basic {expected.decode()}":
                    return self._answer(401, {"error": "basic auth required"})
                with gateway.lock:
                    listing = [
                        {"name": name, "replicas": 1, "annotations": annotations}
                        for name, (annotations, _) in gateway.functions.items()
                    ]
                self._answer(200, listing)

            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                name = self.path.removeprefix("/function/")
                with gateway.lock:
                    entry = gateway.functions.get(name)
                if entry is None:
                    return self._answer(404, {"error": f"{name} not found"})
                call = Call(name, dict(self.headers.items()), body)
                with gateway.lock:
                    gateway.calls.append(call)
                if call.headers.get("X-Internal-Token") != INTERNAL_TOKEN:
                    return self._answer(401, {"error": {"code": "unauthorized", "message": "no"}})
                self._answer(*entry[1](call))

            def _answer(self, status: int, payload) -> None:
                data = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self.server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        """Refuse new connections and cut the open ones, as a gateway that went away."""
        self.server.shutdown()
        self.server.server_close()
        with self.lock:
            for sock in self.open_sockets:
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)
            self.open_sockets.clear()


class Broker:
    """The test's view of its vhost: publish, read queues, count messages and consumers."""

    def __init__(self, vhost: str):
        self.vhost = vhost
        self.url = SERVICES.amqp_url(vhost)
        self.connection = pika.BlockingConnection(pika.URLParameters(self.url))
        self.channel = self.connection.channel()
        self.channel.confirm_delivery()
        self.channel.exchange_declare(EXCHANGE, exchange_type="topic", durable=True)

    def publish(self, topic: str, body: bytes | dict) -> None:
        data = body if isinstance(body, bytes) else json.dumps(body).encode()
        properties = pika.BasicProperties(content_type="application/json", delivery_mode=2)
        self.channel.basic_publish(EXCHANGE, topic, data, properties, mandatory=True)

    def drain(self, queue: str) -> list[tuple[pika.BasicProperties, bytes]]:
        messages = []
        while True:
            method, properties, body = self.channel.basic_get(queue, auto_ack=True)
            if method is None:
                return messages
            messages.append((properties, body))

    def queues(self) -> dict[str, tuple[int, int]]:
        """name -> (messages ready or unacknowledged, consumers)."""
        columns = ["name", "messages", "consumers"]
        listed = SERVICES.rabbitmqctl(
            "list_queues", "-p", self.vhost, "--no-table-headers", *columns
        )
        rows = (line.split("\t") for line in listed.splitlines() if line.strip())
        return {name: (int(messages), int(consumers)) for name, messages, consumers in rows}

    def settled(self, function: str) -> bool:
        """No message of the function is waiting, in flight, or waiting to be retried."""
        return all(
            count == 0
            for name, (count, _) in self.queues().items()
            if name == f"ems.{function}" or name.startswith(f"ems.{function}.retry.")
        )

    def close(self) -> None:
        self.connection.close()


def wait_until(condition: Callable[[], object], what: str, timeout: float = WAIT_SECONDS):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


class Connector:
    """``python -m connector`` as a child process, its output in a log file."""

    def __init__(self, env: dict[str, str], log_path: Path):
        self.log_path = log_path
        self.log = log_path.open("wb")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "connector"],
            cwd=ROOT,
            env=env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )

    @property
    def output(self) -> str:
        return self.log_path.read_text(errors="replace")

    def stop(self) -> int:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        try:
            return self.process.wait(30)
        finally:
            self.log.close()


@pytest.fixture(scope="module")
def vhost():
    with SERVICES.vhost("ems-connector-test") as name:
        yield name


@pytest.fixture(scope="module")
def gateway():
    fake = FakeGateway()
    fake.start()
    yield fake
    fake.stop()


@pytest.fixture(scope="module")
def broker(vhost):
    client = Broker(vhost)
    yield client
    client.close()


@pytest.fixture(scope="module")
def connector_env(vhost, gateway, broker, tmp_path_factory):
    secrets_dir = tmp_path_factory.mktemp("no-secrets")
    return {
        **os.environ,
        "AMQP_URL": broker.url,
        "EMS_EXCHANGE": EXCHANGE,
        "GATEWAY_URL": gateway.url,
        "INTERNAL_TOKEN": INTERNAL_TOKEN,
        "BASIC_AUTH_USER": GATEWAY_USER,
        "BASIC_AUTH_PASSWORD": GATEWAY_PASSWORD,
        "EMS_SECRETS_DIR": str(secrets_dir),
        "CONNECTOR_REFRESH_SECONDS": "0.3",
        "CONNECTOR_RETRY_DELAYS": ",".join(str(d) for d in RETRY_DELAYS),
        "CONNECTOR_PAUSE_MAX_SECONDS": "1",
        "CONNECTOR_CONCURRENCY": "2",
    }


@pytest.fixture(scope="module")
def connector(connector_env, tmp_path_factory):
    process = Connector(connector_env, tmp_path_factory.mktemp("connector") / "connector.log")
    yield process
    assert process.stop() == 0, process.output


def function_name(label: str) -> str:
    return f"{label}-{uuid.uuid4().hex[:6]}"


def deploy(gateway, broker, script: Script, label: str, batch: int | None = None, consumers=2):
    """Add a function to the gateway and wait until the connector consumes its queue."""
    name = function_name(label)
    topic = f"test.{name}"
    gateway.add(name, script, topic, batch)
    wait_until(
        lambda: broker.queues().get(f"ems.{name}", (0, 0))[1] >= consumers,
        f"the connector to consume ems.{name}",
    )
    return name, topic


def reading(**data) -> dict:
    return {"id": str(uuid.uuid4()), "type": "meter.reading", "occurred_at": "", "data": data}


def test_a_function_failing_twice_then_succeeding_is_applied_once(gateway, broker, connector):
    applied = Counter()

    def flaky(call: Call):
        if len([c for c in gateway.calls_to(call.function) if c.body == call.body]) <= 2:
            return 500, {"error": {"code": "busy", "message": "try again"}}
        applied[call.json["id"]] += 1
        return 200, {"ok": True}

    name, topic = deploy(gateway, broker, flaky, "flaky")
    message = reading(device_id="d1", measurement_value=0.4)
    broker.publish(topic, message)

    wait_until(lambda: applied, "the third attempt to succeed")
    wait_until(lambda: broker.settled(name), "the message to be acked")
    calls = gateway.calls_to(name)
    assert applied == {message["id"]: 1}
    assert len(calls) == 3
    for call in calls:
        assert call.json == message
        assert call.headers["X-Call-Id"] == message["id"]
        assert call.headers["X-Topic"] == topic
        assert "X-Batch-Size" not in call.headers
    assert broker.drain(f"ems.{name}.dead") == []


def test_a_function_that_always_fails_ends_in_dead_with_reason_and_attempts(
    gateway, broker, connector
):
    def broken(call: Call):
        return 500, {"error": {"code": "db_down", "message": "database unavailable"}}

    name, topic = deploy(gateway, broker, broken, "broken")
    message = reading(device_id="d2", measurement_value=1.0)
    broker.publish(topic, message)

    dead = wait_until(lambda: broker.drain(f"ems.{name}.dead"), "a dead message")
    wait_until(lambda: broker.settled(name), "the original to be acked")
    [(properties, body)] = dead
    assert json.loads(body) == message
    headers = properties.headers
    assert headers["x-ems-reason"] == "HTTP 500: database unavailable"
    assert headers["x-ems-attempts"] == len(RETRY_DELAYS) + 1
    assert headers["x-ems-function"] == name
    assert headers["x-ems-topic"] == topic
    assert len(gateway.calls_to(name)) == len(RETRY_DELAYS) + 1


def test_invalid_data_goes_straight_to_dead_with_the_functions_message(gateway, broker, connector):
    def strict(call: Call):
        return 422, {"error": {"code": "invalid", "message": "measurement_value is negative"}}

    name, topic = deploy(gateway, broker, strict, "strict")
    broker.publish(topic, reading(device_id="d3", measurement_value=-1))

    [(properties, _)] = wait_until(lambda: broker.drain(f"ems.{name}.dead"), "a dead message")
    assert properties.headers["x-ems-reason"] == "measurement_value is negative"
    assert properties.headers["x-ems-attempts"] == 1
    assert len(gateway.calls_to(name)) == 1


def test_a_body_that_is_not_json_goes_to_dead_without_a_call(gateway, broker, connector):
    name, topic = deploy(gateway, broker, lambda call: (200, {}), "picky")
    broker.publish(topic, b"<reading>1</reading>")

    [(properties, body)] = wait_until(lambda: broker.drain(f"ems.{name}.dead"), "a dead message")
    assert body == b"<reading>1</reading>"
    assert properties.headers["x-ems-reason"] == "not JSON"
    assert properties.headers["x-ems-attempts"] == 0
    assert gateway.calls_to(name) == []


def test_a_batch_answer_rejects_some_messages_and_retries_others(gateway, broker, connector):
    gate = threading.Event()
    applied = Counter()
    seen = Counter()

    def batch_function(call: Call):
        gate.wait(WAIT_SECONDS)
        events = call.json
        assert int(call.headers["X-Batch-Size"]) == len(events)
        rejected, retry = [], []
        for index, event in enumerate(events):
            seen[event["id"]] += 1
            if event["data"].get("bad"):
                rejected.append({"index": index, "reason": "negative reading"})
            elif event["data"].get("flaky") and seen[event["id"]] == 1:
                retry.append({"index": index, "reason": "lock timeout"})
            else:
                applied[event["id"]] += 1
        return 200, {"rejected": rejected, "retry": retry}

    name, topic = deploy(gateway, broker, batch_function, "batch", batch=50)
    events = [reading(n=n, bad=n == 3, flaky=n == 7) for n in range(20)]
    for event in events:
        broker.publish(topic, event)
    wait_until(lambda: gateway.calls_to(name), "a first call, held while the rest queue up")
    gate.set()

    wait_until(lambda: len(applied) == 19, "every good reading to be applied")
    [(properties, body)] = wait_until(lambda: broker.drain(f"ems.{name}.dead"), "the rejected")
    wait_until(lambda: broker.settled(name), "every message to be acked")
    assert json.loads(body) == events[3]
    assert properties.headers["x-ems-reason"] == "negative reading"
    assert properties.headers["x-ems-attempts"] == 1
    assert set(applied) == {e["id"] for i, e in enumerate(events) if i != 3}
    assert seen[events[7]["id"]] == 2
    sizes = [len(call.json) for call in gateway.calls_to(name)]
    assert max(sizes) > 1
    assert sum(sizes) == 21


def test_messages_wait_while_the_gateway_is_down(gateway, broker, connector):
    applied = Counter()

    def record(call: Call):
        applied[call.json["id"]] += 1
        return 200, {}

    name, topic = deploy(gateway, broker, record, "patient")
    gateway.stop()
    try:
        events = [reading(n=n) for n in range(30)]
        for event in events:
            broker.publish(topic, event)
        wait_until(lambda: "gateway unavailable" in connector.output, "a refused call")
    finally:
        gateway.start()

    wait_until(lambda: len(applied) == 30, "every message after the gateway came back")
    wait_until(lambda: broker.settled(name), "every message to be acked")
    assert set(applied) == {e["id"] for e in events}
    assert broker.drain(f"ems.{name}.dead") == []


def test_503_from_the_gateway_is_not_an_attempt(gateway, broker, connector):
    applied = Counter()
    refusals = len(RETRY_DELAYS) + 3

    def overloaded(call: Call):
        if len(gateway.calls_to(call.function)) <= refusals:
            return 503, {"error": "no replica ready"}
        applied[call.json["id"]] += 1
        return 200, {}

    name, topic = deploy(gateway, broker, overloaded, "overloaded")
    message = reading(n=1)
    broker.publish(topic, message)

    wait_until(lambda: applied, "the call after the 503s")
    wait_until(lambda: broker.settled(name), "the message to be acked")
    assert applied == {message["id"]: 1}
    assert broker.drain(f"ems.{name}.dead") == []


def test_two_connectors_share_a_queue_and_a_stopped_one_loses_nothing(
    gateway, broker, connector, connector_env, tmp_path
):
    applied = Counter()
    callers = Counter()
    counting = threading.Lock()

    def slow(call: Call):
        time.sleep(0.01)
        with counting:
            applied[call.json["id"]] += 1
            callers[call.headers["X-Connector"]] += 1
        return 200, {}

    second = Connector(connector_env, tmp_path / "second.log")
    try:
        name, topic = deploy(gateway, broker, slow, "shared", consumers=4)
        events = [reading(n=n) for n in range(400)]
        for event in events:
            broker.publish(topic, event)
        wait_until(lambda: len(callers) == 2 and len(applied) >= 100, "both connectors at work")
    finally:
        assert second.stop() == 0, second.output

    assert "connector stopped" in second.output
    wait_until(lambda: len(applied) == 400, "the first connector to take over the rest")
    wait_until(lambda: broker.settled(name), "every message to be acked")
    assert set(applied) == {e["id"] for e in events}
    assert sum(callers.values()) == sum(applied.values())
    assert broker.drain(f"ems.{name}.dead") == []


def test_a_function_gone_from_the_gateway_is_no_longer_consumed(gateway, broker, connector):
    applied = Counter()

    def record(call: Call):
        applied[call.json["id"]] += 1
        return 200, {}

    name, topic = deploy(gateway, broker, record, "retired")
    gateway.remove(name)
    wait_until(lambda: broker.queues()[f"ems.{name}"][1] == 0, "the consumers to stop")
    message = reading(n=1)
    broker.publish(topic, message)
    wait_until(lambda: broker.queues()[f"ems.{name}"][0] == 1, "the message to wait")

    gateway.add(name, record, topic)
    wait_until(lambda: applied, "the message once the function is back")
    assert applied == {message["id"]: 1}


def test_topics_and_batch_sizes_come_from_the_annotations():
    listing = [
        {"name": "ingest", "annotations": {"topic": " meter.reading, device.created ,"}},
        {"name": "bulk", "annotations": {"topic": "meter.reading", "batch": "800"}},
        {"name": "any", "annotations": {"topic": "a", "batch": "true"}},
        {"name": "odd", "annotations": {"topic": "a", "batch": "-3"}},
        {"name": "api", "annotations": None},
        {"name": "cron", "annotations": {"schedule": "* * * * *"}},
    ]
    functions = parse_functions(listing, batch_limit=500)
    assert functions == {
        "ingest": Function("ingest", ("device.created", "meter.reading"), 0),
        "bulk": Function("bulk", ("meter.reading",), 500),
        "any": Function("any", ("a",), 500),
        "odd": Function("odd", ("a",), 0),
    }


def test_the_connector_sends_the_header_the_runtime_checks():
    assert INTERNAL_HEADER == auth.INTERNAL_HEADER
