"""Tariffs in the browser: an administrator defines one, a client sees what their kWh cost
and how this week compares with last week."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect

from tests.browser.ui import field, screenshot, sign_in
from tests.harness import wait_for

pytestmark = pytest.mark.browser

BERLIN = ZoneInfo("Europe/Berlin")
FLAT = {
    "name": "Flat city rate",
    "currency": "EUR",
    "daily_fixed_charge": "0.5",
    "prices": [{"valid_from": "2026-01-01", "price_per_kwh": "0.25"}],
}


def test_a_client_sees_cost_and_last_week_beside_this_week(stack, open_page):
    tariff = stack.call("POST", "/function/tariffs", token=stack.admin_token, json=FLAT).json()
    user, _ = stack.create_user(timezone="Europe/Berlin")
    device = stack.monitored_device(
        user["id"], max_hourly_kwh=10, timezone="Europe/Berlin", tariff_id=tariff["id"]
    )
    now = datetime.now(BERLIN)
    monday = datetime.combine(
        now.date() - timedelta(days=now.weekday()), datetime.min.time(), BERLIN
    )
    this_week = max(monday.astimezone(UTC), (now - timedelta(hours=2)).astimezone(UTC))
    this_week = this_week.replace(minute=0, second=0, microsecond=0)
    hours = {this_week: Decimal("2.0"), this_week - timedelta(days=7): Decimal("1.6")}
    with stack.db("monitoring") as db:
        for at, kwh in hours.items():
            db.execute(
                "INSERT INTO hourly_totals (device_id, hour_start, kwh, samples)"
                " VALUES (%s, %s, %s, 6)",
                [device["id"], at, kwh],
            )

    page = open_page()
    sign_in(page, user["username"], "password-123")
    expect(page.get_by_test_id("total-week")).to_have_text("2.00 kWh")
    expect(page.get_by_test_id("total-last-week")).to_have_text("1.60 kWh")
    expect(page.get_by_test_id("week-against-last")).to_contain_text("+25.0% (+0.40 kWh)")
    used_today = sum(kwh for at, kwh in hours.items() if at.astimezone(BERLIN).date() == now.date())
    today_cost = Decimal("0.5") + used_today * Decimal("0.25")  # today's fixed charge and energy
    expect(page.get_by_test_id("total-cost-today")).to_have_text(f"€{today_cost:.2f}")
    screenshot(page, "client-devices-week-against-last-week")

    page.goto(f"/devices/{device['id']}?view=week")
    chart = page.get_by_test_id("consumption-chart")
    expect(chart).to_have_attribute("data-earlier", "Last week")
    expect(page.get_by_test_id("earlier-legend")).to_have_text("Last week")
    days = now.weekday() + 1  # Monday to today, each with its fixed charge
    cost = hours[this_week] * Decimal("0.25") + Decimal("0.5") * days
    expect(page.get_by_test_id("total-cost")).to_have_text(f"€{cost:.2f}")
    expect(page.get_by_test_id("earlier-total")).to_contain_text("1.600 kWh")
    expect(page.get_by_test_id("difference")).to_contain_text(
        "+25.0% (+0.40 kWh) against last week"
    )
    screenshot(page, "client-week-cost-and-last-week")


def test_an_administrator_defines_a_tariff_and_gives_it_to_a_device(stack, open_page):
    admin, _ = stack.create_user(role="admin")
    device = stack.create_device(name=f"tariffed-{datetime.now(UTC):%H%M%S%f}")
    page = open_page()
    sign_in(page, admin["username"], "password-123")
    page.get_by_role("link", name="Tariffs").click()
    page.get_by_role("button", name="New tariff").click()
    dialog = page.get_by_role("dialog")
    field(dialog, "Name").fill("Day and night")
    field(dialog, "Currency").fill("RON")
    field(dialog, "Fixed charge per day").fill("1.2")

    def fill_row(index: int, days: str, start: int, end: int, price: str) -> None:
        row = dialog.get_by_test_id("price-row").nth(index)
        row.get_by_label("From day").fill("2026-01-01")
        field(row, "Days").click()
        page.get_by_role("option", name=days).click()
        field(row, "From hour").fill(str(start))
        field(row, "To hour").fill(str(end))
        field(row, "Price per kWh (RON)").fill(price)

    fill_row(0, "Weekdays", 7, 23, "0.9")
    dialog.get_by_role("button", name="Add price").click()
    fill_row(1, "Weekdays", 23, 7, "0.45")
    dialog.get_by_role("button", name="Create tariff").click()
    # weekends have no price yet: the API says so, and nothing is stored
    expect(dialog.get_by_text("leave Saturday 00:00-01:00 without a price")).to_be_visible()
    dialog.get_by_role("button", name="Add price").click()
    fill_row(2, "Weekends", 0, 24, "0.6")
    screenshot(page, "admin-tariff-form")
    dialog.get_by_role("button", name="Create tariff").click()
    expect(dialog).to_be_hidden()
    row = page.get_by_test_id("tariff-row").filter(has_text="Day and night (RON)")
    expect(row).to_contain_text("weekdays 7\u201323: RON")  # an en dash between the hours
    expect(row).to_contain_text("weekends: RON")
    screenshot(page, "admin-tariffs")

    saved = [
        t
        for t in stack.call("GET", "/function/tariffs", token=stack.admin_token).json()
        if t["name"] == "Day and night"
    ]
    assert len(saved) == 1 and saved[0]["daily_fixed_charge"] == 1.2
    assert {(p["days"], p["from_hour"], p["to_hour"]) for p in saved[0]["prices"]} == {
        ("weekdays", 7, 23), ("weekdays", 23, 7), ("weekends", 0, 24)
    }  # fmt: skip

    page.get_by_role("link", name="Devices").click()
    page.get_by_role("button", name=f"Edit {device['name']}").click()
    dialog = page.get_by_role("dialog")
    field(dialog, "Tariff").click()
    page.get_by_role("option", name="Day and night (RON)").click()
    dialog.get_by_role("button", name="Save").click()
    expect(dialog).to_be_hidden()
    path = f"/function/devices/{device['id']}"
    wait_for(
        lambda: (
            stack.call("GET", path, token=stack.admin_token).json()["tariff_id"] == saved[0]["id"]
        ),
        message="the device's tariff saved",
    )
