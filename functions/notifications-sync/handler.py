"""notifications-sync: notifications' copy of users (topics user.created|updated|deleted).

Internal only; one event envelope per call. Every change is version-guarded, so
redelivered and reordered events are harmless; a deleted user's preferences go too.
"""

from faas_ems.notifications import user_copies
from faas_ems.runtime import db
from faas_ems.runtime.auth import require_internal
from faas_ems.runtime.web import HTTPError, guarded, json_body


@guarded
def handle(event, context):
    require_internal(event)
    envelope = json_body(event)
    if not isinstance(envelope, dict) or "data" not in envelope:
        raise HTTPError(422, "validation_failed", "expected an event envelope with data")
    event_type = envelope.get("type") or event.headers.get("X-Topic")
    if event_type in ("user.created", "user.updated"):
        user = user_copies.parse_user(envelope["data"])
        with db.connection() as conn:
            return {"applied": user_copies.apply_state(conn, user)}
    if event_type == "user.deleted":
        user = user_copies.parse_deletion(envelope["data"])
        with db.connection() as conn:
            return {"applied": user_copies.apply_deletion(conn, user)}
    raise HTTPError(422, "validation_failed", f"event type {event_type!r} is not a user event")
