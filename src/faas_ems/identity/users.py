"""Users: the rules every identity function applies, and how they are stored.

Each change runs in one transaction that also queues its event in the outbox
(``user.created|updated|deleted`` with the user's ``version``); the event is
published once the transaction has committed.
"""

from __future__ import annotations

import re
from functools import cache
from typing import Any

from psycopg import errors, sql

from faas_ems.runtime import auth, db, outbox, paging
from faas_ems.runtime.errors import Conflict, Invalid, NotFound
from faas_ems.runtime.passwords import hash_password, needs_rehash, verify_password
from faas_ems.runtime.validation import Field, timezone_problem

ROLES = ("admin", "client")
USERNAME_PATTERN = re.compile(r"^[A-Za-z0-9_.-]+$")
EMAIL_PATTERN = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")

USERNAME = Field(min_length=3, max_length=40, pattern=USERNAME_PATTERN)
PASSWORD = Field(min_length=8, max_length=128)
NAME = Field(max_length=100)
EMAIL = Field(max_length=254, pattern=EMAIL_PATTERN)
TIMEZONE = Field(required=False, max_length=64, check=timezone_problem)
ROLE = Field(required=False, choices=ROLES)

REGISTER_FIELDS = {
    "username": USERNAME,
    "password": PASSWORD,
    "name": NAME,
    "email": EMAIL,
    "timezone": TIMEZONE,
}
CREATE_FIELDS = {**REGISTER_FIELDS, "role": ROLE}
ADMIN_UPDATE_FIELDS = {
    "name": NAME,
    "email": EMAIL,
    "timezone": TIMEZONE,
    "role": ROLE,
    "password": PASSWORD,
}
SELF_UPDATE_FIELDS = {
    "name": NAME,
    "email": EMAIL,
    "timezone": TIMEZONE,
    "password": PASSWORD,
    "current_password": Field(max_length=128),
}
# Login checks only the shape: the rules for new usernames may change, old accounts stay.
LOGIN_FIELDS = {"username": Field(max_length=254), "password": Field(max_length=128)}

PUBLIC = ("id", "username", "role", "name", "email", "timezone", "created_at", "updated_at")
_COLUMNS = sql.SQL(", ").join(map(sql.Identifier, (*PUBLIC, "version")))
_UNIQUE_FIELDS = {"users_username_unique": "username", "users_email_unique": "email"}


def representation(row: dict) -> dict[str, Any]:
    """A user as the API shows it: never the password hash, never the version."""
    return {name: row[name] for name in PUBLIC}


def event_data(row: dict) -> dict[str, Any]:
    return {**representation(row), "version": row["version"]}


# reads ------------------------------------------------------------------------
def get(user_id: str) -> dict:
    with db.connection() as conn:
        row = conn.execute(
            sql.SQL("SELECT {} FROM users WHERE id = %s").format(_COLUMNS), [user_id]
        ).fetchone()
    if row is None:
        raise NotFound("user")
    return row


SORTS = {
    "username": sql.SQL("lower(username)"),
    "name": sql.SQL("lower(name)"),
    "email": sql.SQL("lower(email)"),
    "role": sql.Identifier("role"),
    "created_at": sql.Identifier("created_at"),
}


def page(page: paging.Page, role: str | None = None) -> tuple[list[dict], int]:
    """One page of users; ``page.q`` matches username, name or email anywhere."""
    query = sql.SQL("SELECT {} FROM users WHERE true").format(_COLUMNS)
    params: list[str] = []
    if page.q:
        query += sql.SQL(" AND (username ILIKE %s OR name ILIKE %s OR email ILIKE %s)")
        params += [db.contains(page.q)] * 3
    if role:
        query += sql.SQL(" AND role = %s")
        params.append(role)
    with db.connection() as conn:
        return paging.fetch(conn, query, params, page, SORTS)


@cache
def _decoy_hash() -> str:
    return hash_password("a password nobody has")


def username_key(username: str) -> str:
    """The one form of a username that sign-in looks up and its throttle counts.

    Usernames are ASCII (``USERNAME_PATTERN``), so PostgreSQL's ``lower`` of a stored
    one is this; a variant that Python folds onto it (``K``, the Kelvin sign) is the
    same account and the same counter, any other (``İ``) is no account at all.
    """
    return username.strip().lower()


def authenticate(username: str, password: str) -> dict | None:
    """The user whose credentials these are, or ``None``.

    An unknown username costs the same scrypt as a wrong password, so response
    times do not tell which usernames exist. A hash made with older parameters is
    replaced by one with today's, now that the password is known.
    """
    with db.connection() as conn:
        row = conn.execute(
            sql.SQL("SELECT {}, password_hash FROM users WHERE lower(username) = %s").format(
                _COLUMNS
            ),
            [username_key(username)],
        ).fetchone()
    stored = row["password_hash"] if row else _decoy_hash()
    if not verify_password(password, stored) or row is None:
        return None
    if needs_rehash(stored):
        upgraded = hash_password(password)
        with db.connection() as conn:
            conn.execute(
                "UPDATE users SET password_hash = %s WHERE id = %s AND password_hash = %s",
                [upgraded, row["id"], stored],
            )
    return row


# changes ----------------------------------------------------------------------
def create(fields: dict[str, Any]) -> dict:
    """Store a new user (role ``client`` unless given) and announce it."""
    values = {
        "username": fields["username"],
        "password_hash": hash_password(fields["password"]),
        "name": fields["name"],
        "email": fields["email"],
        "role": fields.get("role", "client"),
        "timezone": fields.get("timezone", "UTC"),
    }
    query = sql.SQL("INSERT INTO users ({}) VALUES ({}) RETURNING {}").format(
        sql.SQL(", ").join(map(sql.Identifier, values)),
        sql.SQL(", ").join(sql.Placeholder() * len(values)),
        _COLUMNS,
    )
    with db.connection() as conn:
        row = _unique(lambda: conn.execute(query, list(values.values())).fetchone())
        outbox.add(conn, "user.created", event_data(row))
    outbox.flush()
    return row


def update(user_id: str, changes: dict[str, Any], *, current_password: str | None = None) -> dict:
    """Apply ``changes`` (already validated) to a user and announce the new state.

    With ``current_password`` the caller changes their own account and must prove
    it. Demoting the last administrator is refused. A new role or password refuses
    every token issued before it.
    """
    changes = dict(changes)
    with db.connection() as conn:
        admins = _lock_admins(conn) if "role" in changes else []
        stored = conn.execute(
            "SELECT role, password_hash FROM users WHERE id = %s FOR UPDATE", [user_id]
        ).fetchone()
        if stored is None:
            raise NotFound("user")
        if current_password is not None and not verify_password(
            current_password, stored["password_hash"]
        ):
            raise Invalid(
                "current_password is not correct", fields={"current_password": "is not correct"}
            )
        if stored["role"] == "admin" and changes.get("role", "admin") != "admin":
            _refuse_last_admin(admins)
        if "password" in changes:
            changes["password_hash"] = hash_password(changes.pop("password"))
        assignments = sql.SQL(", ").join(
            sql.SQL("{} = {}").format(sql.Identifier(column), sql.Placeholder())
            for column in changes
        )
        query = sql.SQL(
            "UPDATE users SET {}, version = version + 1, updated_at = now()"
            " WHERE id = %s RETURNING {}"
        ).format(assignments, _COLUMNS)
        row = _unique(lambda: conn.execute(query, [*changes.values(), user_id]).fetchone())
        outbox.add(conn, "user.updated", event_data(row))
    outbox.flush()
    role_changed = changes.get("role", stored["role"]) != stored["role"]
    if role_changed or "password_hash" in changes:
        auth.revoke_tokens(user_id)
    return row


def delete(user_id: str) -> None:
    """Delete a user (never the last administrator) and announce it."""
    with db.connection() as conn:
        admins = _lock_admins(conn)
        stored = conn.execute(
            "SELECT role FROM users WHERE id = %s FOR UPDATE", [user_id]
        ).fetchone()
        if stored is None:
            raise NotFound("user")
        if stored["role"] == "admin":
            _refuse_last_admin(admins)
        version = conn.execute(
            "DELETE FROM users WHERE id = %s RETURNING version", [user_id]
        ).fetchone()["version"]
        outbox.add(conn, "user.deleted", {"id": user_id, "version": version + 1})
    outbox.flush()
    auth.revoke_tokens(user_id)


def _lock_admins(conn) -> list[dict]:
    """Lock every administrator row first, in one order, so that two concurrent
    demotions or deletions cannot both see another administrator left."""
    return conn.execute(
        "SELECT id FROM users WHERE role = 'admin' ORDER BY id FOR UPDATE"
    ).fetchall()


def _refuse_last_admin(admins: list[dict]) -> None:
    if len(admins) <= 1:
        raise Conflict("the last administrator cannot be removed or demoted", code="last_admin")


def _unique(run):
    """Run a write; a duplicate username or email becomes a 409 naming the field."""
    try:
        return run()
    except errors.UniqueViolation as exc:
        field = _UNIQUE_FIELDS.get(exc.diag.constraint_name or "", "username or email")
        raise Conflict(
            f"that {field} is already taken", fields={field: "is already taken"}
        ) from None
