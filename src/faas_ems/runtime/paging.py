"""One paging convention for every list call: ``limit``, ``offset``, ``q`` and ``sort``.

A list answers one page as a JSON array, as it always did, and says how many the whole
list holds in the ``X-Total-Count`` header, so callers that read the body alone keep
working. ``sort`` names one of the call's sort keys, ``-`` in front for descending.
Bad values are a 422 naming each parameter, like any other invalid input.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from psycopg import sql

from .errors import Invalid

DEFAULT_LIMIT = 50
MAX_LIMIT = 500
MAX_QUERY_LENGTH = 100
TOTAL_HEADER = "X-Total-Count"


@dataclass(frozen=True)
class Page:
    limit: int
    offset: int
    q: str | None
    sort: str
    descending: bool

    def window(self, rows: Sequence) -> list:
        """This page of rows sorted in Python (a sort the database cannot serve)."""
        return list(rows[self.offset : self.offset + self.limit])


def _given(query: Mapping, name: str) -> list[str]:
    """Every non-empty value of a parameter: each must be valid, the last one counts."""
    values = query.getlist(name) if hasattr(query, "getlist") else [query.get(name)]
    return [value for value in values if value]


def _count(query: Mapping, name: str, default: int, lowest: int, highest: int | None, problems):
    value = default
    for text in _given(query, name):
        try:
            value = int(text)
        except ValueError:
            value = None
        if value is None or value < lowest or (highest is not None and value > highest):
            problems[name] = (
                f"must be an integer from {lowest} to {highest}"
                if highest is not None
                else f"must be an integer of at least {lowest}"
            )
            return default
    return value


def page_params(query: Mapping, sorts: Iterable[str], default_sort: str) -> Page:
    """The page a request asks for; ``search`` is the older name of ``q``."""
    problems: dict[str, str] = {}
    limit = _count(query, "limit", DEFAULT_LIMIT, 1, MAX_LIMIT, problems)
    offset = _count(query, "offset", 0, 0, None, problems)
    texts = _given(query, "q") or _given(query, "search")
    if any(len(text) > MAX_QUERY_LENGTH for text in texts):
        problems["q"] = f"must be at most {MAX_QUERY_LENGTH} characters"
    q = (texts[-1].strip() or None) if texts else None
    allowed = tuple(sorts)
    sorts_given = _given(query, "sort")
    if any(given.removeprefix("-") not in allowed for given in sorts_given):
        problems["sort"] = "must be one of " + ", ".join(
            option for name in allowed for option in (name, f"-{name}")
        )
        sorts_given = []
    sort = sorts_given[-1] if sorts_given else default_sort
    key = sort.removeprefix("-")
    if problems:
        raise Invalid("; ".join(f"{k} {v}" for k, v in problems.items()), fields=problems)
    return Page(limit, offset, q, key, sort.startswith("-"))


Sorts = Mapping[str, sql.Composable | tuple[sql.Composable, ...]]


def order_by(page: Page, columns: Sorts, tiebreak: str) -> sql.Composed:
    """``ORDER BY`` the page's sort key (nulls last either way), then ``tiebreak``.

    A key may stand for several expressions (``waiting first, then newest``); the
    direction applies to each.
    """
    direction = sql.SQL("DESC NULLS LAST" if page.descending else "ASC NULLS LAST")
    keys = columns[page.sort]
    keys = keys if isinstance(keys, tuple) else (keys,)
    return sql.SQL("ORDER BY {}, {}").format(
        sql.SQL(", ").join(sql.SQL("{} {}").format(key, direction) for key in keys),
        sql.Identifier(tiebreak),
    )


def fetch(
    conn,
    query: sql.Composable,
    params: Sequence | Mapping,
    page: Page,
    columns: Sorts,
    tiebreak: str = "id",
) -> tuple[list[dict], int]:
    """One page of ``query`` (a whole SELECT) in the page's order, and how many it holds.

    ``columns`` maps each sort key to an expression over the query's output columns.
    The total comes with the page (a window count); a page past the end counts apart.
    """
    paged = sql.SQL(
        "SELECT *, count(*) OVER () AS total_count FROM ({}) AS listed {} LIMIT {} OFFSET {}"
    ).format(
        query, order_by(page, columns, tiebreak), sql.Literal(page.limit), sql.Literal(page.offset)
    )
    rows = conn.execute(paged, params).fetchall()
    if rows:
        total = rows[0]["total_count"]
    elif page.offset:
        counted = sql.SQL("SELECT count(*) AS n FROM ({}) AS listed").format(query)
        total = conn.execute(counted, params).fetchone()["n"]
    else:
        total = 0
    for row in rows:
        del row["total_count"]
    return rows, total


def answer(items: list, total: int):
    """A view's answer: the page as the body, the whole list's size as a header."""
    return items, 200, {TOTAL_HEADER: str(total)}
