"""Fixed-window counters that are taken before the work, atomically, for callers who ask
too often.

:func:`take` counts one call against every counter that concerns it, in one Redis
script, or, while any counter is at its limit, counts nothing and says how long to
wait: parallel calls cannot all slip past a check that comes before the count. A
counter starts its window at its first count and expires with it.

A :class:`Backoff` spaces calls out instead of refusing them for the whole window:
past ``free`` counts, each call moves the next allowed moment ``2**k`` seconds
further (up to ``cap``); it holds only calls whose own counter (``held_key``) is above
zero, which is how a sign-in throttle slows guessers without locking the account's
owner out.

Redis holds what may be lost: a flushed counter only forgives early. While Redis
does not answer, the counters live in this process's memory (limits then hold per
replica, and backoffs are not applied), so that sign-in and chat keep working.
"""

from __future__ import annotations

import logging
import math
import threading
import time
from dataclasses import dataclass

import redis

from . import cache
from .web import HTTPError

log = logging.getLogger("ems.rate_limit")


@dataclass(frozen=True)
class Limit:
    key: str
    count: int  # calls allowed per window
    window_seconds: int


@dataclass(frozen=True)
class Backoff:
    count_key: str
    next_key: str
    free: int  # calls before the spacing starts
    cap_seconds: int
    window_seconds: int  # how long the count is remembered
    held_key: str  # the call waits for the next allowed moment only if this counter is > 0


# KEYS: the limits' counters, then the backoff's count, next-moment and held keys (if any).
# ARGV: now, number of limits, (count, window) per limit, then the backoff's free, cap, window.
_TAKE = """
local now = tonumber(ARGV[1])
local limits = tonumber(ARGV[2])
local wait = 0
for i = 1, limits do
  local count = tonumber(redis.call('GET', KEYS[i]) or '0')
  if count >= tonumber(ARGV[1 + 2 * i]) then
    wait = math.max(wait, redis.call('TTL', KEYS[i]), 1)
  end
end
local backoff = #KEYS > limits
local base = 3 + 2 * limits
if backoff and wait == 0 and tonumber(redis.call('GET', KEYS[limits + 3]) or '0') > 0 then
  local next_at = tonumber(redis.call('GET', KEYS[limits + 2]) or '0')
  if next_at > now then wait = math.ceil(next_at - now) end
end
if wait > 0 then return wait end
for i = 1, limits do
  if redis.call('INCR', KEYS[i]) == 1 or redis.call('TTL', KEYS[i]) < 0 then
    redis.call('EXPIRE', KEYS[i], ARGV[2 + 2 * i])
  end
end
if backoff then
  local window = tonumber(ARGV[base + 2])
  local count = redis.call('INCR', KEYS[limits + 1])
  redis.call('EXPIRE', KEYS[limits + 1], window)
  local over = count - tonumber(ARGV[base])
  if over > 0 then
    local delay = math.min(tonumber(ARGV[base + 1]), 2 ^ math.min(over - 1, 30))
    local next_at = tonumber(redis.call('GET', KEYS[limits + 2]) or '0')
    redis.call('SET', KEYS[limits + 2], math.max(next_at, now + delay), 'EX', window)
  end
end
return 0
"""


class _LocalCounters:
    """The same fixed windows in this process's memory, for while Redis is unreachable."""

    def __init__(self):
        self._lock = threading.Lock()
        self._counts: dict[str, tuple[int, float]] = {}  # key -> (count, window's end)

    def take(self, limits: list[Limit]) -> int:
        now = time.monotonic()
        with self._lock:
            current = {}
            for limit in limits:
                count, ends = self._counts.get(limit.key, (0, 0.0))
                fresh = (0, now + limit.window_seconds)
                current[limit.key] = (count, ends) if ends > now else fresh
            waits = [
                max(math.ceil(current[limit.key][1] - now), 1)
                for limit in limits
                if current[limit.key][0] >= limit.count
            ]
            if waits:
                return max(waits)
            for key, (count, ends) in current.items():
                self._counts[key] = (count + 1, ends)
            self._forget_ended(now)
            return 0

    def give_back(self, keys: list[str]) -> None:
        with self._lock:
            for key in keys:
                count, ends = self._counts.get(key, (0, 0.0))
                if count > 0:
                    self._counts[key] = (count - 1, ends)

    def clear(self, keys: list[str]) -> None:
        with self._lock:
            for key in keys:
                self._counts.pop(key, None)

    def _forget_ended(self, now: float) -> None:
        if len(self._counts) > 10_000:
            self._counts = {k: v for k, v in self._counts.items() if v[1] > now}


# KEYS: counters to count down (ARGV[1] of them), then counters to remove.
_GIVE_BACK = """
for i = 1, tonumber(ARGV[1]) do
  if tonumber(redis.call('GET', KEYS[i]) or '0') > 0 then redis.call('DECR', KEYS[i]) end
end
for i = tonumber(ARGV[1]) + 1, #KEYS do redis.call('DEL', KEYS[i]) end
"""

_local = _LocalCounters()


def _script(source: str):
    # Registered on the current client each time (hashing the source is all it costs), so
    # that a client closed and made again is the one used.
    return cache.client().register_script(source)


def take(limits: list[Limit], backoff: Backoff | None = None) -> int:
    """Count one call against every limit (and the backoff), or, if any says no, count
    nothing; 0 when counted, else the seconds to wait."""
    keys = [limit.key for limit in limits]
    args: list = [time.time(), len(limits)]
    for limit in limits:
        args += [limit.count, limit.window_seconds]
    if backoff is not None:
        keys += [backoff.count_key, backoff.next_key, backoff.held_key]
        args += [backoff.free, backoff.cap_seconds, backoff.window_seconds]
    try:
        return int(_script(_TAKE)(keys=keys, args=args))
    except redis.RedisError as exc:
        log.warning("counting in this process: Redis does not answer (%s)", exc)
        return _local.take(limits)


def take_or_refuse(
    limits: list[Limit], code: str, what: str, backoff: Backoff | None = None
) -> None:
    """:func:`take`, refusing at once with 429 ``code`` ("<what>; try again in N seconds")."""
    if wait := take(limits, backoff):
        raise HTTPError(
            429, code, f"{what}; try again in {wait} seconds", headers={"Retry-After": str(wait)}
        )


def give_back(keys: list[str], *, clear: list[str] = ()) -> None:
    """Undo one count of each of ``keys`` (a call that turned out fine) and reset ``clear``."""
    try:
        _script(_GIVE_BACK)(keys=[*keys, *clear], args=[len(keys)])
    except redis.RedisError as exc:
        log.warning("giving back in this process: Redis does not answer (%s)", exc)
    _local.give_back(keys)
    _local.clear(list(clear))
