"""One consumer of one function's queue: take a batch, call the function, settle.

Each worker has its own broker connection (pika's blocking connection is not
thread-safe). The HTTP call runs on a helper thread while this thread keeps the
connection serviced, so a slow function never costs a missed heartbeat.

The channel is transactional: a batch's copies (to retry and dead queues) and its
acks are committed together. A connector that dies or loses its connection before
the commit leaves neither, so the redelivered batch is copied once, never twice.
"""

from __future__ import annotations

import contextlib
import json
import logging
import threading
import time
import uuid
from collections import deque
from concurrent.futures import ThreadPoolExecutor

import pika
from pika.exceptions import AMQPError

from faas_ems.runtime import amqp
from faas_ems.runtime import headers as x_ems

from . import topology
from .config import Config
from .gateway import Function, Gateway, GatewayUnavailable, Reply
from .outcomes import (
    Delivery,
    Settlement,
    bounded,
    failed_whole,
    judge_batch,
    judge_single,
)

log = logging.getLogger("ems.connector")

# Headers a copy carries over from its original, at most: with ours added, the header
# frame must stay under the broker's frame_max (128 KiB) or the connection is closed.
MAX_CARRIED_HEADER_BYTES = 64 * 1024


def _wake(connection: pika.BlockingConnection) -> None:
    """Wake the worker's event loop when its call has finished (from the call's thread)."""
    with contextlib.suppress(AMQPError):
        connection.add_callback_threadsafe(lambda: None)


def _batch_item(delivery: Delivery, with_topic: bool) -> bytes:
    """A message of a batch call: its body, or ``{"topic", "message"}`` when asked for."""
    if not with_topic:
        return delivery.body
    topic = json.dumps(delivery.topic).encode()
    return b'{"topic":' + topic + b',"message":' + delivery.body + b"}"


class Worker(threading.Thread):
    def __init__(self, config: Config, function: Function, slot: int):
        super().__init__(name=f"{function.name}#{slot}", daemon=True)
        self.config = config
        self.function = function
        self.queue = topology.main_queue(config.queue_prefix, function.name)
        self.batch_size = max(1, min(function.batch, config.prefetch))
        self.stopping = threading.Event()
        self.buffer: deque[Delivery] = deque()
        self.gateway = Gateway(
            config.gateway_url, config.internal_token, config.identity, config.call_timeout_seconds
        )
        self.caller = ThreadPoolExecutor(1, thread_name_prefix=f"call-{function.name}")
        self.connection: pika.BlockingConnection | None = None
        self.channel = None
        self.consumer_tag: str | None = None
        self.returned: list[tuple[str, pika.BasicProperties, bytes]] = []
        self.reconnects = amqp.Backoff(cap=config.pause_max_seconds)

    def stop(self) -> None:
        """Finish the call in flight, give the rest back to the queue, disconnect."""
        self.stopping.set()

    def run(self) -> None:
        while not self.stopping.is_set():
            delay = 0.0
            try:
                self._serve()
            except (AMQPError, OSError) as exc:
                delay = self.reconnects.delay()
                log.warning("%s: RabbitMQ: %r; reconnecting in %.1fs", self.name, exc, delay)
            except Exception:
                delay = self.reconnects.delay()
                log.exception("%s: unexpected error; reconnecting in %.1fs", self.name, delay)
            finally:
                self._disconnect()
            self.stopping.wait(delay)
        self.caller.shutdown(wait=True)
        self.gateway.close()

    # -- connection ---------------------------------------------------------------

    def _serve(self) -> None:
        self.connection = pika.BlockingConnection(amqp.parameters(self.config.amqp_url))
        self.channel = self.connection.channel()
        self.channel.tx_select()
        self.channel.add_on_return_callback(self._on_returned)
        self.channel.basic_qos(prefetch_count=self.config.prefetch)
        self._declare()
        self._consume()
        self.reconnects.reset()
        pauses = amqp.Backoff(cap=self.config.pause_max_seconds)
        while not self.stopping.is_set():
            batch = self._take()
            if not batch:
                continue
            available = self._handle(batch)
            self._copy_returned()
            if available:
                pauses.reset()
            else:
                self._give_back()
                self._pause(pauses.delay())
        self._give_back()

    def _declare(self) -> None:
        topology.declare(
            self.channel,
            self.config.exchange,
            self.config.queue_prefix,
            self.function.name,
            self.function.topics,
            self.config.retry_delays,
        )

    def _consume(self) -> None:
        self.consumer_tag = self.channel.basic_consume(self.queue, self._on_message)

    def _on_message(self, _channel, method, properties, body: bytes) -> None:
        self.buffer.append(Delivery(method.delivery_tag, method.routing_key, properties, body))

    def _give_back(self) -> None:
        """Stop consuming and requeue everything taken but not settled (pika rejects what
        arrives during the cancel; in a transaction that, too, waits for the commit)."""
        if self.consumer_tag is not None:
            self.channel.basic_cancel(self.consumer_tag)
            self.consumer_tag = None
        if self.buffer:
            self.channel.basic_nack(self.buffer[-1].tag, multiple=True, requeue=True)
        self.channel.tx_commit()
        self.buffer.clear()

    def _pause(self, seconds: float) -> None:
        """Wait while the gateway is away, keeping the connection alive, then consume again."""
        log.info("%s: gateway unavailable, pausing %.1fs", self.name, seconds)
        deadline = time.monotonic() + seconds
        while not self.stopping.is_set() and (left := deadline - time.monotonic()) > 0:
            self.connection.sleep(min(left, 0.5))
        if not self.stopping.is_set():
            self._consume()

    def _disconnect(self) -> None:
        self.buffer.clear()
        self.consumer_tag = None
        try:
            if self.connection is not None and self.connection.is_open:
                self.connection.close()
        except AMQPError:
            pass
        self.connection = None
        self.channel = None

    # -- one batch -------------------------------------------------------------

    def _take(self) -> list[Delivery]:
        """Up to ``batch_size`` messages, waiting at most the batch wait once one is there."""
        deadline = None
        while len(self.buffer) < self.batch_size and not self.stopping.is_set():
            if not self.buffer:
                self.connection.process_data_events(time_limit=0.5)
                continue
            if deadline is None:
                deadline = time.monotonic() + self.config.batch_wait_ms / 1000
            left = deadline - time.monotonic()
            if left <= 0:
                break
            self.connection.process_data_events(time_limit=left)
        if self.stopping.is_set():
            return []
        count = min(self.batch_size, len(self.buffer))
        return [self.buffer.popleft() for _ in range(count)]

    def _handle(self, batch: list[Delivery]) -> bool:
        """Judge, call and settle one batch; False when the gateway was unavailable."""
        settlement = Settlement()
        ready = []
        for delivery in batch:
            problem = delivery.problem()
            if problem is None:
                ready.append(delivery)
            else:
                settlement.dead.append((delivery, problem, delivery.attempts))
        available = self._deliver(ready, settlement) if ready else True
        self._settle(batch, settlement)
        return available

    def _deliver(self, ready: list[Delivery], settlement: Settlement) -> bool:
        """Call the function; a batch that fails as a whole is called again in halves, so
        that only its guilty messages are retried or dead-lettered. False (the untried
        messages requeued) when the gateway was unavailable."""
        parts = [ready]
        while parts:
            part = parts.pop()
            try:
                reply = self._call(part)
            except GatewayUnavailable as exc:
                log.warning("%s count=%d unavailable: %s", self.function.name, len(part), exc)
                settlement.requeue += [d for untried in (part, *parts) for d in untried]
                return False
            log.info(
                "%s count=%d status=%d ms=%.1f",
                self.function.name,
                len(part),
                reply.status,
                reply.ms,
            )
            if not self.function.batch:
                settlement.add(judge_single(part[0], reply))
            elif failed_whole(part, reply):
                middle = len(part) // 2
                parts += [part[middle:], part[:middle]]
            else:
                settlement.add(judge_batch(part, reply))
        return True

    def _call(self, valid: list[Delivery]) -> Reply:
        topics = ",".join(dict.fromkeys(d.topic for d in valid))
        if self.function.batch:
            items = (_batch_item(d, self.function.batch_topics) for d in valid)
            body = b"[" + b",".join(items) + b"]"
            headers = {"X-Batch-Size": str(len(valid)), "X-Call-Id": str(uuid.uuid4())}
            if self.function.batch_topics:
                headers["X-Batch-Format"] = "topics"
        else:
            body = valid[0].body
            headers = {"X-Call-Id": valid[0].call_id}
        headers["X-Topic"] = topics
        future = self.caller.submit(self.gateway.invoke, self.function.name, body, headers)
        connection = self.connection
        future.add_done_callback(lambda _: _wake(connection))
        while not future.done():
            connection.process_data_events(time_limit=1)
        return future.result()

    # -- settling --------------------------------------------------------------

    def _settle(self, batch: list[Delivery], settlement: Settlement) -> None:
        """Copy failures to their retry or dead queue, ack the rest, requeue the untried:
        one transaction, so that all of it happens or none of it does."""
        delays = self.config.retry_delays
        for delivery, reason in settlement.retry:
            attempts = delivery.attempts + 1
            if attempts > len(delays):
                settlement.dead.append((delivery, reason, attempts))
                continue
            delay = topology.delay_ms(delays[attempts - 1])
            self._republish(
                topology.retry_queue(self.config.queue_prefix, self.function.name, delay),
                delivery,
                {x_ems.ATTEMPT: attempts, x_ems.TOPIC: delivery.topic},
            )
        for delivery, reason, attempts in settlement.dead:
            reason = bounded(reason)
            log.warning("%s: dead after %d attempt(s): %s", self.function.name, attempts, reason)
            self._republish(
                topology.dead_queue(self.config.queue_prefix, self.function.name),
                delivery,
                {
                    x_ems.REASON: reason,
                    x_ems.ATTEMPTS: attempts,
                    x_ems.FUNCTION: self.function.name,
                    x_ems.TOPIC: delivery.topic,
                },
            )
        self._ack(batch, {d.tag for d in settlement.requeue})
        self.channel.tx_commit()

    def _ack(self, batch: list[Delivery], requeued: set[int]) -> None:
        if not requeued:
            self.channel.basic_ack(batch[-1].tag, multiple=True)
            return
        for delivery in batch:
            if delivery.tag in requeued:
                self.channel.basic_nack(delivery.tag, requeue=True)
            else:
                self.channel.basic_ack(delivery.tag)

    def _republish(self, queue: str, delivery: Delivery, extra_headers: dict) -> None:
        """Copy a message into a queue of ours, within the channel's transaction."""
        original = delivery.properties
        headers = _carried_headers(delivery.headers)
        headers.update(extra_headers)
        properties = pika.BasicProperties(
            content_type=original.content_type or "application/json",
            content_encoding=original.content_encoding,
            message_id=original.message_id,
            correlation_id=original.correlation_id,
            timestamp=original.timestamp,
            type=original.type,
            app_id=original.app_id,
            headers=headers,
            delivery_mode=pika.DeliveryMode.Persistent,
        )
        self.channel.basic_publish("", queue, delivery.body, properties, mandatory=True)

    def _on_returned(self, _channel, method, properties, body: bytes) -> None:
        """A copy the broker could not route: its queue was deleted while we ran."""
        log.error("%s: copy to %s returned (%s)", self.name, method.routing_key, method.reply_text)
        self.returned.append((method.routing_key, properties, body))

    def _copy_returned(self) -> None:
        """Declare the queues again and copy what came back, so that nothing is lost."""
        self.connection.process_data_events(time_limit=0)
        if not self.returned:
            return
        self._declare()
        returned, self.returned = self.returned, []
        for queue, properties, body in returned:
            self.channel.basic_publish("", queue, body, properties, mandatory=True)
        self.channel.tx_commit()


def _carried_headers(headers: dict) -> dict:
    """The original's headers for its copy, less ``x-death``; all of them dropped (and
    counted) when they are too large to travel in one frame with ours."""
    carried = {k: v for k, v in headers.items() if k != "x-death"}
    if len(repr(carried)) <= MAX_CARRIED_HEADER_BYTES:
        return carried
    kept = {k: v for k, v in carried.items() if k.startswith(x_ems.PREFIX)}
    kept[x_ems.HEADERS_DROPPED] = len(carried) - len(kept)
    return kept
