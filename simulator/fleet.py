"""Where the simulated devices come from: the command line, a file, or the gateway."""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import requests
import yaml

DEFAULT_LIMIT_KWH = 2.0


class FleetError(Exception):
    """The devices cannot be determined; the message says why."""


@dataclass(frozen=True)
class Device:
    id: str
    max_hourly_kwh: float
    timezone: str = "UTC"


def _limit(value, where: str) -> float:
    try:
        limit = float(value)
    except (TypeError, ValueError):
        raise FleetError(f"{where}: the hourly limit {value!r} is not a number") from None
    if not math.isfinite(limit) or limit <= 0:
        raise FleetError(f"{where}: the hourly limit must be a number above 0, not {value!r}")
    return limit


def _timezone(value, where: str) -> str:
    try:
        ZoneInfo(str(value))
    except (ZoneInfoNotFoundError, ValueError):
        raise FleetError(f"{where}: unknown time zone {value!r}") from None
    return str(value)


def parse_device(text: str, timezone: str = "UTC") -> Device:
    """``ID`` or ``ID:LIMIT`` as given to ``--device``."""
    device_id, _, limit = text.rpartition(":") if ":" in text else (text, "", "")
    device_id = device_id.strip()
    if not device_id:
        raise FleetError(f"--device {text!r}: the device id is empty")
    where = f"--device {text}"
    limit_kwh = _limit(limit, where) if limit else DEFAULT_LIMIT_KWH
    return Device(device_id, limit_kwh, _timezone(timezone, "--timezone"))


def from_entries(entries, source: str, timezone: str = "UTC") -> list[Device]:
    """Devices from a list of ``{id, max_hourly_kwh, timezone?}`` (a file or the gateway)."""
    if not isinstance(entries, list):
        raise FleetError(f"{source}: expected a list of devices")
    devices = []
    for number, entry in enumerate(entries, start=1):
        where = f"{source}, device {number}"
        if not isinstance(entry, dict) or not str(entry.get("id") or "").strip():
            raise FleetError(f"{where}: every device needs an id")
        limit = entry.get("max_hourly_kwh", DEFAULT_LIMIT_KWH)
        devices.append(
            Device(
                str(entry["id"]).strip(),
                _limit(limit, where),
                _timezone(entry.get("timezone") or timezone, where),
            )
        )
    return devices


def from_file(path: str, timezone: str = "UTC") -> list[Device]:
    """A JSON or YAML list of devices (YAML reads JSON too)."""
    try:
        text = Path(path).read_text()
    except OSError as error:
        raise FleetError(f"{path}: {error.strerror}") from None
    try:
        entries = json.loads(text) if path.endswith(".json") else yaml.safe_load(text)
    except (json.JSONDecodeError, yaml.YAMLError) as error:
        raise FleetError(f"{path}: not valid JSON or YAML ({error})") from None
    return from_entries(entries, path, timezone)


def from_gateway(
    url: str, username: str, password: str, timezone: str = "UTC", timeout: float = 30
) -> list[Device]:
    """Every device the administrator sees: log in, then ``GET /function/devices``."""
    base = url.rstrip("/")
    try:
        login = requests.post(
            f"{base}/function/auth-login",
            json={"username": username, "password": password},
            timeout=timeout,
        )
        if login.status_code != 200:
            raise FleetError(f"{base}: login as {username!r} failed ({_reason(login)})")
        token = login.json()["token"]
        entries = _every_device(base, token, timeout)
    except requests.RequestException as error:
        raise FleetError(f"{base}: {error}") from None
    except (ValueError, KeyError):
        raise FleetError(f"{base}: the gateway's answer is not what was expected") from None
    return from_entries(entries, f"{base}/function/devices", timezone)


PAGE = 500


def _every_device(base: str, token: str, timeout: float) -> list:
    """The device list page by page (``limit``/``offset``) until ``X-Total-Count`` is reached."""
    entries: list = []
    while True:
        answer = requests.get(
            f"{base}/function/devices",
            params={"limit": PAGE, "offset": len(entries), "sort": "created_at"},
            headers={"Authorization": f"Bearer {token}"},
            timeout=timeout,
        )
        if answer.status_code != 200:
            raise FleetError(f"{base}: listing devices failed ({_reason(answer)})")
        page = answer.json()
        entries += page
        total = int(answer.headers.get("X-Total-Count", len(entries)))
        if not page or len(entries) >= total:
            return entries


def _reason(response: requests.Response) -> str:
    try:
        return f"{response.status_code} {response.json()['error']['message']}"
    except (ValueError, KeyError, TypeError):
        return f"{response.status_code} {response.reason}"


def unique(devices: list[Device]) -> list[Device]:
    """The devices in order, each id once (the last definition wins)."""
    by_id = {device.id: device for device in devices}
    return list(by_id.values())
