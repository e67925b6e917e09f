"""Monitoring's copy of each device follows inventory and identity through RabbitMQ.

Changes made over HTTP travel as events through the exchange, the connector and
``monitoring-sync``; events published straight to the exchange check that
duplicated and reordered deliveries are applied once and that an older version
never overwrites a newer one.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest

from tests.harness import wait_for
from tests.identity_helpers import settled

# How soon a change must show in monitoring's copy (the promise).
FOLLOW_SECONDS = 2.0


def monitoring_copy(stack, device_id: str) -> dict | None:
    with stack.db("monitoring") as conn:
        row = conn.execute(
            "SELECT name, owner_id::text, max_hourly_kwh::float, timezone, version,"
            " deleted_at IS NOT NULL FROM devices WHERE id = %s",
            [device_id],
        ).fetchone()
    if row is None:
        return None
    keys = ("name", "owner_id", "max_hourly_kwh", "timezone", "version", "deleted")
    return dict(zip(keys, row, strict=True))


def follows(stack, device_id: str, **expected) -> dict:
    """Wait until monitoring's copy has ``expected``; return the copy."""

    def matches():
        copy = monitoring_copy(stack, device_id)
        return copy if copy and all(copy[k] == v for k, v in expected.items()) else None

    return wait_for(
        matches,
        timeout=FOLLOW_SECONDS,
        interval=0.05,
        message=f"monitoring's copy never became {expected}: {monitoring_copy(stack, device_id)}",
    )


def test_the_copy_follows_every_change_made_over_http(stack):
    user, _ = stack.create_user()
    device = stack.create_device(name="Boiler", max_hourly_kwh=2.5, timezone="Europe/Bucharest")
    follows(
        stack,
        device["id"],
        name="Boiler",
        owner_id=None,
        max_hourly_kwh=2.5,
        timezone="Europe/Bucharest",
        version=1,
        deleted=False,
    )

    assigned = stack.call(
        "POST",
        "/function/device-assign",
        token=stack.admin_token,
        json={"device_id": device["id"], "user_id": user["id"]},
    )
    assert assigned.status_code == 200
    follows(stack, device["id"], owner_id=user["id"], version=2)

    edited = stack.call(
        "PUT",
        f"/function/devices/{device['id']}",
        token=stack.admin_token,
        json={"max_hourly_kwh": 4, "name": "Boiler room"},
    )
    assert edited.status_code == 200
    follows(stack, device["id"], max_hourly_kwh=4.0, name="Boiler room", version=3)

    deleted_user = stack.call("DELETE", f"/function/users/{user['id']}", token=stack.admin_token)
    assert deleted_user.status_code == 204
    follows(stack, device["id"], owner_id=None)

    deleted = stack.call("DELETE", f"/function/devices/{device['id']}", token=stack.admin_token)
    assert deleted.status_code == 204
    follows(stack, device["id"], deleted=True, version=5)


def device_event(event_type: str, device_id: str, version: int, **data) -> dict:
    return {
        "id": str(uuid.uuid4()),
        "type": event_type,
        "occurred_at": datetime.now(UTC).isoformat(),
        "data": {
            "id": device_id,
            "name": f"v{version}",
            "description": "",
            "address": "",
            "max_hourly_kwh": float(version),
            "timezone": "UTC",
            "owner_id": None,
            "version": version,
            **data,
        },
    }


def publish_all(stack, events) -> None:
    for event in events:
        stack.publish(event["type"], event)
    wait_for(lambda: settled(stack, "monitoring-sync"), timeout=30, interval=0.2)


def test_duplicated_events_are_applied_once(stack):
    device_id = str(uuid.uuid4())
    created = device_event("device.created", device_id, 1)
    updated = device_event("device.updated", device_id, 2)
    publish_all(stack, [created, created, updated, updated, created])
    assert monitoring_copy(stack, device_id) == {
        "name": "v2",
        "owner_id": None,
        "max_hourly_kwh": 2.0,
        "timezone": "UTC",
        "version": 2,
        "deleted": False,
    }


def test_an_older_event_never_overwrites_a_newer_state(stack):
    device_id = str(uuid.uuid4())
    owner = str(uuid.uuid4())
    newest = device_event("device.assigned", device_id, 3, owner_id=owner)
    older = [
        device_event("device.updated", device_id, 2),
        device_event("device.created", device_id, 1),
    ]
    publish_all(stack, [newest, *older])
    copy = monitoring_copy(stack, device_id)
    assert (copy["version"], copy["owner_id"], copy["name"]) == (3, owner, "v3")


def test_a_deletion_is_final_whatever_arrives_late(stack):
    device_id = str(uuid.uuid4())
    deleted = {
        "id": str(uuid.uuid4()),
        "type": "device.deleted",
        "occurred_at": datetime.now(UTC).isoformat(),
        "data": {"id": device_id, "version": 4},
    }
    late = [
        device_event("device.updated", device_id, 3),
        device_event("device.created", device_id, 1),
    ]
    publish_all(stack, [device_event("device.created", device_id, 1), deleted, *late, deleted])
    copy = monitoring_copy(stack, device_id)
    assert (copy["deleted"], copy["version"]) == (True, 4)


@pytest.mark.parametrize("zone", ["Mars/Olympus", "Europe/" + "x" * 300, 42])
def test_a_device_event_with_a_bad_zone_is_refused_with_its_reason(stack, zone):
    event = device_event("device.created", str(uuid.uuid4()), 1, timezone=zone)
    response = stack.call(
        "POST", "/function/monitoring-sync", json=event, headers=stack.internal_headers
    )
    assert response.status_code == 422, response.text
    assert "timezone" in response.json()["error"]["message"]
