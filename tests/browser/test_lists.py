"""Lists at fleet scale, in the browser: a client with 1,000 meters finds one and sorts
them by today's use; an administrator pages through 10,000 devices; and all of it works
with the keyboard alone, the focus always visible. (The shared fixture scans every page
visited with axe-core at both sizes.)"""

from __future__ import annotations

import re
import uuid

import pytest
from playwright.sync_api import Page, expect

from tests import fleet
from tests.browser.ui import PHONE, WIDE, field, screenshot, sign_in
from tests.harness import ADMIN_PASSWORD, ADMIN_USERNAME

pytestmark = pytest.mark.browser


@pytest.fixture
def thousand(stack):
    """A client who owns 1,000 meters."""
    user, _ = stack.create_user(password="client-password-1")
    meters = fleet.seed(stack, 1000, f"zz{uuid.uuid4().hex[:4]}", owner_id=user["id"])
    yield user, meters
    fleet.remove(stack, meters)


def showing(first: str, last: str, total: str, what: str) -> str:
    """The pager's words: 51, an en dash, then "100 of 1,000 meters"."""
    return f"{first}\N{EN DASH}{last} of {total} {what}"


def pager(page: Page):
    return page.get_by_test_id("page-range")


def rows(page: Page):
    return page.get_by_test_id("device-row")


def test_a_client_with_1000_meters_finds_one_by_number_and_sorts_by_todays_use(
    stack, open_page, thousand
):
    user, meters = thousand
    page = open_page(WIDE)
    sign_in(page, user["username"], "client-password-1")
    expect(pager(page)).to_have_text(showing("1", "50", "1,000", "meters"))
    expect(rows(page)).to_have_count(50)
    expect(page.get_by_test_id("total-meters")).to_have_text("1000")
    expect(page.get_by_test_id("total-offline")).to_have_text("100")
    screenshot(page, "client-1000-meters", full_page=False)

    wanted = meters[636]
    field(page, "Find a meter").fill(wanted.meter_id.lower())
    expect(rows(page)).to_have_count(1)
    expect(rows(page)).to_contain_text(wanted.name)
    expect(pager(page)).to_have_text(showing("1", "1", "1", "meters"))
    field(page, "Find a meter").fill("")
    expect(rows(page)).to_have_count(50)

    # the column heading sorts: most used today first, then least
    page.get_by_role("button", name="Today").click()
    most = sorted(meters, key=lambda m: -m.today_kwh)
    expect(rows(page).first).to_contain_text(most[0].name)
    expect(rows(page).nth(1)).to_contain_text(most[1].name)
    expect(page.get_by_role("columnheader", name="Today")).to_have_attribute(
        "aria-sort", "descending"
    )
    page.get_by_role("button", name="Today").click()
    expect(rows(page).first).to_contain_text(most[-1].name)
    page.get_by_role("button", name="Next").click()
    expect(pager(page)).to_have_text(showing("51", "100", "1,000", "meters"))
    expect(rows(page).first).to_contain_text(most[-51].name)
    screenshot(page, "client-devices")

    phone = open_page(PHONE)
    sign_in(phone, user["username"], "client-password-1")
    expect(rows(phone)).to_have_count(50)
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"the page scrolls sideways on a phone ({width} px)"
    phone.get_by_label("Sort by").select_option("-today_kwh")
    expect(rows(phone).first).to_contain_text(most[0].name)
    screenshot(phone, "client-devices-phone", full_page=False)


@pytest.fixture
def ten_thousand(stack):
    meters = fleet.seed(stack, 10_000, f"zz{uuid.uuid4().hex[:4]}")
    yield meters
    fleet.remove(stack, meters)


def test_an_administrator_pages_through_10000_devices(stack, open_page, ten_thousand):
    prefix = ten_thousand[0].name.split()[0]
    page = open_page(WIDE)
    sign_in(page, ADMIN_USERNAME, ADMIN_PASSWORD)
    page.goto(f"/admin/devices?q={prefix}")
    expect(pager(page)).to_have_text(showing("1", "50", "10,000", "devices"))
    expect(rows(page).first).to_contain_text(f"{prefix} 00001")
    page.get_by_role("button", name="Next").click()
    expect(pager(page)).to_have_text(showing("51", "100", "10,000", "devices"))
    expect(rows(page).first).to_contain_text(f"{prefix} 00051")
    page.get_by_role("button", name="Last").click()
    expect(pager(page)).to_have_text(showing("9,951", "10,000", "10,000", "devices"))
    expect(rows(page).last).to_contain_text(f"{prefix} 10000")
    expect(page.get_by_text("Page 200 of 200")).to_be_visible()
    # the address keeps the page: a reload shows the same one
    page.reload()
    expect(pager(page)).to_have_text(showing("9,951", "10,000", "10,000", "devices"))
    page.get_by_label("Sort by").select_option("-name")
    expect(pager(page)).to_have_text(showing("1", "50", "10,000", "devices"))
    expect(rows(page).first).to_contain_text(f"{prefix} 10000")
    screenshot(page, "admin-devices", full_page=False)


def focus_is_visible(page: Page) -> bool:
    """The focused element draws an outline (or a focus ring of Mantine's)."""
    return page.evaluate(
        """() => {
          const el = document.activeElement;
          if (!el || el === document.body) return false;
          const style = getComputedStyle(el);
          return style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0;
        }"""
    )


def tab_to(page: Page, name: str, limit: int = 60, *, backwards: bool = False) -> None:
    """Press Tab (or Shift+Tab) until the element named ``name`` (a regular expression)
    has the focus, checking that every stop on the way shows it."""
    for _ in range(limit):
        page.keyboard.press("Shift+Tab" if backwards else "Tab")
        focused = page.evaluate(
            "() => (document.activeElement?.getAttribute('aria-label')"
            " || document.activeElement?.textContent || '').trim()"
        )
        if not focused:
            focused = page.evaluate("() => document.activeElement?.outerHTML.slice(0, 200)")
        assert focus_is_visible(page), f"no visible focus on {focused!r}"
        if re.fullmatch(name, focused):
            return
    raise AssertionError(f"{name!r} is not reachable with Tab")


def test_the_keyboard_alone_signs_in_searches_sorts_and_pages(stack, open_page, thousand):
    user, meters = thousand
    page = open_page(WIDE)
    page.goto("/signin")
    page.keyboard.press("Tab")  # the skip link or the first field
    field(page, "Username").focus()
    page.keyboard.type(user["username"])
    page.keyboard.press("Tab")
    page.keyboard.type("client-password-1")
    page.keyboard.press("Enter")
    expect(page.get_by_test_id("live-status")).to_have_text("Live")
    expect(pager(page)).to_have_text(showing("1", "50", "1,000", "meters"))

    tab_to(page, "Today")
    page.keyboard.press("Enter")
    most = max(meters, key=lambda m: m.today_kwh)
    expect(rows(page).first).to_contain_text(most.name)
    tab_to(page, "Next")
    page.keyboard.press("Enter")
    expect(pager(page)).to_have_text(showing("51", "100", "1,000", "meters"))
    expect(page.get_by_role("button", name="Next")).to_be_focused()
    # back up the page to the first meter on it, and into it
    first_on_page = sorted(meters, key=lambda m: -m.today_kwh)[50]
    tab_to(page, re.escape(first_on_page.name), limit=200, backwards=True)
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/devices/[0-9a-f-]{36}"))
