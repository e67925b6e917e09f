"""Redis, for what may be lost and rebuilt: counters, caches, presence."""

from __future__ import annotations

from functools import cache

import redis

from . import settings


@cache
def client() -> redis.Redis:
    return redis.Redis.from_url(settings.current().redis_url, decode_responses=True)


def key(*parts: str) -> str:
    return settings.current().key_prefix + ":".join(parts)
