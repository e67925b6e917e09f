"""/function/dead-letters: what the system refused or could not route, and what to do with it.

Administrators list open letters (``?reason=&device_id=&since=&queue=``, or
``&group=reason`` for counts), replay them (``POST /replay`` ``{"ids"}`` or
``{"reason"}``) and discard them (``POST /discard``, same body). Every read first
sweeps the broker's dead-letter and unrouted queues into the list, so it is current
(until then the letters wait in those durable queues).
"""

import contextlib
from datetime import datetime

from faas_ems.operations import letters, queues
from faas_ems.runtime import auth, db
from faas_ems.runtime.validation import UUID_PATTERN
from faas_ems.runtime.web import HTTPError, Routes, json_body

routes = Routes()


def _sweep() -> int:
    def record(arrivals):
        with db.connection() as conn:
            letters.record(conn, arrivals)

    try:
        return queues.sweep(record)
    except queues.BrokerUnavailable as exc:
        raise HTTPError(503, "broker_unavailable", str(exc)) from None


def _filters(query) -> letters.Filters:
    since = query.get("since") or None
    moment = None
    if since is not None:
        with contextlib.suppress(ValueError):
            moment = datetime.fromisoformat(since)
        if moment is None or moment.tzinfo is None:
            raise HTTPError(
                422,
                "validation_failed",
                "since must be ISO 8601 with an offset",
                fields={"since": "must be ISO 8601 with an offset"},
            )
    return letters.Filters(
        reason=query.get("reason") or None,
        device_id=query.get("device_id") or None,
        since=moment,
        queue=query.get("queue") or None,
    )


@routes.get("/")
def list_letters(event):
    auth.require_admin(event)
    filters = _filters(event.query)
    group = event.query.get("group") or None
    if group not in (None, "reason"):
        raise HTTPError(
            422, "validation_failed", "group must be reason", fields={"group": "must be reason"}
        )
    _sweep()
    with db.connection() as conn:
        if group == "reason":
            return letters.by_reason(conn, filters)
        return letters.listing(conn, filters)


def _chosen(event) -> tuple[list[str] | None, str | None]:
    body = json_body(event)
    if not isinstance(body, dict) or len(body.keys() & {"ids", "reason"}) != 1 or len(body) != 1:
        raise HTTPError(422, "validation_failed", 'give either {"ids": [...]} or {"reason": "..."}')
    if "ids" in body:
        ids = body["ids"]
        if (
            not isinstance(ids, list)
            or not ids
            or not all(isinstance(i, str) and UUID_PATTERN.match(i) for i in ids)
        ):
            raise HTTPError(
                422,
                "validation_failed",
                "ids must be a list of letter ids",
                fields={"ids": "must be a non-empty list of letter ids"},
            )
        return [i.lower() for i in ids], None
    if not isinstance(body["reason"], str) or not body["reason"]:
        raise HTTPError(
            422,
            "validation_failed",
            "reason must be a reason from the list",
            fields={"reason": "must not be empty"},
        )
    return None, body["reason"]


@routes.post("/replay")
def replay(event):
    admin = auth.require_admin(event)
    ids, reason = _chosen(event)
    with db.connection() as conn:
        chosen = letters.open_letters(conn, ids, reason)
        try:
            queues.replay(chosen)
        except queues.BrokerUnavailable as exc:
            raise HTTPError(503, "broker_unavailable", str(exc)) from None
        return {"replayed": letters.resolve(conn, chosen, "replayed", admin.id, reason)}


@routes.post("/discard")
def discard(event):
    admin = auth.require_admin(event)
    ids, reason = _chosen(event)
    with db.connection() as conn:
        chosen = letters.open_letters(conn, ids, reason)
        return {"discarded": letters.resolve(conn, chosen, "discarded", admin.id, reason)}


handle = routes
