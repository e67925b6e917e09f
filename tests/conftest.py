"""Fixtures shared by the suite: one whole system per test session."""

from __future__ import annotations

import os

import pytest

from tests.fakes.gemini import FakeGemini
from tests.harness import running
from tests.mailbox import Mailbox

# The Swarm end-to-end scenario needs a deployed stack: `make swarm-test` runs it.
collect_ignore = [] if os.environ.get("EMS_SWARM_E2E") else ["swarm_e2e"]

# Short enough that a test of the timeout handoff does not wait long.
GEMINI_TIMEOUT_SECONDS = "2"


@pytest.fixture(scope="session")
def gemini():
    """The local fake of the Gemini API that the stack's chat-reply talks to."""
    fake = FakeGemini().start()
    yield fake
    fake.stop()


@pytest.fixture(scope="session")
def mailbox():
    """A real SMTP server on loopback where the stack sends its notification e-mail."""
    box = Mailbox().start()
    yield box
    box.stop()


@pytest.fixture(scope="session")
def stack(gemini, mailbox):
    """The whole system (``ems up``) on a free port, with its own databases and vhost."""
    settings = {
        "GEMINI_BASE_URL": gemini.url,
        "GEMINI_API_KEY": "test-gemini-key",
        "GEMINI_TIMEOUT_SECONDS": GEMINI_TIMEOUT_SECONDS,
        **mailbox.settings,
        # The tests' webhook receivers listen on loopback.
        "NOTIFY_WEBHOOK_ALLOWED_NETWORKS": "127.0.0.0/8",
    }
    with running(settings) as system:
        yield system
