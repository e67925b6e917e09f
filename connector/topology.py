"""Queue names and declarations: one main queue per function, its retry and dead queues.

A failed message is republished to a retry queue whose TTL is the delay; when it
expires RabbitMQ dead-letters it through the default exchange back to the main
queue. The broker does the waiting, so a failing function costs no busy loop and
the wait survives a connector restart.
"""

from __future__ import annotations

from collections.abc import Iterable

from faas_ems.runtime.events import declare_exchange


def main_queue(prefix: str, function: str) -> str:
    return f"{prefix}{function}"


def retry_queue(prefix: str, function: str, delay_ms: int) -> str:
    return f"{main_queue(prefix, function)}.retry.{delay_ms}"


def dead_queue(prefix: str, function: str) -> str:
    return f"{main_queue(prefix, function)}.dead"


def delay_ms(seconds: float) -> int:
    return max(1, round(seconds * 1000))


def declare(
    channel,
    exchange: str,
    prefix: str,
    function: str,
    topics: Iterable[str],
    retry_delays: Iterable[float],
) -> None:
    """Declare a function's queues (idempotent) and bind its main queue to its topics."""
    declare_exchange(channel, exchange)
    queue = main_queue(prefix, function)
    channel.queue_declare(queue=queue, durable=True)
    for topic in topics:
        channel.queue_bind(queue=queue, exchange=exchange, routing_key=topic)
    for delay in {delay_ms(seconds) for seconds in retry_delays}:
        channel.queue_declare(
            queue=retry_queue(prefix, function, delay),
            durable=True,
            arguments={
                "x-message-ttl": delay,
                "x-dead-letter-exchange": "",
                "x-dead-letter-routing-key": queue,
            },
        )
    channel.queue_declare(queue=dead_queue(prefix, function), durable=True)


def unbind(channel, exchange: str, prefix: str, function: str, topics: Iterable[str]) -> None:
    """Stop routing topics a function no longer listens to into its queue."""
    for topic in topics:
        channel.queue_unbind(
            queue=main_queue(prefix, function), exchange=exchange, routing_key=topic
        )
