"""Each component's own broker account, on the real broker: what it may do and what not.

The accounts' table (ems/broker_accounts.py) is imported into a vhost of the test's own,
as ``ems up``'s set-up imports it, with the machine's passwords; then every account
signs in and tries the events it must publish and the forged events it must not.
``ems up`` really running its components under those accounts is checked on the suite's
stack.
"""

from __future__ import annotations

import json

import pika
import pika.exceptions
import pytest

from ems import broker_accounts
from ems.config import BROKER_ACCOUNT_SECRETS
from tests.harness import SERVICES, wait_for

EXCHANGE = "ems"
PREFIX = "ems."
HUB_QUEUE = "ems.socket-hub"
FORGED = ("alert.raised", "chat.reply", "user.deleted", "meter.reading", "device.assigned")
# What each component publishes in its work (and so must be allowed).
PUBLISHES = {
    "identity": ["user.created", "user.updated", "user.deleted"],
    "inventory": ["device.created", "device.assigned", "device.unassigned", "device.deleted"],
    "monitoring": ["alert.raised", "device.online", "device.offline"],
    "support": ["chat.message", "chat.reply", "chat.state"],
    "readings": ["meter.reading"],
    "operations": ["meter.reading", "user.deleted"],  # a replay keeps the letter's own key
}
ROLES = [account.role for account in broker_accounts.accounts(EXCHANGE, PREFIX, HUB_QUEUE)]


@pytest.fixture(scope="module")
def accounts_vhost():
    """A vhost with the ``ems`` exchange and every account's rights, as the set-up makes it."""
    with SERVICES.vhost("ems-test-accounts") as name:
        passwords = {n: SERVICES.config.secrets[n] for n in BROKER_ACCOUNT_SECRETS}
        SERVICES.broker.ctl(
            "import_definitions",
            stdin=json.dumps(
                broker_accounts.definitions(name, passwords, EXCHANGE, PREFIX, HUB_QUEUE)
            ),
        )
        with pika.BlockingConnection(pika.URLParameters(SERVICES.amqp_url(name))) as setup:
            setup.channel().exchange_declare(EXCHANGE, "topic", durable=True)
        yield name


def publishes(vhost: str, role: str, routing_key: str) -> bool:
    """Whether the broker confirms ``role``'s publish of ``routing_key`` on ``ems``."""
    with SERVICES.sign_in_as(vhost, role) as connection:
        channel = connection.channel()
        channel.confirm_delivery()
        try:
            channel.basic_publish(EXCHANGE, routing_key, b'{"probe": true}')
        except pika.exceptions.ChannelClosedByBroker as refused:
            assert refused.reply_code == 403, refused
            return False
        return True


def refused(vhost: str, role: str, action) -> bool:
    with SERVICES.sign_in_as(vhost, role) as connection:
        try:
            action(connection.channel())
        except pika.exceptions.ChannelClosedByBroker as error:
            assert error.reply_code == 403, error
            return True
        return False


@pytest.mark.parametrize("role", ROLES)
def test_each_component_publishes_exactly_its_own_events(accounts_vhost, role):
    allowed = PUBLISHES.get(role, [])
    for routing_key in allowed:
        assert publishes(accounts_vhost, role, routing_key), f"{role} may publish {routing_key}"
    for routing_key in FORGED:
        if role == "operations" or routing_key in allowed:
            continue
        assert not publishes(accounts_vhost, role, routing_key), f"{role} forged {routing_key}"


@pytest.mark.parametrize("role", ROLES)
def test_no_component_can_change_or_delete_the_exchange(accounts_vhost, role):
    def redeclare(channel):
        channel.exchange_declare(EXCHANGE, "topic", durable=True)

    assert refused(accounts_vhost, role, redeclare)
    assert refused(accounts_vhost, role, lambda channel: channel.exchange_delete(EXCHANGE))


def test_the_connector_and_the_hub_keep_to_their_own_queues(accounts_vhost):
    def declare_hub_queue(channel):
        channel.queue_declare(HUB_QUEUE, durable=True)

    def declare_function_queue(channel):
        channel.queue_declare(f"{PREFIX}ingest", durable=True)

    def bind_hub_to_readings(channel):
        channel.queue_declare(HUB_QUEUE, durable=True)
        channel.queue_bind(HUB_QUEUE, EXCHANGE, "meter.reading")

    assert refused(accounts_vhost, "connector", declare_hub_queue)
    assert not refused(accounts_vhost, "connector", declare_function_queue)
    assert refused(accounts_vhost, "hub", declare_function_queue)
    # The hub may bind only what it routes to browsers: never the meters' readings.
    assert refused(accounts_vhost, "hub", bind_hub_to_readings)
    for role in ("identity", "monitoring", "readings"):
        assert refused(accounts_vhost, role, declare_function_queue), role


def test_the_suite_stack_runs_its_components_under_their_own_accounts(stack):
    def users() -> set[str]:
        out = SERVICES.rabbitmqctl("list_connections", "user", "vhost", "--no-table-headers")
        rows = (line.split("\t") for line in out.splitlines() if line.strip())
        return {user for user, vhost in rows if vhost == stack.vhost}

    # The connector and the hub hold connections all the time; a function from its first
    # event on (identity's ``users``, for a user made now).
    stack.create_user()
    wait_for(
        lambda: {"ems-connector", "ems-hub", "ems-identity"} <= users(),
        timeout=30,
        message="the connector, the hub and identity connected under their own accounts",
    )
