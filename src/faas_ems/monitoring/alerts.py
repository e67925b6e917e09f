"""Overconsumption alerts: exactly one per device and hour, published as ``alert.raised``.

The unique ``(device_id, hour_start)`` makes the insert the arbiter: whichever batch
first sees the hour above the limit inserts the alert, every later one (another
replica, a redelivery, a late reading) finds it there and raises nothing. The
alert's id is derived from the device and hour and is also the event's id. The
event goes into the outbox in the same transaction, so it leaves only once the
alert is stored (a browser told of an alert always finds it in the list) and
never stays behind when it is.
"""

from __future__ import annotations

from datetime import UTC

from faas_ems.runtime import outbox

from .totals import OverLimit

_RAISE = """
WITH raised AS (
    INSERT INTO alerts (id, device_id, owner_id, hour_start, total_kwh, limit_kwh)
    SELECT md5(o.device_id::text || '@' || extract(epoch FROM o.hour_start)::bigint)::uuid,
           o.device_id, d.owner_id, o.hour_start, o.total_kwh, d.max_hourly_kwh
      FROM unnest(%(devices)s::uuid[], %(hours)s::timestamptz[], %(totals)s::numeric[])
           AS o(device_id, hour_start, total_kwh)
      JOIN devices d ON d.id = o.device_id
     ORDER BY o.device_id, o.hour_start
    ON CONFLICT DO NOTHING
    RETURNING *
)
SELECT raised.*, d.name AS device_name
  FROM raised JOIN devices d ON d.id = raised.device_id
"""


def raise_over_limit(conn, over: OverLimit) -> list[dict]:
    """Store the alerts not raised yet for these hours and queue their events; return them."""
    if not over:
        return []
    raised = conn.execute(
        _RAISE, {"devices": over.device_ids, "hours": over.hour_starts, "totals": over.totals}
    ).fetchall()
    for alert in raised:
        outbox.add(conn, "alert.raised", event_data(alert), event_id=str(alert["id"]))
    return raised


def event_data(alert: dict) -> dict:
    """``alert.raised``'s data: the alert (as the API shows it), its owner and device name."""
    return {
        "id": str(alert["id"]),
        "device_id": str(alert["device_id"]),
        "hour_start": alert["hour_start"].astimezone(UTC).isoformat(),
        "total_kwh": float(alert["total_kwh"]),
        "limit_kwh": float(alert["limit_kwh"]),
        "raised_at": alert["raised_at"].astimezone(UTC).isoformat(),
        "acknowledged_at": None,
        "owner_id": str(alert["owner_id"]) if alert["owner_id"] else None,
        "device_name": alert["device_name"],
    }
