"""The hub's share of RabbitMQ: one durable queue for every replica, consumed on the event loop.

aio-pika runs each delivery as a task of the hub's own event loop, so an event is
emitted and then acked in place; a failed emit is requeued, and an event that can
never be delivered goes to the dead-letter queue with the reason, like the connector's.

The consumer never gives up: in Swarm the broker's name does not resolve until its
task runs (``socket.gaierror``), and a consumer that died then would leave a hub that
serves browsers but delivers no alert. Its ``state`` says what the health check reports.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable

import aio_pika
from aio_pika.abc import AbstractChannel, AbstractIncomingMessage
from aio_pika.exceptions import AMQPError

from faas_ems.runtime import amqp
from faas_ems.runtime import headers as x_ems

from . import routing
from .config import HubConfig

log = logging.getLogger("socket_hub.consumer")
# aiormq logs each failed attempt as an error; the warning below says it once, with the delay.
logging.getLogger("aiormq.connection").setLevel(logging.CRITICAL)

MAX_RECONNECT_DELAY = 30.0

Deliver = Callable[[str, routing.Delivery], Awaitable[None]]


async def declare(channel: AbstractChannel, config: HubConfig) -> aio_pika.abc.AbstractQueue:
    """The shared queue bound to every topic the hub delivers, and its dead letters.

    The exchange is only looked up (a passive declaration): the set-up makes it, and the
    hub's account may not change it (ems/broker_accounts.py).
    """
    exchange = await channel.get_exchange(config.exchange)
    queue = await channel.declare_queue(config.queue, durable=True)
    for topic in routing.TOPICS:
        await queue.bind(exchange, routing_key=topic)
    await channel.declare_queue(config.dead_queue, durable=True)
    return queue


class EventConsumer:
    def __init__(self, config: HubConfig, deliver: Deliver):
        self.config = config
        self.deliver = deliver
        self.connected = False
        self.delivered = 0
        self.dead_lettered = 0
        self.failures = 0
        self._task: asyncio.Task | None = None

    def start(self) -> None:
        """Consume from now on, on the running event loop."""
        self._task = asyncio.create_task(self._run(), name="amqp-consumer")

    @property
    def state(self) -> str:
        """``connected``, ``reconnecting`` (retrying by itself), or ``stopped``."""
        if self._task is None or self._task.done():
            return "stopped"
        return "connected" if self.connected else "reconnecting"

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def _run(self) -> None:
        reconnects = amqp.Backoff(cap=MAX_RECONNECT_DELAY)
        while True:
            try:
                await self._consume(on_connected=reconnects.reset)
            # OSError: the broker's name does not resolve yet, or its address is unreachable.
            except (TimeoutError, AMQPError, OSError) as exc:
                self.failures += 1
                delay = reconnects.delay()
                log.warning("RabbitMQ: %r; reconnecting in %.1fs", exc, delay)
                await asyncio.sleep(delay)

    async def _consume(self, on_connected: Callable[[], None]) -> None:
        """Consume until the connection or the channel is lost; ``on_connected`` once it
        consumes (it never returns normally, so the caller learns of that no other way)."""
        connection = await aio_pika.connect(
            self.config.amqp_url,
            heartbeat=amqp.HEARTBEAT_SECONDS,
            timeout=amqp.CONNECT_TIMEOUT_SECONDS,
        )
        try:
            channel = await connection.channel(publisher_confirms=True)
            await channel.set_qos(prefetch_count=self.config.prefetch)
            queue = await declare(channel, self.config)
            await queue.consume(lambda message: self._on_message(channel, message))
            self.connected = True
            on_connected()
            log.info("consuming %s", self.config.queue)
            lost = [asyncio.ensure_future(done.closed()) for done in (connection, channel)]
            await asyncio.wait(lost, return_when=asyncio.FIRST_COMPLETED)
            for waiter in lost:
                waiter.cancel()
            raise AMQPError("the connection to RabbitMQ was lost")
        finally:
            self.connected = False
            await connection.close()

    async def _on_message(self, channel: AbstractChannel, message: AbstractIncomingMessage):
        try:
            event_id, delivery = routing.parse(message.body)
        except routing.MalformedEvent as exc:
            await self._dead_letter(channel, message, str(exc))
            return
        try:
            await self.deliver(event_id, delivery)
        except Exception as exc:
            log.warning("event %s not emitted (%r); requeued", event_id, exc)
            await _settle(message.nack(requeue=True))
            return
        self.delivered += 1
        await _settle(message.ack())

    async def _dead_letter(self, channel, message: AbstractIncomingMessage, reason: str):
        log.warning("dead-lettering a %s message: %s", message.routing_key, reason)
        marks = {x_ems.REASON: reason, x_ems.TOPIC: message.routing_key}
        headers = {**(message.headers or {}), **marks}
        await channel.default_exchange.publish(
            aio_pika.Message(
                message.body,
                content_type=message.content_type,
                delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
                headers=headers,
            ),
            routing_key=self.config.dead_queue,
        )
        await _settle(message.ack())
        self.dead_lettered += 1


async def _settle(settling: Awaitable) -> None:
    """Ack or nack; on a channel already closed the broker redelivers the event anyway."""
    try:
        await settling
    except AMQPError:
        log.info("channel closed before an event was settled; it will be redelivered")
