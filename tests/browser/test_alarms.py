"""Alarms in the web app: an early warning before the alert, acknowledging with a note."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from playwright.sync_api import expect

from tests.browser.ui import WIDE, choose, screenshot, sign_in
from tests.harness import ADMIN_PASSWORD, ADMIN_USERNAME

pytestmark = pytest.mark.browser

TEN_MINUTES = timedelta(minutes=10)


def reading(device_id: str, moment: datetime, kwh: float) -> dict:
    return {"timestamp": moment.isoformat(), "device_id": device_id, "measurement_value": kwh}


def test_a_client_is_warned_before_the_hour_goes_over(stack, open_page):
    user, _ = stack.create_user()
    kettle = stack.monitored_device(user["id"], max_hourly_kwh=3)
    page = open_page(WIDE)
    sign_in(page, user["username"], "password-123")
    expect(page.get_by_test_id("device-row")).to_have_count(1)

    start = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
    for step, kwh in ((1, 0.8), (2, 0.8), (3, 0.2)):  # 1.8 so far, heading for 3.6
        stack.publish("meter.reading", reading(kettle["id"], start + step * TEN_MINUTES, kwh))
    toasts = page.get_by_role("alert")

    def titled(title: str):
        return toasts.filter(has=page.get_by_text(title, exact=True))

    warning = titled("Heading over the hourly limit")
    expect(warning).to_be_visible()
    expect(warning).to_contain_text(f"{kettle['name']} is heading for 3.60 kWh")
    screenshot(page, "alarm-warning-toast", full_page=False, settle=False)
    expect(titled("Over the hourly limit")).to_have_count(0)

    stack.publish("meter.reading", reading(kettle["id"], start + 4 * TEN_MINUTES, 1.5))
    over = titled("Over the hourly limit")
    expect(over).to_be_visible()
    expect(over).to_contain_text(f"{kettle['name']} used 3.30 kWh")
    expect(warning).to_be_visible()  # the warning came first and is still on screen
    screenshot(page, "alarm-warning-then-alert", full_page=False, settle=False)

    page.get_by_role("link", name="Alerts").click()
    rows = page.get_by_test_id("alert-row")
    expect(rows).to_have_count(2)
    expect(rows.nth(0).get_by_test_id("severity")).to_have_text("Over limit")
    expect(rows.nth(1).get_by_test_id("severity")).to_have_text("Warning")
    expect(rows.nth(1)).to_contain_text("heading for 3.60 kWh")


def test_an_administrator_acknowledges_an_alarm_with_a_note(stack, open_page):
    client, client_token = stack.create_user()
    heater = stack.monitored_device(client["id"], max_hourly_kwh=1)
    past = datetime.now(UTC).replace(minute=0, second=0, microsecond=0) - timedelta(days=3)
    stack.publish("meter.reading", reading(heater["id"], past + TEN_MINUTES, 1.7))

    page = open_page(WIDE)
    sign_in(page, ADMIN_USERNAME, ADMIN_PASSWORD)
    page.get_by_role("link", name="Alarms").click()
    expect(page.get_by_role("heading", name="Alarms")).to_be_visible()
    choose(page, "Client", client["name"])
    row = page.get_by_test_id("alert-row").filter(has_text=heater["name"])
    expect(row).to_have_count(1)
    expect(row.get_by_test_id("severity")).to_have_text("Far over limit")
    expect(row.get_by_test_id("state")).to_have_text("Open")
    screenshot(page, "alarms-admin-filtered")

    row.get_by_role("button", name=f"Acknowledge the alert for {heater['name']}").click()
    dialog = page.get_by_role("dialog", name=f"Acknowledge the alarm for {heater['name']}")
    dialog.get_by_label("Note (optional)").fill("Called the client: heater thermostat fixed.")
    screenshot(page, "alarm-acknowledge-note", full_page=False)
    dialog.get_by_role("button", name="Acknowledge").click()
    expect(dialog).to_be_hidden()
    expect(row.get_by_test_id("state")).to_have_text("Acknowledged")

    row.get_by_role("button", name=f"History of the alert for {heater['name']}").click()
    steps = page.get_by_test_id("audit-step")
    expect(steps).to_have_count(2)
    expect(steps.nth(0)).to_contain_text("Raised")
    expect(steps.nth(1)).to_contain_text("Acknowledged")
    expect(steps.nth(1)).to_contain_text("(administrator)")
    expect(steps.nth(1)).to_contain_text("heater thermostat fixed")
    screenshot(page, "alarm-audit-trail", full_page=False)

    (alarm,) = stack.call("GET", "/function/alerts", token=client_token).json()
    assert alarm["state"] == "acknowledged"
    assert alarm["acknowledged_note"] == "Called the client: heater thermostat fixed."
