"""Emitting a consumed event to its rooms on every replica, once per event id.

RabbitMQ delivers at least once: an event emitted just before a replica died is
delivered again. A short-lived Redis marker per event id keeps browsers from
seeing it twice; it is removed again when the emit fails, so a retry still goes out.
"""

from __future__ import annotations

import asyncio
import logging

import redis.asyncio as redis
import socketio

from .routing import Delivery

log = logging.getLogger("socket_hub.fanout")

SEEN_SECONDS = 24 * 3600
RETRY_PAUSE_SECONDS = 1.0


class Fanout:
    def __init__(self, sio: socketio.AsyncServer, store: redis.Redis, key_prefix: str):
        self.sio = sio
        self.store = store
        self.key_prefix = key_prefix

    def _seen_key(self, event_id: str) -> str:
        return f"{self.key_prefix}hub:emitted:{event_id}"

    async def __call__(self, event_id: str, delivery: Delivery) -> None:
        try:
            await self._emit_once(event_id, delivery)
        except Exception:
            # The consumer requeues it; at once it would come straight back.
            await asyncio.sleep(RETRY_PAUSE_SECONDS)
            raise

    async def _emit_once(self, event_id: str, delivery: Delivery) -> None:
        key = self._seen_key(event_id)
        if not await self.store.set(key, 1, nx=True, ex=SEEN_SECONDS):
            log.info("event %s was emitted already", event_id)
            return
        try:
            await self.sio.emit(delivery.event, delivery.payload, to=list(delivery.rooms))
        except Exception:
            await self.store.delete(key)
            raise
