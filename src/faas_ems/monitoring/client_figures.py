"""One client's figures in one answer, for the support bot (an internal read).

The bot answers "how much did I use yesterday?" with what the client would see on
their own pages: their devices, today's and yesterday's totals in their time zone,
whether each meter reports, and their latest alerts. It reads them with the
internal token in one call, instead of holding the ``jwt-secret`` to sign tokens
as the client.
"""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

from faas_ems.runtime.auth import Caller

from . import alert_inbox, consumption_views, local_time, usage, visible_devices
from .alarm_params import AlarmFilters, Page

LATEST_ALERTS = 5
OVER_LIMIT = AlarmFilters(severities=("over_limit", "far_over_limit"))


def for_client(conn, user_id: str, tz: ZoneInfo) -> dict:
    client = Caller(id=user_id, role="client", username="", name="", timezone=tz.key)
    devices = visible_devices.every(conn, client)
    today = {row["device_id"]: row for row in consumption_views.summary(conn, devices, tz)[0]}
    yesterday = local_time.today(tz) - timedelta(days=1)
    start, end = local_time.span(yesterday, yesterday, tz)
    ids = [str(device["id"]) for device in devices]
    earlier = usage.totals_by_device(conn, ids, start, end, tz)
    return {
        "today": local_time.today(tz),
        "timezone": tz.key,
        "devices": [
            {
                "id": str(device["id"]),
                "name": device["name"],
                "max_hourly_kwh": device["max_hourly_kwh"],
                "today_kwh": today[str(device["id"])]["today_kwh"],
                "yesterday_kwh": earlier.get(str(device["id"]), consumption_views.ZERO),
                "online": today[str(device["id"])]["online"],
            }
            for device in devices
        ],
        # hours over the limit, as the bot words them (an early warning is not one)
        "alerts": alert_inbox.listing(conn, client, OVER_LIMIT, Page(limit=LATEST_ALERTS)),
    }
