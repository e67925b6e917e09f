"""Counters in Redis that slow down guessing and account spraying, without lock-outs.

Every sign-in is counted before its password is checked (atomically, so parallel
attempts cannot slip past), and given back when the password was right:

- per (username, address) pair: ``LOGIN_MAX_FAILURES_PER_USER_AND_ADDRESS`` (5)
  failures, then that pair is refused (429 ``too_many_attempts``, ``Retry-After``)
  until the window (``LOGIN_FAILURE_WINDOW_SECONDS``, 900) ends. A success clears it;
- per address: ``LOGIN_MAX_FAILURES_PER_ADDRESS`` (20) failures over any usernames
  (spraying), then that address is refused;
- per username, the higher ceiling: past ``LOGIN_USER_FAILURES_BEFORE_DELAY`` (10)
  failures from anywhere, each further one doubles a delay (1 s, 2 s, 4 s ... up to
  ``LOGIN_MAX_DELAY_SECONDS``, 900) that holds every address with failures for that
  username. An address without any is never held by it: strangers cannot lock an
  account's owner (or the administrator) out, they only slow themselves down.

Usernames are counted under :func:`users.username_key`, the form the lookup uses, so
that case variants (``İ``, ``K``) share one counter.

Self-registrations are counted per address the same way (429
``too_many_registrations``), before the password is hashed, and whether or not the
account is opened (a taken name or email counts): one address cannot open accounts
without end, probe which names exist, or keep a replica hashing.

While Redis does not answer, the counters live in each replica's memory (see
``faas_ems.runtime.rate_limit``): sign-in keeps working, with per-replica limits.
"""

from __future__ import annotations

from dataclasses import dataclass

from faas_ems.runtime import cache, rate_limit, settings

from .users import username_key


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


@dataclass(frozen=True)
class SignIn:
    """One counted sign-in attempt; :meth:`succeeded` gives it back."""

    pair: rate_limit.Limit
    address: rate_limit.Limit
    backoff: rate_limit.Backoff

    def succeeded(self) -> None:
        rate_limit.give_back([self.address.key, self.backoff.count_key], clear=[self.pair.key])


def _window() -> int:
    return settings.current().login_failure_window_seconds


def _sign_in(username: str, address: str) -> SignIn:
    user = username_key(username)
    pair = cache.key("login-failures", "pair", address, user)
    return SignIn(
        pair=rate_limit.Limit(
            pair, settings.current().login_max_failures_per_user_and_address, _window()
        ),
        address=rate_limit.Limit(
            cache.key("login-failures", "address", address),
            settings.current().login_max_failures_per_address,
            _window(),
        ),
        backoff=rate_limit.Backoff(
            count_key=cache.key("login-failures", "user", user),
            next_key=cache.key("login-next", "user", user),
            free=settings.current().login_user_failures_before_delay,
            cap_seconds=settings.current().login_max_delay_seconds,
            window_seconds=_window(),
            held_key=pair,
        ),
    )


def attempt(username: str, address: str) -> SignIn:
    """Count a sign-in as a failure until it succeeds, or refuse it with 429 at once."""
    sign_in = _sign_in(username, address)
    rate_limit.take_or_refuse(
        [sign_in.pair, sign_in.address],
        "too_many_attempts",
        "too many failed sign-ins",
        backoff=sign_in.backoff,
    )
    return sign_in


def register_attempt(address: str) -> None:
    """Count a sign-up against its address, or refuse it with 429 at once."""
    limit = rate_limit.Limit(
        cache.key("registrations", "address", address),
        settings.current().registrations_per_address,
        settings.current().registration_window_seconds,
    )
    rate_limit.take_or_refuse([limit], "too_many_registrations", "too many sign-ups from here")
