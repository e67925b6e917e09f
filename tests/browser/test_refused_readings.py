"""An operator finds readings refused for a device nobody created, fixes it, replays them,
and the client's chart shows the energy."""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect

from tests.browser.ui import choose, field, screenshot, sign_in
from tests.harness import ADMIN_PASSWORD, ADMIN_USERNAME, wait_for

pytestmark = pytest.mark.browser

BERLIN = "Europe/Berlin"


def test_refused_readings_are_grouped_fixed_replayed_and_counted(stack, open_page):
    user, token = stack.create_user(timezone=BERLIN)
    number = str(random.Random().randint(10**6, 10**7))
    yesterday = datetime.now(ZoneInfo(BERLIN)).date() - timedelta(days=1)

    def at(clock: str) -> str:
        return f"{yesterday}T{clock}:00"  # site time, no offset, as older systems send it

    # their field names and the meter's number; the last one misspells the value's name
    for body in (
        {"deviceId": int(number), "timestamp": at("09:10"), "measured_value": 0.4},
        {"deviceId": int(number), "timestamp": at("09:20"), "measurementValue": 0.35},
        {"deviceId": int(number), "timestamp": at("18:10"), "measuredValue": 1.25},
    ):
        stack.publish("meter.reading", body)
    unknown = f"unknown device {number}"

    admin = open_page()
    sign_in(admin, ADMIN_USERNAME, ADMIN_PASSWORD)
    admin.get_by_role("link", name="Refused readings").first.click()
    reasons = admin.get_by_role("table", name="Refused by reason")
    unknown_row = reasons.get_by_test_id("reason-row").filter(
        has=admin.get_by_role("button", name=unknown, exact=True)
    )
    expect(unknown_row).to_contain_text("2")
    expect(reasons).to_contain_text("unknown field measuredValue")
    screenshot(admin, "admin-refused-readings")

    admin.get_by_role("link", name="Devices").click()
    admin.get_by_role("button", name="New device").click()
    dialog = admin.get_by_role("dialog")
    field(dialog, "Name").fill(f"Meter {number}")
    field(dialog, "Meter number").fill(number)
    field(dialog, "Hourly limit (kWh)").fill("5")
    choose(dialog, "Site time zone", BERLIN)
    dialog.get_by_role("button", name="Create device").click()
    expect(dialog).to_be_hidden()
    row = admin.get_by_test_id("device-row").filter(has_text=number)
    device_id = row.get_by_role("link").get_attribute("href").rsplit("/", 1)[1]
    stack.assign_device(device_id, user["id"])

    admin.get_by_role("link", name="Refused readings").first.click()
    admin.get_by_role("button", name=unknown, exact=True).click()
    expect(admin.get_by_test_id("letter-row")).to_have_count(2)
    admin.get_by_role("button", name=f"Replay all of “{unknown}”").click()
    expect(admin.get_by_role("status")).to_have_text("Replayed 2 messages.")
    expect(unknown_row).to_have_count(0)

    total = Decimal("0.75")  # the reading with a wrong field name stays refused
    path = f"/function/consumption?device_id={device_id}&date={yesterday}"
    wait_for(
        lambda: Decimal(str(stack.call("GET", path, token=token).json()["total_kwh"])) == total,
        timeout=30,
        message="the replayed readings counted",
    )
    client = open_page()
    sign_in(client, user["username"], "password-123")
    client.get_by_role("link", name=f"Meter {number}").click()
    client.get_by_role("button", name="Previous day").click()
    expect(client.get_by_test_id("day-total")).to_have_text(f"{total:.3f} kWh")
    expect(client.get_by_test_id("consumption-chart")).to_have_attribute("data-buckets", "24")
