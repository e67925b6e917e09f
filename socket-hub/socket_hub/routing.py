"""Which Socket.IO event an AMQP event becomes, and which rooms it goes to.

Pure translation, no I/O: the consumer emits what this returns, and dead-letters
an event this refuses (``MalformedEvent``, with the reason).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .rooms import ADMINS, user_room


class MalformedEvent(ValueError):
    """The event cannot be delivered; the message says why."""


@dataclass(frozen=True)
class Delivery:
    event: str
    payload: dict[str, Any]
    rooms: tuple[str, ...]


def _mapping(value: Any, what: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise MalformedEvent(f"{what} must be an object")
    return value


def _required(data: dict[str, Any], key: str, what: str) -> Any:
    value = data.get(key)
    if value is None or value == "":
        raise MalformedEvent(f"{what} has no {key!r}")
    return value


def alert_raised(data: dict[str, Any]) -> Delivery:
    """To the owner at the time it was raised; to administrators when nobody owns it."""
    for key in ("id", "device_id"):
        _required(data, key, "the alert")
    if "owner_id" not in data:
        raise MalformedEvent("the alert has no 'owner_id' (null when nobody owns the device)")
    owner = data["owner_id"]
    alert = {key: value for key, value in data.items() if key != "owner_id"}
    return Delivery("alert", alert, (user_room(owner),) if owner else (ADMINS,))


def alert_warning(data: dict[str, Any]) -> Delivery:
    """An early warning: to the owner at the time it was raised and to administrators."""
    for key in ("id", "device_id"):
        _required(data, key, "the warning")
    if "owner_id" not in data:
        raise MalformedEvent("the warning has no 'owner_id' (null when nobody owns the device)")
    owner = data["owner_id"]
    warning = {key: value for key, value in data.items() if key != "owner_id"}
    return Delivery("alert:warning", warning, (user_room(owner), ADMINS) if owner else (ADMINS,))


def device_status(online: bool) -> Callable[[dict[str, Any]], Delivery]:
    """``device.online``/``device.offline`` as ``device:status``, to the owner and admins."""

    def translate(data: dict[str, Any]) -> Delivery:
        _required(data, "device_id", "the device status")
        if "owner_id" not in data:
            raise MalformedEvent("the device status has no 'owner_id' (null when nobody owns it)")
        status = {
            "device_id": data["device_id"],
            "online": online,
            "last_reading_at": data.get("last_reading_at"),
        }
        owner = data["owner_id"]
        return Delivery("device:status", status, (user_room(owner), ADMINS) if owner else (ADMINS,))

    return translate


def chat_message(data: dict[str, Any]) -> Delivery:
    message = _mapping(data.get("message"), "'message'")
    conversation = _mapping(data.get("conversation"), "'conversation'")
    _required(message, "id", "the message")
    user_id = _required(conversation, "user_id", "the conversation")
    return Delivery("chat:message", message, (user_room(user_id), ADMINS))


def chat_state(data: dict[str, Any]) -> Delivery:
    state = {key: _required(data, key, "the state change") for key in ("conversation_id", "state")}
    state["user_id"] = _required(data, "user_id", "the state change")
    return Delivery("chat:state", state, (user_room(state["user_id"]), ADMINS))


TRANSLATIONS: dict[str, Callable[[dict[str, Any]], Delivery]] = {
    "alert.raised": alert_raised,
    "alert.warning": alert_warning,
    "device.online": device_status(online=True),
    "device.offline": device_status(online=False),
    "chat.message": chat_message,
    "chat.reply": chat_message,
    "chat.state": chat_state,
}
TOPICS = tuple(TRANSLATIONS)


def parse(body: bytes) -> tuple[str, Delivery]:
    """The event's id and its delivery; MalformedEvent if it has none."""
    try:
        envelope = json.loads(body)
    except (ValueError, UnicodeDecodeError) as exc:
        raise MalformedEvent(f"not JSON: {exc}") from None
    envelope = _mapping(envelope, "the envelope")
    event_type = envelope.get("type")
    translate = TRANSLATIONS.get(event_type) if isinstance(event_type, str) else None
    if translate is None:
        raise MalformedEvent(f"the hub delivers no event of type {event_type!r}")
    event_id = envelope.get("id")
    if not isinstance(event_id, str) or not event_id:
        raise MalformedEvent("the envelope has no 'id'")
    return event_id, translate(_mapping(envelope.get("data"), "'data'"))
