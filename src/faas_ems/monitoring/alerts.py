"""Overconsumption alarms: each over-limit device-hour counted once, repeats grouped.

``alert_hours`` (one row per device and hour) is the arbiter: whichever batch first
sees the hour above the limit claims it, every later one (another replica, a
redelivery, a late reading) finds it there and raises nothing. A claimed hour joins
the device's latest alarm that is not cleared, of the device's owner now, when that
alarm's hours are at most ``MONITORING_ALARM_GROUP_HOURS`` away (count and last hour go
up; an acknowledged
alarm is reopened, since the device is over again); otherwise it starts an alarm of
its own, whose id is derived from the device and hour. Severity is ``far_over_limit``
when the total is above limit x (1 + ``MONITORING_FAR_OVER_LIMIT_MARGIN``), else
``over_limit``; a later batch that takes a claimed hour that far escalates its alarm.

Grouping reads the device's alarms before writing, so the batch holds a
transaction-level advisory lock per device with a claim to make (taken in key order,
after every row lock of the batch, in a key space of its own): two replicas never
open two alarms for one device's run of hours. Every claimed hour publishes
``alert.raised`` (event id derived from the device and hour, data the alarm as it
now is and ``raised_hour``, the hour that went over) through the outbox, in the same
transaction.
"""

from __future__ import annotations

from datetime import UTC, timedelta

from faas_ems.runtime import outbox, settings

from . import alarm_audit, alarm_shape
from .totals import OverLimit

_HOUR_ID = "md5(%(device)s::text || '@' || extract(epoch FROM %(hour)s::timestamptz)::bigint)::uuid"

# The hours worth a closer look: not claimed yet, or claimed and now far over the limit.
_CANDIDATES = """
SELECT o.device_id, o.hour_start, o.total_kwh, d.max_hourly_kwh AS limit_kwh
  FROM unnest(%(devices)s::uuid[], %(hours)s::timestamptz[], %(totals)s::numeric[])
       AS o(device_id, hour_start, total_kwh)
  JOIN devices d ON d.id = o.device_id
  LEFT JOIN alert_hours h ON (h.device_id, h.hour_start) = (o.device_id, o.hour_start)
  LEFT JOIN alerts a ON a.id = h.alert_id
 WHERE h.device_id IS NULL
    OR (a.severity = 'over_limit' AND o.total_kwh > d.max_hourly_kwh * (1 + %(margin)s))
 ORDER BY o.device_id, o.hour_start
"""

_LOCK = """
SELECT count(pg_advisory_xact_lock(2, hashtext(device)))
  FROM (SELECT DISTINCT device FROM unnest(%s::text[]) AS device ORDER BY device) AS ordered
"""

_CLAIMED = "SELECT alert_id FROM alert_hours WHERE device_id = %(device)s AND hour_start = %(hour)s"

_SEVERITY = """CASE WHEN %(total)s::numeric > %(limit)s::numeric * (1 + %(margin)s)
                    THEN 'far_over_limit' ELSE 'over_limit' END"""

_ESCALATE = f"""
UPDATE alerts a SET severity = 'far_over_limit', total_kwh = greatest(a.total_kwh, %(total)s)
 WHERE a.id = %(alert)s AND a.severity = 'over_limit' AND {_SEVERITY} = 'far_over_limit'
RETURNING a.id
"""

_GROUP = """
SELECT a.id, a.state FROM alerts a JOIN devices d ON d.id = a.device_id
 WHERE a.device_id = %(device)s AND a.severity <> 'warning' AND a.state <> 'cleared'
   AND a.owner_id IS NOT DISTINCT FROM d.owner_id
   AND a.last_hour_start >= %(hour)s::timestamptz - %(window)s
   AND a.hour_start <= %(hour)s::timestamptz + %(window)s
 ORDER BY a.last_hour_start DESC
 LIMIT 1
"""

_JOIN = f"""
UPDATE alerts a
   SET hours = a.hours + 1,
       hour_start = least(a.hour_start, %(hour)s),
       last_hour_start = greatest(a.last_hour_start, %(hour)s),
       total_kwh = greatest(a.total_kwh, %(total)s),
       severity = CASE WHEN a.severity = 'far_over_limit' THEN a.severity ELSE {_SEVERITY} END,
       state = 'open', acknowledged_at = NULL, acknowledged_by = NULL, acknowledged_note = NULL
 WHERE a.id = %(alert)s
"""

_OPEN = f"""
INSERT INTO alerts (id, device_id, owner_id, hour_start, last_hour_start, total_kwh, limit_kwh,
                    severity)
SELECT {_HOUR_ID}, d.id, d.owner_id, %(hour)s, %(hour)s, %(total)s, d.max_hourly_kwh, {_SEVERITY}
  FROM devices d WHERE d.id = %(device)s
RETURNING id
"""

_CLAIM = """
INSERT INTO alert_hours (device_id, hour_start, alert_id, total_kwh)
VALUES (%(device)s, %(hour)s, %(alert)s, %(total)s)
"""

_RAISED = f"""
SELECT {alarm_shape.COLUMNS}, d.name AS device_name
  FROM alerts a JOIN devices d ON d.id = a.device_id
 WHERE a.id = %s
"""


def raise_over_limit(conn, over: OverLimit) -> list[dict]:
    """Claim the hours not claimed yet, group them, queue their events; return the events' data."""
    if not over:
        return []
    configured = settings.current()
    margin = configured.monitoring_far_over_limit_margin
    candidates = conn.execute(
        _CANDIDATES,
        {
            "devices": over.device_ids,
            "hours": over.hour_starts,
            "totals": over.totals,
            "margin": margin,
        },
    ).fetchall()
    if not candidates:
        return []
    conn.execute(_LOCK, [[str(row["device_id"]) for row in candidates]])
    window = timedelta(hours=configured.monitoring_alarm_group_hours)
    raised = []
    for row in candidates:
        params = {
            "device": row["device_id"],
            "hour": row["hour_start"],
            "total": row["total_kwh"],
            "limit": row["limit_kwh"],
            "margin": margin,
            "window": window,
        }
        claimed = conn.execute(_CLAIMED, params).fetchone()
        if claimed is not None:
            _escalate(conn, params | {"alert": claimed["alert_id"]})
            continue
        alarm_id = _claim(conn, params)
        alarm = conn.execute(_RAISED, [alarm_id]).fetchone()
        data = alarm_shape.event_data(alarm, alarm["device_name"])
        data["raised_hour"] = row["hour_start"].astimezone(UTC).isoformat()
        hour_id = conn.execute(f"SELECT {_HOUR_ID} AS id", params).fetchone()["id"]
        outbox.add(conn, "alert.raised", data, event_id=str(hour_id))
        raised.append(data)
    return raised


def _escalate(conn, params: dict) -> None:
    if conn.execute(_ESCALATE, params).fetchone() is not None:
        alarm_audit.record(conn, [params["alert"]], "escalated", _state(conn, params["alert"]))


def _state(conn, alarm_id) -> str:
    return conn.execute("SELECT state FROM alerts WHERE id = %s", [alarm_id]).fetchone()["state"]


def _claim(conn, params: dict):
    """Put the hour in the device's running alarm, or open one; return the alarm's id."""
    group = conn.execute(_GROUP, params).fetchone()
    if group is None:
        alarm_id = conn.execute(_OPEN, params).fetchone()["id"]
        alarm_audit.record(conn, [alarm_id], "raised", "open")
    else:
        alarm_id = group["id"]
        conn.execute(_JOIN, params | {"alert": alarm_id})
        hour = params["hour"].isoformat()
        if group["state"] == "acknowledged":
            alarm_audit.record(conn, [alarm_id], "reopened", "open", note=f"over again at {hour}")
        alarm_audit.record(conn, [alarm_id], "repeated", "open", note=f"hour {hour} over the limit")
    conn.execute(_CLAIM, params | {"alert": alarm_id})
    return alarm_id
