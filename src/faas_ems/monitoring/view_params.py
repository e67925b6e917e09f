"""The query string of a consumption view, checked field by field.

Every problem is collected and refused at once as a 422 whose ``fields`` name what
is wrong, so that a form can show each message beside its input.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from zoneinfo import ZoneInfo

from faas_ems.runtime import paging
from faas_ems.runtime.errors import Invalid
from faas_ems.runtime.validation import UUID_PATTERN

from . import local_time

GRANULARITIES = ("hour", "day", "month")
FORMATS = ("json", "csv")
# The period a view is compared with (see comparisons); "none" asks for no comparison.
COMPARISONS = ("previous", "week", "month", "year", "none")
# The longest range per granularity, in days: a month of hours, a leap year of days,
# ten years of months. Longer ranges are refused rather than served slowly.
MAX_DAYS = {"hour": 31, "day": 366, "month": 3653}
EARLIEST = date(2000, 1, 1)
LATEST = date(2099, 12, 31)
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


@dataclass(frozen=True)
class DayQuery:
    device_id: str
    day: date
    tz: ZoneInfo
    format: str
    compare: str = "none"


@dataclass(frozen=True)
class RangeQuery:
    device_id: str
    first: date
    last: date
    granularity: str
    tz: ZoneInfo
    format: str
    compare: str = "none"


class _Problems:
    def __init__(self, query):
        self.query = query
        self.fields: dict[str, str] = {}

    def get(self, name: str) -> str | None:
        value = self.query.get(name)
        return None if value is None or value == "" else value

    def date(self, name: str, *, required: bool = True) -> date | None:
        raw = self.get(name)
        if raw is None:
            if required:
                self.fields[name] = "is required (YYYY-MM-DD)"
            return None
        try:
            if not _DATE.match(raw):
                raise ValueError
            value = date.fromisoformat(raw)
        except ValueError:
            self.fields[name] = "must be a date as YYYY-MM-DD"
            return None
        if not EARLIEST <= value <= LATEST:
            self.fields[name] = f"must be between {EARLIEST} and {LATEST}"
            return None
        return value

    def choice(self, name: str, choices: tuple[str, ...], default: str) -> str:
        value = self.get(name) or default
        if value not in choices:
            self.fields[name] = "must be one of " + ", ".join(choices)
        return value

    def raise_if_any(self) -> None:
        if self.fields:
            summary = "; ".join(f"{name} {text}" for name, text in sorted(self.fields.items()))
            raise Invalid(summary, fields=self.fields)


QueryProblems = _Problems  # for the other views' query strings (alarm_params)


def viewer_zone(problems: _Problems, caller_timezone: str) -> ZoneInfo | None:
    """``tz`` from the query when given, else the zone in the viewer's token."""
    name = problems.get("tz")
    if name is None:
        return local_time.zone(caller_timezone) or local_time.zone("UTC")
    found = local_time.zone(name)
    if found is None:
        problems.fields["tz"] = "must be an IANA time zone such as Europe/Bucharest or UTC"
    return found


def device_id(problems: _Problems) -> str | None:
    raw = problems.get("device_id")
    if raw is None:
        problems.fields["device_id"] = "is required"
        return None
    if not UUID_PATTERN.match(raw):
        problems.fields["device_id"] = "must be a device id (a UUID)"
        return None
    return raw.lower()


def consumption_query(query, caller_timezone: str) -> DayQuery | RangeQuery:
    """A day view (``date``) or a range (``from``, ``to``, ``granularity``), and
    ``compare``, the period to show beside it (JSON only)."""
    problems = _Problems(query)
    device = device_id(problems)
    tz = viewer_zone(problems, caller_timezone)
    output = problems.choice("format", FORMATS, "json")
    compare = problems.choice("compare", COMPARISONS, "previous")
    wants_range = problems.get("from") is not None or problems.get("to") is not None
    if wants_range and problems.get("date") is not None:
        problems.fields["date"] = "give either date, or from and to, not both"
    if not wants_range:
        day = problems.date("date")
        problems.raise_if_any()
        return DayQuery(device, day, tz, output, compare)
    first = problems.date("from")
    last = problems.date("to")
    granularity = problems.choice("granularity", GRANULARITIES, "day")
    if first and last and granularity in GRANULARITIES:
        if first > last:
            problems.fields["to"] = "must not be before from"
        elif (last - first).days + 1 > MAX_DAYS[granularity]:
            problems.fields["to"] = (
                f"a range by {granularity} may span at most {MAX_DAYS[granularity]} days"
            )
    problems.raise_if_any()
    return RangeQuery(device, first, last, granularity, tz, output, compare)


@dataclass(frozen=True)
class SummaryQuery:
    tz: ZoneInfo
    power: bool
    device_ids: list[str] | None = None
    online: bool | None = None


def summary_query(query, caller_timezone: str) -> SummaryQuery:
    """``tz``, ``power=true`` for each meter's live power and its last hour, and
    ``device_ids`` (comma-separated, at most one page) for the figures of those only,
    ``online=true|false`` for the devices in that state only."""
    problems = _Problems(query)
    tz = viewer_zone(problems, caller_timezone)
    power = problems.choice("power", ("true", "false"), "false") == "true"
    online = None
    if problems.get("online") is not None:
        online = problems.choice("online", ("true", "false"), "true") == "true"
    listed = problems.get("device_ids")
    ids = None
    if listed:
        ids = [part.strip().lower() for part in listed.split(",") if part.strip()]
        if len(ids) > paging.MAX_LIMIT or not all(UUID_PATTERN.match(i) for i in ids):
            wanted = f"must be up to {paging.MAX_LIMIT} comma-separated UUIDs"
            problems.fields["device_ids"] = wanted
    problems.raise_if_any()
    return SummaryQuery(tz, power, ids, online)


def summary_zone(query, caller_timezone: str) -> ZoneInfo:
    problems = _Problems(query)
    tz = viewer_zone(problems, caller_timezone)
    problems.raise_if_any()
    return tz
