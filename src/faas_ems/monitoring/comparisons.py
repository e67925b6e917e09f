"""The period a consumption view is shown beside, and how the two differ.

``compare=previous`` (the default) is the obvious counterpart: for a day the day
before; for a range that starts on the first of a month the same days of as many
months before (a month so far against last month so far, a year against the year
before); for any other range as many days just before it (a week against the week
before). ``week``, ``month`` and ``year`` move the same dates back by a week, a
calendar month or a year (a day past the end of a shorter month becomes its last;
a range ending on a month's last day ends on the earlier month's last). Each period
keeps its own hours, so a 23- or 25-hour day compares with a 24-hour one as it is.
"""

from __future__ import annotations

import calendar
from dataclasses import replace
from datetime import date, timedelta
from decimal import ROUND_HALF_EVEN, Decimal

from .view_params import DayQuery, RangeQuery

PERCENT = Decimal("0.1")


def _months_back(day: date, months: int, *, to_end: bool = False) -> date:
    index = day.year * 12 + day.month - 1 - months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, last if to_end else min(day.day, last))


def _is_month_end(day: date) -> bool:
    return (day + timedelta(days=1)).day == 1


def _shift(first: date, last: date, months: int) -> tuple[date, date]:
    return _months_back(first, months), _months_back(last, months, to_end=_is_month_end(last))


def earlier(query: DayQuery | RangeQuery) -> DayQuery | RangeQuery | None:
    """The query of the period to compare with, or ``None`` for ``compare=none``."""
    kind = query.compare
    if kind == "none":
        return None
    if isinstance(query, DayQuery):
        first = last = query.day
    else:
        first, last = query.first, query.last
    if kind == "week":
        first, last = first - timedelta(days=7), last - timedelta(days=7)
    elif kind in ("month", "year"):
        first, last = _shift(first, last, 1 if kind == "month" else 12)
    elif isinstance(query, DayQuery):
        first = last = first - timedelta(days=1)
    elif first.day == 1:
        months = (last.year - first.year) * 12 + last.month - first.month + 1
        first, last = _shift(first, last, months)
    else:
        length = (last - first).days + 1
        first, last = first - timedelta(days=length), last - timedelta(days=length)
    if isinstance(query, DayQuery):
        return replace(query, day=first, compare="none")
    return replace(query, first=first, last=last, compare="none")


def percent(now: Decimal, before: Decimal) -> Decimal | None:
    """How much ``now`` differs from ``before``, in %, to a tenth; none from nothing."""
    if not before:
        return None
    return ((now - before) * 100 / before).quantize(PERCENT, rounding=ROUND_HALF_EVEN)


def beside(current: dict, previous: dict, kind: str) -> dict:
    """``previous`` (a view of the earlier period) as the comparison of ``current``."""
    series = "hours" if "hours" in previous else "buckets"
    period = {"date": previous["date"]} if "date" in previous else {
        "from": previous["from"], "to": previous["to"]
    }  # fmt: skip
    difference_cost = None
    if current["total_cost"] is not None and previous["total_cost"] is not None:
        difference_cost = current["total_cost"] - previous["total_cost"]
    return {
        "compare": kind,
        **period,
        series: previous[series],
        "total_kwh": previous["total_kwh"],
        "total_cost": previous["total_cost"],
        "difference_kwh": current["total_kwh"] - previous["total_kwh"],
        "difference_percent": percent(current["total_kwh"], previous["total_kwh"]),
        "difference_cost": difference_cost,
    }
