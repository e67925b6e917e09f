"""The support context's events: what the hub relays to browsers.

``chat.message`` (a user wrote) and ``chat.reply`` (a bot answered) carry
``{"message", "conversation"}``; ``chat.state`` tells the client and the
administrators that a conversation waits for a human, was taken over, or resolved.
Events are queued in the transaction that made the change (the outbox) and leave
when the caller flushes after the commit: a stored message is never silent.
"""

from __future__ import annotations

from faas_ems.runtime import outbox


def message(conn, event_type: str, message: dict, conversation: dict) -> None:
    outbox.add(conn, event_type, {"message": message, "conversation": conversation})


def state(conn, conversation: dict) -> None:
    outbox.add(
        conn,
        "chat.state",
        {
            "conversation_id": conversation["id"],
            "state": conversation["state"],
            "user_id": conversation["user_id"],
        },
    )
