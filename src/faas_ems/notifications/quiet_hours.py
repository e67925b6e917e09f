"""Quiet hours: a daily span in the user's own time zone when nothing should wake them.

A span may cross midnight (22:00 to 07:00). Which severities it holds back is
:data:`HELD_BACK`: a warning or an ordinary over-limit hour can wait for the morning
(the app shows them), an hour far over its limit may be a fault and goes out anyway.
"""

from __future__ import annotations

import re
from datetime import datetime, time
from zoneinfo import ZoneInfo

HELD_BACK = frozenset({"warning", "over_limit"})
CLOCK = re.compile(r"([01]\d|2[0-3]):([0-5]\d)")


def clock_problem(value) -> str | None:
    if not isinstance(value, str) or not CLOCK.fullmatch(value):
        return "must be a time of day as HH:MM (00:00 to 23:59)"
    return None


def span_problem(value) -> str | None:
    """Why ``{"start", "end"}`` is not a quiet span, or None (a :class:`Field` check)."""
    if not isinstance(value, dict) or set(value) != {"start", "end"}:
        return 'must be {"start": "HH:MM", "end": "HH:MM"} or null'
    for edge in ("start", "end"):
        problem = clock_problem(value[edge])
        if problem:
            return f"{edge} {problem}"
    if value["start"] == value["end"]:
        return "start and end must differ"
    return None


def parse_clock(value: str) -> time:
    hours, minutes = value.split(":")
    return time(int(hours), int(minutes))


def is_quiet(start: time | None, end: time | None, zone: str, moment: datetime) -> bool:
    """Whether ``moment`` (aware) falls in the span, read on the user's wall clock."""
    if start is None or end is None:
        return False
    local = moment.astimezone(ZoneInfo(zone)).time()
    if start < end:
        return start <= local < end
    return local >= start or local < end


def held_back(severity: str, start: time | None, end: time | None, zone: str, moment) -> bool:
    return severity in HELD_BACK and is_quiet(start, end, zone, moment)
