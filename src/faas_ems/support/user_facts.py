"""A client's own figures, fetched the way their browser would, never from other databases.

The support context owns no devices or readings. To answer "how much did I use
today?" the bot asks identity for the user's profile (internal token), signs a
short-lived token for that user, and calls the inventory and monitoring
functions through the gateway as them: it sees exactly what the user may see.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from functools import cached_property
from zoneinfo import ZoneInfo

import requests

from faas_ems.runtime import auth, settings

TOKEN_TTL_SECONDS = 120
MAX_DEVICES = 20


class FactsUnavailable(Exception):
    """A function that holds the figures could not be reached or refused."""


def _timeout() -> float:
    return settings.current().chat_facts_timeout_seconds


class UserFacts:
    """One user's devices, totals and alerts, each fetched at most once."""

    def __init__(self, user_id: str, session: requests.Session | None = None):
        self.user_id = user_id
        self._http = session or requests.Session()

    def _get(self, path: str, *, params=None, headers=None):
        try:
            response = self._http.get(
                settings.current().gateway_url + path,
                params=params,
                headers=headers,
                timeout=_timeout(),
            )
        except requests.RequestException as error:
            raise FactsUnavailable(f"{path}: {error}") from error
        if response.status_code != 200:
            raise FactsUnavailable(f"{path} answered {response.status_code}: {response.text[:200]}")
        return response.json()

    @cached_property
    def profile(self) -> dict:
        internal = {auth.INTERNAL_HEADER: settings.current().required("internal_token")}
        return self._get(f"/function/users/{self.user_id}", headers=internal)

    def _as_user(self, path: str, **params):
        token, _ = auth.issue_token(self.profile, ttl_seconds=TOKEN_TTL_SECONDS)
        return self._get(path, params=params, headers={"Authorization": f"Bearer {token}"})

    @property
    def today(self) -> date:
        return datetime.now(ZoneInfo(self.profile.get("timezone") or "UTC")).date()

    @cached_property
    def devices(self) -> list[dict]:
        return self._as_user("/function/devices")

    @cached_property
    def _summary(self) -> list[dict]:
        return self._as_user("/function/consumption/summary")

    @property
    def today_kwh(self) -> dict[str, float]:
        """Today's total per device id, in the user's time zone."""
        return {row["device_id"]: row["today_kwh"] for row in self._summary}

    @property
    def online(self) -> dict[str, bool]:
        return {row["device_id"]: bool(row.get("online")) for row in self._summary}

    def day_kwh(self, day: date) -> dict[str, float]:
        """One day's total per device (the first devices, by name, if there are many)."""
        return {
            device["id"]: self._as_user(
                "/function/consumption", device_id=device["id"], date=day.isoformat()
            )["total_kwh"]
            for device in self.devices[:MAX_DEVICES]
        }

    @property
    def yesterday(self) -> date:
        return self.today - timedelta(days=1)

    @cached_property
    def alerts(self) -> list[dict]:
        return self._as_user("/function/alerts", limit="5")

    def device_name(self, device_id: str) -> str:
        names = {device["id"]: device["name"] for device in self.devices}
        return names.get(device_id, "a device")

    def describe(self) -> str:
        """The user's situation in a few lines, for the LLM's prompt."""
        if not self.devices:
            return "The user has no meters assigned yet."
        today = self.today_kwh
        lines = [f"Today is {self.today.isoformat()} in the user's time zone."]
        for device in self.devices[:MAX_DEVICES]:
            lines.append(
                f"- meter {device['name']!r}: hourly limit {device['max_hourly_kwh']} kWh,"
                f" used today {float(today.get(device['id']) or 0):.2f} kWh"
            )
        return "\n".join(lines)
