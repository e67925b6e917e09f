"""The audit trail of alarms: who (or the system) did what to one, and when.

Every transition writes one row in the same transaction as the change, so the trail
never misses or invents one. ``actor_id`` is NULL for the system's own (raising,
grouping, escalating, clearing a warning whose hour ended under the limit).
"""

from __future__ import annotations

from datetime import UTC

from faas_ems.runtime.auth import Caller

SYSTEM = None

_RECORD = """
INSERT INTO alert_audit (alert_id, action, state, actor_id, actor_role, actor_name, note)
SELECT unnest(%(alerts)s::uuid[]), %(action)s::text, %(state)s::text, %(actor)s::uuid,
       %(role)s::text, %(name)s::text, %(note)s::text
"""


def record(
    conn,
    alert_ids: list,
    action: str,
    state: str,
    actor: Caller | None = SYSTEM,
    note: str | None = None,
) -> None:
    if not alert_ids:
        return
    conn.execute(
        _RECORD,
        {
            "alerts": [str(alert_id) for alert_id in alert_ids],
            "action": action,
            "state": state,
            "actor": actor.id if actor else None,
            "role": actor.role if actor else "system",
            "name": actor.name if actor else "",
            "note": note,
        },
    )


def trail(conn, alert_id: str) -> list[dict]:
    rows = conn.execute(
        """SELECT at, action, state, actor_id, actor_role, actor_name, note FROM alert_audit
            WHERE alert_id = %s ORDER BY seq""",
        [alert_id],
    ).fetchall()
    return [
        {
            "at": row["at"].astimezone(UTC),
            "action": row["action"],
            "state": row["state"],
            "actor": {
                "id": None if row["actor_id"] is None else str(row["actor_id"]),
                "role": row["actor_role"],
                "name": row["actor_name"],
            },
            "note": row["note"],
        }
        for row in rows
    ]
