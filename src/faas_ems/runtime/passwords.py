"""Slow, salted password hashes (scrypt from the standard library).

The parameters are OWASP's current advice for scrypt (N = 2**17, r = 8, p = 1) and
travel inside each hash, so hashes made with older ones still verify and
:func:`needs_rehash` tells sign-in to replace them. One hash takes 128 MiB for about
a third of a second: at most ``PASSWORD_HASHES_AT_ONCE`` (2) run at once per process,
so a burst of sign-ins queues instead of taking 128 MiB per server thread.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import hmac
import os
import threading

from . import settings

N, R, P = 2**17, 8, 1
# scrypt needs 128 * N * r bytes, plus a little that OpenSSL counts too.
_MAXMEM = 128 * N * R + 16 * 1024 * 1024


@functools.cache
def _at_once() -> threading.BoundedSemaphore:
    return threading.BoundedSemaphore(settings.current().password_hashes_at_once)


def _b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode()


def _scrypt(password: str, salt: bytes, n: int, r: int, p: int, dklen: int = 64) -> bytes:
    with _at_once():
        return hashlib.scrypt(
            password.encode(), salt=salt, n=n, r=r, p=p, maxmem=_MAXMEM, dklen=dklen
        )


def hash_password(password: str) -> str:
    salt = os.urandom(16)
    digest = _scrypt(password, salt, N, R, P)
    return f"scrypt${N}${R}${P}${_b64(salt)}${_b64(digest)}"


def verify_password(password: str, stored: str) -> bool:
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
        if scheme != "scrypt" or int(n) > N or int(r) > R or int(p) > P:
            return False  # never let a stored hash ask for more than today's memory
        expected = base64.b64decode(digest)
        actual = _scrypt(password, base64.b64decode(salt), int(n), int(r), int(p), len(expected))
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(actual, expected)


def needs_rehash(stored: str) -> bool:
    """Whether ``stored`` was made with weaker parameters than today's."""
    try:
        scheme, n, r, p, *_ = stored.split("$")
        return scheme != "scrypt" or (int(n), int(r), int(p)) != (N, R, P)
    except ValueError:
        return True
