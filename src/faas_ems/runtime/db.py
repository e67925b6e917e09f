"""One PostgreSQL pool per process, for the context named by ``EMS_CONTEXT``.

``with connection() as conn:`` borrows a connection and commits when the block
ends without an error (rolls back otherwise); rows come back as dicts.
"""

from __future__ import annotations

import threading

from psycopg.conninfo import make_conninfo
from psycopg.rows import dict_row
from psycopg_pool import ConnectionPool

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


def close() -> None:
    global _pool
    with _lock:
        if _pool is not None:
            _pool.close()
            _pool = None
