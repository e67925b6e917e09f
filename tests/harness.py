"""A whole faas-ems system for tests and benchmarks, isolated per run.

It runs ``ems up`` as users do, against the machine's real PostgreSQL, RabbitMQ
and Redis (as ``make services`` set them up, reached with the same settings and
accounts as ``ems up``), with databases, a RabbitMQ vhost and a Redis key prefix
of its own, and removes them afterwards. ``own_services`` makes a PostgreSQL
cluster, RabbitMQ node and Redis of a test's own instead (``ems services``), for
tests that set them up from nothing or stop and restart them.
"""

from __future__ import annotations

import contextlib
import json
import os
import random
import re
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import quote

import pika
import psycopg
import redis
import requests
from requests.adapters import HTTPAdapter

from ems import config as ems_config
from ems import databases
from ems.config import Config
from ems.paths import ROOT
from ems.processes import free_port
from ems.services.postgres import clusters
from ems.services.rabbitmq import RabbitMQ

ADMIN_USERNAME = "admin"
ADMIN_PASSWORD = "admin-test-password"
EMS_UP = [sys.executable, "-m", "ems", "up"]


class Services:
    """The machine's PostgreSQL, RabbitMQ and Redis, through faas-ems's own settings."""

    def __init__(self, config: Config):
        self.config = config
        self.broker = RabbitMQ(config)

    def postgres(self, dbname: str = "postgres", **kwargs) -> psycopg.Connection:
        return psycopg.connect(databases.conninfo(self.config, dbname), **kwargs)

    def drop_databases(self, prefix: str) -> None:
        with self.postgres(autocommit=True) as db:
            names = db.execute(
                "SELECT datname FROM pg_database WHERE datname LIKE %s", [prefix + "%"]
            ).fetchall()
            for (name,) in names:
                db.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def rabbitmqctl(self, *args: str) -> str:
        return self.broker.ctl(*args)

    def amqp_url(
        self, vhost: str, password: str | None = None, *, with_password: bool = True
    ) -> str:
        broker = self.broker
        secret = ":" + quote(password or broker.password, safe="") if with_password else ""
        return (
            f"amqp://{quote(broker.user, safe='')}{secret}@{broker.host}:{broker.port}"
            f"/{quote(vhost, safe='')}"
        )

    def account_url(self, vhost: str, role: str) -> str:
        """The AMQP URL of a component's own account (ems/broker_accounts.py)."""
        password = quote(self.config.secrets[f"rabbitmq-{role}"], safe="")
        broker = self.broker
        return f"amqp://ems-{role}:{password}@{broker.host}:{broker.port}/{quote(vhost, safe='')}"

    def sign_in_as(self, vhost: str, role: str) -> pika.BlockingConnection:
        return pika.BlockingConnection(pika.URLParameters(self.account_url(vhost, role)))

    def grant(self, vhost: str) -> None:
        self.rabbitmqctl("set_permissions", "-p", vhost, self.broker.user, ".*", ".*", ".*")

    def revoke(self, vhost: str) -> None:
        self.rabbitmqctl("clear_permissions", "-p", vhost, self.broker.user)

    @contextlib.contextmanager
    def vhost(self, prefix: str) -> Iterator[str]:
        """A vhost of the test's own that faas-ems's user may use, by name."""
        name = f"{prefix}-{uuid.uuid4().hex[:8]}"
        self.rabbitmqctl("add_vhost", name)
        try:
            self.grant(name)
            yield name
        finally:
            self.rabbitmqctl("delete_vhost", name)

    def redis(self) -> redis.Redis:
        return redis.Redis.from_url(
            self.config.values["REDIS_URL"], password=self.config.secrets.get("redis-password")
        )


# What `make services` set up on this machine, read as `ems up` reads it.
SERVICES = Services(ems_config.load())

# Settings of the machine's own services that must not leak into a test's own.
MACHINE_KEYS = ("DB_", "AMQP_", "REDIS_", "RABBITMQ_", "EMS_")


def port_is_free(port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) != 0


def server_port() -> int:
    """A free port whose Erlang distribution port (port + 20000, RabbitMQ's rule) is free too."""
    while True:
        port = random.randrange(21000, 45000)
        if port_is_free(port) and port_is_free(port + 20000):
            return port


def ems_services(settings: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    """``ems services`` with these settings instead of the machine's."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(MACHINE_KEYS)}
    return subprocess.run(
        [sys.executable, "-m", "ems", "services", *args],
        cwd=ROOT,
        env={**env, **settings},
        capture_output=True,
        text=True,
        timeout=300,
    )


def services_for(settings: dict[str, str]) -> Services:
    return Services(ems_config.load(settings))


@contextlib.contextmanager
def own_services(
    state_dir: Path,
) -> Iterator[tuple[dict[str, str], dict[str, int], subprocess.CompletedProcess[str]]]:
    """A PostgreSQL cluster, a RabbitMQ node and a Redis that do not exist yet, set up by
    ``ems services --start`` on free ports: their settings, ports and what the set-up
    said. ``--remove`` takes them away after, and must leave the ports free."""
    ports = {"pg": server_port(), "amqp": server_port(), "redis": server_port()}
    ports["mqtt"] = server_port()  # the node's MQTT door, apart from the machine's own
    settings = {
        "DB_PORT": str(ports["pg"]),
        "AMQP_URL": f"amqp://ems@127.0.0.1:{ports['amqp']}/%2F",
        "EMS_MQTT_PORT": str(ports["mqtt"]),
        "REDIS_URL": f"redis://127.0.0.1:{ports['redis']}/0",
        "EMS_STATE_DIR": str(state_dir),
    }
    assert all(port_is_free(port) for port in ports.values())
    first = ems_services(settings, "--start")
    try:
        yield settings, ports, first
    finally:
        removed = ems_services(settings, "--remove")
        assert removed.returncode == 0, removed.stderr
        assert all(port_is_free(port) for port in ports.values()), removed.stdout
        assert not [c for c in clusters() if c.port == ports["pg"]], "its cluster is gone"


class TestStack:
    """``ems up`` on a free port with its own databases, vhost and key prefix."""

    __test__ = False

    def __init__(self, extra_env: dict[str, str] | None = None, services: Services = SERVICES):
        self.services = services
        self.run_id = uuid.uuid4().hex[:8]
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.vhost = f"ems-test-{self.run_id}"
        self.db_prefix = f"emst_{self.run_id}_"
        self.key_prefix = f"emst:{self.run_id}:"
        self.amqp_url = services.amqp_url(self.vhost)
        self.jwt_secret = secrets.token_urlsafe(32)
        self.internal_token = secrets.token_urlsafe(32)
        self.gateway_auth = ("admin", secrets.token_urlsafe(24))  # for /system/*
        self.state_dir = Path(tempfile.mkdtemp(prefix=f"ems-test-{self.run_id}-"))
        self.settings_env = {
            "EMS_PORT": str(self.port),
            "EMS_STATE_DIR": str(self.state_dir),
            "EMS_DB_PREFIX": self.db_prefix,
            "EMS_KEY_PREFIX": self.key_prefix,
            # The password apart, as on a machine: ems up then gives each component its
            # own account (ems/broker_accounts.py) instead of this one.
            "AMQP_URL": services.amqp_url(self.vhost, with_password=False),
            "RABBITMQ_PASSWORD": services.broker.password,
            "DB_HOST": services.config.values["DB_HOST"],
            "DB_PORT": services.config.values["DB_PORT"],
            "DB_USER": services.config.values["DB_USER"],
            "DB_PASSWORD": services.config.secrets.get("db-password", ""),
            "REDIS_URL": services.config.values["REDIS_URL"],
            "JWT_SECRET": self.jwt_secret,
            "INTERNAL_TOKEN": self.internal_token,
            "BASIC_AUTH_PASSWORD": self.gateway_auth[1],
            "EMS_ADMIN_USERNAME": ADMIN_USERNAME,
            "EMS_ADMIN_PASSWORD": ADMIN_PASSWORD,
            "EMS_REPLICAS": "1",
            # MQTT is node-wide (one gateway answers its logins): only tests with a node of
            # their own open it (tests/test_meter_doors.py).
            "EMS_MQTT": "0",
            "CONNECTOR_RETRY_DELAYS": "0.5,1,2,4",
            "CONNECTOR_REFRESH_SECONDS": "2",
            "OUTBOX_RELAY_SECONDS": "1",
            "GATEWAY_URL": self.url,
        }
        self.settings_env.update(extra_env or {})
        self.process: subprocess.Popen | None = None
        self.http = requests.Session()
        self._admin_token: str | None = None

    # lifecycle ---------------------------------------------------------------
    def start(self, timeout: float = 240) -> TestStack:
        """Start ``ems up`` and wait until it answers; if it never does, clean up and raise."""
        try:
            return self._start(timeout)
        except BaseException:
            with contextlib.suppress(Exception):  # the first failure is the one to report
                self.stop()
            raise

    def _start(self, timeout: float) -> TestStack:
        self.services.rabbitmqctl("add_vhost", self.vhost)
        self.services.grant(self.vhost)
        self.log_path = self.state_dir / "ems-up.log"
        self.process = subprocess.Popen(
            EMS_UP,
            cwd=ROOT,
            env=self.up_env(),
            stdout=self.log_path.open("wb"),
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"ems up exited early:\n{self.logs()}")
            try:
                if self.http.get(self.url + "/healthz", timeout=2).status_code == 200:
                    return self
            except (requests.ConnectionError, requests.Timeout):  # busy machine: ask again
                pass
            time.sleep(0.3)
        raise RuntimeError(f"ems up was not ready in {timeout}s:\n{self.logs()}")

    def up_env(self, **overrides: str) -> dict[str, str]:
        """The environment ``ems up`` runs with for this stack (none of the caller's EMS_*)."""
        env = {k: v for k, v in os.environ.items() if not k.startswith("EMS_")}
        env.update(self.settings_env, **overrides)
        return env

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(60)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self._remove_resources()

    def _remove_resources(self) -> None:
        self.services.drop_databases(self.db_prefix)
        self.services.rabbitmqctl("delete_vhost", self.vhost)
        client = self.services.redis()
        keys = list(client.scan_iter(match=self.key_prefix + "*", count=1000))
        if keys:
            client.delete(*keys)

    def logs(self, function: str | None = None, tail: int = 80) -> str:
        path = self.log_path if function is None else self.state_dir / "logs" / f"{function}.log"
        if not path.is_file():
            return f"(no log at {path})"
        return "\n".join(path.read_text(errors="replace").splitlines()[-tail:])

    def hub_urls(self, timeout: float = 10) -> list[str]:
        """Each socket hub replica's own URL, as ``ems up`` reports it (just after it
        answers /healthz), for tests that must reach one replica, not the gateway's pick."""
        pattern = re.compile(r"^\s*socket-hub-\d+\s+(127\.0\.0\.1:\d+)\s*$", re.M)
        found = wait_for(lambda: pattern.findall(self.log_path.read_text()), timeout=timeout)
        return [f"http://{address}" for address in found]

    # calls --------------------------------------------------------------------
    def from_address(self, address: str) -> requests.Session:
        """A session whose connections come from ``address`` (any of 127.0.0.0/8), so that
        the gateway sees another caller, as a second machine would be."""
        session = requests.Session()
        session.mount("http://", SourceAddressAdapter(address))
        return session

    def call(
        self,
        method: str,
        path: str,
        *,
        token: str | None = None,
        json=None,
        data=None,
        headers: dict | None = None,
        session: requests.Session | None = None,
        **kwargs,
    ) -> requests.Response:
        """A call through the gateway, as the browser makes it (from ``session``'s address)."""
        all_headers = dict(headers or {})
        if token:
            all_headers["Authorization"] = f"Bearer {token}"
        kwargs.setdefault("timeout", 30)
        return (session or self.http).request(
            method, self.url + path, json=json, data=data, headers=all_headers, **kwargs
        )

    @property
    def internal_headers(self) -> dict[str, str]:
        return {"X-Internal-Token": self.internal_token}

    def login(self, username: str, password: str) -> str:
        response = self.call(
            "POST", "/function/auth-login", json={"username": username, "password": password}
        )
        response.raise_for_status()
        return response.json()["token"]

    @property
    def admin_token(self) -> str:
        if self._admin_token is None:
            self._admin_token = self.login(ADMIN_USERNAME, ADMIN_PASSWORD)
        return self._admin_token

    def create_user(
        self, role: str = "client", password: str = "password-123", **fields
    ) -> tuple[dict, str]:
        """Create a user through the users function; return it and its token."""
        name = fields.pop("username", None) or f"u{uuid.uuid4().hex[:10]}"
        body = {
            "username": name,
            "password": password,
            "name": fields.pop("name", name.title()),
            "email": fields.pop("email", f"{name}@example.org"),
            "role": role,
            **fields,
        }
        response = self.call("POST", "/function/users", token=self.admin_token, json=body)
        assert response.status_code == 201, response.text
        return response.json(), self.login(name, password)

    def create_device(self, **fields) -> dict:
        body = {"name": f"meter-{uuid.uuid4().hex[:6]}", "max_hourly_kwh": 2.0, **fields}
        response = self.call("POST", "/function/devices", token=self.admin_token, json=body)
        assert response.status_code == 201, response.text
        return response.json()

    def assign_device(self, device_id: str, user_id: str | None) -> None:
        """Assign (``None``: unassign) as an administrator; return once monitoring follows."""
        response = self.call(
            "POST",
            "/function/device-assign",
            token=self.admin_token,
            json={"device_id": device_id, "user_id": user_id},
        )
        assert response.status_code == 200, response.text
        self._await_monitoring_copy(device_id, user_id)

    def monitored_device(self, owner_id: str | None = None, **fields) -> dict:
        """A device created through inventory, once monitoring's copy has it (and its owner)."""
        device = self.create_device(**fields)
        if owner_id:
            self.assign_device(device["id"], owner_id)
        else:
            self._await_monitoring_copy(device["id"], None)
        return device

    def _await_monitoring_copy(self, device_id: str, owner_id: str | None) -> None:
        """Monitoring learns of devices from events: wait until its copy shows this owner."""
        with self.db("monitoring") as db:
            wait_for(
                lambda: db.execute(
                    "SELECT 1 FROM devices WHERE id = %s AND owner_id IS NOT DISTINCT FROM %s",
                    [device_id, owner_id],
                ).fetchone(),
                timeout=15,
                message=f"monitoring's copy of device {device_id} owned by {owner_id}",
            )

    def system(self, method: str, path: str, **kwargs) -> requests.Response:
        """A call to the gateway's management API (``/system/<path>``), as faas-cli makes it."""
        kwargs.setdefault("timeout", 30)
        return self.http.request(
            method, f"{self.url}/system/{path}", auth=self.gateway_auth, **kwargs
        )

    def replica_pids(self, function: str) -> list[int]:
        """The process ids of a function's live replicas (they run in its build folder)."""
        folder = str(self.state_dir / "build" / function)
        found = []
        for entry in Path("/proc").iterdir():
            with contextlib.suppress(OSError):
                if entry.name.isdigit() and os.readlink(entry / "cwd") == folder:
                    found.append(int(entry.name))
        return found

    def scale(self, function: str, replicas: int) -> None:
        response = self.system(
            "POST", f"scale-function/{function}", json={"replicas": replicas}, timeout=90
        )
        response.raise_for_status()

    # infrastructure ------------------------------------------------------------
    def amqp(self) -> pika.BlockingConnection:
        return pika.BlockingConnection(pika.URLParameters(self.amqp_url))

    def publish(self, routing_key: str, body, *, exchange: str = "ems") -> None:
        """Publish like a meter or a context does: persistent, confirmed."""
        payload = body if isinstance(body, bytes) else json.dumps(body).encode()
        with self.amqp() as connection:
            channel = connection.channel()
            channel.confirm_delivery()
            channel.exchange_declare(exchange, "topic", durable=True)
            channel.basic_publish(
                exchange,
                routing_key,
                payload,
                pika.BasicProperties(content_type="application/json", delivery_mode=2),
            )

    def db(self, context: str) -> psycopg.Connection:
        """A direct connection to a context's database, for checking what was stored."""
        return self.services.postgres(f"{self.db_prefix}{context}", autocommit=True)


@contextlib.contextmanager
def running(
    extra_env: dict[str, str] | None = None, services: Services = SERVICES
) -> Iterator[TestStack]:
    """A TestStack for the block, stopped and cleaned up after."""
    system = TestStack(extra_env, services).start()
    try:
        yield system
    finally:
        system.stop()


class SourceAddressAdapter(HTTPAdapter):
    """Connects from a chosen local address."""

    def __init__(self, address: str):
        self.address = address
        super().__init__(pool_maxsize=64)

    def init_poolmanager(self, *args, **kwargs):
        kwargs["source_address"] = (self.address, 0)
        super().init_poolmanager(*args, **kwargs)


def in_parallel(count: int, call: Callable[[int], object]) -> list:
    """``call(0) .. call(count - 1)``, all let go at once (one thread each); the results."""
    start = threading.Barrier(count)

    def run(index: int):
        start.wait()
        return call(index)

    with ThreadPoolExecutor(max_workers=count) as pool:
        return list(pool.map(run, range(count)))


def wait_for(predicate, *, timeout: float = 10.0, interval: float = 0.1, message: str = ""):
    """Poll ``predicate`` until it returns something truthy; fail after ``timeout``."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() >= deadline:
            raise AssertionError(message or f"condition not met within {timeout}s")
        time.sleep(interval)
