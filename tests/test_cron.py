"""Cron expressions of the ``schedule`` annotation."""

from datetime import UTC, datetime

import pytest

from connector import cron

MONDAY_0902 = datetime(2026, 11, 23, 9, 2, tzinfo=UTC)


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ("* * * * *", True),
        ("2 * * * *", True),
        ("3 * * * *", False),
        ("*/2 * * * *", True),
        ("*/5 * * * *", False),
        ("0-5 9 * * *", True),
        ("2 8,10 * * *", False),
        ("2 9 23 11 1", True),
        ("2 9 * * 0", False),
        ("2 9 * * 1-5", True),
        # Standard cron: day of month and day of week both restricted fire on either.
        ("2 9 1 * 1", True),
        ("2 9 23 * 3", True),
        ("2 9 1 * 3", False),
        # Names, and 7 for Sunday.
        ("2 9 * nov mon", True),
        ("2 9 * * sun", False),
        ("2 9 * * 7", False),
        ("2 9 * dec *", False),
        ("@hourly", False),
    ],
)
def test_matches(expression, expected):
    assert cron.matches(expression, MONDAY_0902) is expected


@pytest.mark.parametrize(
    ("expression", "moment"),
    [
        ("0 0 1 * 1", datetime(2026, 12, 1, tzinfo=UTC)),  # the 1st, a Tuesday
        ("0 0 1 * 1", datetime(2026, 11, 30, tzinfo=UTC)),  # a Monday, the 30th
        ("0 9 * * 7", datetime(2026, 11, 29, 9, tzinfo=UTC)),  # a Sunday
        ("0 9 * * sun", datetime(2026, 11, 29, 9, tzinfo=UTC)),
        ("@hourly", datetime(2026, 11, 29, 9, tzinfo=UTC)),
    ],
)
def test_standard_cron_fires(expression, moment):
    assert cron.matches(expression, moment)


@pytest.mark.parametrize(
    "expression", ["* * * *", "61 * * * *", "* 24 * * *", "a * * * *", "0 0 1 1 * *", "@often"]
)
def test_malformed_expressions_are_refused(expression):
    with pytest.raises(ValueError):
        cron.validate(expression)
