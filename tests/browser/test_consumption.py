"""Readings published to RabbitMQ show up in the client's day chart, and alerts pop up live."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect

from tests.browser.ui import screenshot, sign_in
from tests.harness import wait_for

pytestmark = pytest.mark.browser

BERLIN = "Europe/Berlin"
LIMIT = 2.0


@pytest.fixture
def client_with_device(stack):
    """A client in Berlin with one assigned device that monitoring already knows as theirs."""
    user, token = stack.create_user(timezone=BERLIN)
    device = stack.monitored_device(user["id"], max_hourly_kwh=LIMIT, timezone=BERLIN)
    return user, token, device


def reading(device_id: str, moment: datetime, kwh: str) -> dict:
    return {
        "timestamp": moment.isoformat(),
        "device_id": device_id,
        "measurement_value": float(kwh),
    }


def test_published_readings_appear_in_the_day_chart_with_their_total(
    stack, open_page, client_with_device
):
    user, token, device = client_with_device
    berlin = ZoneInfo(BERLIN)
    yesterday = datetime.now(berlin).date() - timedelta(days=1)

    def at(hour: int, minute: int) -> datetime:
        return datetime.combine(yesterday, datetime.min.time(), berlin).replace(
            hour=hour, minute=minute
        )

    sent = {
        at(9, 10): "0.4",
        at(9, 20): "0.4",
        at(9, 30): "0.45",
        at(18, 10): "1.25",
        at(23, 50): "0.5",
    }
    for moment, kwh in sent.items():
        stack.publish("meter.reading", reading(device["id"], moment, kwh))
    total = sum(Decimal(kwh) for kwh in sent.values())  # 3.000
    date = yesterday.isoformat()
    path = f"/function/consumption?device_id={device['id']}&date={date}"
    wait_for(
        lambda: Decimal(str(stack.call("GET", path, token=token).json()["total_kwh"])) == total,
        timeout=30,
        message="the readings counted",
    )

    page = open_page()
    sign_in(page, user["username"], "password-123")
    page.get_by_role("link", name=device["name"]).click()
    expect(page.get_by_role("heading", name=device["name"])).to_be_visible()
    page.get_by_role("button", name="Previous day").click()
    expect(page).to_have_url(f"{stack.url}/devices/{device['id']}?date={date}")
    expect(page.get_by_test_id("day-total")).to_have_text(f"{total:.3f} kWh")
    chart = page.get_by_test_id("consumption-chart")
    expect(chart).to_have_attribute("data-buckets", "24")
    expect(chart.locator(".recharts-reference-line")).to_have_count(1)
    expect(chart.get_by_text(f"Limit {LIMIT:g} kWh")).to_be_visible()
    screenshot(page, "client-consumption-day")

    page.get_by_text("Line", exact=True).click()
    expect(page.get_by_test_id("consumption-chart").locator(".recharts-line-dot")).to_have_count(24)
    page.get_by_text("Table", exact=True).click()
    rows = page.get_by_test_id("consumption-table").locator("tbody tr")
    expect(rows).to_have_count(24)
    expect(rows.nth(9)).to_contain_text("09:00")
    expect(rows.nth(9)).to_contain_text("1.250")
    expect(rows.nth(18)).to_contain_text("1.250")
    expect(rows.nth(23)).to_contain_text("0.500")

    with page.expect_download() as download_info:
        page.get_by_role("button", name="Download CSV").click()
    download = download_info.value
    assert download.suggested_filename == f"{device['name']}-{date}.csv"
    rows_in_csv = list(csv.DictReader(io.StringIO(Path(download.path()).read_text())))
    assert len(rows_in_csv) == 24
    assert sum(Decimal(row["kwh"]) for row in rows_in_csv) == total

    # The last 30 days, per day: yesterday holds everything sent.
    page.get_by_text("Custom", exact=True).click()
    page.get_by_text("Bars", exact=True).click()
    expect(page.get_by_test_id("range-total")).to_have_text(f"{total:.3f} kWh")
    expect(page.get_by_test_id("consumption-chart")).to_have_attribute("data-buckets", "30")
    screenshot(page, "client-consumption-range")


def test_an_over_limit_reading_pops_a_notification_without_a_reload(
    stack, open_page, client_with_device
):
    user, _token, device = client_with_device
    page = open_page()
    sign_in(page, user["username"], "password-123")
    expect(page.get_by_test_id("device-row")).to_contain_text("None")
    page.evaluate("window.__loadedOnce = true")

    stack.publish(
        "meter.reading",
        reading(device["id"], datetime.now(UTC) - timedelta(seconds=30), str(LIMIT + 0.75)),
    )
    notification = page.get_by_role("alert").filter(has_text="Over the hourly limit")
    expect(notification).to_be_visible()
    expect(notification).to_contain_text(f"{device['name']} used {LIMIT + 0.75:.2f} kWh")
    expect(page.get_by_test_id("device-row")).to_contain_text("to acknowledge")
    assert page.evaluate("window.__loadedOnce") is True  # the same page, never reloaded
    screenshot(page, "client-alert-notification")

    page.get_by_role("link", name="Alerts").click()
    row = page.get_by_test_id("alert-row").filter(has_text=device["name"])
    expect(row).to_have_count(1)
    row.get_by_role("button", name=f"Acknowledge the alert for {device['name']}").click()
    page.get_by_role("dialog").get_by_role("button", name="Acknowledge").click()
    expect(row).to_contain_text("Acknowledged")
    screenshot(page, "client-alerts")
