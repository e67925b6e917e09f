"""Each user's choice of channel per severity, their webhook and their quiet hours.

A user who never chose hears of every alert in the app only. The webhook's signing
secret is made here when a webhook URL is first saved (or on request, to rotate it)
and shown in that one answer only; afterwards the answer says only that one is set.
"""

from __future__ import annotations

import secrets

from faas_ems.runtime.errors import Invalid
from faas_ems.runtime.validation import Field, validate

from . import destinations, quiet_hours, user_copies

SEVERITIES = ("warning", "over_limit", "far_over_limit")
CHANNELS = ("app", "email", "webhook")
SECRET_PREFIX = "whsec_"


def channels_problem(value) -> str | None:
    if not isinstance(value, dict):
        return "must be an object of severity to channel"
    for severity, channel in value.items():
        if severity not in SEVERITIES:
            return f"{severity!r} is not a severity (" + ", ".join(SEVERITIES) + ")"
        if channel not in CHANNELS:
            return f"{severity} must be one of " + ", ".join(CHANNELS)
    return None


FIELDS = {
    "channels": Field(kind=dict, check=channels_problem),
    "webhook_url": Field(nullable=True, check=destinations.url_problem),
    "quiet_hours": Field(kind=dict, nullable=True, check=quiet_hours.span_problem),
    "rotate_webhook_secret": Field(kind=bool),
}

_COLUMNS = """warning_channel, over_limit_channel, far_over_limit_channel, webhook_url,
    webhook_secret, quiet_start, quiet_end, updated_at"""


def stored(conn, user_id: str) -> dict | None:
    """The row as kept (the secret included), or None for a user who never chose."""
    return conn.execute(
        f"SELECT {_COLUMNS} FROM preferences WHERE user_id = %s", [user_id]
    ).fetchone()


def channel_for(row: dict | None, severity: str) -> str:
    return row[f"{severity}_channel"] if row else "app"


def _clock(value) -> str | None:
    return value.strftime("%H:%M") if value is not None else None


def shape(row: dict | None, user: dict | None, *, new_secret: str | None = None) -> dict:
    """What the API shows: never the secret, except ``webhook_secret`` once when made."""
    quiet = None
    if row and row["quiet_start"] is not None:
        quiet = {"start": _clock(row["quiet_start"]), "end": _clock(row["quiet_end"])}
    body = {
        "channels": {severity: channel_for(row, severity) for severity in SEVERITIES},
        "webhook_url": row["webhook_url"] if row else None,
        "webhook_secret_set": bool(row and row["webhook_secret"]),
        "quiet_hours": quiet,
        "quiet_hours_hold_back": sorted(quiet_hours.HELD_BACK),
        "email": user["email"] if user else None,
        "timezone": user["timezone"] if user else None,
        "updated_at": row["updated_at"] if row else None,
    }
    if new_secret is not None:
        body["webhook_secret"] = new_secret
    return body


def show(conn, user_id: str) -> dict:
    return shape(stored(conn, user_id), user_copies.get(conn, user_id))


def _merged(current: dict | None, change: dict) -> dict:
    """The row after ``change``; refuses what leaves a channel with nowhere to go."""
    row = {f"{s}_channel": channel_for(current, s) for s in SEVERITIES}
    row.update(
        {
            "webhook_url": current["webhook_url"] if current else None,
            "webhook_secret": current["webhook_secret"] if current else None,
            "quiet_start": current["quiet_start"] if current else None,
            "quiet_end": current["quiet_end"] if current else None,
        }
    )
    for severity, channel in change.get("channels", {}).items():
        row[f"{severity}_channel"] = channel
    if "webhook_url" in change:
        row["webhook_url"] = change["webhook_url"]
    if "quiet_hours" in change:
        span = change["quiet_hours"]
        row["quiet_start"] = quiet_hours.parse_clock(span["start"]) if span else None
        row["quiet_end"] = quiet_hours.parse_clock(span["end"]) if span else None
    without_url = [s for s in SEVERITIES if row[f"{s}_channel"] == "webhook"]
    if without_url and not row["webhook_url"]:
        raise Invalid(
            "webhook_url is required while a severity goes to the webhook",
            fields={"webhook_url": "is required while " + ", ".join(without_url) + " use it"},
        )
    return row


_UPSERT = f"""
INSERT INTO preferences AS p (user_id, {_COLUMNS})
VALUES (%(user_id)s, %(warning_channel)s, %(over_limit_channel)s, %(far_over_limit_channel)s,
        %(webhook_url)s, %(webhook_secret)s, %(quiet_start)s, %(quiet_end)s, now())
ON CONFLICT (user_id) DO UPDATE
   SET warning_channel = excluded.warning_channel,
       over_limit_channel = excluded.over_limit_channel,
       far_over_limit_channel = excluded.far_over_limit_channel,
       webhook_url = excluded.webhook_url, webhook_secret = excluded.webhook_secret,
       quiet_start = excluded.quiet_start, quiet_end = excluded.quiet_end,
       updated_at = excluded.updated_at
RETURNING {_COLUMNS}
"""


def save(conn, user_id: str, body) -> dict:
    """Apply a change (only the fields given); a new secret is in this answer only."""
    change = validate(body, FIELDS, partial=True)
    conn.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", [user_id])
    row = _merged(stored(conn, user_id), change)
    new_secret = None
    if not row["webhook_url"]:
        row["webhook_secret"] = None
    elif row["webhook_secret"] is None or change.get("rotate_webhook_secret"):
        new_secret = row["webhook_secret"] = SECRET_PREFIX + secrets.token_urlsafe(32)
    saved = conn.execute(_UPSERT, {"user_id": user_id, **row}).fetchone()
    return shape(saved, user_copies.get(conn, user_id), new_secret=new_secret)
