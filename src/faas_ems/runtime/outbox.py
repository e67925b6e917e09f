"""Events that leave only after the change they describe has committed.

A function adds its events to the context's ``outbox`` table inside the same
transaction as the change, then calls :func:`flush` once it has committed. An
event whose publishing fails stays in the table and goes out with the next flush
of any replica, so a committed change never loses its event and a rolled-back
one never announces anything. The first flush in a process also starts a relay
thread that flushes every ``OUTBOX_RELAY_SECONDS`` (default 15), so a left-behind
event goes out even when no further call comes. Each context that publishes this way creates::

    CREATE TABLE outbox (seq bigserial PRIMARY KEY, envelope jsonb NOT NULL);
"""

from __future__ import annotations

import json
import logging
import threading
from typing import Any

from psycopg.types.json import Jsonb

from . import db, events, settings
from .web import json_default

log = logging.getLogger("ems.outbox")

BATCH = 200

# The running relay thread and the event that stops it.
_relay: tuple[threading.Thread, threading.Event] | None = None
_relay_lock = threading.Lock()


def add(conn, event_type: str, data: Any, *, event_id: str | None = None) -> dict:
    """Queue an event in the caller's transaction; return its envelope."""
    message = events.envelope(event_type, data, event_id=event_id)
    conn.execute(
        "INSERT INTO outbox (envelope) VALUES (%s)",
        [Jsonb(message, dumps=lambda value: json.dumps(value, default=json_default))],
    )
    return message


def flush() -> int:
    """Publish every queued event in order; return how many went out.

    Rows are locked with SKIP LOCKED so replicas flushing at once never publish
    the same event twice in the ordinary case (consumers deduplicate anyway). A
    broker failure is logged and the rest waits for the next flush.
    """
    _start_relay()
    return _publish_queued()


def _publish_queued() -> int:
    sent = 0
    while True:
        with db.connection() as conn:
            rows = conn.execute(
                "SELECT seq, envelope FROM outbox ORDER BY seq LIMIT %s FOR UPDATE SKIP LOCKED",
                [BATCH],
            ).fetchall()
            if not rows:
                return sent
            published = []
            try:
                for row in rows:
                    message = row["envelope"]
                    events.publisher().publish_raw(message["type"], json.dumps(message).encode())
                    published.append(row["seq"])
            except Exception:
                log.exception("publishing failed; %d event(s) wait for the next flush", len(rows))
                return sent
            finally:
                if published:
                    conn.execute("DELETE FROM outbox WHERE seq = ANY(%s)", [published])
            sent += len(published)


def _start_relay() -> None:
    global _relay
    with _relay_lock:
        if _relay is not None:
            return
        stop = threading.Event()
        interval = settings.current().outbox_relay_seconds
        thread = threading.Thread(
            target=_relay_loop, args=(interval, stop), name="outbox-relay", daemon=True
        )
        # Started under the lock, so that stop_relay never finds a thread it cannot join.
        thread.start()
        _relay = (thread, stop)


def stop_relay() -> None:
    """Stop the relay thread, waiting for a flush it is in; the next flush starts another."""
    global _relay
    with _relay_lock:
        running, _relay = _relay, None
    if running is not None:
        thread, stop = running
        stop.set()
        thread.join()


def _relay_loop(interval: int, stop: threading.Event) -> None:
    while not stop.wait(interval):
        try:
            _publish_queued()
        except Exception:
            log.exception("outbox relay failed; it tries again in %ds", interval)
