"""The platform part of the stack on a real engine: what OpenFaaS is not needed for.

Each test here failed on the engine before its fix: hubs that never consumed because
``rabbitmq`` did not resolve yet, nginx answering 502 after a hub task was replaced,
the migrate re-run rolled back, redis as root.
"""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime

import jwt
import pytest

from tests.harness import wait_for

from . import swarm
from .realtime import Browser

# Containers whose main process must start as root, and why.
ROOT_BECAUSE = {
    "faas-swarm": "drives the engine through /var/run/docker.sock",
    "nginx": "the master process; its workers run as an unprivileged user",
}


def hub_health(container: str) -> dict:
    probe = (
        "import urllib.request; "
        "print(urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=5).read().decode())"
    )
    return json.loads(swarm.docker("exec", container, "python", "-c", probe))


def client_token(user_id: str) -> str:
    """A token as auth-login issues it, signed with the jwt-secret this run supplied."""
    now = int(datetime.now(UTC).timestamp())
    claims = {
        "iss": "faas-ems",
        "sub": user_id,
        "role": "client",
        "username": "e2e",
        "name": "E2E client",
        "tz": "UTC",
        "iat": now,
        "exp": now + 3600,
    }
    return jwt.encode(claims, swarm.secret("jwt-secret"), algorithm="HS256")


def alert_for(owner_id: str) -> dict:
    now = datetime.now(UTC).isoformat()
    data = {
        "id": str(uuid.uuid4()),
        "device_id": str(uuid.uuid4()),
        "hour_start": "2026-01-05T10:00:00+00:00",
        "total_kwh": 3.5,
        "limit_kwh": 2.0,
        "raised_at": now,
        "acknowledged_at": None,
        "device_name": "E2E meter",
        "owner_id": owner_id,
    }
    return {"id": str(uuid.uuid4()), "type": "alert.raised", "occurred_at": now, "data": data}


def test_every_hub_replica_consumes_events(platform):
    """The hubs start before RabbitMQ's name resolves; each must get through to it."""
    containers = swarm.running_containers(swarm.service("socket-hub"))
    assert len(containers) == 3
    for container in containers:
        wait_for(
            lambda c=container: hub_health(c)["events_consumer"] == "connected",
            timeout=120,
            interval=2,
            message=f"hub {container} never consumed",
        )


def test_no_container_runs_as_root_unless_it_must(platform):
    stack = swarm.docker("stack", "services", swarm.STACK, "--format", "{{.Name}}").split()
    functions = swarm.docker(
        "service", "ls", "--filter", "label=com.openfaas.function", "--format", "{{.Name}}"
    ).split()
    for name in stack + functions:
        if name.removeprefix(f"{swarm.STACK}_") in ROOT_BECAUSE:
            continue
        for container in swarm.running_containers(name):
            uids = swarm.process_uids(container)
            assert 0 not in uids, f"{name} runs {uids[0]} as root"


def test_migrate_runs_once_more_when_re_run_as_documented(platform):
    migrate = swarm.service("migrate")
    before = swarm.completed_runs(migrate)
    swarm.docker("service", "update", "--force", migrate, timeout=600)
    wait_for(
        lambda: swarm.completed_runs(migrate) == before + 1,
        timeout=300,
        interval=2,
        message="the forced update did not run migrate to completion",
    )
    status = swarm.docker("service", "inspect", migrate, "--format", "{{json .UpdateStatus}}")
    assert "rollback" not in status, status
    assert swarm.completed_runs(migrate) == before + 1, "migrate ran more than once"
    assert "0 migration(s) applied" in swarm.docker("service", "logs", "--tail", "20", migrate)


@pytest.fixture
def browser(platform):
    user_id = str(uuid.uuid4())
    opened = Browser(platform, client_token(user_id))
    opened.user_id = user_id
    yield opened
    opened.close()


def test_an_alert_reaches_the_client_through_nginx(browser):
    event = alert_for(browser.user_id)
    swarm.publish("alert.raised", event)
    browser.next("alert", where=lambda data: data["id"] == event["data"]["id"])


def test_killing_the_hub_task_of_a_client_it_reconnects_to_another(browser):
    hubs = swarm.running_containers(swarm.service("socket-hub"))
    serving = [c for c in hubs if clients_on(c) > 0]
    assert len(serving) == 1, serving
    swarm.docker("kill", serving[0])
    wait_for(
        lambda: browser.connects >= 2,
        timeout=120,
        interval=0.5,
        message="the client never reconnected through nginx",
    )
    # Another replica has it now: one that was running, or the task Swarm started anew.
    others = [c for c in swarm.running_containers(swarm.service("socket-hub")) if c != serving[0]]
    assert sum(clients_on(c) for c in others) == 1
    event = alert_for(browser.user_id)
    swarm.publish("alert.raised", event)
    browser.next("alert", where=lambda data: data["id"] == event["data"]["id"])


def clients_on(container: str) -> int:
    """Clients connected to that hub replica; 0 while it is still starting."""
    try:
        return hub_health(container)["connected_clients"]
    except AssertionError:
        return 0
