"""Fires functions on their ``schedule`` annotation, like OpenFaaS's cron-connector.

Unlike the public one, it sends the internal token, because our scheduled
functions refuse calls without it. Run exactly one of these per system.
Schedules are standard five-field cron expressions (croniter's reading of them),
evaluated in UTC.
"""

from __future__ import annotations

import logging
import signal
import threading
from datetime import UTC, datetime, timedelta

import requests
from croniter import croniter

from faas_ems.runtime import settings

from .config import Config
from .gateway import INTERNAL_HEADER

log = logging.getLogger("ems.cron")


def validate(expression: str) -> str:
    """The expression if it is standard five-field cron (names, ``7`` for Sunday and
    macros such as ``@hourly`` included); ValueError otherwise."""
    standard = expression.startswith("@") or len(expression.split()) == 5
    if not (standard and croniter.is_valid(expression)):
        raise ValueError(f"not a five-field cron expression: {expression!r}")
    return expression


def matches(expression: str, moment: datetime) -> bool:
    """Whether the schedule fires in ``moment``'s minute (UTC). As in standard cron, a
    day of month and a day of week both restricted fire on either."""
    return croniter.match(validate(expression), moment)


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
    config = settings.load(Config)
    gateway = config.gateway_url
    token = config.required("internal_token")
    http = requests.Session()
    # The gateway guards /system/functions with basic auth when it has it (Swarm).
    http.auth = config.gateway_auth
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
