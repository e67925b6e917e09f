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
    ],
)
def test_matches(expression, expected):
    assert cron.matches(expression, MONDAY_0902) is expected


@pytest.mark.parametrize("expression", ["* * * *", "61 * * * *", "* 24 * * *", "a * * * *"])
def test_malformed_expressions_are_refused(expression):
    with pytest.raises(ValueError):
        cron.parse(expression)
