"""Confirmed publishing that loses nothing when the broker goes away.

One asynchronous pika connection with publisher confirms: up to ``window``
messages are in flight, each kept until the broker confirms it. When the
connection drops (a broker restart, a connection closed by an operator), the
unconfirmed messages go back to the front of the queue and are published again
once a new connection is up. Some of them may then arrive twice; the consumers
deduplicate readings on (device, timestamp), so that is harmless, while a lost
reading would not be.
"""

from __future__ import annotations

import logging
import time
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import pika
from pika.adapters.select_connection import IOLoop
from pika.exceptions import ChannelClosedByBroker, ProbableAuthenticationError

from faas_ems.runtime import amqp

from .timeline import Message, Pause

log = logging.getLogger("simulator")

# A simulator waits for a broker that restarts at most this long between attempts.
MAX_RETRY_DELAY_SECONDS = 5.0


class PublishError(RuntimeError):
    """Publishing cannot go on (bad credentials, unreachable broker, refused exchange)."""


@dataclass
class Outcome:
    unconfirmed_readings: int  # given up on when the run was interrupted
    reconnects: int


class ConfirmedPublisher:
    """Publishes a stream of messages and ``Pause``s; ``on_confirmed`` hears of each
    message the broker confirmed."""

    def __init__(
        self,
        url: str,
        exchange: str,
        routing_key: str = "meter.reading",
        *,
        window: int = 5000,
        connect_wait: float = 30.0,
        on_confirmed: Callable[[Message], None] = lambda message: None,
    ):
        self._url = url
        self._exchange = exchange
        self._routing_key = routing_key
        self._window = window
        self._connect_wait = connect_wait
        self._on_confirmed = on_confirmed
        self._ioloop = IOLoop()
        self._connection: pika.SelectConnection | None = None
        self._channel = None
        self._ready = False
        self._closing = False
        self._stopping = False
        self._error: str | None = None
        self._source: Iterator[Message | Pause] = iter(())
        self._source_done = False
        self._waiting_until: float | None = None
        self._resend: deque[Message] = deque()
        self._unconfirmed: dict[int, Message] = {}
        self._next_tag = 1
        self._connected_once = False
        self._retries = amqp.Backoff(cap=MAX_RETRY_DELAY_SECONDS)
        self._first_attempt = 0.0
        self.reconnects = 0

    # -- the run ----------------------------------------------------------------------

    def run(self, source: Iterator[Message | Pause]) -> Outcome:
        """Publish everything ``source`` yields; return once all of it is confirmed."""
        self._source = source
        self._first_attempt = time.monotonic()
        self._connect()
        try:
            self._ioloop.start()
        finally:
            self._ioloop.close()
        if self._error:
            raise PublishError(self._error)
        left = sum(message.readings for message in [*self._resend, *self._unconfirmed.values()])
        return Outcome(unconfirmed_readings=left, reconnects=self.reconnects)

    def stop(self) -> None:
        """Stop taking new messages and end once those in flight are confirmed.

        Safe to call from a signal handler or another thread.
        """
        self._ioloop.add_callback_threadsafe(self._request_stop)

    def _request_stop(self) -> None:
        self._stopping = True
        if self._ready:
            self._finish_if_done()
        else:
            self._ioloop.stop()

    # -- connection -------------------------------------------------------------------

    def _connect(self) -> None:
        self._connection = pika.SelectConnection(
            amqp.parameters(self._url),
            on_open_callback=self._on_connection_open,
            on_open_error_callback=self._on_connection_failed,
            on_close_callback=self._on_connection_closed,
            custom_ioloop=self._ioloop,
        )

    def _on_connection_open(self, connection) -> None:
        connection.channel(on_open_callback=self._on_channel_open)

    def _on_channel_open(self, channel) -> None:
        self._channel = channel
        channel.add_on_close_callback(self._on_channel_closed)
        # Passive: a meter's account may publish readings, not make exchanges; the
        # system's set-up has made ``ems``.
        channel.exchange_declare(
            self._exchange,
            exchange_type="topic",
            durable=True,
            passive=True,
            callback=self._on_declared,
        )

    def _on_declared(self, _frame) -> None:
        self._channel.confirm_delivery(
            ack_nack_callback=self._on_confirm, callback=self._on_confirm_mode
        )

    def _on_confirm_mode(self, _frame) -> None:
        if self._connected_once:
            log.warning("reconnected; resending %d unconfirmed messages", len(self._resend))
        self._connected_once = True
        self._retries.reset()
        self._next_tag = 1
        self._ready = True
        self._pump()

    def _on_connection_failed(self, _connection, error) -> None:
        if isinstance(error, ProbableAuthenticationError):
            self._fail(f"RabbitMQ refused the credentials of {_safe(self._url)}")
            return
        waited = time.monotonic() - self._first_attempt
        if not self._connected_once and waited > self._connect_wait:
            self._fail(f"cannot connect to {_safe(self._url)}: {error}")
            return
        self._retry_later(f"cannot connect ({error})")

    def _on_channel_closed(self, _channel, reason) -> None:
        self._ready = False
        if isinstance(reason, ChannelClosedByBroker) and not self._closing:
            # A refused declaration or publish: trying again would fail the same way.
            self._error = f"RabbitMQ closed the channel: {reason.reply_text}"
            if self._connection.is_open:
                self._connection.close()

    def _on_connection_closed(self, _connection, reason) -> None:
        self._ready = False
        self._channel = None
        self._resend.extendleft(reversed(self._unconfirmed.values()))
        self._unconfirmed.clear()
        if self._closing or self._error or self._stopping:
            self._ioloop.stop()
            return
        self.reconnects += 1
        self._retry_later(f"connection lost ({reason!r})")

    def _retry_later(self, why: str) -> None:
        delay = self._retries.delay()
        log.warning("%s; %d messages wait; retrying in %s s", why, len(self._resend), delay)
        self._ioloop.call_later(delay, self._connect)

    def _fail(self, message: str) -> None:
        self._error = message
        self._ioloop.stop()

    # -- publishing -------------------------------------------------------------------

    def _pump(self) -> None:
        if not self._ready:
            return
        while len(self._unconfirmed) < self._window:
            message = self._next_message()
            if message is None:
                break
            self._channel.basic_publish(
                self._exchange, self._routing_key, message.body, amqp.PERSISTENT_JSON
            )
            self._unconfirmed[self._next_tag] = message
            self._next_tag += 1
        self._finish_if_done()

    def _next_message(self) -> Message | None:
        if self._resend:
            return self._resend.popleft()
        if self._stopping or self._source_done or self._waiting_until is not None:
            return None
        for item in self._source:
            if not isinstance(item, Pause):
                return item
            delay = item.until - time.monotonic()
            if delay > 0:
                self._waiting_until = item.until
                self._ioloop.call_later(delay, self._on_due)
                return None
        self._source_done = True
        return None

    def _on_due(self) -> None:
        self._waiting_until = None
        self._pump()

    def _on_confirm(self, frame) -> None:
        method = frame.method
        if method.multiple:
            tags = []
            for tag in self._unconfirmed:
                if tag > method.delivery_tag:
                    break
                tags.append(tag)
        else:
            tags = [method.delivery_tag] if method.delivery_tag in self._unconfirmed else []
        acked = isinstance(method, pika.spec.Basic.Ack)
        for tag in tags:
            message = self._unconfirmed.pop(tag)
            if acked:
                self._on_confirmed(message)
            else:
                self._resend.append(message)
        self._pump()

    def _finish_if_done(self) -> None:
        finished = self._source_done or self._stopping
        if finished and not self._resend and not self._unconfirmed and not self._closing:
            self._closing = True
            self._connection.close()


def _safe(url: str) -> str:
    """The URL without its password, for messages."""
    parameters = pika.URLParameters(url)
    vhost = parameters.virtual_host
    return f"amqp://{parameters.credentials.username}@{parameters.host}:{parameters.port}/{vhost}"
