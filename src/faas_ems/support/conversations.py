"""Conversations: who may see one, and the state that says who answers it.

A client has one conversation: writing again reuses it and a resolved one reopens
to the bot. States: ``bot`` (the rule bot and the LLM answer), ``waiting`` (handed
off, the bot is quiet until an administrator takes it), ``human`` (an
administrator answers), ``resolved`` (closed; the client's next message reopens it).
"""

from __future__ import annotations

import uuid

from psycopg import sql

from faas_ems.runtime import db, paging
from faas_ems.runtime.errors import NotFound

from . import messages

STATES = ("bot", "waiting", "human", "resolved")

_COLUMNS = "c.id, c.user_id, c.user_name, c.state, c.assigned_admin_id, c.created_at, c.updated_at"

_WITH_LAST_MESSAGE = f"""
    SELECT {_COLUMNS}, last.*
    FROM conversations c
    LEFT JOIN LATERAL (
        SELECT {messages.COLUMNS_AS_LAST}
        FROM messages m WHERE m.conversation_id = c.id ORDER BY m.seq DESC LIMIT 1
    ) last ON true
"""


def shape(row: dict) -> dict:
    """A conversation as the API shows it; ``last_message`` only when the row carries it."""
    conversation = {
        "id": str(row["id"]),
        "user_id": str(row["user_id"]),
        "user_name": row["user_name"],
        "state": row["state"],
        "assigned_admin_id": _str_or_none(row["assigned_admin_id"]),
        "created_at": row["created_at"],
        "updated_at": row["updated_at"],
    }
    if "last_id" in row:
        conversation["last_message"] = messages.shape_last(row)
    return conversation


def _str_or_none(value) -> str | None:
    return None if value is None else str(value)


SORTS = {
    # the inbox's order: handed-off conversations first, then the latest activity
    "waiting": (sql.SQL("(state = 'waiting')"), sql.Identifier("updated_at")),
    "updated_at": sql.Identifier("updated_at"),
    "created_at": sql.Identifier("created_at"),
    "user_name": sql.SQL("lower(user_name)"),
    "state": sql.Identifier("state"),
}


def page_for(conn, caller, page: paging.Page, state: str | None = None) -> tuple[list[dict], int]:
    """A client's own conversation; for an administrator a page of all of them.

    ``page.q`` matches the client's name. The page is chosen first, then only its
    conversations get their last message and unread count.
    """
    where, params = ["true"], []
    if not caller.is_admin:
        where.append("user_id = %s")
        params.append(caller.id)
    if state:
        where.append("state = %s")
        params.append(state)
    if page.q:
        where.append("user_name ILIKE %s")
        params.append(db.contains(page.q))
    chosen = sql.SQL(
        "SELECT id, user_name, state, created_at, updated_at FROM conversations WHERE "
        + " AND ".join(where)
    )
    rows, total = paging.fetch(conn, chosen, params, page, SORTS)
    ids = [row["id"] for row in rows]
    # what the caller has not read yet: an administrator the client's, a client the rest
    theirs = "m.sender_role = 'client'" if caller.is_admin else "m.sender_role <> 'client'"
    unread = (
        f"(SELECT count(*) FROM messages m WHERE m.conversation_id = c.id"
        f" AND m.read_at IS NULL AND {theirs}) AS unread"
    )
    found = conn.execute(
        f"{_WITH_LAST_MESSAGE.replace('last.*', f'last.*, {unread}')} WHERE c.id = ANY(%s)",
        [ids],
    ).fetchall()
    by_id = {row["id"]: row for row in found}
    shown = [by_id[i] for i in ids if i in by_id]
    return [{**shape(row), "unread": row["unread"]} for row in shown], total


def get(conn, conversation_id: str, *, for_update: bool = False) -> dict | None:
    lock = " FOR UPDATE" if for_update else ""
    return conn.execute(
        f"SELECT {_COLUMNS} FROM conversations c WHERE c.id = %s{lock}", [conversation_id]
    ).fetchone()


def get_visible(conn, conversation_id: str, who, *, for_update: bool = False) -> dict:
    """The conversation if ``who`` (anything with ``id`` and ``is_admin``) may see it.

    Anyone else gets 404, never 403, so that a client cannot probe other clients' ids.
    """
    row = get(conn, conversation_id, for_update=for_update)
    if row is None or not (who.is_admin or str(row["user_id"]) == who.id):
        raise NotFound("conversation")
    return row


def open_for_client(conn, user_id: str, user_name: str) -> dict:
    """The client's conversation, created if they have none, locked for this transaction."""
    conn.execute(
        "INSERT INTO conversations (id, user_id, user_name) VALUES (%s, %s, %s)"
        " ON CONFLICT (user_id) DO NOTHING",
        [uuid.uuid4(), user_id, user_name],
    )
    return conn.execute(
        f"SELECT {_COLUMNS} FROM conversations c WHERE c.user_id = %s FOR UPDATE", [user_id]
    ).fetchone()


def update(conn, conversation_id, *, only_from: tuple[str, ...] | None = None, **changes):
    """Change state and assignment and touch ``updated_at``; ``None`` if ``only_from`` refused.

    ``only_from`` makes the change conditional on the current state, so that a
    slow bot handing off never overrides an administrator who took over meanwhile.
    """
    sets = ", ".join(f"{name} = %s" for name in changes)
    params = [*changes.values(), conversation_id]
    condition = ""
    if only_from:
        condition = " AND c.state = ANY(%s)"
        params.append(list(only_from))
    sets = f"{sets}, " if sets else ""
    return conn.execute(
        f"UPDATE conversations c SET {sets}updated_at = now()"
        f" WHERE c.id = %s{condition} RETURNING {_COLUMNS}",
        params,
    ).fetchone()


def delete_for_user(conn, user_id: str) -> int:
    """Remove a deleted client's conversation (its messages go with it)."""
    return conn.execute("DELETE FROM conversations WHERE user_id = %s", [user_id]).rowcount


def release_admin(conn, admin_id: str) -> int:
    """Send a deleted administrator's conversations back to the waiting queue."""
    return conn.execute(
        "UPDATE conversations SET assigned_admin_id = NULL, updated_at = now(),"
        " state = CASE WHEN state = 'human' THEN 'waiting' ELSE state END"
        " WHERE assigned_admin_id = %s",
        [admin_id],
    ).rowcount
