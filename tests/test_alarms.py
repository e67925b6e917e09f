"""Alarms with a lifecycle over the real stack: early warnings, severities, grouping,
acknowledging with a note, clearing, the audit trail, filters and paging.

Readings go straight to ingest (internal token), one call at a time, so that the
order of events is the order of the readings; every reading of a running hour is
timestamped inside the current hour (a meter may run ahead of the clock).
"""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime, timedelta

import pytest

from tests.identity_helpers import EventTap, error_code

HOUR = timedelta(hours=1)
TEN_MINUTES = timedelta(minutes=10)


def ingest(stack, device_id: str, moment: datetime, kwh: float) -> dict:
    body = {"timestamp": moment.isoformat(), "device_id": device_id, "measurement_value": kwh}
    response = stack.call(
        "POST",
        "/function/ingest",
        data=json.dumps(body),
        headers={**stack.internal_headers, "Content-Type": "application/json"},
    )
    assert response.status_code == 200, stack.logs("ingest")
    return response.json()


def aggregate(stack) -> dict:
    response = stack.call("POST", "/function/hourly-aggregate", headers=stack.internal_headers)
    assert response.status_code == 200, response.text
    return response.json()


def listed(stack, token: str, **query) -> list[dict]:
    response = stack.call("GET", "/function/alerts", token=token, params=query)
    assert response.status_code == 200, response.text
    return response.json()


def alarm(stack, token: str, alert_id: str) -> dict:
    response = stack.call("GET", f"/function/alerts/{alert_id}", token=token)
    assert response.status_code == 200, response.text
    return response.json()


def this_hour() -> datetime:
    return datetime.now(UTC).replace(minute=0, second=0, microsecond=0)


def of_device(device_id: str):
    return lambda event: event["data"]["device_id"] == device_id


@pytest.fixture(scope="module")
def people(stack):
    owner, owner_token = stack.create_user()
    other, other_token = stack.create_user()
    return {
        "owner": owner,
        "owner_token": owner_token,
        "other": other,
        "other_token": other_token,
        "admin_token": stack.admin_token,
    }


# -- early warning -----------------------------------------------------------------


def test_a_running_hour_heading_over_is_warned_once_and_before_its_alert(stack, people):
    device = stack.monitored_device(people["owner"]["id"], max_hourly_kwh=3.0)["id"]
    start = this_hour()
    with EventTap(stack, "alert.warning", "alert.raised") as tap:
        assert ingest(stack, device, start + TEN_MINUTES, 0.8)["warnings"] == 0
        assert ingest(stack, device, start + 2 * TEN_MINUTES, 0.8)["warnings"] == 0  # too few
        # 1.8 so far in three readings, three more at 0.6 project 3.6 > 3.0 x 1.05
        assert ingest(stack, device, start + 3 * TEN_MINUTES, 0.2)["warnings"] == 1
        # 2.3: still projected over (3.45), still within the limit: no second warning
        assert ingest(stack, device, start + 4 * TEN_MINUTES, 0.5)["warnings"] == 0
        over = ingest(stack, device, start + 5 * TEN_MINUTES, 1.0)
        assert (over["alerts"], over["warnings"]) == (1, 0)
        events = tap.wait_for(2, of_device(device))
    assert [event["type"] for event in events] == ["alert.warning", "alert.raised"]
    warning, raised = (event["data"] for event in events)
    assert warning["severity"] == "warning" and warning["state"] == "open"
    assert warning["owner_id"] == people["owner"]["id"] and warning["device_name"]
    assert warning["total_kwh"] == pytest.approx(1.8) and warning["projected_kwh"] > 3.0
    assert warning["hour_start"] == start.isoformat()
    assert raised["severity"] == "over_limit" and raised["state"] == "open"
    assert warning["raised_at"] <= raised["raised_at"]

    mine = listed(stack, people["owner_token"], device_id=device)
    assert [a["severity"] for a in mine] == ["over_limit", "warning"]
    assert mine[1]["id"] == warning["id"]


def test_no_warning_once_the_hour_is_over_or_without_enough_readings(stack, people):
    device = stack.monitored_device(people["owner"]["id"], max_hourly_kwh=3.0)["id"]
    past = this_hour() - 3 * HOUR
    for step in range(1, 4):  # projects to 6 kWh, but the hour has ended
        assert ingest(stack, device, past + step * TEN_MINUTES, 1.0)["warnings"] == 0
    assert listed(stack, people["admin_token"], device_id=device) == []


def test_a_warning_whose_hour_closed_within_the_limit_is_cleared(stack, people):
    """Warned while running (stored as ingest stores it), closed under the limit: cleared."""
    device = stack.monitored_device(people["owner"]["id"], max_hourly_kwh=3.0)["id"]
    start = this_hour()
    for step in range(1, 4):
        ingest(stack, device, start + step * TEN_MINUTES, 0.8)
    (warning,) = listed(stack, people["owner_token"], device_id=device)
    with stack.db("monitoring") as db:  # the hour ends at 2.4 kWh: move it into the past
        db.execute(
            "UPDATE hourly_totals SET hour_start = hour_start - interval '2 hours'"
            " WHERE device_id = %s",
            [device],
        )
        db.execute(
            "UPDATE alerts SET hour_start = hour_start - interval '2 hours',"
            " last_hour_start = last_hour_start - interval '2 hours' WHERE device_id = %s",
            [device],
        )
    assert aggregate(stack)["warnings_cleared"] >= 1
    cleared = alarm(stack, people["owner_token"], warning["id"])
    assert cleared["state"] == "cleared" and cleared["cleared_at"] and cleared["cleared_by"] is None
    assert [(step["action"], step["actor"]["role"]) for step in cleared["audit"]] == [
        ("raised", "system"),
        ("cleared", "system"),
    ]
    assert aggregate(stack)["warnings_cleared"] == 0


# -- severities and grouping ---------------------------------------------------------


def test_far_over_the_limit_and_escalation(stack, people):
    device = stack.monitored_device(people["owner"]["id"], max_hourly_kwh=2.0)["id"]
    far_hour = this_hour() - 30 * HOUR
    ingest(stack, device, far_hour + TEN_MINUTES, 3.5)  # above 2.0 x 1.5
    (far,) = listed(stack, people["owner_token"], device_id=device)
    assert far["severity"] == "far_over_limit"

    later = far_hour + 10 * HOUR  # further than alarms group
    ingest(stack, device, later + TEN_MINUTES, 2.2)
    ingest(stack, device, later + 2 * TEN_MINUTES, 1.0)  # 3.2: now far over too
    newest = listed(stack, people["owner_token"], device_id=device)[0]
    assert newest["hour_start"] == later.isoformat()
    assert newest["severity"] == "far_over_limit" and newest["total_kwh"] == pytest.approx(3.2)
    actions = [
        step["action"] for step in alarm(stack, people["owner_token"], newest["id"])["audit"]
    ]
    assert actions == ["raised", "escalated"]


def test_repeated_hours_within_the_window_are_one_alarm(stack, people):
    device = stack.monitored_device(people["owner"]["id"], max_hourly_kwh=1.0)["id"]
    first = this_hour() - 48 * HOUR
    with EventTap(stack, "alert.raised") as tap:
        for hour in (first, first + 2 * HOUR, first + 5 * HOUR, first + 20 * HOUR):
            ingest(stack, device, hour + TEN_MINUTES, 1.2)
            ingest(stack, device, hour + 2 * TEN_MINUTES, 0.1)  # the same hour: no new event
        events = tap.wait_for(4, of_device(device))
    alarms = listed(stack, people["owner_token"], device_id=device)
    assert len(alarms) == 2
    late, grouped = alarms
    assert (grouped["hours"], grouped["hour_start"], grouped["last_hour_start"]) == (
        3,
        first.isoformat(),
        (first + 5 * HOUR).isoformat(),
    )
    assert late["hours"] == 1 and late["hour_start"] == (first + 20 * HOUR).isoformat()
    assert [e["data"]["id"] for e in events] == [grouped["id"]] * 3 + [late["id"]]
    assert [e["data"]["hours"] for e in events] == [1, 2, 3, 1]
    assert len({e["id"] for e in events}) == 4, "one event id per device-hour"
    assert [e["data"]["raised_hour"] for e in events] == [
        (first + offset * HOUR).isoformat() for offset in (0, 2, 5, 20)
    ]
    audit = [step["action"] for step in alarm(stack, people["owner_token"], grouped["id"])["audit"]]
    assert audit == ["raised", "repeated", "repeated"]


def test_an_acknowledged_alarm_reopens_when_its_device_goes_over_again(stack, people):
    device = stack.monitored_device(people["owner"]["id"], max_hourly_kwh=1.0)["id"]
    first = this_hour() - 100 * HOUR
    ingest(stack, device, first + TEN_MINUTES, 1.5)
    (opened,) = listed(stack, people["owner_token"], device_id=device)
    acked = stack.call("POST", f"/function/alerts/{opened['id']}/ack", token=people["owner_token"])
    assert acked.json()["state"] == "acknowledged"
    ingest(stack, device, first + HOUR + TEN_MINUTES, 1.5)
    again = alarm(stack, people["owner_token"], opened["id"])
    assert (again["state"], again["hours"], again["acknowledged_at"]) == ("open", 2, None)
    assert [step["action"] for step in again["audit"]] == [
        "raised",
        "acknowledged",
        "reopened",
        "repeated",
    ]


# -- acknowledging, clearing, the audit trail ----------------------------------------


@pytest.fixture
def raised(stack, people):
    """A fresh over-limit alarm of the owner's device."""
    device = stack.monitored_device(people["owner"]["id"], max_hourly_kwh=1.0)["id"]
    ingest(stack, device, this_hour() - 200 * HOUR + TEN_MINUTES, 1.2)
    (found,) = listed(stack, people["owner_token"], device_id=device)
    return found


def test_the_owner_acknowledges_with_a_note_and_the_trail_shows_who(stack, people, raised):
    path = f"/function/alerts/{raised['id']}/ack"
    refused = stack.call("POST", path, token=people["other_token"], json={"note": "not mine"})
    assert refused.status_code == 404 and error_code(refused) == "not_found"

    note = "Oven left on; switched off."
    response = stack.call("POST", path, token=people["owner_token"], json={"note": note})
    assert response.status_code == 200, response.text
    acked = response.json()
    assert acked["state"] == "acknowledged" and acked["acknowledged_note"] == note
    assert acked["acknowledged_by"] == people["owner"]["id"] and acked["acknowledged_at"]
    again = stack.call("POST", path, token=people["admin_token"], json={"note": "later"})
    assert again.json()["acknowledged_note"] == note, "the first acknowledgement stays"

    trail = alarm(stack, people["owner_token"], raised["id"])["audit"]
    assert [(s["action"], s["state"], s["actor"]["role"], s["note"]) for s in trail] == [
        ("raised", "open", "system", None),
        ("acknowledged", "acknowledged", "client", note),
    ]
    assert trail[1]["actor"]["id"] == people["owner"]["id"] and trail[1]["actor"]["name"]


@pytest.mark.parametrize(
    "body",
    [{"note": 5}, {"note": "x" * 501}, {"notes": "typo"}, [1]],
    ids=["number", "too-long", "unknown-field", "not-an-object"],
)
def test_a_bad_note_is_refused_and_changes_nothing(stack, people, raised, body):
    path = f"/function/alerts/{raised['id']}/ack"
    response = stack.call("POST", path, token=people["owner_token"], json=body)
    assert response.status_code == 422 and error_code(response) == "validation_failed"
    kept = alarm(stack, people["owner_token"], raised["id"])
    assert kept["state"] == "open" and [s["action"] for s in kept["audit"]] == ["raised"]


def test_only_an_administrator_clears_and_a_cleared_alarm_is_not_acknowledged(
    stack, people, raised
):
    path = f"/function/alerts/{raised['id']}"
    by_client = stack.call("POST", f"{path}/clear", token=people["owner_token"])
    assert by_client.status_code == 403 and error_code(by_client) == "forbidden"
    response = stack.call(
        "POST", f"{path}/clear", token=people["admin_token"], json={"note": "meter replaced"}
    )
    assert response.status_code == 200, response.text
    assert response.json()["state"] == "cleared" and response.json()["cleared_by"]
    late_ack = stack.call("POST", f"{path}/ack", token=people["owner_token"])
    assert late_ack.status_code == 409 and error_code(late_ack) == "alarm_cleared"
    trail = alarm(stack, people["owner_token"], raised["id"])["audit"]
    assert [(s["action"], s["actor"]["role"], s["note"]) for s in trail] == [
        ("raised", "system", None),
        ("cleared", "admin", "meter replaced"),
    ]
    unknown = stack.call(
        "POST", f"/function/alerts/{uuid.uuid4()}/clear", token=people["admin_token"]
    )
    assert unknown.status_code == 404


def test_someone_elses_alarm_is_not_found(stack, people, raised):
    response = stack.call("GET", f"/function/alerts/{raised['id']}", token=people["other_token"])
    assert response.status_code == 404 and error_code(response) == "not_found"


# -- filters and paging ------------------------------------------------------------


@pytest.fixture(scope="module")
def fleet(stack, people):
    """Two clients' devices with alarms of each severity and state, far in the past."""
    mine = stack.monitored_device(people["owner"]["id"], max_hourly_kwh=1.0)["id"]
    theirs = stack.monitored_device(people["other"]["id"], max_hourly_kwh=1.0)["id"]
    base = datetime(2026, 3, 2, tzinfo=UTC)
    for day in range(4):  # a day apart: four alarms each
        ingest(stack, mine, base + day * 24 * HOUR + TEN_MINUTES, 1.2 if day % 2 else 2.0)
        ingest(stack, theirs, base + day * 24 * HOUR + TEN_MINUTES, 1.2)
    mine_alarms = listed(stack, people["owner_token"], device_id=mine)
    stack.call("POST", f"/function/alerts/{mine_alarms[0]['id']}/ack", token=people["owner_token"])
    stack.call(
        "POST", f"/function/alerts/{mine_alarms[1]['id']}/clear", token=people["admin_token"]
    )
    return {"mine": mine, "theirs": theirs, "base": base}


def test_administrators_filter_by_state_severity_device_client_and_period(stack, people, fleet):
    admin = people["admin_token"]
    mine, owner = fleet["mine"], people["owner"]["id"]
    assert len(listed(stack, admin, device_id=mine)) == 4
    assert len(listed(stack, admin, owner_id=owner, device_id=mine)) == 4
    assert {a["device_id"] for a in listed(stack, admin, owner_id=people["other"]["id"])} >= {
        fleet["theirs"]
    }
    states = [a["state"] for a in listed(stack, admin, device_id=mine)]
    assert sorted(states) == ["acknowledged", "cleared", "open", "open"]
    assert len(listed(stack, admin, device_id=mine, state="open")) == 2
    assert len(listed(stack, admin, device_id=mine, state="open,cleared")) == 3
    assert len(listed(stack, admin, device_id=mine, unacknowledged="true")) == 2
    far = listed(stack, admin, device_id=mine, severity="far_over_limit")
    assert len(far) == 2 and {a["severity"] for a in far} == {"far_over_limit"}
    period = listed(
        stack, admin, device_id=mine, tz="UTC", **{"from": "2026-03-03", "to": "2026-03-04"}
    )
    assert sorted(a["hour_start"][:10] for a in period) == ["2026-03-03", "2026-03-04"]


def test_pages_and_their_total(stack, people, fleet):
    admin, mine = people["admin_token"], fleet["mine"]
    every = listed(stack, admin, device_id=mine)
    pages = [listed(stack, admin, device_id=mine, limit=3, offset=offset) for offset in (0, 3)]
    assert [len(page) for page in pages] == [3, 1]
    assert [a["id"] for page in pages for a in page] == [a["id"] for a in every]
    count = stack.call(
        "GET", "/function/alerts/count", token=admin, params={"device_id": mine, "state": "open"}
    )
    assert count.json() == {"total": 2, "by_device": {mine: 2}}


def test_only_administrators_filter_by_client(stack, people, fleet):
    for path in ("/function/alerts", "/function/alerts/count"):
        response = stack.call(
            "GET", path, token=people["owner_token"], params={"owner_id": people["owner"]["id"]}
        )
        assert response.status_code == 403 and error_code(response) == "forbidden"
    assert listed(stack, people["owner_token"], device_id=fleet["theirs"]) == []


@pytest.mark.parametrize(
    ("query", "fields"),
    [
        ({"state": "closed"}, {"state"}),
        ({"severity": "warning,huge"}, {"severity"}),
        ({"owner_id": "someone"}, {"owner_id"}),
        ({"from": "2026-13-01"}, {"from"}),
        ({"from": "2026-03-05", "to": "2026-03-01"}, {"to"}),
        ({"offset": "-1", "limit": "0"}, {"offset", "limit"}),
        ({"tz": "Mars/Olympus"}, {"tz"}),
    ],
)
def test_bad_filters_are_refused_naming_each_field(stack, people, query, fields):
    response = stack.call("GET", "/function/alerts", token=people["admin_token"], params=query)
    assert response.status_code == 422, response.text
    assert set(response.json()["error"]["fields"]) == fields
