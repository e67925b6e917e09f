"""One alert event to the channel its owner chose for its severity.

In the app only: nothing to do here (the hub pushes every alert on its own queue,
which nothing here sits in). E-mail or webhook: the log's row is claimed, quiet hours
are looked at on a first delivery only, the channel is tried, and the row says how it
went. A failed channel is an :class:`Outcome` with ``retry`` (the function answers 500
and the connector tries again later, then dead-letters) or, for an address the system
never sends to, ``refused`` (dead-lettered at once).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, datetime

from faas_ems.runtime import settings
from faas_ems.runtime.errors import Invalid
from faas_ems.runtime.validation import UUID_PATTERN

from . import mail, messages, preferences, quiet_hours, sent_log, user_copies, webhooks
from .sent_log import Alert

EVENT_SEVERITIES = {
    "alert.raised": ("over_limit", "far_over_limit"),
    "alert.warning": ("warning",),
}


@dataclass(frozen=True)
class Outcome:
    channel: str
    status: str  # sent, skipped, failed, app, already
    detail: str | None = None
    notification_id: str | None = None
    retry: bool = False
    refused: bool = False

    def body(self) -> dict:
        shown = {"channel": self.channel, "status": self.status}
        if self.detail:
            shown["detail"] = self.detail
        if self.notification_id:
            shown["notification_id"] = self.notification_id
        return shown


def _number(value) -> float | None:
    number = value if isinstance(value, int | float) and not isinstance(value, bool) else None
    return float(number) if number is not None and math.isfinite(number) else None


def _uuid(data: dict, name: str, *, nullable: bool = False) -> str | None:
    value = data.get(name)
    if value is None and nullable:
        return None
    if not isinstance(value, str) or not UUID_PATTERN.match(value):
        raise Invalid(f"{name} {value!r} is not a UUID", fields={name: "must be a UUID"})
    return value.lower()


def parse_alert(event_type: str | None, data) -> Alert:
    """An alert event's data; a missing severity is ``over_limit`` (as before severities)."""
    if event_type not in EVENT_SEVERITIES:
        raise Invalid(f"event type {event_type!r} is not an alert event notify handles")
    if not isinstance(data, dict):
        raise Invalid("data must be an alert object")
    severity = data.get("severity") or EVENT_SEVERITIES[event_type][0]
    if severity not in EVENT_SEVERITIES[event_type]:
        raise Invalid(
            f"severity {severity!r} does not go with {event_type}",
            fields={"severity": "must be one of " + ", ".join(EVENT_SEVERITIES[event_type])},
        )
    # The hour that raised it: a grouped alarm's repeat names its own (raised_hour).
    hour_start = data.get("raised_hour") or data.get("hour_start")
    if hour_start is not None:
        try:
            datetime.fromisoformat(hour_start)
        except (TypeError, ValueError):
            raise Invalid("hour_start and raised_hour must be ISO 8601 times") from None
    name = data.get("device_name")
    return Alert(
        event_type=event_type,
        id=_uuid(data, "id"),
        owner_id=_uuid(data, "owner_id", nullable=True),
        device_id=_uuid(data, "device_id", nullable=True),
        device_name=name if isinstance(name, str) else "",
        severity=severity,
        hour_start=hour_start,
        total_kwh=_number(data.get("total_kwh")),
        limit_kwh=_number(data.get("limit_kwh")),
        projected_kwh=_number(data.get("projected_kwh")),
        data=data,
    )


def notify(conn, alert: Alert) -> Outcome:
    """Send ``alert`` on its owner's channel unless already done; see the module's doc."""
    if alert.owner_id is None:
        return Outcome("app", "app", "the device has no owner")
    chosen = preferences.stored(conn, alert.owner_id)
    channel = preferences.channel_for(chosen, alert.severity)
    if channel == "app":
        return Outcome("app", "app")
    user = user_copies.get(conn, alert.owner_id)
    destination = chosen["webhook_url"] if channel == "webhook" else (user or {}).get("email")
    row, first = sent_log.claim(conn, alert, channel, destination or "")
    if row["status"] in sent_log.FINISHED:
        return Outcome(channel, "already", row["status"], str(row["id"]))
    zone = user["timezone"] if user else "UTC"
    quiet = (chosen["quiet_start"], chosen["quiet_end"], zone, datetime.now(UTC))
    if first and quiet_hours.held_back(alert.severity, *quiet):
        return _finish(conn, row, Outcome(channel, "skipped", "quiet hours"))
    if channel == "email":
        return _email(conn, row, alert, user)
    return _webhook(conn, row, alert, chosen)


def _finish(conn, row, outcome: Outcome, *, attempted: bool = False) -> Outcome:
    sent_log.mark(conn, row["id"], outcome.status, outcome.detail, attempted=attempted)
    return Outcome(**{**outcome.__dict__, "notification_id": str(row["id"])})


def _email(conn, row, alert: Alert, user: dict | None) -> Outcome:
    if not mail.configured():
        return _finish(conn, row, Outcome("email", "skipped", "e-mail is off on this system"))
    if not user or not user["email"]:
        failed = Outcome("email", "failed", "no e-mail address known yet", retry=True)
        return _finish(conn, row, failed)
    sender = settings.current().smtp_from
    message = messages.email(alert, user, sender=sender, notification_id=str(row["id"]))
    try:
        mail.send(message)
    except mail.MailFailed as problem:
        return _finish(
            conn, row, Outcome("email", "failed", str(problem), retry=True), attempted=True
        )
    return _finish(conn, row, Outcome("email", "sent"), attempted=True)


def _webhook(conn, row, alert: Alert, chosen: dict) -> Outcome:
    payload = messages.webhook_payload(alert, str(row["id"]))
    try:
        status = webhooks.deliver(
            chosen["webhook_url"], chosen["webhook_secret"], payload, str(row["id"])
        )
    except webhooks.AddressRefused as problem:
        refused = Outcome("webhook", "failed", str(problem), refused=True)
        return _finish(conn, row, refused, attempted=True)
    except webhooks.WebhookFailed as problem:
        failed = Outcome("webhook", "failed", str(problem), retry=True)
        return _finish(conn, row, failed, attempted=True)
    return _finish(conn, row, Outcome("webhook", "sent", f"answered {status}"), attempted=True)
