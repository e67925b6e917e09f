"""Ending connections whose token has expired or been revoked since they connected.

The token is checked at connect, but a socket can stay open for hours. A demoted
administrator would go on receiving every alert and support message for admins,
and a deleted user would too. So every few seconds each replica looks at its own
connections and ends those whose token has expired, or whose user's tokens were
revoked after it was issued (a new role or password, or the user deleted). The
browser is told why (``session:ended``) first, so it can sign out.
"""

from __future__ import annotations

import asyncio
import logging
import time

import redis.asyncio as redis
import socketio
from redis.exceptions import RedisError

from ems_runtime.auth import Caller, issued_before, revocation_key

log = logging.getLogger("socket_hub.session_watch")

NAMESPACE = "/"


def ending_reason(caller: Caller, valid_from: str | None, now: float) -> str | None:
    """The error code that ends this connection, or None while its token holds."""
    if caller.expires_at and now >= caller.expires_at:
        return "token_expired"
    if issued_before(caller.issued_at, valid_from):
        return "token_revoked"
    return None


class SessionWatch:
    def __init__(self, sio: socketio.AsyncServer, store: redis.Redis, check_seconds: float):
        self.sio = sio
        self.store = store
        self.check_seconds = check_seconds
        self.ended = 0

    async def watch_forever(self) -> None:
        while True:
            await asyncio.sleep(self.check_seconds)
            try:
                await self.sweep()
            except RedisError as exc:
                # Like the functions: an outage of Redis must not end every session.
                log.warning("cannot check token revocation: %r", exc)

    async def sweep(self) -> int:
        """End this replica's connections whose token no longer holds; return how many."""
        callers = await self._local_callers()
        user_ids = sorted({caller.id for caller in callers.values()})
        marks = await self.store.mget([revocation_key(u) for u in user_ids]) if user_ids else []
        valid_from = {
            user_id: mark.decode() if isinstance(mark, bytes) else mark
            for user_id, mark in zip(user_ids, marks, strict=True)
        }
        now = time.time()
        ended = 0
        for sid, caller in callers.items():
            reason = ending_reason(caller, valid_from[caller.id], now)
            if reason is None:
                continue
            await self.sio.emit("session:ended", {"code": reason}, to=sid)
            await self.sio.disconnect(sid, ignore_queue=True)
            log.info("ended %s's connection %s: %s", caller.username, sid, reason)
            ended += 1
        self.ended += ended
        return ended

    async def _local_callers(self) -> dict[str, Caller]:
        """The callers of this process's connections (the manager knows only its own)."""
        callers = {}
        for sid, _ in self.sio.manager.get_participants(NAMESPACE, None):
            try:
                session = await self.sio.get_session(sid)
            except KeyError:
                continue  # gone meanwhile
            if "caller" in session:  # not before the connect handler saved it
                callers[sid] = session["caller"]
        return callers
