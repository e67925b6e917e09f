"""Writing in a conversation: which one, and how writing changes who answers it.

A client writes in their own conversation (opened on the first message; a
resolved one reopens to the bot). An administrator must name the conversation,
and writing in one that is not already ``human`` takes it over: the bot goes
quiet and the client sees an administrator has joined.
"""

from __future__ import annotations

from dataclasses import dataclass

from faas_ems.runtime.errors import Invalid

from . import conversations, messages
from .messages import Sender


@dataclass(frozen=True)
class Posted:
    message: dict
    conversation: dict
    state_changed: bool


def post(conn, sender: Sender, text: str, conversation_id: str | None) -> Posted:
    if sender.is_admin:
        if conversation_id is None:
            raise Invalid(
                "conversation_id is required: an administrator names the conversation",
                fields={"conversation_id": "is required for administrators"},
            )
        row = conversations.get_visible(conn, conversation_id, sender, for_update=True)
        changes = {}
        if row["state"] != "human":
            changes = {"state": "human", "assigned_admin_id": sender.id}
    else:
        if conversation_id is None:
            row = conversations.open_for_client(conn, sender.id, sender.name)
        else:
            row = conversations.get_visible(conn, conversation_id, sender, for_update=True)
        changes = {"state": "bot"} if row["state"] == "resolved" else {}
    state_changed = bool(changes)
    if not sender.is_admin:
        changes["user_name"] = sender.name  # keep the inbox's name current
    message = messages.add(conn, row["id"], sender, text)
    row = conversations.update(conn, row["id"], **changes)
    return Posted(message, conversations.shape(row), state_changed)
