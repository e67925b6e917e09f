"""How many clients are connected: to this process, and to every replica.

Each replica writes its own count to Redis every few seconds with an expiry, so a
replica that died stops counting on its own; the total is the sum of those keys.
"""

from __future__ import annotations

import asyncio
import logging

import redis.asyncio as redis
from redis.exceptions import RedisError

log = logging.getLogger("socket_hub.census")

REFRESH_SECONDS = 5
EXPIRES_SECONDS = 3 * REFRESH_SECONDS


class Census:
    def __init__(self, store: redis.Redis, key_prefix: str, hub_id: str):
        self.store = store
        self.pattern = f"{key_prefix}hub:clients:*"
        self.key = f"{key_prefix}hub:clients:{hub_id}"
        self.local = 0

    def joined(self) -> None:
        self.local += 1

    def left(self) -> None:
        self.local -= 1

    async def report_forever(self) -> None:
        while True:
            try:
                await self.store.set(self.key, self.local, ex=EXPIRES_SECONDS)
            except RedisError as exc:
                log.warning("cannot report the client count to Redis: %r", exc)
            await asyncio.sleep(REFRESH_SECONDS)

    async def total(self) -> int:
        """Clients of every live replica, as last reported (at most a refresh old)."""
        keys = [key async for key in self.store.scan_iter(match=self.pattern, count=1000)]
        counts = await self.store.mget(keys) if keys else []
        return sum(int(count) for count in counts if count is not None)

    async def withdraw(self) -> None:
        await self.store.delete(self.key)
