"""Parsing and checking ``meter.reading`` messages (the seeds' format).

A message is one reading ``{"timestamp", "device_id", "measurement_value"}`` or a
list of them. ``measurement_value`` is the kWh used in the interval that *ends* at
``timestamp``; ``totals`` counts it in the hour its interval lies in.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from faas_ems.runtime.validation import UUID_PATTERN

EARLIEST = datetime(2000, 1, 1, tzinfo=UTC)
# A meter's clock may run a little ahead; a day ahead is a wrong clock or wrong unit.
FUTURE_TOLERANCE = timedelta(days=1)
# Epoch values this large are milliseconds (1e11 seconds is in the year 5138).
MILLISECONDS_FROM = 1e11
# One interval of one meter; anything bigger is a unit mistake, and would not fit the column.
LARGEST_KWH = 1_000_000


class InvalidReading(ValueError):
    """A reading that can never be stored; the message says why."""


@dataclass(frozen=True)
class Reading:
    device_id: str
    taken_at: datetime  # UTC
    kwh: str  # decimal text, so that PostgreSQL's numeric gets exactly what was sent


def _is_number(value) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def parse_timestamp(value, now: datetime, oldest: datetime | None = None) -> datetime:
    if isinstance(value, str):
        try:
            moment = datetime.fromisoformat(value)
        except ValueError:
            raise InvalidReading(f"timestamp {value!r} is not ISO 8601") from None
        if moment.tzinfo is None or moment.utcoffset() is None:
            raise InvalidReading(f"timestamp {value!r} has no UTC offset")
    elif _is_number(value) and math.isfinite(value):
        seconds = value / 1000 if abs(value) >= MILLISECONDS_FROM else value
        try:
            moment = datetime.fromtimestamp(seconds, UTC)
        except (OverflowError, OSError, ValueError):
            raise InvalidReading(f"timestamp {value!r} is out of range") from None
    else:
        raise InvalidReading("timestamp must be ISO 8601 with an offset, or epoch s or ms")
    moment = moment.astimezone(UTC)
    if moment < EARLIEST or moment > now + FUTURE_TOLERANCE:
        raise InvalidReading(f"timestamp {value!r} is out of range (year 2000 to tomorrow)")
    if oldest is not None and moment < oldest:
        raise InvalidReading(
            f"timestamp {value!r} is older than readings are kept"
            f" (from {oldest:%Y-%m-%d %H:%M} UTC); it could not be told from one already counted"
        )
    return moment


def parse_kwh(value) -> str:
    if not _is_number(value) or not math.isfinite(value):
        raise InvalidReading(f"measurement_value {value!r} is not a number")
    if value < 0:
        raise InvalidReading(f"measurement_value {value!r} is negative")
    if value > LARGEST_KWH:
        raise InvalidReading(f"measurement_value {value!r} is over {LARGEST_KWH} kWh")
    return repr(value) if isinstance(value, float) else str(value)


def parse_reading(raw, now: datetime, oldest: datetime | None = None) -> Reading:
    if not isinstance(raw, dict):
        raise InvalidReading("a reading must be a JSON object")
    missing = [k for k in ("timestamp", "device_id", "measurement_value") if k not in raw]
    if missing:
        raise InvalidReading("missing " + ", ".join(missing))
    device_id = raw["device_id"]
    if not isinstance(device_id, str) or not UUID_PATTERN.match(device_id):
        raise InvalidReading(f"device_id {device_id!r} is not a UUID")
    return Reading(
        device_id=device_id.lower(),
        taken_at=parse_timestamp(raw["timestamp"], now, oldest),
        kwh=parse_kwh(raw["measurement_value"]),
    )


@dataclass
class ParsedMessage:
    readings: list[Reading]
    problems: list[str]  # one line per refused reading

    @property
    def reason(self) -> str:
        return "; ".join(self.problems)


def parse_message(
    payload, now: datetime | None = None, oldest: datetime | None = None
) -> ParsedMessage:
    """Every valid reading of a message, and why each other one was refused.

    ``oldest``: readings before it are refused (see ``retention``).
    """
    now = now or datetime.now(UTC)
    items = payload if isinstance(payload, list) else [payload]
    parsed = ParsedMessage([], [])
    if not items:
        parsed.problems.append("an empty list holds no reading")
    for position, raw in enumerate(items):
        try:
            parsed.readings.append(parse_reading(raw, now, oldest))
        except InvalidReading as problem:
            where = f"reading {position}: " if isinstance(payload, list) else ""
            parsed.problems.append(f"{where}{problem}")
    return parsed
