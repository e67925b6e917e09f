"""/function/alerts: alarms (early warnings and over-limit alerts) and their lifecycle.

Administrators see all and may filter by client (``owner_id``) and clear alarms; a
client sees those of their own devices and acknowledges them (see alert_inbox,
alarm_lifecycle; filters and paging in alarm_params).
"""

from faas_ems.monitoring import alarm_lifecycle, alarm_params, alert_inbox
from faas_ems.runtime import auth, db
from faas_ems.runtime.validation import Field, parse_uuid, validate
from faas_ems.runtime.web import HTTPError, Routes, json_body

routes = Routes()
NOTE = {"note": Field(str, required=False, nullable=True, max_length=500)}


def _filters(event, caller, *, paged: bool):
    filters, page = alarm_params.filters(event.query, caller, paged=paged)
    if filters.owner_id is not None and not caller.is_admin:
        raise HTTPError(403, "forbidden", "only administrators filter alarms by client (owner_id)")
    return filters, page


def _note(event) -> str | None:
    """The optional ``{"note"}`` of a transition; an empty body is no note."""
    body = json_body(event, allow_empty=True)
    note = validate(body if body is not None else {}, NOTE).get("note")
    return note or None


@routes.get("/")
def list_alerts(event):
    caller = auth.require_user(event)
    filters, page = _filters(event, caller, paged=True)
    with db.connection() as conn:
        return alert_inbox.listing(conn, caller, filters, page)


@routes.get("/count")
def count_alerts(event):
    """The count over all pages of what the list shows: the list's ``total``."""
    caller = auth.require_user(event)
    filters, _ = _filters(event, caller, paged=False)
    with db.connection() as conn:
        return alert_inbox.count(conn, caller, filters)


@routes.get("/<alert_id>")
def show_alert(event, alert_id):
    caller = auth.require_user(event)
    with db.connection() as conn:
        return alert_inbox.with_trail(conn, caller, parse_uuid(alert_id, "alert"))


@routes.post("/<alert_id>/ack")
def acknowledge(event, alert_id):
    caller = auth.require_user(event)
    alert_id, note = parse_uuid(alert_id, "alert"), _note(event)
    with db.connection() as conn:
        return alarm_lifecycle.acknowledge(conn, caller, alert_id, note)


@routes.post("/<alert_id>/clear")
def clear(event, alert_id):
    caller = auth.require_admin(event)
    alert_id, note = parse_uuid(alert_id, "alert"), _note(event)
    with db.connection() as conn:
        return alarm_lifecycle.clear(conn, caller, alert_id, note)


handle = routes
