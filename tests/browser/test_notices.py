"""Live notices that help instead of flooding (issue 19, items 2 and 3)."""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from playwright.sync_api import expect

from tests.browser.ui import PHONE, WIDE, box, screenshot, sign_in
from tests.harness import wait_for

pytestmark = pytest.mark.browser

METERS = 12


def reading(device_id: str, moment: datetime, kwh: float) -> dict:
    return {"timestamp": moment.isoformat(), "device_id": device_id, "measurement_value": kwh}


def test_meters_going_quiet_together_make_one_notice_kept_in_the_bell(stack, open_page):
    """Item 2, on a phone: one grouped toast below the header, a bell with the count."""
    suffix = uuid.uuid4().hex[:4]
    user, token = stack.create_user()
    devices = [
        stack.monitored_device(user["id"], name=f"Depot meter {n:02d} {suffix}")
        for n in range(METERS)
    ]
    page = open_page(PHONE)
    sign_in(page, user["username"], "password-123")
    expect(page.get_by_test_id("device-row")).to_have_count(METERS)

    long_ago = datetime.now(UTC) - timedelta(hours=2)
    for device in devices:
        stack.publish("meter.reading", reading(device["id"], long_ago, 0.1))

    def heard_of_all():
        rows = stack.call("GET", "/function/consumption/summary", token=token).json()
        return sum(1 for row in rows if row["last_reading_at"]) == METERS

    wait_for(heard_of_all, timeout=30, message="the old readings stored")
    aggregated = stack.call("POST", "/function/hourly-aggregate", headers=stack.internal_headers)
    assert aggregated.status_code == 200, aggregated.text

    toast = page.get_by_role("alert").filter(has_text=f"{METERS} meters went offline")
    expect(toast).to_be_visible()
    expect(page.get_by_role("alert").filter(has_text="offline")).to_have_count(1)
    expect(page.get_by_text("Meter offline")).to_have_count(0)
    header = box(page.locator("header"))
    assert box(toast)["y"] >= header["y"] + header["height"], "the toast covers the header"
    menu = page.get_by_role("button", name="Toggle navigation")
    assert (
        page.evaluate(
            "([x, y]) => document.elementFromPoint(x, y)?.closest('button')?.ariaLabel",
            [box(menu)["x"] + 5, box(menu)["y"] + 5],
        )
        == "Toggle navigation"
    )
    bell = page.get_by_role("button", name="Notifications, 1 unread")
    expect(bell).to_be_visible()
    screenshot(page, "notices-grouped-phone", full_page=False)

    bell.click()
    item = page.get_by_test_id("notice-item").filter(has_text=f"{METERS} meters went offline")
    expect(item).to_be_visible()
    expect(page.get_by_role("button", name="Notifications", exact=True)).to_be_visible()
    screenshot(page, "notices-bell-phone", full_page=False)
    item.get_by_role("link", name="See them").click()
    expect(page).to_have_url(re.compile(r"/devices\?status=offline$"))
    expect(page.get_by_test_id("device-row")).to_have_count(METERS)


def test_an_alert_toast_acts_and_the_open_chart_follows_at_once(stack, open_page):
    """Item 3: View and Acknowledge on the toast; the chart shows the hour over the limit."""
    user, token = stack.create_user(timezone="Europe/Berlin")
    heater = stack.monitored_device(user["id"], max_hourly_kwh=2, timezone="Europe/Berlin")
    pump = stack.monitored_device(user["id"], max_hourly_kwh=2, timezone="Europe/Berlin")
    page = open_page(WIDE)
    sign_in(page, user["username"], "password-123")
    page.get_by_role("link", name=heater["name"]).click()
    expect(page.get_by_test_id("hours-over")).to_have_text("0")

    now = datetime.now(UTC)
    stack.publish("meter.reading", reading(heater["id"], now - timedelta(seconds=30), 2.75))
    toast = page.get_by_role("alert").filter(has_text=f"{heater['name']} used 2.75 kWh")
    expect(toast).to_be_visible()
    # the socket's news refreshes the chart; its own refresh comes only every 15 s
    expect(page.get_by_test_id("hours-over")).to_have_text("1", timeout=10_000)
    screenshot(page, "alert-toast-actions", full_page=False)
    toast.get_by_role("button", name="Acknowledge").click()
    expect(toast.get_by_role("button", name="Acknowledged")).to_be_visible()
    acknowledged = stack.call("GET", "/function/alerts", token=token).json()
    assert [a["acknowledged_at"] is not None for a in acknowledged] == [True]

    stack.publish("meter.reading", reading(pump["id"], now - timedelta(seconds=20), 3.5))
    other = page.get_by_role("alert").filter(has_text=f"{pump['name']} used 3.50 kWh")
    other.get_by_role("button", name="View").click()
    expect(page).to_have_url(re.compile(rf"/devices/{pump['id']}\?date=\d{{4}}-\d{{2}}-\d{{2}}$"))
    expect(page.get_by_role("heading", name=pump["name"])).to_be_visible()
    expect(page.get_by_test_id("hours-over")).to_have_text("1")
