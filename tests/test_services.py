"""The set-up itself: a PostgreSQL cluster, a RabbitMQ node and a Redis made from nothing.

``ems services --start`` creates all three on ports of their own, exactly as it does
on a bare machine (less the apt-get step, since the packages are installed by then);
the whole system runs on them (the suite's ``system_on_own_machine``); a second run
only checks; servers and accounts that are someone else's are used as they are and
left as they were; ``--remove`` takes everything away again, at the session's end.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import uuid

import pytest

from tests.harness import ems_services, services_for, wait_for

pytestmark = pytest.mark.skipif(os.geteuid() != 0, reason="the set-up starts servers as root")


def test_the_first_run_installs_nothing_twice_and_starts_all_three(own_machine):
    settings, ports, first = own_machine
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
def test_a_second_run_only_checks(own_machine, checkout, tmp_path):
    """Again from the same checkout, or from another one (its own state folder): the
    accounts belong to the machine, so neither resets a password under the other."""
    settings, ports, _ = own_machine
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


def test_redis_persists_nothing(own_machine):
    settings, _, _ = own_machine
    store = services_for(settings).redis()
    assert store.config_get("save") == {"save": ""}
    assert store.config_get("appendonly") == {"appendonly": "no"}
    assert store.config_get("bind") == {"bind": "127.0.0.1 -::1"}


def test_the_whole_system_runs_on_the_fresh_services(system_on_own_machine):
    stack = system_on_own_machine
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


def test_accounts_of_others_are_used_as_given_and_left_alone(own_machine):
    """A user's own role and broker user, given in the settings: checked, never changed."""
    settings, ports, _ = own_machine
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
