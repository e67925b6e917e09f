"""Reading ``meter.reading`` messages as meters and older systems send them.

A message is one reading or a list of them. A reading names its device (``device_id``,
``deviceId`` or ``meter_id``, or the MQTT topic), its time (``timestamp``: ISO 8601,
without an offset meaning the device's site time, or epoch seconds or milliseconds) and
either the energy of the interval that ends then (``measurement_value``, aliases
``measurementValue`` and ``measured_value``) or the meter's cumulative register
(``register_kwh``). docs/readings.md has the table and examples.

Checking happens in two steps, and each collects every problem rather than stopping at
the first: :func:`parse_message` checks what needs no device; :func:`place` then reads
the time in the device's zone, once ``device_refs`` found the device. Reasons name the
field and what is wrong, not the value (the body is kept beside them), so that refused
readings group by reason; what must be quoted (an unknown field's name) is cut, and a
message's reason stops after a few KB. Values are kept as the exact decimal text that
was sent and refused when monitoring's columns would have to round them.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from .local_time import NoSuchLocalTime, from_wall_clock

EARLIEST = datetime(2000, 1, 1, tzinfo=UTC)
# A meter's clock may run a little ahead; a day ahead is a wrong clock or wrong unit.
FUTURE_TOLERANCE = timedelta(days=1)
# Epoch values this large are milliseconds (1e11 seconds is in the year 5138).
MILLISECONDS_FROM = 1e11
# One interval of one meter; anything bigger is a unit mistake, and would not fit the column.
LARGEST_KWH = 1_000_000
# A register beyond this is not a kWh register (the largest meters count in MWh).
LARGEST_REGISTER = 10_000_000_000

# The scale of monitoring's kWh columns: a value with more decimals cannot be stored
# exactly, and is refused rather than rounded.
KWH_DECIMALS = 12
_KWH_STEP = Decimal(1).scaleb(-KWH_DECIMALS)
# A reason travels back to the sender and into a dead-letter header: a message's
# reasons stop after a few KB, and anything quoted from the reading is cut.
MAX_REASON_CHARS = 2000
SHOWN_CHARS = 60

INTERVAL, REGISTER = "interval", "register"
DEVICE_FIELDS = ("device_id", "deviceId", "meter_id")
VALUE_FIELDS = {
    "measurement_value": INTERVAL,
    "measurementValue": INTERVAL,
    "measured_value": INTERVAL,
    "register_kwh": REGISTER,
}
ACCEPTED = ("timestamp", *DEVICE_FIELDS, *VALUE_FIELDS)
ACCEPTED_TEXT = (
    "a reading has timestamp, its device as device_id, deviceId or meter_id, and"
    " measurement_value, measurementValue, measured_value or register_kwh"
)


@dataclass
class Sent:
    """One reading as it was sent, with every problem found without its device."""

    position: int | None  # in a list, else None
    device: str | None = None  # the reference as written
    by_meter_id: bool = False  # named with meter_id: only a meter number, never an id
    topic_device: str | None = None  # the device the MQTT topic names
    moment: datetime | None = None  # aware (then UTC), or naive: the device's site time
    value: str | None = None  # decimal text, so that PostgreSQL's numeric gets what was sent
    kind: str = INTERVAL
    problems: list[str] = field(default_factory=list)

    @property
    def reference(self) -> str | None:
        """The device the reading is for: its own field, else the topic's."""
        return self.device if self.device is not None else self.topic_device


@dataclass(frozen=True)
class Reading:
    """A reading ready to count: its device found, its time in UTC."""

    device_id: str
    taken_at: datetime  # UTC
    kwh: str  # the interval's energy, or for a register reading the register
    kind: str = INTERVAL


def _is_number(value) -> bool:
    """A finite JSON number (ingest parses decimals as Decimal, to keep them exact)."""
    if isinstance(value, Decimal):
        return value.is_finite()
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _cut(text: str) -> str:
    """Text from a reading, short enough to quote in a reason."""
    return text if len(text) <= SHOWN_CHARS else text[: SHOWN_CHARS - 3] + "..."


def _timestamp(value) -> tuple[datetime | None, str | None]:
    if isinstance(value, str):
        try:
            moment = datetime.fromisoformat(value)
        except ValueError:
            return None, "timestamp is not ISO 8601"
        if moment.tzinfo is not None and moment.utcoffset() is not None:
            moment = moment.astimezone(UTC)
        return moment, None
    if _is_number(value):
        seconds = value / 1000 if abs(value) >= MILLISECONDS_FROM else value
        try:
            return datetime.fromtimestamp(float(seconds), UTC), None
        except (OverflowError, OSError, ValueError):
            return None, "timestamp is out of range (year 2000 to tomorrow)"
    return None, "timestamp must be ISO 8601, or epoch seconds or milliseconds"


def _value(name: str, value, kind: str) -> tuple[str | None, list[str]]:
    if not _is_number(value):
        return None, [f"{name} is not a number"]
    if value < 0:
        return None, [f"{name} is negative"]
    largest = LARGEST_KWH if kind == INTERVAL else LARGEST_REGISTER
    if value > largest:
        return None, [f"{name} is over {largest} kWh"]
    exact = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
    if exact != exact.quantize(_KWH_STEP):
        return None, [f"{name} has more than {KWH_DECIMALS} decimals and cannot be stored exactly"]
    return format(exact, "f"), []


def _device(raw: dict, sent: Sent) -> None:
    named = [name for name in DEVICE_FIELDS if name in raw]
    if len(named) > 1:
        sent.problems.append(f"the device is named twice ({', '.join(named)}); give one")
        return
    if not named:
        if sent.topic_device is None:
            sent.problems.append("missing device_id (or deviceId, meter_id)")
        return
    value = raw[named[0]]
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)  # integer meter numbers, as older systems send them
    if not isinstance(value, str) or not value.strip() or len(value) > 64:
        sent.problems.append(f"{named[0]} must be a device id or meter number (1-64 characters)")
        return
    sent.device = value.strip()
    sent.by_meter_id = named[0] == "meter_id"


def parse_reading(raw, position: int | None = None, topic_device: str | None = None) -> Sent:
    """Everything that can be said about one reading before its device is looked up."""
    sent = Sent(position, topic_device=topic_device)
    if not isinstance(raw, dict):
        sent.problems.append("a reading must be a JSON object")
        return sent
    unknown = sorted(raw.keys() - set(ACCEPTED), key=str)
    if unknown:
        names = ", ".join(_cut(str(name)) for name in unknown[:5])
        sent.problems.append(f"unknown field {names}: {ACCEPTED_TEXT}")
    _device(raw, sent)
    if "timestamp" in raw:
        sent.moment, problem = _timestamp(raw["timestamp"])
        if problem:
            sent.problems.append(problem)
    else:
        sent.problems.append("missing timestamp")
    given = [name for name in VALUE_FIELDS if name in raw]
    if len(given) > 1:
        sent.problems.append(f"the value is given twice ({', '.join(given)}); give one")
    elif not given:
        sent.problems.append("missing measurement_value (or register_kwh)")
    else:
        sent.kind = VALUE_FIELDS[given[0]]
        sent.value, problems = _value(given[0], raw[given[0]], sent.kind)
        sent.problems += problems
    return sent


def parse_message(payload, topic_device: str | None = None) -> list[Sent]:
    """Each reading of a message (a reading or a list), with its own problems."""
    if not isinstance(payload, list):
        return [parse_reading(payload, None, topic_device)]
    if not payload:
        empty = Sent(None)
        empty.problems.append("an empty list holds no reading")
        return [empty]
    return [parse_reading(raw, position, topic_device) for position, raw in enumerate(payload)]


def place(
    sent: Sent, zone: ZoneInfo, now: datetime, oldest: datetime | None = None
) -> tuple[datetime | None, list[str]]:
    """The reading's time in UTC, reading a time without offset in the device's ``zone``.

    ``oldest``: readings before it are refused (see ``retention``).
    """
    moment = sent.moment
    if moment is None:
        return None, []
    if moment.tzinfo is None:
        try:
            moment = from_wall_clock(moment, zone)
        except NoSuchLocalTime as problem:
            return None, [str(problem)]
    if moment < EARLIEST or moment > now + FUTURE_TOLERANCE:
        return None, ["timestamp is out of range (year 2000 to tomorrow)"]
    if oldest is not None and moment < oldest:
        return None, [
            f"timestamp is older than readings are kept (from {oldest:%Y-%m-%d %H:%M} UTC);"
            " it could not be told from one already counted"
        ]
    return moment, []


def reason(sents: list[Sent]) -> str:
    """Every problem of a message's readings in one line (empty when there is none),
    stopping, and saying how many readings are left, after a few KB."""
    lines = []
    for sent in sents:
        if sent.problems:
            where = f"reading {sent.position}: " if sent.position is not None else ""
            lines.append(where + "; ".join(sent.problems))
    text = ""
    for shown, line in enumerate(lines):
        if text and len(text) + len(line) > MAX_REASON_CHARS:
            return f"{text} | and {len(lines) - shown} more refused reading(s)"
        text = f"{text} | {line}" if text else line[:MAX_REASON_CHARS]
    return text
