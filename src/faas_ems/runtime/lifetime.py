"""The end of a process's life on the platform: what it holds open, released.

The template's ``index.py`` calls :func:`release` once its server has stopped, so
that PostgreSQL, RabbitMQ and Redis see their connections closed rather than
dropped, and the outbox relay does not outlive the calls it served. Everything
released is made again on first use, so a process that goes on (a test serving one
function after another) starts clean.
"""

from __future__ import annotations

from . import cache, db, events, outbox


def release() -> None:
    outbox.stop_relay()
    events.close()
    db.close()
    cache.close()
