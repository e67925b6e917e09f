"""What browsers send about the support chat: messages, typing, read receipts.

The caller is always the one the token named at connect; nothing in a message can
change it. Every event is acknowledged with its result or ``{"error": {"code",
"message"}}``.
"""

from __future__ import annotations

import functools
import logging
from typing import Any

import socketio

from faas_ems.runtime.auth import Caller
from faas_ems.runtime.web import HTTPError

from .connections import caller_of
from .rooms import ADMINS, user_room
from .support import SupportClient, user_of
from .typing_indicators import TypingIndicators

log = logging.getLogger("socket_hub.chat")

SEND_FIELDS = ("text", "conversation_id")


def _fields(data: Any) -> dict[str, Any]:
    if not isinstance(data, dict):
        raise HTTPError(400, "bad_request", "send an object")
    return data


def acknowledged(handler):
    """Turn a refusal into the ack ``{"error"}``; an unexpected failure too, logged."""

    @functools.wraps(handler)
    async def answer(sid, data=None):
        try:
            return await handler(sid, data)
        except HTTPError as exc:
            return exc.response()["body"]
        except Exception:
            log.exception("%s failed", handler.__name__)
            return {"error": {"code": "internal", "message": "the hub could not do that"}}

    return answer


def register(sio: socketio.AsyncServer, support: SupportClient, typing: TypingIndicators) -> None:
    @sio.on("chat:send")
    @acknowledged
    async def send(sid, data):
        """Stored by the support context, which publishes ``chat.message`` for everyone."""
        fields = _fields(data)
        chosen = {key: fields[key] for key in SEND_FIELDS if key in fields}
        stored = await support.send_message(await caller_of(sio, sid), chosen)
        return stored["message"]

    @sio.on("chat:read")
    @acknowledged
    async def read(sid, data):
        fields = _fields(data)
        if "message_id" not in fields:
            raise HTTPError(400, "bad_request", "name the message: message_id")
        answer = await support.mark_read(await caller_of(sio, sid), fields["message_id"])
        receipt = {
            key: answer[key] for key in ("conversation_id", "message_id", "reader_id", "read_at")
        }
        owner = answer["conversation"]["user_id"]
        await sio.emit("chat:read", receipt, to=[user_room(owner), ADMINS])
        return receipt

    @sio.on("chat:typing")
    @acknowledged
    async def typing_(sid, data):
        if not typing.admit(sid):
            raise HTTPError(429, "too_many_events", "typing is sent too often; slow down")
        fields = _fields(data)
        if not isinstance(fields.get("typing"), bool):
            raise HTTPError(400, "bad_request", "typing must be true or false")
        caller = await caller_of(sio, sid)
        conversation_id = fields.get("conversation_id")
        rooms = await _typing_audience(support, caller, conversation_id)
        payload = {
            "conversation_id": conversation_id,
            "user": user_of(caller),
            "typing": fields["typing"],
        }
        await typing.relay(sid, payload, rooms)
        return {"typing": fields["typing"]}


async def _typing_audience(
    support: SupportClient, caller: Caller, conversation_id: Any
) -> list[str]:
    """A client's typing goes to the administrators, an administrator's to the client."""
    if caller.is_admin:
        if conversation_id is None:
            raise HTTPError(400, "bad_request", "an administrator names the conversation")
        return [user_room(await support.owner_of(conversation_id))]
    if conversation_id is not None and await support.owner_of(conversation_id) != caller.id:
        raise HTTPError(404, "not_found", "conversation not found")
    return [ADMINS]
