"""Counters in Redis that slow down guessing and account spraying.

Failed sign-ins are counted per username and per client address. Each counter
lives for a window that starts at its first failure. Once either reaches its
limit, sign-in is refused with 429 ``too_many_attempts`` and a ``Retry-After``
until the window ends, even with the right password: guessing one account's
password and spraying many accounts from one address are both slowed down. A
successful sign-in clears the username's counter only, so one known account
cannot reset an address's count.

Self-registrations are counted per address the same way (429
``too_many_registrations``): each costs a slow password hash and a row, so one
address cannot open accounts without end.
"""

from __future__ import annotations

from faas_ems.runtime import cache, rate_limit, settings


def _window() -> int:
    return settings.current().login_failure_window_seconds


def _counters(username: str, address: str) -> list[rate_limit.Limit]:
    return [
        (
            cache.key("login-failures", "user", username.lower()),
            settings.current().login_max_failures_per_user,
        ),
        (
            cache.key("login-failures", "address", address),
            settings.current().login_max_failures_per_address,
        ),
    ]


def client_address(event) -> str:
    """The caller's address as our edge saw it.

    The edge (``ems up``'s gateway here, nginx in Swarm, the only ports published)
    overwrites ``X-Real-IP`` with the address of the connection it accepted, so a
    client cannot choose it. ``X-Forwarded-For`` is no help: a client writes its
    first entries, and every proxy behind the edge (OpenFaaS's gateway, provider
    and watchdog) appends its own, so its last entry would put every caller in one
    bucket. It is only the fallback for a call that bypassed the edge.
    """
    real = (event.headers.get("X-Real-IP") or "").strip()
    if real:
        return real
    chain = [part.strip() for part in (event.headers.get("X-Forwarded-For") or "").split(",")]
    chain = [part for part in chain if part]
    return chain[-1] if chain else "unknown"


def ensure_allowed(username: str, address: str) -> None:
    rate_limit.ensure_allowed(
        _counters(username, address), "too_many_attempts", "too many failed sign-ins"
    )


def record_failure(username: str, address: str) -> None:
    rate_limit.count([key for key, _ in _counters(username, address)], _window())


def _registration_counter(address: str) -> rate_limit.Limit:
    return (
        cache.key("registrations", "address", address),
        settings.current().registrations_per_address,
    )


def ensure_registration_allowed(address: str) -> None:
    limits = [_registration_counter(address)]
    rate_limit.ensure_allowed(limits, "too_many_registrations", "too many new accounts from here")


def record_registration(address: str) -> None:
    key, _ = _registration_counter(address)
    rate_limit.count([key], settings.current().registration_window_seconds)


def record_success(username: str) -> None:
    cache.client().delete(cache.key("login-failures", "user", username.lower()))
