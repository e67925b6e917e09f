"""A client's own figures, read from the contexts that own them, never from their databases.

The support context owns no devices or readings. To answer "how much did I use
today?" the bot asks identity for the user's profile (their time zone) and
monitoring for their figures in that zone, both with the internal token, one call
each and only when an answer needs them. It never signs a token as the user:
chat-reply holds no ``jwt-secret``.
"""

from __future__ import annotations

from datetime import date
from functools import cached_property

import requests

from faas_ems.runtime import auth, settings

MAX_DEVICES = 20


class FactsUnavailable(Exception):
    """A function that holds the figures could not be reached or refused."""


def _timeout() -> float:
    return settings.current().chat_facts_timeout_seconds


class UserFacts:
    """One user's devices, totals and alerts, fetched at most once."""

    def __init__(self, user_id: str, session: requests.Session | None = None):
        self.user_id = user_id
        self._http = session or requests.Session()

    def _get(self, path: str, **params):
        internal = {auth.INTERNAL_HEADER: settings.current().required("internal_token")}
        try:
            response = self._http.get(
                settings.current().gateway_url + path,
                params=params,
                headers=internal,
                timeout=_timeout(),
            )
        except requests.RequestException as error:
            raise FactsUnavailable(f"{path}: {error}") from error
        if response.status_code != 200:
            raise FactsUnavailable(f"{path} answered {response.status_code}: {response.text[:200]}")
        return response.json()

    @cached_property
    def profile(self) -> dict:
        return self._get(f"/function/users/{self.user_id}")

    @cached_property
    def _figures(self) -> dict:
        zone = self.profile.get("timezone") or "UTC"
        return self._get(f"/function/consumption/clients/{self.user_id}/figures", tz=zone)

    @property
    def today(self) -> date:
        return date.fromisoformat(self._figures["today"])

    @property
    def yesterday(self) -> date:
        return date.fromordinal(self.today.toordinal() - 1)

    @property
    def devices(self) -> list[dict]:
        """The user's devices by name: id, name, max_hourly_kwh and the figures below."""
        return self._figures["devices"][:MAX_DEVICES]

    @property
    def today_kwh(self) -> dict[str, float]:
        """Today's total per device id, in the user's time zone."""
        return {device["id"]: device["today_kwh"] for device in self.devices}

    @property
    def yesterday_kwh(self) -> dict[str, float]:
        return {device["id"]: device["yesterday_kwh"] for device in self.devices}

    @property
    def online(self) -> dict[str, bool]:
        return {device["id"]: bool(device["online"]) for device in self.devices}

    @property
    def alerts(self) -> list[dict]:
        """The latest alerts of the user's devices, newest first."""
        return self._figures["alerts"]

    def device_name(self, device_id: str) -> str:
        names = {device["id"]: device["name"] for device in self._figures["devices"]}
        return names.get(device_id, "a device")

    def describe(self) -> str:
        """The user's situation in a few lines, for the LLM's prompt."""
        if not self.devices:
            return "The user has no meters assigned yet."
        lines = [f"Today is {self.today.isoformat()} in the user's time zone."]
        for device in self.devices:
            lines.append(
                f"- meter {device['name']!r}: hourly limit {device['max_hourly_kwh']} kWh,"
                f" used today {float(device['today_kwh'] or 0):.2f} kWh"
            )
        return "\n".join(lines)
