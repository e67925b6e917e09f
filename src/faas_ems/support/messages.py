"""Messages of a conversation: storing them, listing them, and read receipts."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from faas_ems.runtime.errors import Invalid, NotFound

MAX_TEXT = 2000

_COLUMNS = (
    "m.id, m.conversation_id, m.sender_id, m.sender_role, m.sender_name, m.text,"
    " m.sent_at, m.read_at"
)
COLUMNS_AS_LAST = (
    "m.id AS last_id, m.conversation_id AS last_conversation_id, m.sender_id AS last_sender_id,"
    " m.sender_role AS last_sender_role, m.sender_name AS last_sender_name,"
    " m.text AS last_text, m.sent_at AS last_sent_at, m.read_at AS last_read_at"
)


@dataclass(frozen=True)
class Sender:
    """Who wrote a message: a user (``client``/``admin``) or a bot (role ``bot``)."""

    id: str
    role: str
    name: str

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"


RULE_BOT = Sender(id="bot", role="bot", name="EMS bot")
ASSISTANT = Sender(id="assistant", role="bot", name="Assistant (AI)")


def shape(row: dict) -> dict:
    return {
        "id": str(row["id"]),
        "conversation_id": str(row["conversation_id"]),
        "sender": {"id": row["sender_id"], "role": row["sender_role"], "name": row["sender_name"]},
        "text": row["text"],
        "sent_at": row["sent_at"],
        "read_at": row["read_at"],
    }


def shape_last(row: dict) -> dict | None:
    """The ``last_*`` columns of a conversation row as a message, or ``None``."""
    if row["last_id"] is None:
        return None
    return shape({key.removeprefix("last_"): row[key] for key in row if key.startswith("last_")})


def add(conn, conversation_id, sender: Sender, text: str, *, reply_to=None) -> dict | None:
    """Store a message; ``None`` if ``reply_to`` was already answered."""
    row = conn.execute(
        "INSERT INTO messages (id, conversation_id, sender_id, sender_role, sender_name, text,"
        " reply_to) VALUES (%s, %s, %s, %s, %s, %s, %s) ON CONFLICT (reply_to) DO NOTHING"
        f" RETURNING {_COLUMNS.replace('m.', '')}",
        [uuid.uuid4(), conversation_id, sender.id, sender.role, sender.name, text, reply_to],
    ).fetchone()
    return shape(row) if row else None


def list_for(conn, conversation_id: str) -> list[dict]:
    rows = conn.execute(
        f"SELECT {_COLUMNS} FROM messages m WHERE m.conversation_id = %s ORDER BY m.seq",
        [conversation_id],
    ).fetchall()
    return [shape(row) for row in rows]


def history(conn, message_id: str, limit: int) -> list[dict]:
    """The last ``limit`` messages up to and including this one, oldest first.

    That is the conversation as it stood when the client wrote ``message_id``: the
    view the LLM answers from, also when the message is redelivered later.
    """
    rows = conn.execute(
        f"SELECT * FROM (SELECT {_COLUMNS}, m.seq FROM messages m"
        " JOIN messages asked ON asked.id = %s"
        " WHERE m.conversation_id = asked.conversation_id AND m.seq <= asked.seq"
        " ORDER BY m.seq DESC LIMIT %s) last ORDER BY seq",
        [message_id, limit],
    ).fetchall()
    return [shape(row) for row in rows]


def answered(conn, message_id: str) -> bool:
    """Whether the bot already answered this client message."""
    return (
        conn.execute("SELECT 1 FROM messages WHERE reply_to = %s", [message_id]).fetchone()
        is not None
    )


def mark_read(conn, reader: Sender, message_id: str) -> dict:
    """Mark a message of the other side, and every earlier unread one of that side, read.

    The other side of a client is everyone else (administrators and the bots); the
    other side of an administrator is the client. Marking again changes nothing and
    answers with the time stored the first time.
    """
    target = conn.execute(
        "SELECT m.id, m.seq, m.conversation_id, m.sender_role, c.user_id"
        " FROM messages m JOIN conversations c ON c.id = m.conversation_id WHERE m.id = %s",
        [message_id],
    ).fetchone()
    if target is None or not (reader.is_admin or str(target["user_id"]) == reader.id):
        raise NotFound("message")
    client_side = target["sender_role"] == "client"
    if client_side != reader.is_admin:
        raise Invalid("only the other side's messages can be marked read", code="own_message")
    role_test = "m.sender_role = 'client'" if client_side else "m.sender_role <> 'client'"
    conn.execute(
        "UPDATE messages m SET read_at = now()"
        f" WHERE m.conversation_id = %s AND m.seq <= %s AND m.read_at IS NULL AND {role_test}",
        [target["conversation_id"], target["seq"]],
    )
    read_at = conn.execute("SELECT read_at FROM messages WHERE id = %s", [message_id]).fetchone()
    return {
        "conversation_id": str(target["conversation_id"]),
        "message_id": str(target["id"]),
        "reader_id": reader.id,
        "read_at": read_at["read_at"],
    }


def anonymise_sender(conn, user_id: str) -> int:
    """A deleted administrator's replies stay in the clients' history, without their name."""
    return conn.execute(
        "UPDATE messages SET sender_id = 'deleted', sender_name = 'Former administrator'"
        " WHERE sender_id = %s AND sender_role = 'admin'",
        [user_id],
    ).rowcount
