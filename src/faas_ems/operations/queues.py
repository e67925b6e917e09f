"""The broker side of dead letters: where they wait, taking them in, sending them back.

The connector moves a message it gave up on to ``ems.<function>.dead`` (the hub to
``ems.socket-hub.dead``) with the reason in ``x-ems-reason``; messages published to
``ems`` that no queue takes go, through the exchange's alternate exchange
``ems.unrouted`` (a policy ``ems up`` and the Swarm definitions set), to the queue
``ems.unrouted``. :func:`sweep` copies all of them into the database and acks them
only once that committed (a crash in between counts a letter twice, never loses it).
:func:`replay` publishes a letter back where it came from, confirmed: a function's
own queue (never the exchange, so other subscribers see nothing twice), or for an
unrouted message the exchange again.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterator

import pika
import requests
from pika.exceptions import AMQPError

from faas_ems.runtime import amqp, settings
from faas_ems.runtime import headers as x_ems

from .letters import UNROUTED, Arrival

log = logging.getLogger("ems.dead-letters")
# one connection a call: its opening and closing are not news
logging.getLogger("pika").setLevel(logging.WARNING)

UNROUTED_EXCHANGE = "ems.unrouted"
SWEEP_LIMIT = 5000


class BrokerUnavailable(RuntimeError):
    """The broker could not be reached or refused a publish; nothing was changed."""


def queue_prefix() -> str:
    return settings.current().connector_queue_prefix


def unrouted_queue() -> str:
    return f"{queue_prefix()}unrouted"


def _gateway_functions() -> list[dict]:
    config = settings.current()
    password = config.basic_auth_password
    auth = (config.basic_auth_user or "admin", password) if password else None
    response = requests.get(config.gateway_url + "/system/functions", auth=auth, timeout=10)
    response.raise_for_status()
    return response.json()


def dead_queues() -> list[tuple[str, str]]:
    """``(dead-letter queue, the queue its letters came from)`` for every consumer."""
    prefix = queue_prefix()
    hub = settings.current().hub_queue
    sources = [(f"{hub}.dead", hub)]
    try:
        functions = _gateway_functions()
    except (requests.RequestException, ValueError) as exc:
        log.warning("cannot list functions (%s); sweeping the hub's dead letters only", exc)
        functions = []
    for function in functions:
        if (function.get("annotations") or {}).get("topic"):
            queue = f"{prefix}{function['name']}"
            sources.append((f"{queue}.dead", queue))
    return sources


def declare_unrouted(channel, queue: str) -> None:
    """The alternate exchange of ``exchange`` and the queue that keeps what reaches it."""
    channel.exchange_declare(UNROUTED_EXCHANGE, "fanout", durable=True)
    channel.queue_declare(queue, durable=True)
    channel.queue_bind(queue, UNROUTED_EXCHANGE)


def unrouted_policy(exchange: str) -> tuple[str, str, str]:
    """``(name, pattern, definition)`` of the policy giving ``exchange`` its alternate exchange.

    A policy rather than an exchange argument: every client may keep declaring ``ems``
    without arguments, which an argument would make a mismatch.
    """
    pattern = "^" + re.escape(exchange) + "$"
    return "ems-unrouted", pattern, json.dumps({"alternate-exchange": UNROUTED_EXCHANGE})


def _connect() -> pika.BlockingConnection:
    try:
        return pika.BlockingConnection(amqp.parameters(settings.current().amqp_url))
    except AMQPError as exc:
        raise BrokerUnavailable(f"the broker is unreachable ({exc.__class__.__name__})") from None


def _headers(properties) -> dict:
    return properties.headers or {}


def _taken(channel, queue: str, origin: str) -> Iterator[tuple[int, Arrival]]:
    for _ in range(SWEEP_LIMIT):
        method, properties, body = channel.basic_get(queue, auto_ack=False)
        if method is None:
            return
        carried = _headers(properties)
        topic = str(carried.get(x_ems.TOPIC) or method.routing_key)
        if origin == UNROUTED:
            reason = f"unrouted: no queue takes routing key {topic!r}"
        else:
            reason = str(carried.get(x_ems.REASON) or "no reason given")
        yield method.delivery_tag, Arrival(origin, topic, reason, body)


def sweep(record) -> int:
    """Move every waiting dead letter into the database through ``record(arrivals)``."""
    taken = 0
    connection = _connect()
    try:
        channel = connection.channel()
        declare_unrouted(channel, unrouted_queue())
        for queue, origin in [*dead_queues(), (unrouted_queue(), UNROUTED)]:
            channel.queue_declare(queue, durable=True)
            batch = list(_taken(channel, queue, origin))
            if batch:
                record([arrival for _, arrival in batch])
                channel.basic_ack(batch[-1][0], multiple=True)
                taken += len(batch)
    except AMQPError as exc:
        raise BrokerUnavailable(f"the broker failed during the sweep ({exc!r})") from None
    finally:
        if connection.is_open:
            connection.close()
    return taken


def replay(letters: list[dict]) -> None:
    """Publish each letter back where it came from; returns once the broker confirmed all."""
    connection = _connect()
    try:
        channel = connection.channel()
        channel.confirm_delivery()
        exchange = settings.current().exchange
        for letter in letters:
            properties = pika.BasicProperties(
                content_type="application/json",
                delivery_mode=pika.DeliveryMode.Persistent,
                headers={x_ems.TOPIC: letter["topic"], x_ems.REPLAY_OF: str(letter["id"])},
            )
            body = letter["body"].encode()
            if letter["queue"] == UNROUTED:
                channel.basic_publish(exchange, letter["topic"], body, properties)
            else:
                channel.basic_publish("", letter["queue"], body, properties, mandatory=True)
    except AMQPError as exc:
        raise BrokerUnavailable(f"the broker refused the replay ({exc!r})") from None
    finally:
        if connection.is_open:
            connection.close()
