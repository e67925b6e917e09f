"""Tokens and guards: who is calling, and may they?

User calls carry ``Authorization: Bearer <jwt>`` signed with the ``jwt-secret``.
Internal calls (the connector, the hub, the scheduler) carry ``X-Internal-Token``
with the ``internal-token`` secret: the gateway's ``/function/*`` is open in
OpenFaaS, so each internal function checks it itself.

A token is refused once revoked: all of a user's (a new role or password, or the
user deleted) or that one (signed out). Revocations live in Redis. While Redis
does not answer, a client's token is taken on its signature and expiry alone (an
outage must not sign every client out), but an administrator's is refused with
503 ``revocation_unavailable``: the rights that matter most never fail open.
"""

from __future__ import annotations

import hmac
import logging
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime

import jwt
import redis

from . import cache, settings
from .web import HTTPError

log = logging.getLogger("ems.auth")

ISSUER = "faas-ems"
ALGORITHM = "HS256"
ROLES = ("admin", "client")
INTERNAL_HEADER = "X-Internal-Token"


@dataclass(frozen=True)
class Caller:
    id: str
    role: str
    username: str
    name: str
    timezone: str
    # From the token, for holders that outlive a call (the hub's sockets).
    issued_at: float = 0.0
    expires_at: float = 0.0
    token_id: str = ""

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"

    def may_see(self, owner_id: str | None) -> bool:
        """Administrators see everything; a client only what they own."""
        return self.is_admin or (owner_id is not None and str(owner_id) == self.id)


def token_ttl_seconds() -> int:
    return settings.current().jwt_ttl_seconds


def issue_token(user: dict) -> tuple[str, datetime]:
    """A signed token for ``user``, valid for ``JWT_TTL_SECONDS``."""
    now = time.time()
    expires = int(now) + token_ttl_seconds()
    claims = {
        "iss": ISSUER,
        "sub": str(user["id"]),
        "role": user["role"],
        "username": user["username"],
        "name": user["name"],
        "tz": user["timezone"],
        # In milliseconds (NumericDate may be fractional), so a revocation and a new
        # sign-in within the same second are told apart.
        "iat": round(now, 3),
        "exp": expires,
        "jti": uuid.uuid4().hex,
    }
    token = jwt.encode(claims, settings.current().required("jwt_secret"), algorithm=ALGORITHM)
    return token, datetime.fromtimestamp(expires, UTC)


def verify_token(token: str) -> Caller:
    try:
        claims = jwt.decode(
            token,
            settings.current().required("jwt_secret"),
            algorithms=[ALGORITHM],
            issuer=ISSUER,
            options={"require": ["exp", "sub", "role", "iss"]},
        )
    except jwt.ExpiredSignatureError:
        raise HTTPError(401, "token_expired", "the token has expired; sign in again") from None
    except jwt.InvalidTokenError:
        raise HTTPError(401, "invalid_token", "the token is not valid") from None
    if claims["role"] not in ROLES:
        raise HTTPError(401, "invalid_token", "the token is not valid")
    caller = Caller(
        id=claims["sub"],
        role=claims["role"],
        username=claims.get("username", ""),
        name=claims.get("name", ""),
        timezone=claims.get("tz", "UTC"),
        issued_at=float(claims.get("iat", 0)),
        expires_at=float(claims["exp"]),
        # Tokens from before ids were given are named by their user and moment.
        token_id=str(claims.get("jti") or f"{claims['sub']}:{claims.get('iat', 0)}"),
    )
    if _revoked(caller):
        raise HTTPError(401, "token_revoked", "this sign-in is no longer valid; sign in again")
    return caller


def revocation_key(user_id: str) -> str:
    """Where the moment the user's tokens became invalid is kept (seconds, float)."""
    return cache.key("tokens-valid-from", user_id)


def token_revocation_key(token_id: str) -> str:
    """Set while one token is signed out, until it would have expired anyway."""
    return cache.key("token-revoked", token_id)


def revocations_channel() -> str:
    """Where revocations are announced, for holders of long-lived sessions (the hub)."""
    return cache.key("tokens-revoked")


def revoke_tokens(user_id: str) -> None:
    """Refuse the user's earlier tokens: their role or password changed, or they are gone.

    Tokens carry the role, so without this a demoted administrator would keep their
    rights until the token expired. The mark lives as long as a token can; the
    announcement lets the hub end open connections at once.
    """
    # Rounded like ``iat``, so a token issued right after this is never refused.
    valid_from = round(time.time(), 3)
    pipe = cache.client().pipeline(transaction=False)
    pipe.set(revocation_key(user_id), valid_from, ex=token_ttl_seconds())
    pipe.publish(revocations_channel(), user_id)
    pipe.execute()


def revoke_token(caller: Caller) -> None:
    """Sign this one token out (``POST /function/auth-logout``) until it expires."""
    seconds = max(int(caller.expires_at - time.time()) + 1, 1)
    try:
        pipe = cache.client().pipeline(transaction=False)
        pipe.set(token_revocation_key(caller.token_id), 1, ex=seconds)
        pipe.publish(revocations_channel(), caller.id)
        pipe.execute()
    except redis.RedisError:
        raise _revocation_unavailable() from None


def _revocation_unavailable() -> HTTPError:
    return HTTPError(
        503,
        "revocation_unavailable",
        "sign-ins cannot be checked right now; try again shortly",
        headers={"Retry-After": "5"},
    )


def _revoked(caller: Caller) -> bool:
    try:
        valid_from, signed_out = cache.client().mget(
            revocation_key(caller.id), token_revocation_key(caller.token_id)
        )
    except redis.RedisError:
        if caller.is_admin:
            raise _revocation_unavailable() from None
        log.warning("cannot check token revocation: Redis does not answer; client token taken")
        return False
    return signed_out is not None or issued_before(caller.issued_at, valid_from)


def issued_before(issued_at: float, valid_from: str | float | None) -> bool:
    """Whether a token issued at ``issued_at`` predates the user's last revocation."""
    return valid_from is not None and issued_at < float(valid_from)


def bearer_token(headers) -> str | None:
    value = headers.get("Authorization") or ""
    scheme, _, token = value.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return token.strip()


def require_user(event) -> Caller:
    token = bearer_token(event.headers)
    if token is None:
        raise HTTPError(
            401,
            "unauthorized",
            "sign in first: send Authorization: Bearer <token>",
            headers={"WWW-Authenticate": "Bearer"},
        )
    return verify_token(token)


def require_admin(event) -> Caller:
    caller = require_user(event)
    if not caller.is_admin:
        raise HTTPError(403, "forbidden", "only administrators may do this")
    return caller


def is_internal(headers) -> bool:
    supplied = headers.get(INTERNAL_HEADER)
    if not supplied:
        return False
    return hmac.compare_digest(
        supplied.encode(), settings.current().required("internal_token").encode()
    )


def require_internal(event) -> None:
    if not is_internal(event.headers):
        raise HTTPError(403, "forbidden", "this function is internal")
