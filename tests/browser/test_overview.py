"""The administrator's overview: what the fleet used today, and the meters gone quiet."""

from __future__ import annotations

import math
import re
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from playwright.sync_api import expect

from tests.browser.ui import screenshot, sign_in
from tests.harness import ADMIN_PASSWORD, ADMIN_USERNAME, wait_for

pytestmark = pytest.mark.browser


def todays_highest(stack) -> int:
    """The most any meter of the suite's system used today, in whole kWh rounded up."""
    response = stack.call(
        "GET", "/function/consumption/summary?sort=-today_kwh&limit=1", token=stack.admin_token
    )
    assert response.status_code == 200, response.text
    return math.ceil(max([row["today_kwh"] for row in response.json()], default=0))


def test_the_overview_shows_todays_biggest_consumers_and_the_quiet_meters(stack, open_page):
    # Other tests' meters used energy today too: these two use more, whatever the hour.
    base = todays_highest(stack)
    bakery_kwh, kiosk_kwh = base + 7.5, base + 1.25
    suffix = uuid.uuid4().hex[:4]
    bakery, kiosk, barn = (
        stack.monitored_device(name=f"{name} {suffix}", max_hourly_kwh=base + 50)
        for name in ("Bakery", "Kiosk", "Barn")
    )
    now = datetime.now(UTC)
    # Today in the administrator's zone (UTC), even a minute after midnight.
    recent = max(now - timedelta(minutes=5), now.replace(hour=0, minute=1, second=0))
    for device, moment, kwh in (
        (bakery, recent, bakery_kwh),
        (kiosk, recent, kiosk_kwh),
        (barn, now - timedelta(hours=2), 0.5),  # silent for longer than three intervals
    ):
        stack.publish(
            "meter.reading",
            {"timestamp": moment.isoformat(), "device_id": device["id"], "measurement_value": kwh},
        )

    ids = ",".join(d["id"] for d in (bakery, kiosk, barn))

    def summarised():
        path = f"/function/consumption/summary?device_ids={ids}"
        rows = stack.call("GET", path, token=stack.admin_token).json()
        return len(rows) == 3 and all(row["last_reading_at"] for row in rows)

    wait_for(summarised, timeout=30, message="the readings in monitoring's summary")

    page = open_page()
    sign_in(page, ADMIN_USERNAME, ADMIN_PASSWORD)
    expect(page.get_by_role("heading", name="Overview")).to_be_visible()
    chart = page.get_by_test_id("top-consumers")
    expect(chart).to_have_attribute(
        "aria-label",
        re.compile(
            rf"biggest consumers: Bakery {suffix} {bakery_kwh:.2f} kWh,"
            rf" Kiosk {suffix} {kiosk_kwh:.2f} kWh"
        ),
    )
    expect(page.get_by_test_id("offline-row").filter(has_text=f"Barn {suffix}")).to_have_count(1)
    expect(page.get_by_test_id("offline-row").filter(has_text=f"Bakery {suffix}")).to_have_count(0)
    screenshot(page, "admin-overview")

    page.get_by_role("link", name=re.compile(r"^\d+ of \d+$")).click()
    expect(page.get_by_role("heading", name="Devices")).to_be_visible()
