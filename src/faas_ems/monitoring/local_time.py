"""Days, hours and months as a viewer sees them on their wall clock.

Totals are stored per UTC hour; a viewer thinks in local days. A local day runs from
the first instant of its date to the first instant of the next date, so a day with a
daylight-saving change has 23 or 25 hours, and a day whose midnight does not exist
(the clocks jump at 00:00) starts at the first hour that does.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from faas_ems.runtime.validation import timezone_problem

HOUR = timedelta(hours=1)
HALF_DAY = timedelta(hours=12)


def zone(name: str) -> ZoneInfo | None:
    """The IANA zone called ``name``, or ``None`` when there is no such zone."""
    if not isinstance(name, str) or timezone_problem(name):
        return None
    return ZoneInfo(name)


def day_start(day: date, tz: ZoneInfo) -> datetime:
    """The first instant (in UTC) of the local ``day``."""
    return datetime.combine(day, time(0), tzinfo=tz).astimezone(UTC)


def span(first: date, last: date, tz: ZoneInfo) -> tuple[datetime, datetime]:
    """``[start, end)`` in UTC covering the local days ``first`` to ``last`` inclusive."""
    return day_start(first, tz), day_start(last + timedelta(days=1), tz)


def hour_starts(start: datetime, end: datetime) -> list[datetime]:
    """Every hour from ``start`` (inclusive) to ``end`` (exclusive), in UTC."""
    hours = []
    at = start
    while at < end:
        hours.append(at)
        at += HOUR
    return hours


def today(tz: ZoneInfo) -> date:
    return datetime.now(tz).date()


def on_whole_hours(tz: ZoneInfo, start: datetime, end: datetime) -> bool:
    """Whether every local hour in ``[start, end)`` begins on a UTC hour.

    True for most zones; false for zones such as Asia/Kolkata (+05:30), whose local
    hours straddle the stored UTC hours and so must be summed from quarter-hours.
    Judged per calendar year, so a year with any such period counts as a whole.
    """
    return all(_whole_hours_all_year(tz.key, year) for year in range(start.year, end.year + 1))


@lru_cache(maxsize=1024)
def _whole_hours_all_year(zone_name: str, year: int) -> bool:
    """No zone keeps an offset for less than half a day, so probing twice a day is enough."""
    tz = ZoneInfo(zone_name)
    probe = datetime(year, 1, 1, tzinfo=UTC)
    while probe.year == year:
        if probe.astimezone(tz).utcoffset() % HOUR:
            return False
        probe += HALF_DAY
    return True
