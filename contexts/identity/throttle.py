"""Repeated failed sign-ins, counted in Redis per username and per client address.

Each counter lives for a window that starts at its first failure. Once either
reaches its limit, sign-in is refused with 429 ``too_many_attempts`` and a
``Retry-After`` until the window ends, even with the right password: guessing
one account's password and spraying many accounts from one address are both
slowed down. A successful sign-in clears the username's counter only, so one
known account cannot reset an address's count.
"""

from __future__ import annotations

from ems_runtime import cache, settings
from ems_runtime.web import HTTPError


def _window() -> int:
    return settings.int_setting("LOGIN_FAILURE_WINDOW_SECONDS", 900)


def _counters(username: str, address: str) -> list[tuple[str, int]]:
    return [
        (
            cache.key("login-failures", "user", username.lower()),
            settings.int_setting("LOGIN_MAX_FAILURES_PER_USER", 5),
        ),
        (
            cache.key("login-failures", "address", address),
            settings.int_setting("LOGIN_MAX_FAILURES_PER_ADDRESS", 20),
        ),
    ]


def client_address(event) -> str:
    """The caller's address as the first proxy we run saw it.

    Each proxy appends the address it saw to ``X-Forwarded-For``, so entries a
    client wrote itself come first and cannot be trusted. ``TRUSTED_PROXIES``
    says how many of our own proxies stand in front of the one that appended the
    client (0 locally and behind nginx, whose entry is the last).
    """
    chain = [part.strip() for part in (event.headers.get("X-Forwarded-For") or "").split(",")]
    chain = [part for part in chain if part]
    skip = settings.int_setting("TRUSTED_PROXIES", 0)
    if len(chain) > skip:
        return chain[-1 - skip]
    return chain[0] if chain else "unknown"


def ensure_allowed(username: str, address: str) -> None:
    counters = _counters(username, address)
    pipe = cache.client().pipeline(transaction=False)
    for key, _ in counters:
        pipe.get(key)
        pipe.ttl(key)
    replies = pipe.execute()
    waits = [
        max(int(ttl), 1)
        for (_, limit), count, ttl in zip(counters, replies[::2], replies[1::2], strict=True)
        if count is not None and int(count) >= limit
    ]
    if waits:
        wait = max(waits)
        raise HTTPError(
            429,
            "too_many_attempts",
            f"too many failed sign-ins; try again in {wait} seconds",
            headers={"Retry-After": str(wait)},
        )


def record_failure(username: str, address: str) -> None:
    pipe = cache.client().pipeline(transaction=True)
    for key, _ in _counters(username, address):
        pipe.set(key, 0, ex=_window(), nx=True)
        pipe.incr(key)
    pipe.execute()


def record_success(username: str) -> None:
    cache.client().delete(cache.key("login-failures", "user", username.lower()))
