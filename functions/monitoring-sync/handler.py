"""monitoring-sync: keeps monitoring's copy of devices in step with inventory and identity.

Called by the connector with one event envelope (topics device.*, user.*); internal
only. Every change is version-guarded, so redelivered and reordered events are
harmless. Monitoring keeps nothing about users except that a deleted one owns nothing.
"""

from faas_ems.monitoring import device_copies
from faas_ems.monitoring.device_copies import InvalidEvent
from faas_ems.runtime import db
from faas_ems.runtime.auth import require_internal
from faas_ems.runtime.web import HTTPError, Routes, json_body

routes = Routes()

DEVICE_STATES = {"device.created", "device.updated", "device.assigned", "device.unassigned"}
IGNORED = {"user.created", "user.updated"}


def _apply(conn, event_type: str, data) -> dict:
    if event_type in DEVICE_STATES:
        return {"applied": device_copies.apply_state(conn, device_copies.parse_device(data))}
    if event_type == "device.deleted":
        device_id, version = device_copies.parse_reference(data)
        return {"applied": device_copies.apply_deletion(conn, device_id, version)}
    if event_type == "user.deleted":
        user_id, _ = device_copies.parse_reference(data)
        return {"applied": True, "devices_freed": device_copies.forget_user(conn, user_id)}
    if event_type in IGNORED:
        return {"applied": False, "reason": "monitoring keeps no user data"}
    raise InvalidEvent(f"event type {event_type!r} is not one monitoring-sync handles")


@routes.post("/")
def sync(event):
    require_internal(event)
    envelope = json_body(event)
    if not isinstance(envelope, dict) or "data" not in envelope:
        raise HTTPError(422, "validation_failed", "expected an event envelope with data")
    event_type = envelope.get("type") or event.headers.get("X-Topic")
    try:
        with db.connection() as conn:
            return _apply(conn, event_type, envelope["data"])
    except InvalidEvent as problem:
        raise HTTPError(422, "validation_failed", str(problem)) from None


handle = routes
