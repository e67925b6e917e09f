"""How every faas-ems component meets RabbitMQ: one heartbeat, one reconnect rule and
one form of a persistent JSON message.

The functions' publisher (``events``), the dead-letter sweeps, the connector and the
simulator use pika; the socket hub uses aio-pika on its event loop. All of them take
their heartbeat and their delays between attempts from here, so that after a broker
restart every component comes back on the same schedule and says so the same way.
The header names they share are in ``headers``.
"""

from __future__ import annotations

import pika

# A dead peer is noticed within two heartbeats.
HEARTBEAT_SECONDS = 60
# How long a publish may wait while the broker blocks publishers (memory or disk alarm)
# before the connection is given up and made again.
BLOCKED_CONNECTION_TIMEOUT_SECONDS = 60
CONNECT_TIMEOUT_SECONDS = 10

PERSISTENT_JSON = pika.BasicProperties(
    content_type="application/json", delivery_mode=pika.DeliveryMode.Persistent
)


def parameters(url: str) -> pika.URLParameters:
    """pika's parameters for ``url``: one attempt, since :class:`Backoff` decides when
    to try again."""
    params = pika.URLParameters(url)
    params.heartbeat = HEARTBEAT_SECONDS
    params.blocked_connection_timeout = BLOCKED_CONNECTION_TIMEOUT_SECONDS
    params.socket_timeout = CONNECT_TIMEOUT_SECONDS
    params.connection_attempts = 1
    return params


class Backoff:
    """The delays between attempts: ``first``, doubling up to ``cap``; :meth:`reset` once
    a connection is up, so that the next loss starts from ``first`` again."""

    def __init__(self, cap: float, first: float = 0.5):
        self.first = first
        self.cap = cap
        self._next = first

    def delay(self) -> float:
        """The delay before the next attempt (each call doubles the one after)."""
        delay, self._next = self._next, min(self._next * 2, self.cap)
        return delay

    def reset(self) -> None:
        self._next = self.first
