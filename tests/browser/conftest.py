"""Headless Chromium (Debian's, driven by Playwright) against the running system's SPA."""

from __future__ import annotations

import contextlib
import json
import os
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

from ems.paths import ROOT

CHROMIUM = Path("/usr/bin/chromium")
SPA = ROOT / "frontend" / "dist" / "index.html"
DESKTOP = {"width": 1280, "height": 800}
# axe-core from npm (frontend's devDependency): every page a test visits is scanned at
# both sizes the app is made for, and a serious or critical violation fails the test.
AXE = ROOT / "frontend" / "node_modules" / "axe-core" / "axe.min.js"
BLOCKING = {"serious", "critical"}
SIZES = ({"width": 1440, "height": 900}, {"width": 390, "height": 844})
# Set to a file to also record every violation found (any impact) as JSON lines.
AXE_LOG = os.environ.get("EMS_AXE_LOG")
_RUN_AXE = """async () => {
  const result = await axe.run(document, {resultTypes: ['violations']});
  return result.violations.map((v) => ({
    id: v.id, impact: v.impact, nodes: v.nodes.length,
    targets: v.nodes.slice(0, 3).map((n) => n.target.join(' ')),
    detail: v.nodes[0]?.failureSummary?.split('\\n').slice(1, 2).join(' ').trim(),
  }));
}"""
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
    visited: dict[Page, list[str]] = {}

    def open_one(viewport: dict | None = None) -> Page:
        context = browser.new_context(
            base_url=stack.url, viewport=viewport or DESKTOP, accept_downloads=True
        )
        contexts.append(context)
        page = context.new_page()
        pages.append(page)
        page.set_default_timeout(30_000)
        visited[page] = []
        page.on("framenavigated", lambda frame: _note_visit(page, frame, visited[page]))
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
    else:
        problems = [
            problem
            for page in pages
            for problem in accessibility_problems(page, visited[page], request.node.name)
        ]
        assert not problems, "axe: serious or critical violations\n" + "\n".join(problems)
    for context in contexts:
        context.close()
    assert not blocked, blocked


def _note_visit(page: Page, frame, paths: list[str]) -> None:
    if frame == page.main_frame:
        parts = urlsplit(frame.url)
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        if path not in paths:
            paths.append(path)


def axe_violations(page: Page) -> list[dict]:
    """axe-core's violations on the page as it is now (evaluated: the CSP stays on)."""
    page.evaluate(AXE.read_text())
    return page.evaluate(_RUN_AXE)


def accessibility_problems(page: Page, paths: list[str], test: str) -> list[str]:
    """Visit each page the test saw again at both sizes and scan it with axe."""
    if page.is_closed() or not AXE.exists():
        return [] if page.is_closed() else [f"{AXE} is missing: `make spa` installs it"]
    problems = []
    page.unroute_all(behavior="ignoreErrors")  # a request the test held on purpose
    for path in paths:
        for size in SIZES:
            page.set_viewport_size(size)
            page.goto(path)
            with contextlib.suppress(PlaywrightTimeoutError):
                page.wait_for_load_state("networkidle", timeout=10_000)
            found = axe_violations(page)
            where = f"{page.url} at {size['width']}x{size['height']}"
            if AXE_LOG:
                with open(AXE_LOG, "a") as log:
                    log.write(json.dumps({"test": test, "page": where, "violations": found}) + "\n")
            problems += [
                f"{where}: {v['id']} ({v['impact']}, {v['nodes']} elements:"
                f" {v['targets']}; {v['detail']})"
                for v in found
                if v["impact"] in BLOCKING
            ]
    return problems
