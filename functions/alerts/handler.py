"""/function/alerts: overconsumption alerts, newest first, and acknowledging them.

Administrators see all; a client those of their own devices (see alert_inbox).
"""

from faas_ems.monitoring import alert_inbox
from faas_ems.runtime import auth, db
from faas_ems.runtime.validation import UUID_PATTERN, parse_uuid
from faas_ems.runtime.web import HTTPError, Routes

routes = Routes()
_FLAGS = {"true": True, "1": True, "false": False, "0": False}


def _filters(query, *, capped: bool = True) -> dict:
    """``device_id``, ``unacknowledged`` (and with ``capped``, ``limit``) from the query,
    or a 422 naming each problem."""
    problems: dict[str, str] = {}
    device_id = query.get("device_id") or None
    if device_id is not None and not UUID_PATTERN.match(device_id):
        problems["device_id"] = "must be a device id (a UUID)"
    flag = (query.get("unacknowledged") or "false").lower()
    if flag not in _FLAGS:
        problems["unacknowledged"] = "must be true or false"
    filters = {"device_id": device_id.lower() if device_id else None}
    if flag in _FLAGS:
        filters["unacknowledged"] = _FLAGS[flag]
    if capped:
        raw_limit = query.get("limit") or str(alert_inbox.DEFAULT_LIMIT)
        # isdigit alone takes "²", which int() refuses
        whole = raw_limit.isascii() and raw_limit.isdigit()
        filters["limit"] = int(raw_limit) if whole else 0
        if not 1 <= filters["limit"] <= alert_inbox.MAX_LIMIT:
            problems["limit"] = f"must be a whole number from 1 to {alert_inbox.MAX_LIMIT}"
    if problems:
        summary = "; ".join(f"{name} {text}" for name, text in sorted(problems.items()))
        raise HTTPError(422, "validation_failed", summary, fields=problems)
    return filters


@routes.get("/")
def list_alerts(event):
    caller = auth.require_user(event)
    filters = _filters(event.query)
    with db.connection() as conn:
        return alert_inbox.listing(conn, caller, **filters)


@routes.get("/count")
def count_alerts(event):
    """The uncapped count of what the list shows, for figures such as "open alerts"."""
    caller = auth.require_user(event)
    filters = _filters(event.query, capped=False)
    with db.connection() as conn:
        return alert_inbox.count(conn, caller, **filters)


@routes.post("/<alert_id>/ack")
def acknowledge(event, alert_id):
    caller = auth.require_user(event)
    with db.connection() as conn:
        return alert_inbox.acknowledge(conn, caller, parse_uuid(alert_id, "alert"))


handle = routes
