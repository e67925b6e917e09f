"""Notifications away from the page: e-mail to a real SMTP server, signed webhooks to a
real HTTP receiver, quiet hours, retries and dead letters, and the settings' rules."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
import uuid
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from tests.harness import wait_for
from tests.identity_helpers import settled
from tests.test_hub import Browser
from tests.webhook_receiver import WebhookReceiver

PREFERENCES = "/function/notifications/preferences"


def client(stack, timezone: str = "UTC") -> tuple[dict, str]:
    """A new client, once notifications' copy of them (their e-mail) has arrived."""
    user, token = stack.create_user(timezone=timezone)
    wait_for(
        lambda: preferences(stack, token)["email"] == user["email"],
        timeout=20,
        message="notifications' copy of the new user",
    )
    return user, token


def preferences(stack, token: str) -> dict:
    response = stack.call("GET", PREFERENCES, token=token)
    assert response.status_code == 200, response.text
    return response.json()


def choose(stack, token: str, **body) -> dict:
    response = stack.call("PUT", PREFERENCES, token=token, json=body)
    assert response.status_code == 200, response.text
    return response.json()


def log(stack, token: str, **query) -> dict:
    response = stack.call("GET", "/function/notifications", token=token, params=query)
    assert response.status_code == 200, response.text
    return response.json()


def alert_event(owner_id: str, event_type: str = "alert.raised", **fields) -> dict:
    """An alert event as monitoring publishes it (the alarms' severity included)."""
    hour = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
    data = {
        "id": str(uuid.uuid4()),
        "device_id": str(uuid.uuid4()),
        "hour_start": hour.isoformat(),
        "total_kwh": 3.5,
        "limit_kwh": 2.0,
        "raised_at": datetime.now(UTC).isoformat(),
        "acknowledged_at": None,
        "device_name": "Boiler room",
        "owner_id": owner_id,
        **fields,
    }
    return {
        "id": str(uuid.uuid4()),
        "type": event_type,
        "occurred_at": datetime.now(UTC).isoformat(),
        "data": data,
    }


def logged(stack, token: str, alert_id: str, status: str = "sent") -> dict:
    def find():
        for item in log(stack, token, page_size=100)["items"]:
            if item["alert_id"] == alert_id and item["status"] == status:
                return item
        return None

    return wait_for(find, timeout=30, message=f"a {status} notification of {alert_id}")


# e-mail -----------------------------------------------------------------------------


def test_an_over_limit_hour_is_mailed_to_its_owner_with_its_figures(stack, mailbox):
    user, token = client(stack, timezone="America/New_York")
    choose(stack, token, channels={"over_limit": "email"})
    device = stack.monitored_device(user["id"], max_hourly_kwh=1.0)
    reading = {
        "timestamp": datetime.now(UTC).isoformat(),
        "device_id": device["id"],
        "measurement_value": 1.25,  # over the limit, not by MONITORING_FAR_OVER_LIMIT_MARGIN
    }
    stack.publish("meter.reading", reading)

    (message,) = wait_for(lambda: mailbox.to(user["email"]), timeout=30, message="the e-mail")
    assert message["To"] == user["email"]
    assert message["From"] == "faas-ems alerts <alerts@ems.test>"
    assert message["Subject"] == f"[faas-ems] {device['name']} went over its hourly limit"
    body = message.get_content()
    assert f"Hello {user['name']}," in body
    assert "Energy: 1.25 kWh" in body
    assert "Limit:  1 kWh" in body
    hour = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
    local, end = (
        moment.astimezone(ZoneInfo("America/New_York"))
        for moment in (hour, hour + timedelta(hours=1))
    )
    assert f"Hour:   {local:%Y-%m-%d %H:%M} to {end:%H:%M} (America/New_York)" in body

    entry = logged(stack, token, message["X-EMS-Alert"])
    assert entry["channel"] == "email"
    assert entry["destination"] == user["email"]
    assert entry["severity"] == "over_limit"
    assert entry["device_id"] == device["id"]
    assert entry["attempts"] == 1
    assert entry["sent_at"] is not None


def test_a_redelivered_or_grouped_alert_is_mailed_once_and_an_escalation_again(stack, mailbox):
    user, token = client(stack)
    channels = {"over_limit": "email", "warning": "email", "far_over_limit": "email"}
    choose(stack, token, channels=channels)
    event = alert_event(user["id"], severity="over_limit")
    stack.publish("alert.raised", event)
    stack.publish("alert.raised", event)
    stack.publish("alert.raised", {**event, "id": str(uuid.uuid4())})  # republished anew
    later = (datetime.fromisoformat(event["data"]["hour_start"]) + timedelta(hours=1)).isoformat()
    repeat = {**event["data"], "raised_hour": later, "hours": 2}
    stack.publish("alert.raised", {**event, "id": str(uuid.uuid4()), "data": repeat})  # grouped
    worse = {**repeat, "severity": "far_over_limit", "total_kwh": 7.5}
    stack.publish("alert.raised", {**event, "id": str(uuid.uuid4()), "data": worse})
    marker = alert_event(user["id"], "alert.warning", severity="warning", projected_kwh=2.6)
    stack.publish("alert.warning", marker)

    wait_for(lambda: len(mailbox.to(user["email"])) >= 3, timeout=30, message="three e-mails")
    wait_for(lambda: settled(stack, "notify"), timeout=30, message="every copy handled")
    mails = mailbox.to(user["email"])
    assert sorted(m["X-EMS-Alert"] for m in mails) == sorted(
        [event["data"]["id"], event["data"]["id"], marker["data"]["id"]]
    )
    subjects = {m["Subject"] for m in mails}
    assert subjects == {
        "[faas-ems] Boiler room went over its hourly limit",
        "[faas-ems] Boiler room went far over its hourly limit",
        "[faas-ems] Boiler room is heading over its hourly limit",
    }
    (far,) = [m for m in mails if "far over" in m["Subject"]]
    later_local = datetime.fromisoformat(later)
    assert f"Hour:   {later_local:%Y-%m-%d %H:%M} to" in far.get_content(), "the hour raised"
    (warning,) = [m for m in mails if m["X-EMS-Alert"] == marker["data"]["id"]]
    assert "Projected: 2.6 kWh" in warning.get_content()

    first, third = log(stack, token, page_size=1), log(stack, token, page_size=1, page=3)
    assert first["total"] == third["total"] == 3
    assert (first["page"], third["page"], len(first["items"]), len(third["items"])) == (1, 3, 1, 1)
    (newest,), (oldest,) = first["items"], third["items"]
    assert newest["created_at"] >= oldest["created_at"], "newest first"
    assert log(stack, token, page_size=1, page=4)["items"] == []


def test_quiet_hours_hold_back_warnings_and_over_limit_but_not_far_over(stack, mailbox):
    user, token = client(stack, timezone="Asia/Kolkata")
    now = datetime.now(ZoneInfo("Asia/Kolkata"))
    span = {
        "start": f"{(now - timedelta(hours=1)):%H:%M}",
        "end": f"{(now + timedelta(hours=1)):%H:%M}",
    }
    choose(
        stack,
        token,
        channels={"warning": "email", "over_limit": "email", "far_over_limit": "email"},
        quiet_hours=span,
    )
    warning = alert_event(user["id"], "alert.warning", severity="warning")
    over = alert_event(user["id"])  # no severity: as today's monitoring publishes it
    far = alert_event(user["id"], severity="far_over_limit", total_kwh=9.0)
    for event in (warning, over, far):
        stack.publish(event["type"], event)

    (message,) = wait_for(lambda: mailbox.to(user["email"]), timeout=30, message="the e-mail")
    assert message["X-EMS-Alert"] == far["data"]["id"]
    assert message["Subject"] == "[faas-ems] Boiler room went far over its hourly limit"
    start = datetime.fromisoformat(far["data"]["hour_start"]).astimezone(ZoneInfo("Asia/Kolkata"))
    assert f"Hour:   {start:%Y-%m-%d %H}:30 to" in message.get_content(), "a half-hour zone"
    for held in (warning, over):
        entry = logged(stack, token, held["data"]["id"], status="skipped")
        assert entry["detail"] == "quiet hours"
        assert entry["attempts"] == 0
    assert preferences(stack, token)["quiet_hours"] == span
    assert mailbox.to(user["email"]) == [message]


# webhooks ---------------------------------------------------------------------------


def verify(secret: str, call) -> dict:
    """What a receiver does (docs/notifications.md): check the signature, then the age."""
    timestamp = call.headers["X-EMS-Timestamp"]
    expected = hmac.new(secret.encode(), timestamp.encode() + b"." + call.body, hashlib.sha256)
    assert hmac.compare_digest(call.headers["X-EMS-Signature"], "sha256=" + expected.hexdigest())
    assert abs(time.time() - int(timestamp)) < 300
    return json.loads(call.body)


def test_a_webhook_is_signed_with_the_secret_shown_once(stack):
    user, token = client(stack)
    with WebhookReceiver() as receiver:
        saved = choose(stack, token, channels={"warning": "webhook"}, webhook_url=receiver.url)
        secret = saved["webhook_secret"]
        assert secret.startswith("whsec_") and len(secret) > 40
        shown = preferences(stack, token)
        assert "webhook_secret" not in shown and shown["webhook_secret_set"] is True
        assert shown["webhook_url"] == receiver.url
        event = alert_event(user["id"], "alert.warning", severity="warning")
        stack.publish("alert.warning", event)

        (call,) = wait_for(lambda: receiver.calls, timeout=30, message="the webhook call")
        payload = verify(secret, call)
        assert call.path == "/hooks/ems"
        assert call.headers["Content-Type"] == "application/json"
        assert payload["type"] == "alert.warning"
        assert payload["severity"] == "warning"
        expected = {k: v for k, v in event["data"].items() if k != "owner_id"}
        assert payload["alert"] == expected
        entry = logged(stack, token, event["data"]["id"])
        assert payload["id"] == entry["id"] == call.headers["X-EMS-Delivery"]
        with pytest.raises(AssertionError):
            verify("whsec_another-secret", call)

        rotated = choose(stack, token, rotate_webhook_secret=True)["webhook_secret"]
        assert rotated != secret
        second = alert_event(user["id"], "alert.warning", severity="warning")
        stack.publish("alert.warning", second)
        wait_for(lambda: len(receiver.calls) == 2, timeout=30, message="the second call")
        verify(rotated, receiver.calls[1])


def dead_letters(stack) -> list[dict]:
    response = stack.call(
        "GET", "/function/dead-letters", token=stack.admin_token, params={"queue": "ems.notify"}
    )
    assert response.status_code == 200, response.text
    return response.json()


def letter_alert_id(letter: dict) -> str | None:
    """The alert a dead letter of notify's carried; other tests' bad messages carry none."""
    body = letter["body"]
    data = body.get("data") if isinstance(body, dict) else None
    return data.get("id") if isinstance(data, dict) else None


def test_a_failing_webhook_is_retried_then_dead_lettered_and_the_live_alert_does_not_wait(
    stack,
):
    user, token = client(stack)
    browser = Browser(stack.url, token)
    try:
        with WebhookReceiver(status=503) as receiver:
            choose(stack, token, channels={"over_limit": "webhook"}, webhook_url=receiver.url)
            receiver.released.clear()  # the first call hangs until the live alert is in
            event = alert_event(user["id"])
            stack.publish("alert.raised", event)
            wait_for(lambda: receiver.calls, timeout=30, message="the first webhook call")
            live = browser.next("alert", where=lambda data: data["id"] == event["data"]["id"])
            assert receiver.calls and len(receiver.calls) == 1, "still the first, held call"
            receiver.released.set()
            assert live["device_name"] == "Boiler room"

            # CONNECTOR_RETRY_DELAYS is 0.5,1,2,4 in the tests: one call and four retries.
            letter = wait_for(
                lambda: next(
                    (d for d in dead_letters(stack) if letter_alert_id(d) == event["data"]["id"]),
                    None,
                ),
                timeout=60,
                message="the dead letter",
            )
            assert len(receiver.calls) == 5
            assert {c.headers["X-EMS-Delivery"] for c in receiver.calls} == {
                receiver.calls[0].headers["X-EMS-Delivery"]
            }, "every attempt is the same delivery"
            assert "webhook: the receiver answered 503" in letter["reason"]
            entry = logged(stack, token, event["data"]["id"], status="failed")
            assert entry["attempts"] == 5
            assert "503" in entry["detail"]
    finally:
        browser.close()


# the settings' rules -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"webhook_url": "not a url"}, "webhook_url"),
        ({"webhook_url": "http://example.com/hook"}, "webhook_url"),
        ({"webhook_url": "https://10.1.2.3/hook"}, "webhook_url"),
        ({"webhook_url": "https://169.254.169.254/latest"}, "webhook_url"),
        ({"webhook_url": "https://user:pw@example.com/hook"}, "webhook_url"),
        ({"webhook_url": "ftp://example.com/hook"}, "webhook_url"),
        ({"webhook_url": "https://example.com/" + "x" * 2000}, "webhook_url"),
        ({"channels": {"warning": "sms"}}, "channels"),
        ({"channels": {"critical": "email"}}, "channels"),
        ({"channels": ["email"]}, "channels"),
        ({"channels": {"over_limit": "webhook"}, "webhook_url": None}, "webhook_url"),
        ({"channels": {"warning": "webhook"}, "webhook_url": None}, "webhook_url"),
        ({"quiet_hours": {"start": "25:00", "end": "07:00"}}, "quiet_hours"),
        ({"quiet_hours": {"start": "22:00", "end": "22:00"}}, "quiet_hours"),
        ({"quiet_hours": {"start": "22:00"}}, "quiet_hours"),
        ({"quiet_hours": "22-07"}, "quiet_hours"),
        ({"rotate_webhook_secret": "yes"}, "rotate_webhook_secret"),
        ({"sms": True}, "sms"),
    ],
)
def test_bad_settings_are_refused_with_the_field_and_change_nothing(stack, body, field):
    _, token = client(stack)
    before = choose(
        stack,
        token,
        channels={"warning": "email"},
        webhook_url="https://hooks.example.com/ems",
        quiet_hours={"start": "22:00", "end": "07:00"},
    )
    response = stack.call("PUT", PREFERENCES, token=token, json=body)
    assert response.status_code == 422, response.text
    error = response.json()["error"]
    assert error["code"] == "validation_failed"
    assert field in error["fields"], error
    after = preferences(stack, token)
    assert {k: v for k, v in after.items() if k != "webhook_secret"} == {
        k: v for k, v in before.items() if k != "webhook_secret"
    }


def test_a_new_user_hears_in_the_app_only_and_a_cleared_webhook_drops_its_secret(stack):
    _, token = client(stack)
    fresh = preferences(stack, token)
    assert fresh["channels"] == {"warning": "app", "over_limit": "app", "far_over_limit": "app"}
    assert fresh["webhook_url"] is None and fresh["quiet_hours"] is None
    choose(stack, token, webhook_url="https://hooks.example.com/ems")
    cleared = choose(stack, token, webhook_url=None, quiet_hours=None)
    assert cleared["webhook_secret_set"] is False
    again = choose(stack, token, webhook_url="https://hooks.example.com/ems")
    assert again["webhook_secret"], "a new URL after a cleared one gets a new secret"


def test_settings_and_logs_are_each_caller_s_own(stack):
    first, first_token = client(stack)
    _, second_token = client(stack)
    choose(stack, first_token, channels={"warning": "email"})
    assert preferences(stack, second_token)["channels"]["warning"] == "app"
    assert stack.call("GET", PREFERENCES).status_code == 401
    assert stack.call("PUT", PREFERENCES, json={"channels": {}}).status_code == 401
    assert stack.call("GET", "/function/notifications").status_code == 401
    other = stack.call(
        "GET", "/function/notifications", token=second_token, params={"user_id": first["id"]}
    )
    assert other.status_code == 403
    as_admin = stack.call(
        "GET", "/function/notifications", token=stack.admin_token, params={"user_id": first["id"]}
    )
    assert as_admin.status_code == 200 and as_admin.json()["total"] == 0
    for query in ({"page": "0"}, {"page_size": "101"}, {"page": "x"}, {"user_id": "nobody"}):
        refused = stack.call("GET", "/function/notifications", token=first_token, params=query)
        assert refused.status_code == 422, query
        assert refused.json()["error"]["code"] == "validation_failed"


def test_the_internal_functions_refuse_calls_without_the_internal_token(stack):
    for function in ("notify", "notifications-sync"):
        response = stack.call("POST", f"/function/{function}", json=alert_event(str(uuid.uuid4())))
        assert response.status_code == 403, function
        assert response.json()["error"]["code"] == "forbidden"


@pytest.mark.parametrize(
    ("event_type", "data", "problem"),
    [
        ("alert.raised", {"id": "x", "owner_id": None}, "id"),
        ("alert.raised", [1], "data must be an alert object"),
        ("alert.warning", {"id": str(uuid.uuid4()), "severity": "over_limit"}, "severity"),
        ("alert.raised", {"id": str(uuid.uuid4()), "hour_start": "noon"}, "hour_start"),
        ("chat.message", {"id": str(uuid.uuid4())}, "chat.message"),
    ],
)
def test_notify_refuses_an_event_it_cannot_use_with_the_reason(stack, event_type, data, problem):
    event = {"id": str(uuid.uuid4()), "type": event_type, "data": data}
    response = stack.call("POST", "/function/notify", json=event, headers=stack.internal_headers)
    assert response.status_code == 422, response.text
    assert problem in response.json()["error"]["message"]


def test_the_user_copy_follows_versions_and_a_deletion_forgets_the_settings(stack):
    user, token = client(stack)
    choose(stack, token, channels={"warning": "email"})
    updated = stack.call(
        "PUT", f"/function/users/{user['id']}", token=stack.admin_token,
        json={"email": f"new-{user['email']}"},
    )  # fmt: skip
    assert updated.status_code == 200, updated.text
    wait_for(lambda: preferences(stack, token)["email"] == f"new-{user['email']}", timeout=20)
    stale = {"id": str(uuid.uuid4()), "type": "user.updated", "data": {**user, "version": 1}}
    answer = stack.call(
        "POST", "/function/notifications-sync", json=stale, headers=stack.internal_headers
    )
    assert answer.status_code == 200 and answer.json() == {"applied": False}
    assert preferences(stack, token)["email"] == f"new-{user['email']}"

    warning = alert_event(user["id"], "alert.warning", severity="warning")
    stack.publish("alert.warning", warning)
    assert logged(stack, token, warning["data"]["id"])["destination"] == f"new-{user['email']}"

    deleted = stack.call("DELETE", f"/function/users/{user['id']}", token=stack.admin_token)
    assert deleted.status_code in (200, 204), deleted.text
    with stack.db("notifications") as db:
        wait_for(
            lambda: db.execute(
                "SELECT deleted_at FROM users WHERE id = %s", [user["id"]]
            ).fetchone()[0],
            timeout=20,
        )
        for table in ("preferences", "notifications"):
            kept = db.execute(f"SELECT count(*) FROM {table} WHERE user_id = %s", [user["id"]])
            assert kept.fetchone()[0] == 0, table
