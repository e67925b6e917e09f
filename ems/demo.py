"""``ems up --demo``: a client with a few meters, and the simulator feeding them.

Everything goes through the public API, as an administrator would do it by hand, so
the demo exercises the same paths as real use. Running it again reuses what exists.
"""

from __future__ import annotations

import time

import requests

DEMO_USERNAME = "demo"
DEMO_PASSWORD = "demo-password"
DEMO_DEVICES = (
    {"name": "Demo kitchen", "address": "1 Demo Street", "max_hourly_kwh": 1.2},
    {"name": "Demo heat pump", "address": "1 Demo Street", "max_hourly_kwh": 2.5},
    {"name": "Demo workshop", "address": "2 Demo Street", "max_hourly_kwh": 4.0},
)


class DemoError(RuntimeError):
    pass


MONITORING_WAIT_SECONDS = 60


def _checked(response: requests.Response, *expected: int) -> requests.Response:
    if response.status_code not in expected:
        raise DemoError(f"{response.request.method} {response.url}: {response.text[:300]}")
    return response


def seed(url: str, admin_username: str, admin_password: str, timezone: str = "UTC") -> int:
    """Make sure the demo client owns the demo devices; return how many devices it owns."""
    http = requests.Session()
    login = http.post(
        f"{url}/function/auth-login",
        json={"username": admin_username, "password": admin_password},
        timeout=30,
    )
    http.headers["Authorization"] = f"Bearer {_checked(login, 200).json()['token']}"

    users = _checked(http.get(f"{url}/function/users", params={"search": DEMO_USERNAME}), 200)
    client = next((u for u in users.json() if u["username"] == DEMO_USERNAME), None)
    if client is None:
        client = _checked(
            http.post(
                f"{url}/function/users",
                json={
                    "username": DEMO_USERNAME,
                    "password": DEMO_PASSWORD,
                    "name": "Demo Client",
                    "email": "demo@example.org",
                    "role": "client",
                    "timezone": timezone,
                },
            ),
            201,
        ).json()

    ids = []
    for fields in DEMO_DEVICES:
        found = _checked(http.get(f"{url}/function/devices", params={"q": fields["name"]}), 200)
        device = next((d for d in found.json() if d["name"] == fields["name"]), None)
        if device is None:
            device = _checked(
                http.post(f"{url}/function/devices", json={**fields, "timezone": timezone}), 201
            ).json()
        if device.get("owner_id") != client["id"]:
            _checked(
                http.post(
                    f"{url}/function/device-assign",
                    json={"device_id": device["id"], "user_id": client["id"]},
                ),
                200,
            )
        ids.append(device["id"])
    _await_monitoring(http, url, set(ids))
    return len(DEMO_DEVICES)


def _await_monitoring(http: requests.Session, url: str, ids: set[str]) -> None:
    """Monitoring learns of devices from events; a reading for one it does not know yet is
    refused (docs/readings.md), so the simulator starts only once it knows them all."""
    deadline = time.monotonic() + MONITORING_WAIT_SECONDS
    while time.monotonic() < deadline:
        summary = _checked(http.get(f"{url}/function/consumption/summary"), 200).json()
        if ids <= {row["device_id"] for row in summary}:
            return
        time.sleep(0.5)
    raise DemoError(f"monitoring did not learn of the demo devices in {MONITORING_WAIT_SECONDS}s")
