"""Lists that scale: every list call pages (``limit``/``offset``, ``X-Total-Count``),
searches (``q``) and sorts (``sort``, ``-`` for descending) the same way.

The session's stack is shared with other tests, so each test names its rows with a
marker of its own and searches for it.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest

from tests.harness import wait_for
from tests.identity_helpers import error_code


def listed(stack, path: str, token: str, **params) -> tuple[list[dict], int]:
    response = stack.call("GET", path, token=token, params=params)
    assert response.status_code == 200, response.text
    return response.json(), int(response.headers["X-Total-Count"])


def marker() -> str:
    return uuid.uuid4().hex[:8]


# users -------------------------------------------------------------------------------
def test_users_page_search_sort_and_filter_by_role(stack):
    mark = marker()
    made = [
        stack.create_user(username=f"{mark}-{n}", name=f"{name} {mark}", role=role)[0]
        for n, name, role in [(1, "Cleo", "client"), (2, "Abel", "admin"), (3, "Bea", "client")]
    ]
    first, total = listed(stack, "/function/users", stack.admin_token, q=mark, limit=2)
    assert total == 3
    assert [u["username"] for u in first] == [f"{mark}-1", f"{mark}-2"]
    rest, total = listed(stack, "/function/users", stack.admin_token, q=mark, limit=2, offset=2)
    assert (total, [u["id"] for u in rest]) == (3, [made[2]["id"]])

    by_name, _ = listed(stack, "/function/users", stack.admin_token, q=mark, sort="-name")
    assert [u["name"].split()[0] for u in by_name] == ["Cleo", "Bea", "Abel"]
    by_role, _ = listed(stack, "/function/users", stack.admin_token, q=mark, sort="role")
    assert by_role[0]["role"] == "admin"
    clients, total = listed(stack, "/function/users", stack.admin_token, q=mark, role="client")
    assert total == 2 and {u["role"] for u in clients} == {"client"}
    by_email, total = listed(stack, "/function/users", stack.admin_token, q=f"{mark}-3@")
    assert (total, [u["id"] for u in by_email]) == (1, [made[2]["id"]])

    past_the_end, total = listed(stack, "/function/users", stack.admin_token, q=mark, offset=10)
    assert (past_the_end, total) == ([], 3)


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"limit": "0"}, "limit"),
        ({"limit": "501"}, "limit"),
        ({"limit": "ten"}, "limit"),
        ({"offset": "-1"}, "offset"),
        ({"sort": "password_hash"}, "sort"),
        ({"q": "x" * 101}, "q"),
        # each value of a repeated parameter counts, not only the first
        ([("limit", ""), ("limit", "ten")], "limit"),
        ([("sort", "name"), ("sort", "nonsense")], "sort"),
    ],
)
@pytest.mark.parametrize(
    "path",
    [
        "/function/users",
        "/function/devices",
        "/function/conversations",
        "/function/consumption/summary",
    ],
)
def test_bad_paging_parameters_are_refused_naming_them(stack, path, params, field):
    response = stack.call("GET", path, token=stack.admin_token, params=params)
    assert response.status_code == 422, response.text
    assert error_code(response) == "validation_failed"
    assert set(response.json()["error"]["fields"]) == {field}


def test_a_bad_role_or_owner_filter_is_refused(stack):
    role = stack.call("GET", "/function/users", token=stack.admin_token, params={"role": "root"})
    assert (role.status_code, set(role.json()["error"]["fields"])) == (422, {"role"})
    owner = stack.call(
        "GET", "/function/devices", token=stack.admin_token, params={"owner_id": "nobody"}
    )
    assert (owner.status_code, set(owner.json()["error"]["fields"])) == (422, {"owner_id"})


# devices -----------------------------------------------------------------------------
@pytest.fixture(scope="module")
def fleet(stack):
    """A client with three meters, each used differently today, and a stranger's meter."""
    mark = marker()
    owner, token = stack.create_user()
    stranger, _ = stack.create_user()
    made = {}
    for name, meter, kwh in [("Barn", "B-2", 0.5), ("Attic", "C-3", 2.25), ("Cellar", "A-1", 1.0)]:
        device = stack.monitored_device(
            owner["id"],
            name=f"{name} {mark}",
            meter_id=f"{mark}-{meter}",
            address=f"{name} Street {mark}",
            max_hourly_kwh=1000,
        )
        made[name] = device
        now = datetime.now(UTC).replace(microsecond=0) - timedelta(minutes=1)
        stack.publish(
            "meter.reading",
            {"timestamp": now.isoformat(), "device_id": device["id"], "measurement_value": kwh},
        )
    made["stranger's"] = stack.monitored_device(
        stranger["id"], name=f"Shed {mark}", meter_id=f"{mark}-S-9", max_hourly_kwh=1000
    )
    wait_for(
        lambda: all(
            row["online"]
            for row in listed(stack, "/function/consumption/summary", token, q=mark)[0]
        ),
        timeout=30,
        message="the three meters reporting",
    )
    return {"mark": mark, "owner": owner, "token": token, "devices": made}


def test_devices_page_search_and_sort_in_inventory(stack, fleet):
    mark, devices = fleet["mark"], fleet["devices"]
    everyone, total = listed(stack, "/function/devices", stack.admin_token, q=mark, limit=2)
    assert total == 4
    assert [d["name"] for d in everyone] == [f"Attic {mark}", f"Barn {mark}"]
    by_meter, _ = listed(stack, "/function/devices", stack.admin_token, q=mark, sort="-meter_id")
    assert [d["meter_id"] for d in by_meter] == [
        f"{mark}-{m}" for m in ("S-9", "C-3", "B-2", "A-1")
    ]
    by_address, total = listed(
        stack, "/function/devices", stack.admin_token, q=f"cellar street {mark}"
    )
    assert (total, [d["id"] for d in by_address]) == (1, [devices["Cellar"]["id"]])
    of_owner, total = listed(
        stack, "/function/devices", stack.admin_token, q=mark, owner_id=fleet["owner"]["id"]
    )
    assert total == 3 and devices["stranger's"]["id"] not in {d["id"] for d in of_owner}

    own, total = listed(stack, "/function/devices", fleet["token"], q=mark)
    assert total == 3, "a client's total counts only their own devices"
    assert {d["owner_id"] for d in own} == {fleet["owner"]["id"]}
    # a client cannot widen their list with someone else's owner_id
    widened, total = listed(
        stack, "/function/devices", fleet["token"], owner_id=devices["stranger's"]["owner_id"]
    )
    assert total == 3 and {d["owner_id"] for d in widened} == {fleet["owner"]["id"]}


def test_the_summary_pages_searches_and_sorts_by_todays_kwh_and_state(stack, fleet):
    mark, token, devices = fleet["mark"], fleet["token"], fleet["devices"]
    by_use, total = listed(stack, "/function/consumption/summary", token, sort="-today_kwh")
    assert total == 3
    assert [row["name"] for row in by_use] == [f"{n} {mark}" for n in ("Attic", "Cellar", "Barn")]
    assert [row["today_kwh"] for row in by_use] == pytest.approx([2.25, 1.0, 0.5])
    assert {row["meter_id"] for row in by_use} == {f"{mark}-{m}" for m in ("A-1", "B-2", "C-3")}

    least, total = listed(
        stack, "/function/consumption/summary", token, sort="today_kwh", limit=1, offset=1
    )
    assert (total, [row["device_id"] for row in least]) == (3, [devices["Cellar"]["id"]])
    found, total = listed(stack, "/function/consumption/summary", token, q=f"{mark}-c-3")
    assert (total, [row["device_id"] for row in found]) == (1, [devices["Attic"]["id"]])

    quiet, total = listed(stack, "/function/consumption/summary", token, online="false")
    assert (quiet, total) == ([], 0), "all three report"
    reporting, total = listed(stack, "/function/consumption/summary", token, online="true")
    assert total == 3 and all(row["online"] for row in reporting)

    stranger = devices["stranger's"]
    admin_view, total = listed(
        stack, "/function/consumption/summary", stack.admin_token, q=mark, sort="-online"
    )
    assert total == 4 and admin_view[-1]["device_id"] == stranger["id"], "online first"
    just_one, total = listed(
        stack, "/function/consumption/summary", stack.admin_token, device_ids=stranger["id"]
    )
    assert (total, [row["device_id"] for row in just_one]) == (1, [stranger["id"]])
    # the client does not see the stranger's meter even when naming it
    hidden, total = listed(stack, "/function/consumption/summary", token, device_ids=stranger["id"])
    assert (hidden, total) == ([], 0)
    bad = stack.call(
        "GET", "/function/consumption/summary", token=token, params={"device_ids": "x,y"}
    )
    assert (bad.status_code, set(bad.json()["error"]["fields"])) == (422, {"device_ids"})


def test_totals_count_meters_offline_and_over_their_limit_today(stack, fleet):
    answer = stack.call("GET", "/function/consumption/totals", token=fleet["token"]).json()
    assert (answer["devices"], answer["online"], answer["offline"]) == (3, 3, 0)
    assert answer["over_limit_today"] == 0
    assert answer["today_kwh"] == pytest.approx(3.75)

    owner, token = stack.create_user()
    quiet = stack.monitored_device(owner["id"], max_hourly_kwh=1)
    stack.monitored_device(owner["id"], max_hourly_kwh=1000)
    now = datetime.now(UTC).replace(microsecond=0) - timedelta(minutes=1)
    stack.publish(
        "meter.reading",
        {"timestamp": now.isoformat(), "device_id": quiet["id"], "measurement_value": 3},
    )
    over = wait_for(
        lambda: (
            (found := stack.call("GET", "/function/consumption/totals", token=token).json())
            and found["over_limit_today"] == 1
            and found
        ),
        timeout=30,
        message="the meter over its limit counted",
    )
    assert (over["devices"], over["online"], over["offline"]) == (2, 1, 1)


# conversations -----------------------------------------------------------------------
def test_the_inbox_pages_and_searches_by_client_name(stack):
    mark = marker()
    clients = [stack.create_user(name=f"{name} {mark}")[0] for name in ("Ann", "Bob", "Cy")]
    for client in clients:
        body = {
            "user": {"id": client["id"], "role": "client", "name": client["name"]},
            "text": "hello there",
        }
        response = stack.call(
            "POST", "/function/conversations/messages", json=body, headers=stack.internal_headers
        )
        assert response.status_code == 201, response.text

    page, total = listed(stack, "/function/conversations", stack.admin_token, q=mark, limit=2)
    assert total == 3 and len(page) == 2
    assert all(c["last_message"] and "unread" in c for c in page)
    by_name, _ = listed(
        stack, "/function/conversations", stack.admin_token, q=mark, sort="user_name"
    )
    assert [c["user_name"].split()[0] for c in by_name] == ["Ann", "Bob", "Cy"]
    newest, _ = listed(
        stack, "/function/conversations", stack.admin_token, q=mark, sort="-updated_at", limit=1
    )
    assert newest[0]["user_id"] == clients[-1]["id"]
    only, total = listed(stack, "/function/conversations", stack.admin_token, q=f"bob {mark}")
    assert (total, [c["user_id"] for c in only]) == (1, [clients[1]["id"]])
