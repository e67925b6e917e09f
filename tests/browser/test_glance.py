"""Cards, lists and pages at a glance and on a phone (issue 19, items 1, 7, 8, 14, extras)."""

from __future__ import annotations

import json
import re
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from playwright.sync_api import expect

from tests.browser.ui import PHONE, WIDE, field, screenshot, sign_in, within_viewport
from tests.harness import ADMIN_PASSWORD, ADMIN_USERNAME, wait_for

pytestmark = pytest.mark.browser


def reading(device_id: str, moment: datetime, kwh: float) -> dict:
    return {"timestamp": moment.isoformat(), "device_id": device_id, "measurement_value": kwh}


def reported(stack, token: str, device_ids: list[str]) -> None:
    def every_one():
        rows = {
            r["device_id"]: r
            for r in stack.call("GET", "/function/consumption/summary", token=token).json()
        }
        return all(rows.get(i, {}).get("last_reading_at") for i in device_ids)

    wait_for(every_one, timeout=30, message="the readings in the summary")


def test_status_is_an_icon_and_a_word_that_never_truncates(stack, open_page):
    """Item 1, at 1440 px, beside long names."""
    suffix = uuid.uuid4().hex[:4]
    quiet = stack.monitored_device(
        name=f"Warehouse north wing main distribution board {suffix}", address="Industrial Park 4"
    )
    busy = stack.monitored_device(name=f"Cold store compressor bank {suffix}")
    now = datetime.now(UTC)
    stack.publish("meter.reading", reading(quiet["id"], now - timedelta(hours=2), 0.2))
    stack.publish("meter.reading", reading(busy["id"], now - timedelta(minutes=2), 0.2))
    reported(stack, stack.admin_token, [quiet["id"], busy["id"]])
    page = open_page(WIDE)
    sign_in(page, ADMIN_USERNAME, ADMIN_PASSWORD)
    page.get_by_role("link", name="Devices").click()
    field(page, "Find devices").fill(suffix)
    statuses = page.get_by_test_id("device-row").get_by_test_id("device-status")
    expect(statuses).to_have_count(2)
    expect(page.get_by_test_id("device-row").filter(has_text="Warehouse")).to_contain_text(
        "Offline"
    )
    expect(page.get_by_test_id("device-row").filter(has_text="Cold store")).to_contain_text(
        "Online"
    )
    for status in statuses.all():
        assert status.locator("svg").count() == 1
        clipped = status.evaluate(
            "el => [el, ...el.querySelectorAll('*')].some(e => e.scrollWidth > e.clientWidth + 1)"
        )
        assert not clipped, status.text_content()
    screenshot(page, "admin-devices-status", full_page=False)


def test_a_failed_summary_says_so_in_plain_words_and_can_be_tried_again(stack, open_page):
    """Item 7: no "NO DATA" with a dash for a figure, no "see its log"."""
    user, _ = stack.create_user()
    stack.monitored_device(user["id"], name=f"Bakery oven {uuid.uuid4().hex[:4]}")
    page = open_page(WIDE)
    failure = json.dumps(
        {"error": {"code": "internal", "message": "the function failed; see its log"}}
    )
    page.route(
        "**/function/consumption/summary**",
        lambda route: route.fulfill(status=500, body=failure, content_type="application/json"),
    )
    sign_in(page, user["username"], "password-123")
    problem = page.get_by_test_id("load-failed").filter(has_text="today's figures")
    expect(problem).to_contain_text("Something went wrong on our side")
    expect(page.get_by_text("see its log")).to_have_count(0)
    expect(page.get_by_test_id("device-row")).to_have_count(0)
    screenshot(page, "failure-plain-words", full_page=False)
    page.unroute("**/function/consumption/summary**")
    problem.get_by_role("button", name="Try again").click()
    expect(problem).to_have_count(0)
    expect(page.get_by_test_id("device-row").get_by_test_id("today-kwh")).to_have_text("0.00 kWh")


def test_alerts_devices_and_the_overview_fit_a_phone(stack, open_page):
    """Item 8: stacked cards with their actions on screen; panels as wide as the screen."""
    user, token = stack.create_user()
    device = stack.monitored_device(
        user["id"], name=f"Sauna {uuid.uuid4().hex[:4]}", max_hourly_kwh=1
    )
    stack.publish(
        "meter.reading", reading(device["id"], datetime.now(UTC) - timedelta(seconds=30), 1.6)
    )
    wait_for(
        lambda: stack.call("GET", "/function/alerts", token=token).json(),
        timeout=30,
        message="the alert raised",
    )

    phone = open_page(PHONE)
    sign_in(phone, user["username"], "password-123")
    phone.goto("/alerts")
    acknowledge = phone.get_by_role("button", name=f"Acknowledge the alert for {device['name']}")
    expect(acknowledge).to_be_visible()
    assert within_viewport(phone, acknowledge), "the action is off-screen"
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    screenshot(phone, "alerts-phone")

    admin = open_page(PHONE)
    sign_in(admin, ADMIN_USERNAME, ADMIN_PASSWORD)
    panels = admin.get_by_test_id("overview-panels").locator(":scope > *")
    expect(panels.first).to_be_visible()
    main_width = admin.locator("main").evaluate("el => el.clientWidth")
    for panel in panels.all():
        assert panel.evaluate("el => el.getBoundingClientRect().width") >= main_width - 40
    screenshot(admin, "admin-overview-phone")
    admin.goto("/admin/devices")
    field(admin, "Find devices").fill(device["name"])
    row = admin.get_by_test_id("device-row").filter(has_text=device["name"])
    edit = row.get_by_role("button", name=f"Edit {device['name']}")
    expect(edit).to_be_visible()
    edit.scroll_into_view_if_needed()
    assert within_viewport(admin, edit)
    assert admin.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    screenshot(admin, "admin-devices-phone", full_page=False)


def test_cards_show_live_power_the_last_hour_and_totals_over_every_meter(stack, open_page):
    """Beyond the defects, and item 14's labelled allowance."""
    user, token = stack.create_user(timezone="Europe/Berlin")
    device = stack.monitored_device(user["id"], max_hourly_kwh=5, timezone="Europe/Berlin")
    now = datetime.now(UTC)
    for minutes, kwh in ((35, 0.3), (25, 0.35), (15, 0.4), (5, 0.4)):
        stack.publish("meter.reading", reading(device["id"], now - timedelta(minutes=minutes), kwh))
    wait_for(
        lambda: (
            len(
                next(
                    r
                    for r in stack.call(
                        "GET", "/function/consumption/summary?power=true", token=token
                    ).json()
                    if r["device_id"] == device["id"]
                )["last_hour"]
            )
            == 4
        ),
        timeout=30,
        message="the last hour's readings",
    )
    page = open_page(WIDE)
    sign_in(page, user["username"], "password-123")
    card = page.get_by_test_id("device-row")
    expect(card.get_by_test_id("live-power")).to_contain_text(re.compile(r"2\.40 kW · \d+ min ago"))
    expect(card.get_by_test_id("sparkline")).to_have_attribute("data-points", "4")
    expect(card.get_by_test_id("allowance")).to_have_text(
        re.compile(r"^\d+% of today's allowance$")
    )
    expect(card.get_by_role("progressbar")).to_have_attribute(
        "aria-label", re.compile(r"of today's allowance")
    )
    totals = page.get_by_role("region", name="All your meters")
    expect(totals.get_by_test_id("total-today")).to_have_text("1.45 kWh")
    expect(totals.get_by_test_id("total-month")).to_have_text("1.45 kWh")
    screenshot(page, "client-devices-live", full_page=False)


def test_links_dates_focus_and_the_skip_link(stack, open_page):
    """Item 14: a deep link survives signing in; a bad date is said, not made up; focus."""
    user, _ = stack.create_user(timezone="Europe/Berlin")
    device = stack.monitored_device(user["id"], timezone="Europe/Berlin")
    page = open_page(WIDE)
    page.goto(f"/devices/{device['id']}?date=2026-11-20")
    expect(page).to_have_url(re.compile(r"/signin$"))
    field(page, "Username").fill(user["username"])
    page.get_by_label("Password").fill("password-123")
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(re.compile(rf"/devices/{device['id']}\?date=2026-11-20$"))
    expect(page.get_by_test_id("consumption-chart")).to_be_visible()

    page.goto(f"/devices/{device['id']}?date=2026-02-30")
    expect(page.get_by_test_id("bad-date")).to_contain_text("“2026-02-30”")
    day = page.get_by_role("button", name="Day", exact=True)
    expect(day).to_have_text(re.compile(r"^(Pick a day)?$"))
    screenshot(page, "bad-date", full_page=False)

    page.get_by_role("link", name="Alerts").click()
    expect(page.get_by_role("heading", name="Alerts")).to_be_focused()
    page.get_by_role("link", name="Profile").click()
    expect(page.get_by_role("heading", name="Profile")).to_be_focused()

    page.goto("/devices")
    expect(page.get_by_role("heading", name="My devices")).to_be_visible()
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to content")
    expect(skip).to_be_focused()
    expect(skip).to_be_in_viewport()
    page.keyboard.press("Enter")
    expect(page.locator("#main-content")).to_be_focused()
