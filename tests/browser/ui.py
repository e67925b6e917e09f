"""What the browser tests do the way a user does it: sign in, fill a form, take a screenshot."""

from __future__ import annotations

from playwright.sync_api import Locator, Page, expect

from ems.paths import ROOT

SCREENSHOTS = ROOT / "docs" / "screenshots"
# The sizes the web app was tried at: a laptop and a phone.
WIDE = {"width": 1440, "height": 900}
PHONE = {"width": 390, "height": 844}


def field(scope: Page | Locator, label: str) -> Locator:
    """A text field by its label (Mantine adds an aria-hidden " *" to required ones)."""
    return scope.get_by_role("textbox", name=label, exact=True)


def sign_in(page: Page, username: str, password: str) -> None:
    """Sign in through the form and wait until live updates are connected."""
    page.goto("/signin")
    field(page, "Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_test_id("live-status")).to_have_text("Live")


def choose(scope: Page | Locator, label: str, option: str) -> None:
    """Pick an option of a (searchable) select by typing part of it."""
    select = field(scope, label)
    select.click()
    select.fill(option)
    # The options open in a layer of their own, outside any dialog.
    select.page.get_by_role("option", name=option).first.click()


def screenshot(page: Page, name: str, *, full_page: bool = True, settle: bool = True) -> None:
    """Keep a picture of the page for the README (docs/screenshots/<name>.png).

    ``settle=False`` for a picture taken while a request is held on purpose.
    """
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    if settle:
        page.wait_for_load_state("networkidle")
    page.screenshot(
        path=str(SCREENSHOTS / f"{name}.png"), full_page=full_page, animations="disabled"
    )


def box(locator: Locator) -> dict:
    """Where an element is on the page, failing if it is not laid out."""
    found = locator.bounding_box()
    assert found is not None, f"{locator} is not on the page"
    return found


def within_viewport(page: Page, locator: Locator) -> bool:
    """The whole element is on the screen without scrolling sideways or down."""
    where = box(locator)
    size = page.viewport_size
    return (
        where["x"] >= 0
        and where["y"] >= 0
        and where["x"] + where["width"] <= size["width"]
        and where["y"] + where["height"] <= size["height"]
    )
