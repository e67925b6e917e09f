"""Fires functions on their ``schedule`` annotation, like OpenFaaS's cron-connector.

Unlike the public one, it sends the internal token, because our scheduled
functions refuse calls without it. Run exactly one of these per system.
Schedules are five-field cron expressions evaluated in UTC.
"""

from __future__ import annotations

import logging
import signal
import threading
from datetime import UTC, datetime, timedelta

import requests

from faas_ems.runtime import settings

from .config import gateway_auth
from .gateway import INTERNAL_HEADER

log = logging.getLogger("ems.cron")

# minute, hour, day of month, month, day of week (0 = Sunday)
_FIELDS = ((0, 59), (0, 23), (1, 31), (1, 12), (0, 6))


def _field_values(spec: str, low: int, high: int) -> set[int]:
    values: set[int] = set()
    for part in spec.split(","):
        body, _, step = part.partition("/")
        if body == "*":
            start, end = low, high
        elif "-" in body:
            start, end = (int(x) for x in body.split("-", 1))
        else:
            start = int(body)
            end = high if step else start
        if not low <= start <= end <= high:
            raise ValueError(f"{part!r} is outside {low}-{high}")
        values.update(range(start, end + 1, int(step or 1)))
    return values


def parse(expression: str) -> list[set[int]]:
    """The allowed values of each field; ValueError for anything malformed."""
    parts = expression.split()
    if len(parts) != 5:
        raise ValueError(f"a schedule has five fields: {expression!r}")
    return [_field_values(p, lo, hi) for p, (lo, hi) in zip(parts, _FIELDS, strict=True)]


def matches(expression: str, moment: datetime) -> bool:
    minute, hour, day, month, weekday = parse(expression)
    return (
        moment.minute in minute
        and moment.hour in hour
        and moment.day in day
        and moment.month in month
        and (moment.isoweekday() % 7) in weekday
    )


def scheduled_functions(http: requests.Session, gateway: str) -> dict[str, str]:
    listed = http.get(f"{gateway}/system/functions", timeout=10)
    listed.raise_for_status()
    return {
        f["name"]: f["annotations"]["schedule"]
        for f in listed.json()
        if (f.get("annotations") or {}).get("schedule")
    }


def fire(http: requests.Session, gateway: str, name: str, token: str) -> None:
    try:
        response = http.post(
            f"{gateway}/function/{name}",
            headers={INTERNAL_HEADER: token, "X-Connector": "cron-connector"},
            timeout=300,
        )
        log.info("fired %s: %s", name, response.status_code)
    except requests.RequestException as exc:
        log.warning("firing %s failed: %s", name, exc)


def run(stop: threading.Event) -> None:
    gateway = settings.gateway_url()
    token = settings.secret("internal-token")
    http = requests.Session()
    # The gateway guards /system/functions with basic auth when it has it (Swarm).
    http.auth = gateway_auth()
    while not stop.is_set():
        now = datetime.now(UTC)
        next_minute = (now + timedelta(minutes=1)).replace(second=0, microsecond=0)
        if stop.wait((next_minute - now).total_seconds()):
            return
        try:
            schedules = scheduled_functions(http, gateway)
        except requests.RequestException as exc:
            log.warning("cannot list functions: %s", exc)
            continue
        for name, expression in schedules.items():
            try:
                due = matches(expression, next_minute)
            except ValueError as exc:
                log.error("%s: %s", name, exc)
                continue
            if due:
                threading.Thread(target=fire, args=(http, gateway, name, token)).start()


def main() -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s cron %(levelname)s %(message)s")
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    run(stop)


if __name__ == "__main__":
    main()
