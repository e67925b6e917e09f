"""The administrator's overview: what the fleet used today, and the meters gone quiet."""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from playwright.sync_api import expect

from tests.browser.ui import screenshot, sign_in
from tests.harness import ADMIN_PASSWORD, ADMIN_USERNAME, wait_for

pytestmark = pytest.mark.browser


def test_the_overview_shows_todays_biggest_consumers_and_the_quiet_meters(stack, open_page):
    suffix = uuid.uuid4().hex[:4]
    bakery, kiosk, barn = (
        stack.monitored_device(name=f"{name} {suffix}", max_hourly_kwh=50)
        for name in ("Bakery", "Kiosk", "Barn")
    )
    now = datetime.now(UTC)
    # Today in the administrator's zone (UTC), even a minute after midnight.
    recent = max(now - timedelta(minutes=5), now.replace(hour=0, minute=1, second=0))
    for device, moment, kwh in (
        (bakery, recent, 7.5),
        (kiosk, recent, 1.25),
        (barn, now - timedelta(hours=2), 0.5),  # silent for longer than three intervals
    ):
        stack.publish(
            "meter.reading",
            {"timestamp": moment.isoformat(), "device_id": device["id"], "measurement_value": kwh},
        )

    def summarised():
        response = stack.call("GET", "/function/consumption/summary", token=stack.admin_token)
        rows = {row["device_id"]: row for row in response.json()}
        return all(rows.get(d["id"], {}).get("last_reading_at") for d in (bakery, kiosk, barn))

    wait_for(summarised, timeout=30, message="the readings in monitoring's summary")

    page = open_page()
    sign_in(page, ADMIN_USERNAME, ADMIN_PASSWORD)
    expect(page.get_by_role("heading", name="Overview")).to_be_visible()
    chart = page.get_by_test_id("top-consumers")
    expect(chart).to_have_attribute(
        "aria-label", re.compile(rf"Bakery {suffix} 7\.50 kWh.*Kiosk {suffix} 1\.25 kWh")
    )
    expect(page.get_by_test_id("offline-row").filter(has_text=f"Barn {suffix}")).to_have_count(1)
    expect(page.get_by_test_id("offline-row").filter(has_text=f"Bakery {suffix}")).to_have_count(0)
    screenshot(page, "admin-overview")

    page.get_by_role("link", name=re.compile(r"^\d+ of \d+$")).click()
    expect(page.get_by_role("heading", name="Devices")).to_be_visible()
