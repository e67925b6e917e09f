"""The consumption charts as people read them (issue 19, items 4, 5, 6, 9, 10, and zoom)."""

from __future__ import annotations

import itertools
import re
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect

from tests.browser.ui import PHONE, WIDE, box, screenshot, sign_in
from tests.harness import ADMIN_PASSWORD, ADMIN_USERNAME, wait_for

pytestmark = pytest.mark.browser

BUCHAREST = "Europe/Bucharest"
NEW_YORK = "America/New_York"
FALL_BACK_BUCHAREST = date(2026, 10, 25)
FALL_BACK_NEW_YORK = date(2026, 11, 1)


def until(page, predicate, what: str, seconds: float = 15) -> None:
    """Wait while Playwright keeps dispatching (route handlers run only inside its calls)."""
    for _ in range(int(seconds * 10)):
        if predicate():
            return
        page.wait_for_timeout(100)
    raise AssertionError(f"{what}: not within {seconds}s")


def publish_hours(stack, device_id: str, day: date, zone: str, kwh_by_hour: dict[int, float]):
    """One reading ten minutes into each local hour given."""
    tz = ZoneInfo(zone)
    for hour, kwh in kwh_by_hour.items():
        moment = datetime.combine(day, datetime.min.time(), tz).replace(hour=hour, minute=10)
        stack.publish(
            "meter.reading",
            {"timestamp": moment.isoformat(), "device_id": device_id, "measurement_value": kwh},
        )


def total_is(stack, token, device_id, day: date, expected: float):
    path = f"/function/consumption?device_id={device_id}&date={day.isoformat()}"
    wait_for(
        lambda: abs(stack.call("GET", path, token=token).json()["total_kwh"] - expected) < 1e-6,
        timeout=30,
        message="the readings counted",
    )


@pytest.mark.parametrize("viewport", [WIDE, PHONE], ids=["wide", "phone"])
def test_every_hour_of_a_25_hour_day_keeps_its_label(stack, open_page, viewport):
    """Item 4: the repeated hour says which; no label is dropped, none overlaps."""
    user, _ = stack.create_user(timezone=BUCHAREST)
    device = stack.monitored_device(user["id"], max_hourly_kwh=5, timezone=BUCHAREST)
    page = open_page(viewport)
    sign_in(page, user["username"], "password-123")
    page.goto(f"/devices/{device['id']}?date={FALL_BACK_BUCHAREST.isoformat()}")
    chart = page.get_by_test_id("consumption-chart")
    expect(chart).to_have_attribute("data-buckets", "25")
    # side by side on a laptop; on a phone the hours run down the page as rows
    rows = viewport is PHONE
    expect(chart).to_have_attribute("data-layout", "rows" if rows else "columns")
    axis = ".recharts-yAxis" if rows else ".recharts-xAxis"
    ticks = chart.locator(f"{axis} .recharts-cartesian-axis-tick text")
    expect(ticks).to_have_count(25)
    labels = [re.sub(r"\s+", "", text) for text in ticks.all_text_contents()]
    assert len(set(labels)) == 25, labels
    assert {"03:00GMT+3", "03:00GMT+2"} <= set(labels)
    boxes = [box(tick) for tick in ticks.all()]
    start, size = ("y", "height") if rows else ("x", "width")
    for first, second in itertools.pairwise(boxes):
        assert first[start] + first[size] <= second[start] + 0.5, "two hour labels overlap"
    name = "wide" if viewport is WIDE else "phone"
    screenshot(page, f"chart-dst-labels-{name}", full_page=False)


def test_the_limit_is_named_outside_the_plot_where_no_bar_covers_it(stack, open_page):
    """Item 5, on a phone, with bars far over the limit."""
    user, token = stack.create_user(timezone=BUCHAREST)
    device = stack.monitored_device(user["id"], max_hourly_kwh=0.5, timezone=BUCHAREST)
    yesterday = datetime.now(ZoneInfo(BUCHAREST)).date() - timedelta(days=1)
    publish_hours(stack, device["id"], yesterday, BUCHAREST, {h: 1.5 for h in range(15, 24)})
    total_is(stack, token, device["id"], yesterday, 13.5)
    page = open_page(PHONE)
    sign_in(page, user["username"], "password-123")
    page.goto(f"/devices/{device['id']}?date={yesterday.isoformat()}")
    chart = page.get_by_test_id("consumption-chart")
    label = chart.get_by_test_id("limit-label")
    expect(label).to_have_text("Limit 0.5 kWh")
    plot = box(chart.locator(".recharts-cartesian-grid"))
    named = box(label)
    assert named["y"] + named["height"] <= plot["y"], "the limit's name sits inside the plot"
    for bar in chart.locator(".recharts-bar-rectangle").all():
        where = box(bar)
        overlaps_x = (
            where["x"] < named["x"] + named["width"] and named["x"] < where["x"] + where["width"]
        )
        overlaps_y = (
            where["y"] < named["y"] + named["height"] and named["y"] < where["y"] + where["height"]
        )
        assert not (overlaps_x and overlaps_y), "a bar covers the limit's name"
    screenshot(page, "chart-limit-label-phone")


def test_administrators_see_a_sites_day_in_its_own_time_with_a_switch(stack, open_page):
    """Item 6: Brooklyn's 25-hour day has 25 hours for an administrator in UTC."""
    device = stack.monitored_device(name="Brooklyn brownstone", timezone=NEW_YORK, max_hourly_kwh=3)
    page = open_page(WIDE)
    sign_in(page, ADMIN_USERNAME, ADMIN_PASSWORD)
    page.goto(f"/devices/{device['id']}?date={FALL_BACK_NEW_YORK.isoformat()}")
    expect(page.get_by_test_id("shown-zone")).to_have_text(f"Hours shown in {NEW_YORK} (site time)")
    chart = page.get_by_test_id("consumption-chart")
    expect(chart).to_have_attribute("data-buckets", "25")
    screenshot(page, "admin-site-time", full_page=False)
    page.get_by_text("My time", exact=True).click()
    expect(page.get_by_test_id("shown-zone")).to_contain_text("(your time)")
    expect(chart).to_have_attribute("data-buckets", "24")


def test_moving_to_another_day_keeps_the_chart_dimmed_and_csv_shows_it_is_busy(stack, open_page):
    """Item 9: no collapse while loading, a busy CSV button, compressed files, lazy charts."""
    user, _token = stack.create_user(timezone=BUCHAREST)
    device = stack.monitored_device(user["id"], max_hourly_kwh=2, timezone=BUCHAREST)
    page = open_page(WIDE)
    scripts: dict[str, str | None] = {}
    page.on(
        "response",
        lambda response: (
            scripts.__setitem__(response.url, response.headers.get("content-encoding"))
            if "/assets/" in response.url
            else None
        ),
    )
    sign_in(page, user["username"], "password-123")
    expect(page.get_by_test_id("device-row")).to_have_count(1)
    assert scripts and all(encoding in ("br", "gzip") for encoding in scripts.values()), scripts
    assert not any("/charts-" in url for url in scripts), "chart code loaded on the device list"

    page.get_by_role("link", name=device["name"]).click()
    chart = page.get_by_test_id("consumption-chart")
    expect(chart).to_have_attribute("data-loading", "false")
    assert any("/charts-" in url for url in scripts), "the chart page loads the chart code"

    held = []
    page.route(re.compile(r"/function/consumption\?"), lambda route: held.append(route))
    page.get_by_role("button", name="Previous day").click()
    until(page, lambda: held, "the day asked for")
    expect(chart).to_have_attribute("data-loading", "true")
    expect(chart).to_be_visible()
    expect(page.get_by_text("Loading consumption")).to_have_count(0)
    screenshot(page, "chart-loading-dimmed", full_page=False, settle=False)
    held.pop().continue_()
    expect(chart).to_have_attribute("data-loading", "false")

    page.get_by_role("button", name="Download CSV").click()
    until(page, lambda: held, "the CSV asked for")
    expect(page.get_by_role("button", name="Download CSV")).to_have_attribute(
        "data-loading", "true"
    )
    with page.expect_download():
        held.pop().continue_()
    expect(page.get_by_role("button", name="Download CSV")).not_to_have_attribute(
        "data-loading", "true"
    )


def test_periods_come_from_one_control_and_partial_ones_are_marked(stack, open_page):
    """Item 10: a month cut by the range or still running is partial; presets; previous/next."""
    user, _token = stack.create_user(timezone=BUCHAREST)
    device = stack.monitored_device(user["id"], max_hourly_kwh=2, timezone=BUCHAREST)
    page = open_page(WIDE)
    sign_in(page, user["username"], "password-123")
    page.get_by_role("link", name=device["name"]).click()
    chart = page.get_by_test_id("consumption-chart")
    page.get_by_text("Custom", exact=True).click()
    expect(chart).to_have_attribute("data-buckets", "30")
    expect(chart).to_have_attribute("data-partial-buckets", "1")  # today
    page.get_by_text("Per month", exact=True).click()
    today = datetime.now(ZoneInfo(BUCHAREST)).date()
    months = "1" if (today - timedelta(days=29)).month == today.month else "2"
    expect(chart).to_have_attribute("data-buckets", months)
    expect(chart).to_have_attribute("data-partial-buckets", months)  # cut or running: all
    expect(page.get_by_test_id("partial-legend")).to_be_visible()
    screenshot(page, "chart-partial-months", full_page=False)

    page.get_by_role("button", name="Last 12 months").click()
    expect(chart).to_have_attribute("data-buckets", "12")
    expect(chart).to_have_attribute("data-partial-buckets", "1")
    page.get_by_text("Year", exact=True).click()
    expect(page.get_by_role("button", name="Next year")).to_be_disabled()
    page.get_by_role("button", name="Previous year").click()
    expect(chart).to_have_attribute("data-buckets", "12")
    expect(chart).to_have_attribute("data-partial-buckets", "0")
    page.get_by_text("Week", exact=True).click()
    page.get_by_role("button", name="Next week").click()
    expect(chart).to_have_attribute("data-buckets", "7")
    expect(page).to_have_url(re.compile(r"view=week"))


def test_dragging_across_the_day_chart_zooms_into_those_hours(stack, open_page):
    user, token = stack.create_user(timezone=BUCHAREST)
    device = stack.monitored_device(user["id"], max_hourly_kwh=2, timezone=BUCHAREST)
    yesterday = datetime.now(ZoneInfo(BUCHAREST)).date() - timedelta(days=1)
    hours = {h: 0.5 + h / 20 for h in range(24)}  # at most 12 decimals, as readings must be
    publish_hours(stack, device["id"], yesterday, BUCHAREST, hours)
    total_is(stack, token, device["id"], yesterday, sum(hours.values()))
    page = open_page(WIDE)
    sign_in(page, user["username"], "password-123")
    page.goto(f"/devices/{device['id']}?date={yesterday.isoformat()}")
    chart = page.get_by_test_id("consumption-chart")
    expect(chart).to_have_attribute("data-buckets", "24")
    bars = chart.locator(".recharts-bar-rectangle")
    expect(bars).to_have_count(24)
    start, end = box(bars.nth(6)), box(bars.nth(11))
    y = start["y"] + start["height"] / 2
    page.mouse.move(start["x"] + start["width"] / 2, y)
    page.mouse.down()
    page.mouse.move(end["x"] + end["width"] / 2, y, steps=8)
    page.mouse.up()
    expect(chart).to_have_attribute("data-buckets", "6")  # 06:00 to 11:00
    expect(bars).to_have_count(6)
    screenshot(page, "chart-zoomed", full_page=False)
    page.get_by_role("button", name="Reset zoom").click()
    expect(chart).to_have_attribute("data-buckets", "24")
