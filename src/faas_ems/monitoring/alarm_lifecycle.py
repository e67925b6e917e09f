"""An alarm's state: open, acknowledged (by whom, with a note), cleared.

- A client acknowledges the alarms they see (alert_inbox), an administrator any;
  acknowledging again keeps the first acknowledgement, a cleared alarm refuses it.
- An administrator clears an alarm (a client cannot); clearing again changes nothing.
- The system clears a warning once its hour has closed within the limit: the
  projection did not come true. Run by hourly-aggregate after it closed the hours.

Each change is one statement guarded by the state it expects, and writes its audit
row in the same transaction, so two callers at once give one transition and one row.
"""

from __future__ import annotations

from faas_ems.runtime.auth import Caller
from faas_ems.runtime.errors import Conflict, NotFound

from . import alarm_audit, alarm_shape, alert_inbox

_ACKNOWLEDGE = f"""
UPDATE alerts a
   SET state = 'acknowledged', acknowledged_at = now(), acknowledged_by = %(caller)s,
       acknowledged_note = %(note)s
 WHERE a.id = %(alert)s AND a.state = 'open' AND {{visible}}
RETURNING {alarm_shape.COLUMNS}
"""

_CLEAR = f"""
UPDATE alerts a SET state = 'cleared', cleared_at = now(), cleared_by = %(caller)s
 WHERE a.id = %(alert)s AND a.state <> 'cleared'
RETURNING {alarm_shape.COLUMNS}
"""

# Only warnings of the last week: a warning that came true stays open beside its alarm,
# and without the bound every hourly run would scan all of them ever raised.
_CLEAR_UNFULFILLED = """
UPDATE alerts a SET state = 'cleared', cleared_at = now()
  FROM hourly_totals h
 WHERE a.severity = 'warning' AND a.state <> 'cleared'
   AND a.hour_start > now() - interval '7 days'
   AND (h.device_id, h.hour_start) = (a.device_id, a.hour_start)
   AND h.final AND h.kwh <= a.limit_kwh
RETURNING a.id
"""


def acknowledge(conn, caller: Caller, alert_id: str, note: str | None) -> dict:
    changed = conn.execute(
        _ACKNOWLEDGE.format(visible=alert_inbox.visible(caller)),
        {"caller": caller.id, "alert": alert_id, "note": note},
    ).fetchone()
    if changed is not None:
        alarm_audit.record(conn, [alert_id], "acknowledged", "acknowledged", caller, note)
        return alarm_shape.shape(changed)
    alarm = alert_inbox.one(conn, caller, alert_id)
    if alarm["state"] == "cleared":
        raise Conflict("the alarm is cleared: nothing to acknowledge", code="alarm_cleared")
    return alarm


def clear(conn, caller: Caller, alert_id: str, note: str | None) -> dict:
    changed = conn.execute(_CLEAR, {"caller": caller.id, "alert": alert_id}).fetchone()
    if changed is not None:
        alarm_audit.record(conn, [alert_id], "cleared", "cleared", caller, note)
        return alarm_shape.shape(changed)
    row = conn.execute(f"SELECT {alarm_shape.COLUMNS} FROM alerts a WHERE a.id = %s", [alert_id])
    alarm = row.fetchone()
    if alarm is None:
        raise NotFound("alert")
    return alarm_shape.shape(alarm)


def clear_unfulfilled_warnings(conn) -> int:
    """Clear the warnings whose hour closed within the limit; return how many."""
    cleared = [row["id"] for row in conn.execute(_CLEAR_UNFULFILLED).fetchall()]
    alarm_audit.record(conn, cleared, "cleared", "cleared", note="the hour closed within the limit")
    return len(cleared)
