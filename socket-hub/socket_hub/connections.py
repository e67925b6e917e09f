"""Connecting: the JWT decides who a client is; rooms decide what reaches them."""

from __future__ import annotations

import logging

import socketio

from faas_ems.runtime.auth import Caller, verify_token
from faas_ems.runtime.web import HTTPError

from .census import Census
from .rooms import ADMINS, user_room
from .session_watch import SessionWatch
from .typing_indicators import TypingIndicators

log = logging.getLogger("socket_hub.connections")

NO_TOKEN = 'connect with auth: {"token": "<jwt>"}'


def authenticate(auth) -> Caller:
    """The caller named by the token in ``auth``; refused with the reason otherwise."""
    token = auth.get("token") if isinstance(auth, dict) else None
    if not isinstance(token, str) or not token.strip():
        raise socketio.exceptions.ConnectionRefusedError(NO_TOKEN, {"code": "unauthorized"})
    try:
        return verify_token(token.strip())
    except HTTPError as exc:
        raise socketio.exceptions.ConnectionRefusedError(exc.message, {"code": exc.code}) from None


async def caller_of(sio: socketio.AsyncServer, sid: str) -> Caller:
    session = await sio.get_session(sid)
    return session["caller"]


def register(
    sio: socketio.AsyncServer, census: Census, typing: TypingIndicators, watch: SessionWatch
) -> None:
    @sio.event
    async def connect(sid, environ, auth=None):
        caller = authenticate(auth)
        await sio.save_session(sid, {"caller": caller})
        watch.watch_expiry(sid, caller)
        await sio.enter_room(sid, user_room(caller.id))
        if caller.is_admin:
            await sio.enter_room(sid, ADMINS)
        census.joined()

    @sio.event
    async def disconnect(sid, reason=None):
        census.left()
        watch.forget(sid)
        await typing.forget(sid)
