"""The first administrator, created by ``ems up`` before any function runs.

Called with a plain psycopg connection (tuple rows) from ``ems/databases.py``.
"""

from __future__ import annotations

from faas_ems.runtime.passwords import hash_password


def ensure_admin(conn, username: str, password: str) -> bool:
    """Create administrator ``username`` unless that username exists; True if created."""
    created = conn.execute(
        "INSERT INTO users (username, password_hash, role, name, email)"
        " VALUES (%s, %s, 'admin', %s, %s)"
        " ON CONFLICT DO NOTHING RETURNING id",
        [username, hash_password(password), "Administrator", f"{username}@localhost"],
    ).fetchone()
    conn.commit()
    return created is not None
