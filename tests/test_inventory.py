"""Inventory over HTTP: devices per role, assignment, and a deleted user's devices."""

from __future__ import annotations

import uuid

import pytest

from tests.harness import wait_for
from tests.identity_helpers import EventTap, error_code, expired_token, forged_token, settled

DEVICE_KEYS = {
    "id",
    "name",
    "description",
    "address",
    "max_hourly_kwh",
    "timezone",
    "meter_id",
    "tariff_id",
    "owner_id",
    "created_at",
    "updated_at",
}


def device_count(stack) -> int:
    with stack.db("inventory") as conn:
        return conn.execute("SELECT count(*) FROM devices").fetchone()[0]


def fetch(stack, device_id: str) -> dict:
    response = stack.call("GET", f"/function/devices/{device_id}", token=stack.admin_token)
    assert response.status_code == 200, response.text
    return response.json()


def assign(stack, device_id, user_id, token=None):
    return stack.call(
        "POST",
        "/function/device-assign",
        token=token or stack.admin_token,
        json={"device_id": device_id, "user_id": user_id},
    )


@pytest.fixture
def client(stack):
    """A client and their token."""
    return stack.create_user()


# creating ----------------------------------------------------------------------------
def test_admin_creates_a_device_with_defaults(stack):
    response = stack.call(
        "POST",
        "/function/devices",
        token=stack.admin_token,
        json={"name": "Kitchen meter", "max_hourly_kwh": 3},
    )
    assert response.status_code == 201, response.text
    device = response.json()
    assert set(device) == DEVICE_KEYS
    assert uuid.UUID(device["id"])
    assert device["description"] == device["address"] == ""
    assert (device["max_hourly_kwh"], device["timezone"], device["owner_id"]) == (3.0, "UTC", None)
    assert fetch(stack, device["id"]) == device


def test_admin_creates_a_device_with_every_field(stack):
    fields = {
        "name": "Office",
        "description": "Three-phase meter",
        "address": "Str. Memorandumului 28, Cluj-Napoca",
        "max_hourly_kwh": 12.5,
        "timezone": "Europe/Bucharest",
    }
    device = stack.create_device(**fields)
    assert {key: device[key] for key in fields} == fields


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"name": ""}, "name"),
        ({"name": "   "}, "name"),
        ({"name": "n" * 101}, "name"),
        ({"name": 7}, "name"),
        ({"description": "d" * 501}, "description"),
        ({"address": "a" * 201}, "address"),
        ({"max_hourly_kwh": 0}, "max_hourly_kwh"),
        ({"max_hourly_kwh": -1.5}, "max_hourly_kwh"),
        ({"max_hourly_kwh": 100000.01}, "max_hourly_kwh"),
        ({"max_hourly_kwh": "2"}, "max_hourly_kwh"),
        ({"max_hourly_kwh": True}, "max_hourly_kwh"),
        ({"max_hourly_kwh": None}, "max_hourly_kwh"),
        ({"timezone": "Europe/Atlantis"}, "timezone"),
        ({"owner_id": str(uuid.uuid4())}, "owner_id"),
        ({"id": str(uuid.uuid4())}, "id"),
    ],
)
def test_device_creation_refuses_bad_fields(stack, change, field):
    before = device_count(stack)
    body = {"name": "Meter", "max_hourly_kwh": 2, **change}
    response = stack.call("POST", "/function/devices", token=stack.admin_token, json=body)
    assert response.status_code == 422, response.text
    assert error_code(response) == "validation_failed"
    assert field in response.json()["error"]["fields"]
    assert device_count(stack) == before


def test_device_creation_refuses_missing_fields_and_bad_json(stack):
    before = device_count(stack)
    missing = stack.call("POST", "/function/devices", token=stack.admin_token, json={})
    assert missing.status_code == 422
    assert set(missing.json()["error"]["fields"]) == {"name", "max_hourly_kwh"}
    for raw in (b"{", b"", b"nul"):
        broken = stack.call("POST", "/function/devices", token=stack.admin_token, data=raw)
        assert (broken.status_code, error_code(broken)) == (400, "bad_json")
    listed = stack.call("POST", "/function/devices", token=stack.admin_token, json=[1])
    assert listed.status_code == 422
    assert device_count(stack) == before


def test_only_signed_in_administrators_create_devices(stack, client):
    user, token = client
    before = device_count(stack)
    body = {"name": "Sneaky", "max_hourly_kwh": 1}
    cases = [
        (token, 403, "forbidden"),
        (None, 401, "unauthorized"),
        (expired_token(stack, user), 401, "token_expired"),
        (forged_token(stack, user), 401, "invalid_token"),
    ]
    for bearer, status, code in cases:
        response = stack.call("POST", "/function/devices", token=bearer, json=body)
        assert (response.status_code, error_code(response)) == (status, code)
    assert device_count(stack) == before


# reading -----------------------------------------------------------------------------
def test_admin_lists_every_device_by_name_and_clients_only_theirs(stack, client):
    user, token = client
    other, other_token = stack.create_user()
    mine = [stack.create_device(name=f"zz-{n}-{uuid.uuid4().hex[:4]}") for n in "ba"]
    theirs = stack.create_device(name="zz-c")
    for device in mine:
        assert assign(stack, device["id"], user["id"]).status_code == 200
    assert assign(stack, theirs["id"], other["id"]).status_code == 200

    everything = stack.call(
        "GET", "/function/devices", token=stack.admin_token, params={"q": "zz-", "limit": 500}
    ).json()
    assert {d["id"] for d in [*mine, theirs]} <= {d["id"] for d in everything}
    assert [d["name"] for d in everything] == sorted(d["name"] for d in everything)
    own = stack.call("GET", "/function/devices", token=token).json()
    assert [d["name"] for d in own] == sorted(d["name"] for d in mine)
    assert all(set(d) == DEVICE_KEYS and d["owner_id"] == user["id"] for d in own)
    assert [d["id"] for d in stack.call("GET", "/function/devices", token=other_token).json()] == [
        theirs["id"]
    ]


def test_a_client_without_devices_gets_an_empty_list(stack, client):
    assert stack.call("GET", "/function/devices", token=client[1]).json() == []


def test_listing_needs_a_valid_token(stack, client):
    user, _ = client
    for bearer, code in (
        (None, "unauthorized"),
        (expired_token(stack, user), "token_expired"),
        (forged_token(stack, user), "invalid_token"),
    ):
        response = stack.call("GET", "/function/devices", token=bearer)
        assert (response.status_code, error_code(response)) == (401, code)


def test_a_device_is_read_by_admin_and_owner_only(stack, client):
    user, token = client
    _, stranger_token = stack.create_user()
    device = stack.create_device()
    path = f"/function/devices/{device['id']}"
    unassigned = stack.call("GET", path, token=token)
    assert (unassigned.status_code, error_code(unassigned)) == (404, "not_found")
    assign(stack, device["id"], user["id"])
    owned = stack.call("GET", path, token=token)
    assert owned.status_code == 200
    assert owned.json()["owner_id"] == user["id"]
    stranger = stack.call("GET", path, token=stranger_token)
    assert (stranger.status_code, error_code(stranger)) == (404, "not_found")
    assert stack.call("GET", path).status_code == 401
    assert stack.call("GET", path, token=expired_token(stack, user)).status_code == 401


@pytest.mark.parametrize("device_id", [str(uuid.uuid4()), "not-a-uuid", "0"])
def test_unknown_device_ids_are_not_found(stack, device_id):
    path = f"/function/devices/{device_id}"
    before = device_count(stack)
    for method, body in (("GET", None), ("PUT", {"name": "Ghost"}), ("DELETE", None)):
        response = stack.call(method, path, token=stack.admin_token, json=body)
        assert (method, response.status_code, error_code(response)) == (method, 404, "not_found")
    assert device_count(stack) == before


# editing and deleting ------------------------------------------------------------------
def test_admin_edits_some_fields_and_the_rest_stays(stack):
    device = stack.create_device(description="old", address="Str. Veche 1")
    response = stack.call(
        "PUT",
        f"/function/devices/{device['id']}",
        token=stack.admin_token,
        json={"max_hourly_kwh": 4.25, "timezone": "America/New_York", "description": ""},
    )
    assert response.status_code == 200, response.text
    edited = response.json()
    assert (edited["max_hourly_kwh"], edited["timezone"], edited["description"]) == (
        4.25,
        "America/New_York",
        "",
    )
    assert (edited["name"], edited["address"]) == (device["name"], "Str. Veche 1")
    assert edited["updated_at"] > device["updated_at"]
    assert fetch(stack, device["id"]) == edited


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"name": ""},
        {"max_hourly_kwh": 0},
        {"max_hourly_kwh": "lots"},
        {"owner_id": None},
        {"timezone": "Local"},
        {"address": "a" * 201},
    ],
)
def test_edits_refuse_bad_input_and_change_nothing(stack, body):
    device = stack.create_device()
    response = stack.call(
        "PUT", f"/function/devices/{device['id']}", token=stack.admin_token, json=body
    )
    assert response.status_code == 422, response.text
    assert error_code(response) == "validation_failed"
    assert fetch(stack, device["id"]) == device


def test_edit_with_malformed_json_changes_nothing(stack):
    device = stack.create_device()
    response = stack.call(
        "PUT", f"/function/devices/{device['id']}", token=stack.admin_token, data=b"{'name': 1}"
    )
    assert (response.status_code, error_code(response)) == (400, "bad_json")
    assert fetch(stack, device["id"]) == device


def test_clients_cannot_edit_or_delete_even_their_own_devices(stack, client):
    user, token = client
    device = stack.create_device()
    assign(stack, device["id"], user["id"])
    device = fetch(stack, device["id"])
    path = f"/function/devices/{device['id']}"
    edit = stack.call("PUT", path, token=token, json={"max_hourly_kwh": 999})
    delete = stack.call("DELETE", path, token=token)
    forged = stack.call("DELETE", path, token=forged_token(stack, user))
    anonymous = stack.call("DELETE", path)
    assert [r.status_code for r in (edit, delete, forged, anonymous)] == [403, 403, 401, 401]
    assert fetch(stack, device["id"]) == device


def test_admin_deletes_a_device(stack, client):
    user, token = client
    device = stack.create_device()
    assign(stack, device["id"], user["id"])
    path = f"/function/devices/{device['id']}"
    response = stack.call("DELETE", path, token=stack.admin_token)
    assert response.status_code == 204
    assert stack.call("GET", path, token=stack.admin_token).status_code == 404
    assert stack.call("GET", "/function/devices", token=token).json() == []
    assert stack.call("DELETE", path, token=stack.admin_token).status_code == 404


# assignment ----------------------------------------------------------------------------
def test_admin_assigns_reassigns_and_unassigns(stack, client):
    user, token = client
    other, other_token = stack.create_user()
    device = stack.create_device()
    first = assign(stack, device["id"], user["id"])
    assert first.status_code == 200, first.text
    assert first.json()["owner_id"] == user["id"]
    assert set(first.json()) == DEVICE_KEYS
    assert [d["id"] for d in stack.call("GET", "/function/devices", token=token).json()] == [
        device["id"]
    ]
    moved = assign(stack, device["id"], other["id"].upper())
    assert moved.json()["owner_id"] == other["id"]
    assert stack.call("GET", "/function/devices", token=token).json() == []
    assert len(stack.call("GET", "/function/devices", token=other_token).json()) == 1
    released = assign(stack, device["id"], None)
    assert released.status_code == 200
    assert released.json()["owner_id"] is None
    assert stack.call("GET", "/function/devices", token=other_token).json() == []


def test_assigning_to_an_unknown_user_or_device_is_not_found(stack, client):
    user, _ = client
    device = stack.create_device()
    ghost_user = assign(stack, device["id"], str(uuid.uuid4()))
    assert (ghost_user.status_code, error_code(ghost_user)) == (404, "not_found")
    assert "user" in ghost_user.json()["error"]["message"]
    ghost_device = assign(stack, str(uuid.uuid4()), user["id"])
    assert (ghost_device.status_code, error_code(ghost_device)) == (404, "not_found")
    assert "device" in ghost_device.json()["error"]["message"]
    assert fetch(stack, device["id"]) == device


@pytest.mark.parametrize(
    "body",
    [
        {"device_id": "not-a-uuid", "user_id": None},
        {"device_id": "DEVICE", "user_id": "USER"},
        {"user_id": None},
        {"device_id": "{device}"},
        {"device_id": "{device}", "user_id": 5},
        {"device_id": "{device}", "user_id": None, "force": True},
        {"device_id": None, "user_id": None},
        ["{device}", None],
    ],
)
def test_assignment_refuses_bad_input(stack, client, body):
    device = stack.create_device()
    if isinstance(body, dict):
        body = {k: device["id"] if v == "{device}" else v for k, v in body.items()}
    response = stack.call("POST", "/function/device-assign", token=stack.admin_token, json=body)
    assert response.status_code == 422, response.text
    assert error_code(response) == "validation_failed"
    assert fetch(stack, device["id"]) == device


def test_only_administrators_assign(stack, client):
    user, token = client
    device = stack.create_device()
    for bearer, status in (
        (token, 403),
        (expired_token(stack, user), 401),
        (forged_token(stack, user), 401),
    ):
        assert assign(stack, device["id"], user["id"], token=bearer).status_code == status
    anonymous = stack.call(
        "POST", "/function/device-assign", json={"device_id": device["id"], "user_id": user["id"]}
    )
    assert anonymous.status_code == 401
    broken = stack.call("POST", "/function/device-assign", token=stack.admin_token, data=b"[")
    assert (broken.status_code, error_code(broken)) == (400, "bad_json")
    assert fetch(stack, device["id"])["owner_id"] is None


# a deleted user, and events -------------------------------------------------------------
def test_a_deleted_users_devices_are_unassigned(stack, client):
    user, _ = client
    devices = [stack.create_device() for _ in range(2)]
    kept = stack.create_device()
    other, _ = stack.create_user()
    for device in devices:
        assign(stack, device["id"], user["id"])
    assign(stack, kept["id"], other["id"])
    with EventTap(stack, "device.unassigned") as tap:
        deleted = stack.call("DELETE", f"/function/users/{user['id']}", token=stack.admin_token)
        assert deleted.status_code == 204
        events = tap.wait_for(2, lambda event: event["data"]["id"] in {d["id"] for d in devices})
    assert all(event["data"]["owner_id"] is None for event in events)
    assert all(fetch(stack, device["id"])["owner_id"] is None for device in devices)
    assert fetch(stack, kept["id"])["owner_id"] == other["id"]
    late = assign(stack, kept["id"], user["id"])
    assert late.status_code == 404


def test_a_repeated_user_deleted_event_changes_nothing_more(stack, client):
    """At-least-once delivery: the same user.deleted twice unassigns once."""
    user, _ = client
    device = stack.create_device()
    assign(stack, device["id"], user["id"])
    event = {
        "id": str(uuid.uuid4()),
        "type": "user.deleted",
        "occurred_at": "2026-01-01T00:00:00+00:00",
        "data": {"id": user["id"], "version": 99},
    }
    with EventTap(stack, "device.unassigned") as tap:
        stack.publish("user.deleted", event)
        wait_for(lambda: fetch(stack, device["id"])["owner_id"] is None, timeout=10)
        stack.publish("user.deleted", event)
        answer = stack.call(
            "POST", "/function/inventory-sync", json=event, headers=stack.internal_headers
        )
        assert answer.json() == {"users": 1, "devices_unassigned": 0}
        wait_for(lambda: settled(stack, "inventory-sync"), timeout=10)
        tap.wait_for(1, lambda seen: seen["data"]["id"] == device["id"])
    assert [seen["data"]["id"] for seen in tap.seen].count(device["id"]) == 1


def test_inventory_sync_is_internal_and_checks_its_events(stack, client):
    user, token = client
    device = stack.create_device()
    assign(stack, device["id"], user["id"])
    event = {"id": "e1", "type": "user.deleted", "data": {"id": user["id"], "version": 2}}
    for headers in ({}, {"X-Internal-Token": "guess"}):
        refused = stack.call("POST", "/function/inventory-sync", json=event, headers=headers)
        assert (refused.status_code, error_code(refused)) == (403, "forbidden")
    with_user_token = stack.call("POST", "/function/inventory-sync", json=event, token=token)
    assert with_user_token.status_code == 403
    bad_batches = [
        [event, {"id": "e2", "type": "user.deleted", "data": {"id": "nobody"}}],
        {"id": "e3", "type": "user.updated", "data": {"id": user["id"]}},
        {"id": "e4", "type": "user.deleted"},
        [],
    ]
    for body in bad_batches:
        refused = stack.call(
            "POST", "/function/inventory-sync", json=body, headers=stack.internal_headers
        )
        assert (refused.status_code, error_code(refused)) == (422, "validation_failed")
    assert fetch(stack, device["id"])["owner_id"] == user["id"]


def test_device_changes_are_announced_with_growing_versions(stack, client):
    user, _ = client
    with EventTap(stack, "device.*") as tap:
        device = stack.create_device()
        stack.call(
            "PUT",
            f"/function/devices/{device['id']}",
            token=stack.admin_token,
            json={"max_hourly_kwh": 7},
        )
        assign(stack, device["id"], user["id"])
        assign(stack, device["id"], user["id"])
        assign(stack, device["id"], None)
        stack.call("DELETE", f"/function/devices/{device['id']}", token=stack.admin_token)
        events = tap.wait_for(5, lambda event: event["data"]["id"] == device["id"])
    assert [(event["type"], event["data"]["version"]) for event in events] == [
        ("device.created", 1),
        ("device.updated", 2),
        ("device.assigned", 3),
        ("device.unassigned", 4),
        ("device.deleted", 5),
    ]
    assert {k: v for k, v in events[0]["data"].items() if k != "version"} == device
    assert events[1]["data"]["max_hourly_kwh"] == 7
    assert events[2]["data"]["owner_id"] == user["id"]
    assert events[4]["data"] == {"id": device["id"], "version": 5}
