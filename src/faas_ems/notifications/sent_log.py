"""The log of every notification: one row per alert, severity and channel.

The row is claimed (made if new, then locked) before anything goes out and marked when
the channel answered, all in one transaction: a redelivered event, a retry or a second
replica finds the row ``sent`` (or ``skipped``) and sends nothing again. Only a crash
between the channel's answer and the commit can repeat a delivery; the row's ``id``
travels with it (``Message-ID``, ``X-EMS-Delivery``) so that a receiver can tell.
"""

from __future__ import annotations

from dataclasses import dataclass

DEFAULT_PAGE_SIZE = 20
MAX_PAGE_SIZE = 100
MAX_PAGE = 100_000
FINISHED = ("sent", "skipped")


@dataclass(frozen=True)
class Alert:
    """What a notification needs of an ``alert.raised`` or ``alert.warning`` event."""

    event_type: str
    id: str
    owner_id: str | None
    device_id: str | None
    device_name: str
    severity: str
    hour_start: str | None
    total_kwh: float | None
    limit_kwh: float | None
    projected_kwh: float | None
    data: dict


_CLAIM = """
INSERT INTO notifications AS n
       (user_id, alert_id, device_id, device_name, severity, channel, destination, status,
        hour_start, total_kwh, limit_kwh)
VALUES (%(user_id)s, %(alert_id)s, %(device_id)s, %(device_name)s, %(severity)s,
        %(channel)s, %(destination)s, 'pending', %(hour_start)s, %(total_kwh)s, %(limit_kwh)s)
ON CONFLICT (alert_id, severity, channel) DO NOTHING
RETURNING id
"""
_LOCK = """SELECT id, status, attempts, destination FROM notifications
            WHERE alert_id = %s AND severity = %s AND channel = %s FOR UPDATE"""


def claim(conn, alert: Alert, channel: str, destination: str) -> tuple[dict, bool]:
    """The row for this alert and channel, locked until the transaction ends; and whether
    it was made now (a first delivery) rather than found (a redelivery or a retry)."""
    made = conn.execute(
        _CLAIM,
        {
            "user_id": alert.owner_id,
            "alert_id": alert.id,
            "device_id": alert.device_id,
            "device_name": alert.device_name,
            "severity": alert.severity,
            "channel": channel,
            "destination": destination,
            "hour_start": alert.hour_start,
            "total_kwh": alert.total_kwh,
            "limit_kwh": alert.limit_kwh,
        },
    ).fetchone()
    row = conn.execute(_LOCK, [alert.id, alert.severity, channel]).fetchone()
    return row, made is not None


def mark(conn, row_id, status: str, detail: str | None = None, *, attempted: bool = True) -> None:
    conn.execute(
        """UPDATE notifications
              SET status = %s, detail = %s, attempts = attempts + %s,
                  sent_at = CASE WHEN %s = 'sent' THEN now() ELSE sent_at END
            WHERE id = %s""",
        [status, detail, 1 if attempted else 0, status, row_id],
    )


_COLUMNS = """id, alert_id, device_id, device_name, severity, channel, destination, status,
    detail, attempts, hour_start, total_kwh, limit_kwh, created_at, sent_at"""


def listing(conn, user_id: str, *, page: int, page_size: int) -> dict:
    """One page of a user's notifications, newest first, and how many there are."""
    total = conn.execute(
        "SELECT count(*) AS n FROM notifications WHERE user_id = %s", [user_id]
    ).fetchone()["n"]
    rows = conn.execute(
        f"""SELECT {_COLUMNS} FROM notifications WHERE user_id = %s
            ORDER BY created_at DESC, id LIMIT %s OFFSET %s""",
        [user_id, page_size, (page - 1) * page_size],
    ).fetchall()
    return {"items": rows, "total": total, "page": page, "page_size": page_size}
