"""Who owns a device: assigning, unassigning, and forgetting deleted users.

Inventory never reads identity's database. An assignment asks identity's users
function (with the internal token) whether the user exists; a user deleted after
that question is caught by the ``deleted_users`` tombstones that
``inventory-sync`` writes. Both sides take the same per-user advisory lock, so
an assignment and the deletion of its user cannot interleave.
"""

from __future__ import annotations

import requests
from psycopg import sql

from faas_ems.runtime import db, outbox, settings
from faas_ems.runtime.auth import INTERNAL_HEADER
from faas_ems.runtime.errors import NotFound, Unavailable

from . import devices

IDENTITY_TIMEOUT_SECONDS = 5


def require_user(user_id: str) -> None:
    """Ask identity whether the user exists; 404 if not, 503 if identity cannot say."""
    url = f"{settings.current().gateway_url}/function/users/{user_id}"
    try:
        response = requests.get(
            url,
            headers={INTERNAL_HEADER: settings.current().required("internal_token")},
            timeout=IDENTITY_TIMEOUT_SECONDS,
        )
    except requests.RequestException as exc:
        raise _identity_unavailable(str(exc)) from None
    if response.status_code == 404:
        raise NotFound("user")
    if response.status_code != 200:
        raise _identity_unavailable(f"status {response.status_code}")


def _identity_unavailable(reason: str) -> Unavailable:
    return Unavailable(
        f"cannot check the user right now ({reason}); try again",
        code="identity_unavailable",
        retry_after=5,
    )


def _lock_user(conn, user_id: str) -> None:
    conn.execute("SELECT pg_advisory_xact_lock(hashtextextended(%s, 0))", [user_id])


def assign(device_id: str, user_id: str | None) -> dict:
    """Give the device to ``user_id`` (``None`` unassigns); unchanged if it already is."""
    if user_id is not None:
        require_user(user_id)
    with db.connection() as conn:
        if user_id is not None:
            _lock_user(conn, user_id)
            if conn.execute("SELECT 1 FROM deleted_users WHERE id = %s", [user_id]).fetchone():
                raise NotFound("user")
        device = devices.find(conn, device_id, lock=True)
        if device is None:
            raise NotFound("device")
        if str(device["owner_id"] or "") == str(user_id or ""):
            return device
        row = conn.execute(_SET_OWNER, [user_id, device_id]).fetchone()
        event = "device.assigned" if user_id is not None else "device.unassigned"
        outbox.add(conn, event, devices.event_data(row))
    outbox.flush()
    return row


def forget_user(user_id: str) -> int:
    """Unassign every device of a deleted user and refuse them from now on.

    Idempotent: a redelivered ``user.deleted`` finds nothing left to unassign.
    Returns how many devices were unassigned.
    """
    with db.connection() as conn:
        _lock_user(conn, user_id)
        conn.execute("INSERT INTO deleted_users (id) VALUES (%s) ON CONFLICT DO NOTHING", [user_id])
        rows = conn.execute(_UNASSIGN_ALL, [user_id]).fetchall()
        for row in rows:
            outbox.add(conn, "device.unassigned", devices.event_data(row))
    outbox.flush()
    return len(rows)


_SET_OWNER = sql.SQL(
    "UPDATE devices SET owner_id = %s, version = version + 1, updated_at = now()"
    " WHERE id = %s RETURNING {}"
).format(devices.COLUMNS)
_UNASSIGN_ALL = sql.SQL(
    "UPDATE devices SET owner_id = NULL, version = version + 1, updated_at = now()"
    " WHERE owner_id = %s RETURNING {}"
).format(devices.COLUMNS)
