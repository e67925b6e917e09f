"""Batches passed to PostgreSQL as array literals.

psycopg dumps a Python list element by element, which costs more than the SQL
itself for a batch of hundreds of readings. A checked reading's fields have plain
text forms (a UUID, an ISO 8601 timestamp, a decimal number) with none of the
characters an array literal must quote, so joining them is exact and cheap.
"""

from __future__ import annotations

from collections.abc import Iterable


def literal(texts: Iterable[str]) -> str:
    """``{a,b,c}``; every text must be free of commas, braces, quotes, backslashes and blanks."""
    return "{" + ",".join(texts) + "}"
