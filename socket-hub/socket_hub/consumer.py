"""The hub's share of RabbitMQ: one durable queue for every replica, consumed in a thread.

pika is blocking, so it runs in a thread of its own; each event is handed to the
event loop, and acked (from pika's thread, as pika requires) only once it was
emitted. A failed emit is requeued; an event that can never be delivered goes to
the dead-letter queue with the reason, like the connector's.

The thread never gives up: in Swarm the broker's name does not resolve until its task
runs (``socket.gaierror``), and a consumer that died then would leave a hub that serves
browsers but delivers no alert. Its ``state`` says what the health check reports.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Awaitable, Callable
from concurrent.futures import Future
from functools import partial

import pika
from pika.exceptions import AMQPError

from faas_ems.runtime.events import declare_exchange

from . import routing
from .config import HubConfig

log = logging.getLogger("socket_hub.consumer")

REASON_HEADER = "x-ems-reason"
TOPIC_HEADER = "x-ems-topic"
MAX_RECONNECT_DELAY = 30.0

Deliver = Callable[[str, routing.Delivery], Awaitable[None]]


def declare(channel, config: HubConfig) -> None:
    """The shared queue bound to every topic the hub delivers, and its dead letters."""
    declare_exchange(channel, config.exchange)
    channel.queue_declare(queue=config.queue, durable=True)
    for topic in routing.TOPICS:
        channel.queue_bind(queue=config.queue, exchange=config.exchange, routing_key=topic)
    channel.queue_declare(queue=config.dead_queue, durable=True)


class EventConsumer:
    def __init__(self, config: HubConfig, deliver: Deliver):
        self.config = config
        self.deliver = deliver
        self.connected = False
        self.delivered = 0
        self.dead_lettered = 0
        self.failures = 0
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self, loop: asyncio.AbstractEventLoop) -> None:
        self._loop = loop
        self._thread = threading.Thread(target=self._run, name="amqp-consumer", daemon=True)
        self._thread.start()

    @property
    def state(self) -> str:
        """``connected``, ``reconnecting`` (retrying by itself), or ``stopped``."""
        if self._thread is None or not self._thread.is_alive():
            return "stopped"
        return "connected" if self.connected else "reconnecting"

    def stop(self) -> None:
        self._stopping.set()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def _run(self) -> None:
        delay = 1.0
        while not self._stopping.is_set():
            try:
                self._consume()
                delay = 1.0
            # OSError: the broker's name does not resolve yet, or its address is unreachable.
            except (AMQPError, OSError) as exc:
                self.failures += 1
                log.warning("RabbitMQ: %r; reconnecting in %.0fs", exc, delay)
                self._stopping.wait(delay)
                delay = min(delay * 2, MAX_RECONNECT_DELAY)

    def _consume(self) -> None:
        params = pika.URLParameters(self.config.amqp_url)
        params.heartbeat = 30
        connection = pika.BlockingConnection(params)
        try:
            channel = connection.channel()
            channel.confirm_delivery()
            declare(channel, self.config)
            channel.basic_qos(prefetch_count=self.config.prefetch)
            channel.basic_consume(
                self.config.queue, on_message_callback=partial(self._on_message, connection)
            )
            self.connected = True
            log.info("consuming %s", self.config.queue)
            while not self._stopping.is_set():
                connection.process_data_events(time_limit=1)
        finally:
            self.connected = False
            if connection.is_open:
                connection.close()

    def _on_message(self, connection, channel, method, properties, body: bytes) -> None:
        try:
            event_id, delivery = routing.parse(body)
        except routing.MalformedEvent as exc:
            self._dead_letter(channel, method, properties, body, str(exc))
            return
        future = asyncio.run_coroutine_threadsafe(self.deliver(event_id, delivery), self._loop)
        settle = partial(self._settle, channel, method.delivery_tag, event_id)
        future.add_done_callback(lambda done: _call_in_pika_thread(connection, settle, done))

    def _settle(self, channel, tag: int, event_id: str, done: Future) -> None:
        if not channel.is_open:
            return  # the broker redelivers it to whichever replica is connected
        error = done.exception()
        if error is None:
            self.delivered += 1
            channel.basic_ack(tag)
        else:
            log.warning("event %s not emitted (%r); requeued", event_id, error)
            channel.basic_nack(tag, requeue=True)

    def _dead_letter(self, channel, method, properties, body: bytes, reason: str) -> None:
        log.warning("dead-lettering a %s message: %s", method.routing_key, reason)
        headers = dict(properties.headers or {})
        headers.update({REASON_HEADER: reason, TOPIC_HEADER: method.routing_key})
        channel.basic_publish(
            "",
            self.config.dead_queue,
            body,
            pika.BasicProperties(
                content_type=properties.content_type,
                delivery_mode=pika.DeliveryMode.Persistent,
                headers=headers,
            ),
        )
        channel.basic_ack(method.delivery_tag)
        self.dead_lettered += 1


def _call_in_pika_thread(connection, settle, done: Future) -> None:
    try:
        connection.add_callback_threadsafe(partial(settle, done))
    except AMQPError:
        log.info("connection closed before an event was settled; it will be redelivered")
