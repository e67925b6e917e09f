"""The query string of the alarm list and its count, checked field by field.

``state`` and ``severity`` take one value or several separated by commas;
``device_id`` a device; ``owner_id`` the client who owned the device when the alarm
was raised (the handler lets only administrators use it); ``from``/``to`` dates
(YYYY-MM-DD, in ``tz`` or the caller's zone) that an alarm's hours overlap;
``unacknowledged=true`` is ``state=open`` (kept for its callers); ``limit``/``offset``
page the list. Every problem is refused at once (422).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from faas_ems.runtime.auth import Caller
from faas_ems.runtime.validation import UUID_PATTERN

from . import local_time
from .view_params import QueryProblems, viewer_zone

STATES = ("open", "acknowledged", "cleared")
SEVERITIES = ("warning", "over_limit", "far_over_limit")
DEFAULT_LIMIT = 50
MAX_LIMIT = 500
MAX_OFFSET = 1_000_000
_FLAGS = {"true": True, "1": True, "false": False, "0": False}


@dataclass(frozen=True)
class AlarmFilters:
    states: tuple[str, ...] = ()
    severities: tuple[str, ...] = ()
    device_id: str | None = None
    owner_id: str | None = None
    since: datetime | None = None
    until: datetime | None = None


@dataclass(frozen=True)
class Page:
    limit: int = DEFAULT_LIMIT
    offset: int = 0


def _several(problems: QueryProblems, name: str, choices: tuple[str, ...]) -> tuple[str, ...]:
    raw = problems.get(name)
    if raw is None:
        return ()
    values = tuple(dict.fromkeys(value.strip() for value in raw.split(",")))
    if not values or any(value not in choices for value in values):
        listed = ", ".join(choices)
        problems.fields[name] = f"must be one or more of {listed} (comma-separated)"
        return ()
    return values


def _uuid(problems: QueryProblems, name: str, what: str) -> str | None:
    raw = problems.get(name)
    if raw is not None and not UUID_PATTERN.match(raw):
        problems.fields[name] = f"must be {what} id (a UUID)"
        return None
    return raw.lower() if raw else None


def _whole(problems: QueryProblems, name: str, default: int, low: int, high: int) -> int:
    raw = problems.get(name) or str(default)
    # isdigit alone takes "²", which int() refuses
    value = int(raw) if raw.isascii() and raw.isdigit() else low - 1
    if not low <= value <= high:
        problems.fields[name] = f"must be a whole number from {low} to {high}"
    return value


def filters(query, caller: Caller, *, paged: bool) -> tuple[AlarmFilters, Page]:
    problems = QueryProblems(query)
    states = _several(problems, "state", STATES)
    flag = (problems.get("unacknowledged") or "false").lower()
    if flag not in _FLAGS:
        problems.fields["unacknowledged"] = "must be true or false"
    elif _FLAGS[flag]:
        states = tuple(state for state in states if state == "open") if states else ("open",)
        states = states or ("none",)  # open and "acknowledged only" at once: nothing
    severities = _several(problems, "severity", SEVERITIES)
    device_id = _uuid(problems, "device_id", "a device")
    owner_id = _uuid(problems, "owner_id", "a user")
    zone = viewer_zone(problems, caller.timezone)
    first, last = problems.date("from", required=False), problems.date("to", required=False)
    if first and last and last < first:
        problems.fields["to"] = "must not be before from"
    page = Page()
    if paged:
        page = Page(
            _whole(problems, "limit", DEFAULT_LIMIT, 1, MAX_LIMIT),
            _whole(problems, "offset", 0, 0, MAX_OFFSET),
        )
    problems.raise_if_any()
    since = local_time.day_start(first, zone) if first else None
    until = local_time.span(last, last, zone)[1] if last else None
    return AlarmFilters(states, severities, device_id, owner_id, since, until), page
