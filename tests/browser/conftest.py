"""Headless Chromium (Debian's, driven by Playwright) against the running system's SPA."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright

from ems.paths import ROOT

CHROMIUM = Path("/usr/bin/chromium")
SPA = ROOT / "frontend" / "dist" / "index.html"
DESKTOP = {"width": 1280, "height": 800}
# A failed test leaves a picture of every page it had open: what the user would have seen.
FAILURES = ROOT / ".browser-failures"


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    if report.when == "call":
        item.failed_in_call = report.failed
    return report


# Live updates go through RabbitMQ, a function and the hub: give them time on a busy machine.
expect.set_options(timeout=30_000)


@pytest.fixture(scope="session")
def browser() -> Browser:
    if not CHROMIUM.exists():
        pytest.fail("no /usr/bin/chromium: `make test-tools` (apt-get install chromium)")
    if not SPA.exists():
        pytest.fail("the web app is not built: `cd frontend && npm run build`")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM),
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        yield chromium
        chromium.close()


@pytest.fixture
def open_page(browser, stack, request):
    """Open pages in browser contexts of their own (separate storage: separate users).

    Whatever the app's Content-Security-Policy blocks fails the test: the page may
    still look right while a script, style or connection was refused.
    """
    contexts = []
    pages: list[Page] = []
    blocked: list[str] = []

    def open_one(viewport: dict | None = None) -> Page:
        context = browser.new_context(
            base_url=stack.url, viewport=viewport or DESKTOP, accept_downloads=True
        )
        contexts.append(context)
        page = context.new_page()
        pages.append(page)
        page.set_default_timeout(30_000)
        page.on(
            "console",
            lambda message: (
                blocked.append(message.text) if "Content Security Policy" in message.text else None
            ),
        )
        return page

    yield open_one
    if getattr(request.node, "failed_in_call", False):
        FAILURES.mkdir(exist_ok=True)
        for number, page in enumerate(pages):
            page.screenshot(
                path=str(FAILURES / f"{request.node.name}-{number}.png"), full_page=True
            )
    for context in contexts:
        context.close()
    assert not blocked, blocked
