"""The set-up itself: a PostgreSQL cluster, a RabbitMQ node and a Redis made from nothing.

``ems services --start`` creates all three on ports of their own, exactly as it does
on a bare machine (less the apt-get step, since the packages are installed by then);
a short ``ems up`` runs on them; a second run only checks; servers and accounts that
are someone else's are used as they are and left as they were; ``--remove`` takes
everything away again.
"""

from __future__ import annotations

import json
import os
import random
import re
import socket
import subprocess
import sys
import uuid

import pytest

from ems import config as ems_config
from ems.paths import ROOT
from ems.services.postgres import clusters
from tests.harness import Services, running, wait_for

pytestmark = pytest.mark.skipif(os.geteuid() != 0, reason="the set-up starts servers as root")

# Settings of the machine's own services that must not leak into the fresh ones.
MACHINE_KEYS = ("DB_", "AMQP_", "REDIS_", "RABBITMQ_", "EMS_")


def free(port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) != 0


def amqp_port() -> int:
    """A free port whose Erlang distribution port (port + 20000, RabbitMQ's rule) is free too."""
    while True:
        port = random.randrange(21000, 45000)
        if free(port) and free(port + 20000):
            return port


def ems_services(settings: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(MACHINE_KEYS)}
    return subprocess.run(
        [sys.executable, "-m", "ems", "services", *args],
        cwd=ROOT,
        env={**env, **settings},
        capture_output=True,
        text=True,
        timeout=300,
    )


@pytest.fixture(scope="module")
def fresh(tmp_path_factory):
    """Settings for three servers that do not exist yet; whatever is made is removed after."""
    ports = {"pg": amqp_port(), "amqp": amqp_port(), "redis": amqp_port()}
    settings = {
        "DB_PORT": str(ports["pg"]),
        "AMQP_URL": f"amqp://ems@127.0.0.1:{ports['amqp']}/%2F",
        "REDIS_URL": f"redis://127.0.0.1:{ports['redis']}/0",
        "EMS_STATE_DIR": str(tmp_path_factory.mktemp("fresh-services")),
    }
    assert all(free(port) for port in ports.values())
    first = ems_services(settings, "--start")
    try:
        yield settings, ports, first
    finally:
        removed = ems_services(settings, "--remove")
        assert removed.returncode == 0, removed.stderr
        assert all(free(port) for port in ports.values()), removed.stdout
        assert not [c for c in clusters() if c.port == ports["pg"]], "its cluster is gone"


def services_for(settings: dict[str, str]) -> Services:
    return Services(ems_config.load(settings))


def test_the_first_run_installs_nothing_twice_and_starts_all_three(fresh):
    settings, ports, first = fresh
    assert first.returncode == 0, first.stdout + first.stderr
    said = first.stdout
    created = rf"PostgreSQL: created cluster \d+/ems-{ports['pg']} on port {ports['pg']}"
    assert re.search(created, said)
    assert f"RabbitMQ: started node ems-{ports['amqp']}@localhost" in said
    assert f"Redis: started on 127.0.0.1:{ports['redis']} (nothing on disk)" in said
    assert f"role ems may sign in on 127.0.0.1:{ports['pg']}" in said
    assert "user ems may sign in to vhost '/'" in said
    assert said.count(": ready (") == 3
    # The passwords of faas-ems's own accounts were made for this state folder, mode 600.
    for name in ("db-password", "rabbitmq-password"):
        secret = os.path.join(settings["EMS_STATE_DIR"], "secrets", name)
        assert os.stat(secret).st_mode & 0o777 == 0o600


@pytest.mark.parametrize("checkout", ["same", "another"])
def test_a_second_run_only_checks(fresh, checkout, tmp_path):
    """Again from the same checkout, or from another one (its own state folder): the
    accounts belong to the machine, so neither resets a password under the other."""
    settings, ports, _ = fresh
    if checkout == "another":
        settings = {**settings, "EMS_STATE_DIR": str(tmp_path)}
    again = ems_services(settings, "--start")
    assert again.returncode == 0, again.stdout + again.stderr
    lines = again.stdout.splitlines()
    assert lines == [
        f"PostgreSQL 127.0.0.1:{ports['pg']}: ready (role ems)",
        f"RabbitMQ 127.0.0.1:{ports['amqp']}: ready (user ems on vhost /)",
        f"Redis 127.0.0.1:{ports['redis']}: ready (no password, loopback only)",
    ]


def test_redis_persists_nothing(fresh):
    settings, _, _ = fresh
    store = services_for(settings).redis()
    assert store.config_get("save") == {"save": ""}
    assert store.config_get("appendonly") == {"appendonly": "no"}
    assert store.config_get("bind") == {"bind": "127.0.0.1 -::1"}


def test_a_short_run_of_the_whole_system_on_the_fresh_services(fresh):
    settings, _, _ = fresh
    with running(services=services_for(settings)) as stack:
        client, token = stack.create_user()
        device = stack.monitored_device(owner_id=client["id"], max_hourly_kwh=5)
        stack.publish(
            "meter.reading",
            {"timestamp": "2026-03-02T10:10:00Z", "device_id": device["id"],
             "measurement_value": 1.25},
        )  # fmt: skip

        def day_total():
            response = stack.call(
                "GET",
                f"/function/consumption?device_id={device['id']}&date=2026-03-02",
                token=token,
            )
            return response.ok and response.json()["total_kwh"] == 1.25

        wait_for(day_total, timeout=30, message="the reading in the day's total")


def test_accounts_of_others_are_used_as_given_and_left_alone(fresh):
    """A user's own role and broker user, given in the settings: checked, never changed."""
    settings, ports, _ = fresh
    ours = services_for(settings)
    theirs = f"owner_{uuid.uuid4().hex[:6]}"
    sql = f"CREATE ROLE {theirs} LOGIN PASSWORD 'their-password'"
    as_postgres = ["runuser", "-u", "postgres", "--", "psql", "-X", "-p", settings["DB_PORT"]]
    subprocess.run([*as_postgres, "-c", sql], check=True, capture_output=True)
    ours.rabbitmqctl("add_user", theirs, "their-password")
    ours.rabbitmqctl("set_permissions", "-p", "/", theirs, ".*", ".*", ".*")

    def snapshot():
        with ours.postgres() as db:
            roles = db.execute("SELECT rolname, rolcreatedb FROM pg_roles ORDER BY 1").fetchall()
        users = json.loads(ours.rabbitmqctl("list_users", "--formatter=json"))
        return roles, users

    before = snapshot()
    given = {
        **settings,
        "DB_USER": theirs,
        "DB_PASSWORD": "their-password",
        "AMQP_URL": f"amqp://{theirs}:their-password@127.0.0.1:{ports['amqp']}/%2F",
    }
    used = ems_services(given, "--start")
    assert used.returncode == 0, used.stdout + used.stderr
    assert f"ready (role {theirs})" in used.stdout
    assert f"ready (user {theirs} on vhost /)" in used.stdout

    wrong = ems_services({**given, "DB_PASSWORD": "not-it"}, "--start")
    assert wrong.returncode == 1
    assert f'password authentication failed for user "{theirs}"' in wrong.stdout
    assert "Set DB_HOST, DB_PORT, DB_USER and DB_PASSWORD" in wrong.stdout
    assert snapshot() == before
    # Their password still works: nothing was reset.
    assert services_for(given).postgres().close() is None
