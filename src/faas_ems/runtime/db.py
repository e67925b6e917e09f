"""One PostgreSQL pool per process, for the context named by ``EMS_CONTEXT``.

``with connection() as conn:`` borrows a connection and commits when the block
ends without an error (rolls back otherwise); rows come back as dicts.

Each connection is checked as it is lent (one round trip), so that after a database
restart the pool's broken connections are replaced instead of failing one call each.
While the database is away a borrow waits ``DB_POOL_TIMEOUT_SECONDS`` at most, and
the failure is one that :func:`unavailable` recognises (the function answers 503).
"""

from __future__ import annotations

import threading

import psycopg
from psycopg.conninfo import make_conninfo
from psycopg.rows import dict_row
from psycopg_pool import ConnectionPool, PoolTimeout

from . import settings

_pool: ConnectionPool | None = None
_lock = threading.Lock()


def pool() -> ConnectionPool:
    global _pool
    with _lock:
        if _pool is None:
            _pool = ConnectionPool(
                conninfo(),
                min_size=1,
                max_size=settings.current().db_pool_size,
                kwargs={"row_factory": dict_row},
                name=settings.current().ems_function,
                check=ConnectionPool.check_connection,
                timeout=settings.current().db_pool_timeout_seconds,
                open=True,
            )
        return _pool


def conninfo() -> str:
    """The connection string of this function's own context database, every value
    quoted by psycopg (a password may hold spaces, ``@`` or quotes)."""
    configured = settings.current()
    return make_conninfo(
        host=configured.db_host,
        port=str(configured.db_port),
        user=configured.db_user,
        password=configured.db_password,
        dbname=configured.database_name(configured.required("ems_context")),
        application_name=configured.ems_function,
    )


def connection():
    return pool().connection()


def unavailable(error: BaseException) -> bool:
    """Whether ``error`` says the database cannot be reached now (down, restarting, the
    connection lost), rather than that this call's data or query is wrong."""
    if isinstance(error, PoolTimeout):
        return True
    # Connection-level failures carry no SQLSTATE; class 57P is "the server is stopping".
    state = getattr(error, "sqlstate", None)
    return isinstance(error, psycopg.OperationalError) and (state is None or state[:3] == "57P")


def close() -> None:
    global _pool
    with _lock:
        if _pool is not None:
            _pool.close()
            _pool = None


def contains(text: str) -> str:
    """An ``ILIKE`` pattern matching ``text`` anywhere, its wildcards taken literally."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"
