"""Fixed-window counters in Redis, for refusing callers who ask too often.

A counter starts its window at its first count and expires with it. A caller is
refused with 429 and a ``Retry-After`` while any counter that concerns them is at
its limit. Redis holds what may be lost: a flushed counter only forgives early.
"""

from __future__ import annotations

from . import cache
from .web import HTTPError

Limit = tuple[str, int]  # a counter's key and the count it may reach


def seconds_until_allowed(limits: list[Limit]) -> int:
    """0 while every counter is under its limit; else how long the longest block lasts."""
    pipe = cache.client().pipeline(transaction=False)
    for key, _ in limits:
        pipe.get(key)
        pipe.ttl(key)
    replies = pipe.execute()
    waits = [
        max(int(ttl), 1)
        for (_, limit), count, ttl in zip(limits, replies[::2], replies[1::2], strict=True)
        if count is not None and int(count) >= limit
    ]
    return max(waits, default=0)


def ensure_allowed(limits: list[Limit], code: str, what: str) -> None:
    """Refuse with 429 ``code`` ("<what>; try again in N seconds") while a limit is reached."""
    if wait := seconds_until_allowed(limits):
        raise HTTPError(
            429, code, f"{what}; try again in {wait} seconds", headers={"Retry-After": str(wait)}
        )


def count(keys: list[str], window_seconds: int) -> None:
    """Add one to each counter, starting its window if it has none."""
    pipe = cache.client().pipeline(transaction=True)
    for key in keys:
        pipe.set(key, 0, ex=window_seconds, nx=True)
        pipe.incr(key)
    pipe.execute()
