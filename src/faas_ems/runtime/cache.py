"""Redis, for what may be lost and rebuilt: counters, caches, presence."""

from __future__ import annotations

from functools import cache

import redis

from . import settings


@cache
def client() -> redis.Redis:
    # Short timeouts: a Redis that does not answer must not hold a call (see rate_limit, auth).
    return redis.Redis.from_url(
        settings.current().redis_url,
        decode_responses=True,
        socket_connect_timeout=2,
        socket_timeout=2,
    )


def close() -> None:
    """Close the client's connections; the next call makes a new client."""
    if client.cache_info().currsize:
        client().close()
        client.cache_clear()


def key(*parts: str) -> str:
    return settings.current().key_prefix + ":".join(parts)
