"""Ending connections whose token has expired or been revoked since they connected.

The token is checked at connect, but a socket can stay open for hours. A demoted
administrator would go on receiving every alert and support message for admins,
and a deleted user would too. So each replica ends its own connections:

- when the token expires, by a timer set at connect;
- when the user's tokens are revoked (a new role or password, or the user
  deleted), at once on the announcement ``faas_ems.runtime.auth.revoke_tokens``
  publishes in Redis;
- and every ``check_seconds`` by a sweep against the revocation marks, because a
  Redis announcement reaches only who listens at that moment.

The browser is told why (``session:ended``) first, so it can sign out.
"""

from __future__ import annotations

import asyncio
import logging
import time

import redis.asyncio as redis
import socketio
from redis.exceptions import RedisError

from faas_ems.runtime.auth import Caller, issued_before, revocation_key, revocations_channel

from .rooms import user_room

log = logging.getLogger("socket_hub.session_watch")

NAMESPACE = "/"
RESUBSCRIBE_SECONDS = 2.0


def ending_reason(caller: Caller, valid_from: str | None, now: float) -> str | None:
    """The error code that ends this connection, or None while its token holds."""
    if caller.expires_at and now >= caller.expires_at:
        return "token_expired"
    if issued_before(caller.issued_at, valid_from):
        return "token_revoked"
    return None


def _text(value: bytes | str | None) -> str | None:
    return value.decode() if isinstance(value, bytes) else value


class SessionWatch:
    def __init__(self, sio: socketio.AsyncServer, store: redis.Redis, check_seconds: float):
        self.sio = sio
        self.store = store
        self.check_seconds = check_seconds
        self.ended = 0
        self._expiry_timers: dict[str, asyncio.TimerHandle] = {}
        self._ending: set[asyncio.Task] = set()  # held, or the loop may drop them half-way

    # expiry ----------------------------------------------------------------------
    def watch_expiry(self, sid: str, caller: Caller) -> None:
        """End this connection the moment its token expires."""
        if not caller.expires_at:
            return
        loop = asyncio.get_running_loop()
        delay = max(0.0, caller.expires_at - time.time())
        self._expiry_timers[sid] = loop.call_later(delay, self._expire, sid, caller)

    def _expire(self, sid: str, caller: Caller) -> None:
        task = asyncio.get_running_loop().create_task(self._end(sid, caller, "token_expired"))
        self._ending.add(task)
        task.add_done_callback(self._ending.discard)

    def forget(self, sid: str) -> None:
        timer = self._expiry_timers.pop(sid, None)
        if timer is not None:
            timer.cancel()

    # revocation ------------------------------------------------------------------
    async def listen_forever(self) -> None:
        """Sweep a user's connections as soon as their tokens are revoked."""
        while True:
            try:
                async with self.store.pubsub() as pubsub:
                    await pubsub.subscribe(revocations_channel())
                    # Announcements made while not subscribed were missed: check everyone.
                    await self.sweep()
                    async for message in pubsub.listen():
                        if message["type"] == "message":
                            await self.sweep(_text(message["data"]))
            except RedisError as exc:
                log.warning("revocation announcements: %r; listening again", exc)
                await asyncio.sleep(RESUBSCRIBE_SECONDS)

    async def sweep_forever(self) -> None:
        while True:
            await asyncio.sleep(self.check_seconds)
            try:
                await self.sweep()
            except RedisError as exc:
                # Like the functions: an outage of Redis must not end every session.
                log.warning("cannot check token revocation: %r", exc)

    async def sweep(self, user_id: str | None = None) -> int:
        """End this replica's connections (of one user, or all) whose token no longer holds."""
        callers = await self._local_callers(None if user_id is None else user_room(user_id))
        user_ids = sorted({caller.id for caller in callers.values()})
        marks = await self.store.mget([revocation_key(u) for u in user_ids]) if user_ids else []
        valid_from = {u: _text(mark) for u, mark in zip(user_ids, marks, strict=True)}
        now = time.time()
        ended = 0
        for sid, caller in callers.items():
            reason = ending_reason(caller, valid_from[caller.id], now)
            if reason is not None:
                ended += await self._end(sid, caller, reason)
        return ended

    # both ------------------------------------------------------------------------
    async def _end(self, sid: str, caller: Caller, reason: str) -> int:
        """Tell the browser why, then disconnect; 0 if it is gone already."""
        if not self.sio.manager.is_connected(sid, NAMESPACE):
            return 0
        self.forget(sid)
        await self.sio.emit("session:ended", {"code": reason}, to=sid)
        await self.sio.disconnect(sid, ignore_queue=True)
        log.info("ended %s's connection %s: %s", caller.username, sid, reason)
        self.ended += 1
        return 1

    async def _local_callers(self, room: str | None) -> dict[str, Caller]:
        """The callers of this process's connections in ``room`` (None: all of them).

        The manager knows only this process's own participants, which is what a sweep needs.
        """
        callers = {}
        for sid, _ in self.sio.manager.get_participants(NAMESPACE, room):
            try:
                session = await self.sio.get_session(sid)
            except KeyError:
                continue  # gone meanwhile
            if "caller" in session:  # not before the connect handler saved it
                callers[sid] = session["caller"]
        return callers
