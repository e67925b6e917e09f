"""Dead letters as rows: recorded once per body, listed, grouped, and resolved by an operator.

A letter is open until it is replayed or discarded; the row stays with who did it and
when, and each action is also kept in ``dead_letter_actions``. The same body arriving
again while its letter is open (a meter resending, a replay refused again) counts on
that letter instead of adding one.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from faas_ems.monitoring.ingestion import topic_device
from faas_ems.monitoring.readings import DEVICE_FIELDS

UNROUTED = "unrouted"
LIST_LIMIT = 500


@dataclass(frozen=True)
class Arrival:
    """A message taken from a dead-letter or unrouted queue."""

    queue: str  # the queue it was refused from, or UNROUTED
    topic: str
    reason: str
    body: bytes

    @property
    def fingerprint(self) -> str:
        digest = hashlib.sha256()
        for part in (self.queue.encode(), self.topic.encode(), self.body):
            digest.update(len(part).to_bytes(8, "big") + part)
        return digest.hexdigest()

    @property
    def device_id(self) -> str | None:
        """The device a reading (or an event's data) names, as written, else the topic's."""
        try:
            payload = json.loads(self.body)
        except ValueError:
            payload = None
        first = payload[0] if isinstance(payload, list) and payload else payload
        if isinstance(first, dict) and isinstance(first.get("data"), dict):
            first = first["data"]
        if isinstance(first, dict):
            for name in DEVICE_FIELDS:
                if isinstance(first.get(name), str | int) and not isinstance(first[name], bool):
                    return str(first[name])[:64]
        return topic_device(self.topic)


_RECORD = """
INSERT INTO dead_letters AS l (queue, topic, reason, body, fingerprint, device_id)
VALUES (%(queue)s, %(topic)s, %(reason)s, %(body)s, %(fingerprint)s, %(device_id)s)
ON CONFLICT (fingerprint) WHERE resolved_at IS NULL DO UPDATE
   SET count = l.count + 1, last_seen = now(), reason = excluded.reason
"""


def record(conn, arrivals: Iterable[Arrival]) -> None:
    params = [
        {
            "queue": a.queue,
            "topic": a.topic,
            "reason": a.reason,
            "body": a.body.decode("utf-8", "replace"),
            "fingerprint": a.fingerprint,
            "device_id": a.device_id,
        }
        for a in sorted(arrivals, key=lambda a: a.fingerprint)
    ]
    if params:
        with conn.cursor() as cursor:
            cursor.executemany(_RECORD, params)


@dataclass(frozen=True)
class Filters:
    reason: str | None = None
    device_id: str | None = None
    since: datetime | None = None
    queue: str | None = None

    def where(self) -> tuple[str, dict]:
        clauses = ["resolved_at IS NULL"]
        for name in ("reason", "device_id", "queue"):
            if getattr(self, name) is not None:
                clauses.append(f"{name} = %({name})s")
        if self.since is not None:
            clauses.append("last_seen >= %(since)s")
        return " AND ".join(clauses), self.__dict__


def listing(conn, filters: Filters) -> list[dict]:
    where, params = filters.where()
    rows = conn.execute(
        "SELECT id, queue, reason, body, device_id, first_seen, last_seen, count"
        f" FROM dead_letters WHERE {where} ORDER BY last_seen DESC, id LIMIT {LIST_LIMIT}",
        params,
    ).fetchall()
    return [representation(row) for row in rows]


def by_reason(conn, filters: Filters) -> list[dict]:
    where, params = filters.where()
    return conn.execute(
        f"SELECT reason, count(*)::int AS count FROM dead_letters WHERE {where}"
        " GROUP BY reason ORDER BY count(*) DESC, reason",
        params,
    ).fetchall()


def representation(row: dict) -> dict:
    try:
        body = json.loads(row["body"])
    except ValueError:
        body = row["body"]
    return {**row, "body": body}


def open_letters(conn, ids: list[str] | None, reason: str | None) -> list[dict]:
    """The open letters chosen by id or by reason, locked until the caller commits."""
    if ids is not None:
        condition, param = "id = ANY(%s::uuid[])", ids
    else:
        condition, param = "reason = %s", reason
    return conn.execute(
        "SELECT id, queue, topic, body FROM dead_letters"
        f" WHERE resolved_at IS NULL AND {condition} ORDER BY id FOR UPDATE",
        [param],
    ).fetchall()


def resolve(conn, letters: list[dict], action: str, admin_id: str, reason: str | None) -> int:
    """Close the letters as replayed or discarded, and record who did it."""
    ids = [letter["id"] for letter in letters]
    if not ids:
        return 0
    conn.execute(
        "UPDATE dead_letters SET resolved_at = now(), resolution = %s, resolved_by = %s"
        " WHERE id = ANY(%s)",
        [action, admin_id, ids],
    )
    conn.execute(
        "INSERT INTO dead_letter_actions (action, admin_id, letter_ids, reason)"
        " VALUES (%s, %s, %s, %s)",
        [action, admin_id, ids, reason],
    )
    return len(ids)
