"""A tariff as an administrator writes it, checked whole before anything is stored.

Every problem is collected and refused at once as a 422 whose ``fields`` name the
place (``prices[2].to_hour``), so that a form can show each beside its row. The
bands of one ``valid_from`` must price every hour of every day exactly once: an
overlap or a gap would leave an hour with two prices or none.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from functools import cache

from babel.numbers import get_currency_precision, list_currencies

from faas_ems.runtime.errors import Invalid

DAY_KINDS = {"all": range(7), "weekdays": range(5), "weekends": range(5, 7)}
WEEKDAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
MAX_PRICE_ROWS = 500
MAX_AMOUNT = Decimal(1_000_000)
EARLIEST = date(2000, 1, 1)
LATEST = date(2099, 12, 31)
_CURRENCY = re.compile(r"^[A-Z]{3}$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_DECIMAL_TEXT = re.compile(r"^[0-9]+(\.[0-9]+)?$")
_KNOWN = {"name", "currency", "daily_fixed_charge", "prices"}
_PRICE_KNOWN = {"valid_from", "days", "from_hour", "to_hour", "price_per_kwh"}


@dataclass(frozen=True)
class Price:
    valid_from: date
    days: str
    from_hour: int
    to_hour: int
    price_per_kwh: Decimal

    @classmethod
    def from_row(cls, row: dict) -> Price:
        """A stored ``tariff_prices`` row."""
        return cls(
            row["valid_from"], row["days"], row["from_hour"], row["to_hour"], row["price_per_kwh"]
        )

    def hours(self) -> list[int]:
        """The local hours of the band; ``to_hour <= from_hour`` wraps past midnight."""
        if self.from_hour < self.to_hour:
            return list(range(self.from_hour, self.to_hour))
        return [*range(self.from_hour, 24), *range(0, self.to_hour)]


@dataclass(frozen=True)
class Terms:
    name: str
    currency: str
    daily_fixed_charge: Decimal | None
    prices: tuple[Price, ...]


@cache
def _currencies() -> frozenset[str]:
    return frozenset(list_currencies())


def minor_unit(currency: str) -> Decimal:
    """The smallest amount of ``currency`` (0.01 EUR, 1 JPY, 0.001 KWD), per ISO 4217."""
    return Decimal(1).scaleb(-get_currency_precision(currency))


def _amount(value) -> Decimal | None:
    """A JSON number or decimal text as an exact, finite, non-negative amount."""
    if isinstance(value, bool) or not isinstance(value, int | Decimal | str):
        return None
    if isinstance(value, str) and not _DECIMAL_TEXT.match(value):
        return None
    try:
        amount = Decimal(value)
    except InvalidOperation:
        return None
    return amount if amount.is_finite() else None


class _Problems(dict):
    def amount(self, where: str, value) -> Decimal | None:
        amount = _amount(value)
        if amount is None:
            self[where] = 'must be a number (or decimal text such as "0.25")'
        elif amount < 0:
            self[where] = "must not be negative"
        elif amount > MAX_AMOUNT:
            self[where] = f"must be at most {MAX_AMOUNT}"
        else:
            return amount
        return None

    def hour(self, where: str, value, low: int, high: int) -> int | None:
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            self[where] = f"must be a whole hour from {low} to {high}"
            return None
        return value


def _date(problems: _Problems, where: str, value) -> date | None:
    try:
        if not isinstance(value, str) or not _DATE.match(value):
            raise ValueError
        day = date.fromisoformat(value)
    except ValueError:
        problems[where] = "must be a date as YYYY-MM-DD"
        return None
    if not EARLIEST <= day <= LATEST:
        problems[where] = f"must be between {EARLIEST} and {LATEST}"
        return None
    return day


def _price(problems: _Problems, index: int, row) -> Price | None:
    where = f"prices[{index}]"
    if not isinstance(row, dict):
        problems[where] = "must be an object"
        return None
    for name in sorted(row.keys() - _PRICE_KNOWN):
        problems[f"{where}.{name}"] = "is not a known field"
    valid_from = _date(problems, f"{where}.valid_from", row.get("valid_from"))
    days = row.get("days", "all")
    if not isinstance(days, str) or days not in DAY_KINDS:
        days = None
        problems[f"{where}.days"] = "must be one of all, weekdays, weekends"
    from_hour = problems.hour(f"{where}.from_hour", row.get("from_hour", 0), 0, 23)
    to_hour = problems.hour(f"{where}.to_hour", row.get("to_hour", 24), 1, 24)
    if from_hour is not None and from_hour == to_hour:
        problems[f"{where}.to_hour"] = "must differ from from_hour (an empty band)"
    if "price_per_kwh" not in row:
        problems[f"{where}.price_per_kwh"] = "is required"
        price = None
    else:
        price = problems.amount(f"{where}.price_per_kwh", row["price_per_kwh"])
    parts = (valid_from, from_hour, to_hour, price)
    if any(part is None for part in (days, *parts)) or from_hour == to_hour:
        return None
    return Price(valid_from, days, from_hour, to_hour, price)


def _hour_text(weekday: int, hour: int) -> str:
    return f"{WEEKDAY_NAMES[weekday]} {hour:02d}:00-{hour + 1:02d}:00"


def _check_cover(problems: _Problems, prices: list[tuple[int, Price]]) -> None:
    """Each valid_from's bands price every (weekday, hour) once: no overlap, no gap."""
    by_start: dict[date, list[tuple[int, Price]]] = {}
    for index, price in prices:
        by_start.setdefault(price.valid_from, []).append((index, price))
    for valid_from, rows in sorted(by_start.items()):
        owner: dict[tuple[int, int], int] = {}
        for index, price in rows:
            for weekday in DAY_KINDS[price.days]:
                for hour in price.hours():
                    other = owner.setdefault((weekday, hour), index)
                    if other != index and f"prices[{index}]" not in problems:
                        problems[f"prices[{index}]"] = (
                            f"overlaps prices[{other}] on {_hour_text(weekday, hour)}"
                        )
        gaps = [(d, h) for d in range(7) for h in range(24) if (d, h) not in owner]
        if gaps:
            problems.setdefault(
                "prices",
                f"the prices from {valid_from} leave {_hour_text(*gaps[0])} without a price"
                + (f" (and {len(gaps) - 1} more hours)" if len(gaps) > 1 else ""),
            )


def parse(body) -> Terms:
    """The tariff in ``body`` (``POST`` and ``PUT`` both give it whole), or a 422."""
    if not isinstance(body, dict):
        raise Invalid("the request body must be a JSON object")
    problems = _Problems()
    for name in sorted(body.keys() - _KNOWN):
        problems[name] = "is not a known field"
    name = body.get("name")
    if not isinstance(name, str) or not name.strip():
        problems["name"] = "is required (a non-empty string)"
    elif len(name) > 100:
        problems["name"] = "must be at most 100 characters"
    currency = body.get("currency")
    if not isinstance(currency, str) or not _CURRENCY.match(currency):
        problems["currency"] = "must be an ISO 4217 currency code such as EUR"
    elif currency not in _currencies():
        problems["currency"] = f"{currency} is not a known ISO 4217 currency code"
    fixed = body.get("daily_fixed_charge")
    if fixed is not None:
        fixed = problems.amount("daily_fixed_charge", fixed)
    rows = body.get("prices")
    prices: list[tuple[int, Price]] = []
    if not isinstance(rows, list) or not rows:
        problems["prices"] = "is required (a non-empty list of prices)"
    elif len(rows) > MAX_PRICE_ROWS:
        problems["prices"] = f"may hold at most {MAX_PRICE_ROWS} rows"
    else:
        for index, row in enumerate(rows):
            price = _price(problems, index, row)
            if price is not None:
                prices.append((index, price))
        if len(prices) == len(rows):
            _check_cover(problems, prices)
    if problems:
        summary = "; ".join(f"{where} {text}" for where, text in sorted(problems.items()))
        raise Invalid(summary, fields=dict(problems))
    ordered = sorted((p for _, p in prices), key=lambda p: (p.valid_from, p.days, p.from_hour))
    return Terms(name.strip(), currency, fixed, tuple(ordered))
