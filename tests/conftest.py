"""Fixtures shared by the suite: the whole system once per test session on the
machine's servers, a small one beside it for what the gateway and several hubs do,
and the whole system once more on servers of the tests' own, for the tests that set
those servers up, open their MQTT door or break them."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
import yaml

from tests.fakes.gemini import FakeGemini
from tests.harness import own_services, running, services_for
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


PROBE = Path(__file__).parent / "fixtures" / "probe"


@pytest.fixture(scope="session")
def small_system(tmp_path_factory):
    """``ems up`` on a stack file of the tests' own: the probe function (a handler folder
    and a stack.yml entry, nothing more) at its labels' two replicas, and two socket hub
    replicas. The gateway's and the hubs' own tests use it, so that neither starts the
    whole system again."""
    folder = tmp_path_factory.mktemp("small-system")
    shutil.copytree(PROBE, folder / "probe")
    probe = {
        "lang": "python3-ems",
        "handler": "./probe",
        "image": "faas-ems/probe:latest",
        "annotations": {"topic": "probe.ping", "schedule": "* * * * *"},
        "labels": {"com.openfaas.scale.min": "2", "com.openfaas.scale.max": "4"},
    }
    stack_file = {
        "version": 1.0,
        "provider": {"name": "openfaas", "gateway": "http://127.0.0.1:8080"},
        "functions": {"probe": probe},
    }
    (folder / "stack.yml").write_text(yaml.safe_dump(stack_file))
    settings = {
        "EMS_STACK_FILE": str(folder / "stack.yml"),
        "EMS_REPLICAS": "",
        "EMS_HUB_REPLICAS": "2",
        # A name that resolves to loopback, and one loopback address listed as itself.
        "EMS_CALLBACK_HOSTS": "localhost, 127.0.0.2",
    }
    with running(settings) as system:
        yield system


@pytest.fixture(scope="session")
def own_machine(tmp_path_factory):
    """A PostgreSQL cluster, a RabbitMQ node and a Redis that did not exist, set up by
    ``ems services --start`` on free ports: their settings, ports and what it said."""
    if os.geteuid() != 0:
        pytest.skip("servers of the tests' own are started as root")
    with own_services(tmp_path_factory.mktemp("own-services")) as made:
        yield made


@pytest.fixture(scope="session")
def system_on_own_machine(own_machine):
    """The whole system on :func:`own_machine`'s servers, its MQTT door open (the door is
    node-wide, so only a node of the tests' own may have it), one replica a function."""
    settings, ports, first = own_machine
    assert first.returncode == 0, first.stdout + first.stderr
    extra = {
        "EMS_REPLICAS": "1",
        "OUTBOX_RELAY_SECONDS": "1",
        "EMS_MQTT": "1",
        "EMS_MQTT_PORT": str(ports["mqtt"]),
    }
    with running(extra, services=services_for(settings)) as system:
        system.mqtt_port = ports["mqtt"]
        yield system


def pytest_collection_modifyitems(items):
    """The tests on the tests' own servers run last and together, so that those servers
    are not idling beside every other test; the chaos scenarios, which stop and restart
    them, run after the rest of those."""

    def on_own_machine(item) -> tuple[bool, bool]:
        own = "own_machine" in item.fixturenames
        return own, own and item.path.parent.name == "chaos"

    items.sort(key=on_own_machine)
