"""``/healthz`` and ``/metrics``: the plain HTTP beside the Socket.IO endpoint."""

from __future__ import annotations

import json
import logging
import os

from redis.exceptions import RedisError

from .census import Census
from .consumer import EventConsumer
from .session_watch import SessionWatch

log = logging.getLogger("socket_hub.probes")

PAGE_SIZE = os.sysconf("SC_PAGE_SIZE")


def resident_memory_bytes() -> int:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * PAGE_SIZE


class Probes:
    """An ASGI app for the paths Socket.IO does not own."""

    def __init__(
        self, hub_id: str, census: Census, consumer: EventConsumer, session_watch: SessionWatch
    ):
        self.hub_id = hub_id
        self.census = census
        self.consumer = consumer
        self.session_watch = session_watch

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            return
        if scope["path"] == "/healthz":
            health = self.health()
            status = 200 if health["status"] == "ok" else 503
            await _respond(send, status, "application/json", json.dumps(health))
        elif scope["path"] == "/metrics":
            await _respond(send, 200, "text/plain; version=0.0.4", await self.metrics())
        else:
            error = {"error": {"code": "not_found", "message": "Socket.IO is at /socket.io/"}}
            await _respond(send, 404, "application/json", json.dumps(error))

    def health(self) -> dict:
        """Serving, with the AMQP consumer connected or reconnecting by itself (chat works
        meanwhile). A stopped consumer makes the hub unhealthy, so Swarm replaces it
        rather than keep a replica that would never deliver an alert."""
        consumer = self.consumer.state
        return {
            "status": "failing" if consumer == "stopped" else "ok",
            "hub_id": self.hub_id,
            "connected_clients": self.census.local,
            "events_consumer": consumer,
        }

    async def metrics(self) -> str:
        values = [
            ("socket_hub_connected_clients", "Clients connected to this hub process.",
             self.census.local),
            ("socket_hub_events_delivered_total", "Events emitted by this process.",
             self.consumer.delivered),
            ("socket_hub_events_dead_lettered_total", "Events this process dead-lettered.",
             self.consumer.dead_lettered),
            ("socket_hub_events_consumer_failures_total",
             "Times the AMQP consumer lost or could not reach RabbitMQ and retried.",
             self.consumer.failures),
            ("socket_hub_sessions_ended_total",
             "Connections this process ended because their token expired or was revoked.",
             self.session_watch.ended),
            ("socket_hub_resident_memory_bytes", "Resident memory of this process.",
             resident_memory_bytes()),
        ]  # fmt: skip
        try:
            values.append(
                ("socket_hub_connected_clients_all_replicas",
                 "Clients connected to every replica, as reported to Redis.",
                 await self.census.total())
            )  # fmt: skip
        except RedisError as exc:
            log.warning("no total from Redis: %r", exc)
        lines = []
        for name, help_text, value in values:
            kind = "counter" if name.endswith("_total") else "gauge"
            lines += [f"# HELP {name} {help_text}", f"# TYPE {name} {kind}", f"{name} {value}"]
        return "\n".join(lines) + "\n"


async def _respond(send, status: int, content_type: str, body: str) -> None:
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [(b"content-type", content_type.encode()), (b"cache-control", b"no-store")],
        }
    )
    await send({"type": "http.response.body", "body": body.encode()})
