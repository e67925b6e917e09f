"""Notifications' copy of each user (name, e-mail, time zone), kept from identity's events.

Identity stamps every change with a growing ``version``; a change is applied only if
it is newer than the copy, so duplicated and reordered events end in the same state.
A deletion leaves a tombstone that no late event brings back, and forgets the user's
preferences (their webhook secret with them) and their log (it names their address).
"""

from __future__ import annotations

from faas_ems.runtime.validation import UUID_PATTERN, Field, timezone_problem, validate

USER_FIELDS = {
    "id": Field(pattern=UUID_PATTERN),
    "version": Field(kind=int, minimum=0),
    "name": Field(required=False, nullable=True),
    "email": Field(required=False, nullable=True),
    "timezone": Field(required=False, nullable=True, check=timezone_problem),
}
DELETED_FIELDS = {"id": USER_FIELDS["id"], "version": USER_FIELDS["version"]}


def _kept(data, fields: dict) -> dict:
    """The fields this copy keeps (an event carries more); validate refuses a non-object."""
    return {k: v for k, v in data.items() if k in fields} if isinstance(data, dict) else data


def parse_user(data) -> dict:
    """The fields kept of a ``user.created|updated`` event's data."""
    user = validate(_kept(data, USER_FIELDS), USER_FIELDS)
    return {
        "id": user["id"].lower(),
        "version": user["version"],
        "name": user.get("name") or "",
        "email": user.get("email") or None,
        "timezone": user.get("timezone") or "UTC",
    }


def parse_deletion(data) -> dict:
    known = (
        {k: v for k, v in data.items() if k in DELETED_FIELDS} if isinstance(data, dict) else data
    )
    user = validate(known, DELETED_FIELDS)
    return {"id": user["id"].lower(), "version": user["version"]}


_UPSERT = """
INSERT INTO users AS u (id, name, email, timezone, version)
VALUES (%(id)s, %(name)s, %(email)s, %(timezone)s, %(version)s)
ON CONFLICT (id) DO UPDATE
   SET name = excluded.name, email = excluded.email, timezone = excluded.timezone,
       version = excluded.version
 WHERE u.deleted_at IS NULL AND u.version < excluded.version
"""

_TOMBSTONE = """
INSERT INTO users AS u (id, version, deleted_at) VALUES (%(id)s, %(version)s, now())
ON CONFLICT (id) DO UPDATE
   SET name = '', email = NULL, version = excluded.version, deleted_at = excluded.deleted_at
 WHERE u.deleted_at IS NULL AND u.version < excluded.version
"""


def apply_state(conn, user: dict) -> bool:
    """Store a created or updated user if newer than the copy; True if applied."""
    return conn.execute(_UPSERT, user).rowcount == 1


def apply_deletion(conn, user: dict) -> bool:
    """Leave a tombstone (also before the creation arrives); forget preferences and log."""
    applied = conn.execute(_TOMBSTONE, user).rowcount == 1
    conn.execute("DELETE FROM preferences WHERE user_id = %s", [user["id"]])
    conn.execute("DELETE FROM notifications WHERE user_id = %s", [user["id"]])
    return applied


def get(conn, user_id: str) -> dict | None:
    """The live copy of a user, or None (never heard of, or deleted)."""
    return conn.execute(
        "SELECT id, name, email, timezone FROM users WHERE id = %s AND deleted_at IS NULL",
        [user_id],
    ).fetchone()
