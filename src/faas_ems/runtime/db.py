"""One PostgreSQL pool per process, for the context named by ``EMS_CONTEXT``.

``with connection() as conn:`` borrows a connection and commits when the block
ends without an error (rolls back otherwise); rows come back as dicts.
"""

from __future__ import annotations

import threading

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
                settings.database_conninfo(),
                min_size=1,
                max_size=settings.int_setting("DB_POOL_SIZE", 8),
                kwargs={"row_factory": dict_row},
                name=settings.setting("EMS_FUNCTION", "ems"),
                open=True,
            )
        return _pool


def connection():
    return pool().connection()


def close() -> None:
    global _pool
    with _lock:
        if _pool is not None:
            _pool.close()
            _pool = None
