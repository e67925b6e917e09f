"""A client chooses where alerts reach them, keeps the webhook's secret, and sees what was sent."""

from __future__ import annotations

import hashlib
import hmac
import uuid
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect

from tests.browser.ui import PHONE, field, screenshot, sign_in
from tests.harness import wait_for
from tests.webhook_receiver import WebhookReceiver

pytestmark = pytest.mark.browser


def alert_event(owner_id: str, event_type: str, severity: str) -> dict:
    hour = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
    return {
        "id": str(uuid.uuid4()),
        "type": event_type,
        "occurred_at": datetime.now(UTC).isoformat(),
        "data": {
            "id": str(uuid.uuid4()),
            "device_id": str(uuid.uuid4()),
            "hour_start": hour.isoformat(),
            "total_kwh": 2.75,
            "limit_kwh": 2.0,
            "raised_at": datetime.now(UTC).isoformat(),
            "acknowledged_at": None,
            "device_name": "Garage heater",
            "owner_id": owner_id,
            "severity": severity,
        },
    }


def quiet_hours_not_now(zone: str) -> tuple[str, str]:
    """Quiet hours that hold nothing back at the moment the test runs, on the user's clock."""
    local_now = datetime.now(ZoneInfo(zone))
    start, end = local_now + timedelta(hours=3), local_now + timedelta(hours=5)
    return start.strftime("%H:00"), end.strftime("%H:30")


def test_a_client_changes_notification_settings_and_sees_what_was_sent(stack, open_page, mailbox):
    user, _ = stack.create_user(timezone="Europe/Bucharest")
    quiet_from, quiet_until = quiet_hours_not_now("Europe/Bucharest")
    page = open_page()
    sign_in(page, user["username"], "password-123")
    page.get_by_role("link", name="Profile").click()
    settings = page.get_by_role("form", name="Notification settings")
    expect(settings.get_by_text(f"e-mail goes to {user['email']}")).to_be_visible()

    with WebhookReceiver() as receiver:
        settings.get_by_role("radiogroup", name="Over the limit", exact=True).get_by_text(
            "E-mail"
        ).click()
        settings.get_by_role("radiogroup", name="Early warning").get_by_text("Webhook").click()
        field(settings, "Webhook URL").fill("http://10.0.0.7/hook")
        settings.get_by_role("button", name="Save notifications").click()
        expect(settings.get_by_text("must be https://")).to_be_visible()

        field(settings, "Webhook URL").fill(receiver.url)
        settings.get_by_role("switch", name="Quiet hours").check()
        settings.get_by_label("Quiet from").fill(quiet_from)
        settings.get_by_label("Quiet until").fill(quiet_until)
        settings.get_by_role("button", name="Save notifications").click()
        expect(page.get_by_text("Your notification settings are saved.")).to_be_visible()
        secret = settings.get_by_test_id("webhook-secret").inner_text().strip()
        assert secret.startswith("whsec_")
        screenshot(page, "client-notification-settings")
        settings.get_by_role("button", name="I have kept it").click()
        expect(settings.get_by_test_id("webhook-secret")).to_have_count(0)
        expect(settings.get_by_text("A signing secret is set.")).to_be_visible()

        page.reload()
        settings = page.get_by_role("form", name="Notification settings")
        over = settings.get_by_role("radiogroup", name="Over the limit", exact=True)
        expect(over.get_by_role("radio", name="E-mail")).to_be_checked()
        expect(field(settings, "Webhook URL")).to_have_value(receiver.url)
        expect(settings.get_by_label("Quiet until")).to_have_value(quiet_until)
        expect(settings.get_by_test_id("webhook-secret")).to_have_count(0)

        over_limit = alert_event(user["id"], "alert.raised", "over_limit")
        warning = alert_event(user["id"], "alert.warning", "warning")
        stack.publish("alert.raised", over_limit)
        stack.publish("alert.warning", warning)
        wait_for(lambda: mailbox.to(user["email"]), timeout=30, message="the e-mail")
        (call,) = wait_for(lambda: receiver.calls, timeout=30, message="the webhook call")
        stamp = call.headers["X-EMS-Timestamp"].encode()
        mac = hmac.new(secret.encode(), stamp + b"." + call.body, hashlib.sha256).hexdigest()
        assert call.headers["X-EMS-Signature"] == f"sha256={mac}", "the secret the page showed"

    page.get_by_role("link", name="Notifications").click()
    rows = page.get_by_test_id("notification-row")
    expect(rows).to_have_count(2)
    expect(rows.filter(has_text="E-mail")).to_contain_text(user["email"])
    expect(rows.filter(has_text="E-mail")).to_contain_text("Over the limit")
    expect(rows.filter(has_text="Webhook")).to_contain_text("Early warning")
    expect(rows.filter(has_text="Webhook")).to_contain_text("Sent")
    expect(rows.first).to_contain_text("Garage heater")
    screenshot(page, "client-notifications")

    phone = open_page(PHONE)
    sign_in(phone, user["username"], "password-123")
    phone.goto("/notifications")
    cards = phone.get_by_role("list", name="Notifications").get_by_test_id("notification-row")
    expect(cards).to_have_count(2)
    expect(cards.filter(has_text="Webhook")).to_contain_text("Early warning")
    screenshot(phone, "client-notifications-phone")
