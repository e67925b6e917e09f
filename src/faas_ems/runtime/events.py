"""Domain events on the ``ems`` topic exchange.

Every event is a JSON envelope ``{"id", "type", "occurred_at", "data"}`` published
persistent with publisher confirms; the routing key is the type. ``id`` is the
idempotency key consumers deduplicate on.
"""

from __future__ import annotations

import json
import logging
import threading
import uuid
from datetime import UTC, datetime
from typing import Any

import pika
from pika.exceptions import AMQPError

from . import amqp, settings

log = logging.getLogger("ems.events")


def envelope(event_type: str, data: Any, *, event_id: str | None = None) -> dict[str, Any]:
    return {
        "id": event_id or str(uuid.uuid4()),
        "type": event_type,
        "occurred_at": datetime.now(UTC).isoformat(),
        "data": data,
    }


def declare_exchange(channel, exchange: str | None = None, *, create: bool = False) -> str:
    """Check that the exchange is there; only the set-up ``create``s it.

    A passive declaration needs no right on the broker, so no component holds the
    right to change or delete ``ems`` (see ems/broker_accounts.py).
    """
    exchange = exchange or settings.current().exchange
    channel.exchange_declare(
        exchange=exchange, exchange_type="topic", durable=True, passive=not create
    )
    return exchange


class Publisher:
    """A confirmed publisher that reconnects by itself.

    pika's blocking connection is not thread-safe, and a function process serves
    calls from several threads, so publishing holds a lock. A broken connection is
    replaced once per publish; if that fails too the error reaches the caller, who
    answers with an error so that the caller's own caller retries.
    """

    def __init__(self, url: str | None = None, exchange: str | None = None):
        self._url = url or settings.current().amqp_url
        self._exchange = exchange or settings.current().exchange
        self._lock = threading.Lock()
        self._connection: pika.BlockingConnection | None = None
        self._channel = None

    def _connect(self):
        self._connection = pika.BlockingConnection(amqp.parameters(self._url))
        self._channel = self._connection.channel()
        self._channel.confirm_delivery()
        declare_exchange(self._channel, self._exchange)

    def _ensure_channel(self):
        if self._channel is None or self._channel.is_closed or self._connection.is_closed:
            self._connect()
        return self._channel

    def publish(self, event_type: str, data: Any, *, event_id: str | None = None) -> dict:
        """Publish one event and return its envelope once the broker confirmed it."""
        message = envelope(event_type, data, event_id=event_id)
        self.publish_raw(event_type, json.dumps(message).encode())
        return message

    def publish_raw(self, routing_key: str, body: bytes) -> None:
        with self._lock:
            for attempt in (1, 2):
                try:
                    self._ensure_channel().basic_publish(
                        self._exchange, routing_key, body, amqp.PERSISTENT_JSON, mandatory=False
                    )
                    return
                except AMQPError:
                    self._reset()
                    if attempt == 2:
                        raise
                    log.warning("broker connection lost, reconnecting")

    def _reset(self):
        try:
            if self._connection is not None and self._connection.is_open:
                self._connection.close()
        except AMQPError:
            pass
        self._connection = None
        self._channel = None

    def close(self):
        with self._lock:
            self._reset()


_publisher: Publisher | None = None
_publisher_lock = threading.Lock()


def publisher() -> Publisher:
    """The process's publisher, created on first use."""
    global _publisher
    with _publisher_lock:
        if _publisher is None:
            _publisher = Publisher()
        return _publisher


def close() -> None:
    """Close the process's publisher; the next publish opens another."""
    global _publisher
    with _publisher_lock:
        if _publisher is not None:
            _publisher.close()
            _publisher = None


def publish(event_type: str, data: Any, *, event_id: str | None = None) -> dict:
    return publisher().publish(event_type, data, event_id=event_id)
