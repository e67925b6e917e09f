"""The scenario through nginx's published port with OpenFaaS running the functions:
an administrator sets a client up, readings land in exact totals, alerts and the bot
reach the client's socket, and the functions scale, lose a container and roll without
losing a call. Each test skips, saying why, on an engine without OpenFaaS's images.
"""

from __future__ import annotations

import os
import subprocess
import threading
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import requests
import yaml

from ems.paths import ROOT
from tests.harness import wait_for

from . import swarm
from .realtime import Browser

LIMIT_KWH = 2.0


@dataclass
class Api:
    """Calls through nginx as one signed-in user."""

    token: str

    def call(self, method: str, path: str, **kwargs) -> requests.Response:
        headers = {"Authorization": f"Bearer {self.token}"}
        return requests.request(method, swarm.URL + path, headers=headers, timeout=65, **kwargs)


def sign_in(username: str, password: str) -> Api:
    response = requests.post(
        swarm.URL + "/function/auth-login",
        json={"username": username, "password": password},
        timeout=65,
    )
    assert response.status_code == 200, response.text
    return Api(response.json()["token"])


@pytest.fixture(scope="module")
def admin(openfaas) -> Api:
    password = (swarm.CREDENTIALS / "admin-password").read_text().strip()
    return sign_in(os.environ.get("EMS_ADMIN_USERNAME", "admin"), password)


@pytest.fixture(scope="module")
def client(admin) -> tuple[dict, Api]:
    username = f"client{uuid.uuid4().hex[:8]}"
    body = {
        "username": username,
        "password": "password-123",
        "name": "Swarm Client",
        "email": f"{username}@example.org",
        "role": "client",
        "timezone": "UTC",
    }
    created = admin.call("POST", "/function/users", json=body)
    assert created.status_code == 201, created.text
    return created.json(), sign_in(username, "password-123")


@pytest.fixture(scope="module")
def device(admin, client) -> dict:
    user, api = client
    body = {"name": f"meter-{uuid.uuid4().hex[:6]}", "max_hourly_kwh": LIMIT_KWH}
    created = admin.call("POST", "/function/devices", json=body)
    assert created.status_code == 201, created.text
    device = created.json()
    assigned = admin.call(
        "POST", "/function/device-assign", json={"device_id": device["id"], "user_id": user["id"]}
    )
    assert assigned.status_code == 200, assigned.text
    # Monitoring learns of the device and its owner from events, through the connector.
    wait_for(
        lambda: chart(api, device, datetime.now(UTC).date()).status_code == 200,
        timeout=120,
        interval=1,
        message="monitoring never learnt the device's owner",
    )
    return device


@pytest.fixture
def browser(client):
    _, api = client
    opened = Browser(swarm.URL, api.token)
    yield opened
    opened.close()


def chart(api: Api, device: dict, day) -> requests.Response:
    return api.call("GET", f"/function/consumption?device_id={device['id']}&date={day}")


def readings_of_a_day(device: dict, day, kwh: float, every_minutes: int = 10) -> list[dict]:
    start = datetime(day.year, day.month, day.day, tzinfo=UTC)
    return [
        {
            "timestamp": (start + timedelta(minutes=m)).isoformat(),
            "device_id": device["id"],
            "measurement_value": kwh,
        }
        for m in range(every_minutes, 24 * 60 + 1, every_minutes)
    ]


def day_total(api: Api, device: dict, day) -> float:
    response = chart(api, device, day)
    assert response.status_code == 200, response.text
    return float(response.json()["total_kwh"])


def landed(api: Api, device: dict, day, expected: float) -> None:
    wait_for(
        lambda: day_total(api, device, day) >= expected,
        timeout=300,
        interval=2,
        message=f"{expected} kWh never landed for {day}",
    )
    assert day_total(api, device, day) == pytest.approx(expected, abs=1e-9)


def days_ago(n: int):
    return datetime.now(UTC).date() - timedelta(days=n)


def test_the_client_sees_the_device_assigned_to_them(client, device):
    _, api = client
    listed = api.call("GET", "/function/devices")
    assert listed.status_code == 200, listed.text
    assert [d["id"] for d in listed.json()] == [device["id"]]


def test_readings_land_in_exact_totals_and_the_chart_shows_the_day(client, device):
    _, api = client
    day = days_ago(1)
    readings = readings_of_a_day(device, day, kwh=0.125)
    swarm.publish("meter.reading", *readings, *readings[:24])  # with redelivered duplicates
    landed(api, device, day, 0.125 * len(readings))
    shown = chart(api, device, day).json()
    assert (shown["date"], shown["timezone"]) == (str(day), "UTC")
    assert len(shown["hours"]) == 24
    assert [float(hour["kwh"]) for hour in shown["hours"]] == [0.75] * 24


def test_an_over_limit_reading_reaches_the_clients_socket_as_an_alert(device, browser):
    reading = {
        "timestamp": datetime.now(UTC).isoformat(),
        "device_id": device["id"],
        "measurement_value": LIMIT_KWH + 3,
    }
    swarm.publish("meter.reading", reading)
    alert = browser.next("alert", where=lambda data: data["device_id"] == device["id"])
    assert float(alert["limit_kwh"]) == LIMIT_KWH
    assert alert["device_name"] == device["name"]


def test_the_support_bot_answers_the_client(browser):
    browser.client.call("chat:send", {"text": "Hi!"}, timeout=60)
    answer = browser.next("chat:message", where=lambda data: data["sender"]["role"] == "bot")
    assert answer["text"]


def ingest_calls() -> dict[str, int]:
    """Calls each running ingest container served, from the line index.py logs for each."""
    return {
        container: swarm.logs(container).count("method=POST")
        for container in swarm.running_containers("ingest")
    }


def test_ingest_scaled_to_three_replicas_spreads_the_calls(client, device):
    _, api = client
    subprocess.run(
        [ROOT / "swarm" / "deploy.sh", "scale", "function", "ingest", "3"],
        check=True,
        capture_output=True,
        timeout=300,
    )
    wait_for(
        lambda: swarm.replicas("ingest") == (3, 3),
        timeout=180,
        interval=1,
        message="ingest never ran 3 replicas",
    )
    before = ingest_calls()
    day = days_ago(2)
    readings = readings_of_a_day(device, day, kwh=0.25, every_minutes=15)
    swarm.publish("meter.reading", *readings, pace_seconds=0.05)
    landed(api, device, day, 0.25 * len(readings))
    after = ingest_calls()
    served = {c: after[c] - before.get(c, 0) for c in after}
    assert len(served) == 3 and all(calls > 0 for calls in served.values()), served


def test_killing_an_ingest_container_during_a_drain_loses_nothing(client, device):
    _, api = client
    day = days_ago(3)
    readings = readings_of_a_day(device, day, kwh=0.5, every_minutes=10)
    publisher = threading.Thread(
        target=swarm.publish, args=("meter.reading", *readings), kwargs={"pace_seconds": 0.05}
    )
    publisher.start()
    wait_for(
        lambda: day_total(api, device, day) > 0,
        timeout=120,
        interval=0.2,
        message="the drain never started",
    )
    swarm.docker("kill", swarm.running_containers("ingest")[0])
    publisher.join()
    landed(api, device, day, 0.5 * len(readings))


def rolled_stack(function: str, image: str) -> Path:
    """stack.yml with one function's image changed; its relative paths stay valid from
    the repository root, where faas-cli runs."""
    stack = yaml.safe_load((ROOT / "stack.yml").read_text())
    stack["functions"] = {function: {**stack["functions"][function], "image": image}}
    path = swarm.STATE / "rolled-stack.yml"
    path.write_text(yaml.safe_dump(stack))
    return path


def test_a_rolling_update_of_a_function_drops_no_call(client, device):
    _, api = client
    image = f"faas-ems/devices:rolled-{uuid.uuid4().hex[:6]}"
    swarm.docker("tag", "faas-ems/devices:latest", image)
    statuses: list[int] = []
    rolling = threading.Event()

    def keep_calling():
        while rolling.is_set():
            statuses.append(api.call("GET", "/function/devices").status_code)

    rolling.set()
    caller = threading.Thread(target=keep_calling)
    caller.start()
    try:
        faas_cli = os.environ.get("FAAS_CLI", "faas-cli")
        subprocess.run(
            [
                faas_cli,
                "deploy",
                "-f",
                rolled_stack("devices", image),
                "--gateway",
                swarm.URL,
                "--tls-no-verify",
            ],
            cwd=ROOT,
            check=True,
            capture_output=True,
            timeout=300,
        )
        wait_for(
            lambda: rolled_out("devices", image),
            timeout=300,
            interval=1,
            message="devices never rolled to the new image",
        )
    finally:
        rolling.clear()
        caller.join()
    assert statuses and set(statuses) == {200}, {s: statuses.count(s) for s in set(statuses)}


def rolled_out(service_name: str, image: str) -> bool:
    images = {
        swarm.docker("inspect", "--format", "{{.Config.Image}}", container).strip()
        for container in swarm.running_containers(service_name)
    }
    return images == {image} and swarm.replicas(service_name)[0] >= 1
