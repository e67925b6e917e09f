"""What a notification says: the e-mail's subject and text, the webhook's JSON.

Hours are written on the user's own wall clock, as the app shows them.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import make_msgid
from zoneinfo import ZoneInfo

from .sent_log import Alert

HEADLINES = {
    "warning": "is heading over its hourly limit",
    "over_limit": "went over its hourly limit",
    "far_over_limit": "went far over its hourly limit",
}


def subject(alert: Alert) -> str:
    name = alert.device_name or "A device"
    return f"[faas-ems] {name} {HEADLINES[alert.severity]}"


def _local_hour(alert: Alert, zone: str) -> str:
    """The hour on the user's clock; its end too is converted (a half-hour zone, the
    night the clocks go back), never taken as start + 1."""
    if not alert.hour_start:
        return "this hour"
    start = datetime.fromisoformat(alert.hour_start)
    local_zone = ZoneInfo(zone)
    begins, ends = start.astimezone(local_zone), (start + timedelta(hours=1)).astimezone(local_zone)
    return f"{begins:%Y-%m-%d %H:%M} to {ends:%H:%M} ({zone})"


def _kwh(value: float | None) -> str:
    return "?" if value is None else f"{value:g} kWh"


def text(alert: Alert, user: dict) -> str:
    greeting = f"Hello {user['name']}," if user.get("name") else "Hello,"
    name = alert.device_name or "Your device"
    return "\n".join(
        [
            greeting,
            "",
            f"{name} {HEADLINES[alert.severity]}.",
            "",
            f"Hour:   {_local_hour(alert, user['timezone'])}",
            f"Energy: {_kwh(alert.total_kwh)}",
            *(
                [f"Projected: {_kwh(alert.projected_kwh)}"]
                if alert.projected_kwh is not None
                else []
            ),
            f"Limit:  {_kwh(alert.limit_kwh)}",
            "",
            "You get this e-mail because of your notification settings in faas-ems"
            " (Profile, Notifications).",
        ]
    )


def email(alert: Alert, user: dict, *, sender: str, notification_id: str) -> EmailMessage:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = user["email"]
    message["Subject"] = subject(alert)
    # The same id on every attempt: a mail client shows a repeated delivery once.
    domain = sender.rsplit("@", 1)[-1].strip("> ") or "faas-ems"
    message["Message-ID"] = make_msgid(idstring=notification_id, domain=domain)
    message["X-EMS-Alert"] = alert.id
    message.set_content(text(alert, user))
    return message


def webhook_payload(alert: Alert, notification_id: str) -> dict:
    """What the receiver gets: the alert as the API shows it, and which notification."""
    shown = {k: v for k, v in alert.data.items() if k != "owner_id"}
    return {
        "id": notification_id,
        "type": alert.event_type,
        "severity": alert.severity,
        "alert": {**shown, "severity": alert.severity},
    }
