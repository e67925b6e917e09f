"""Declarative checks for JSON request bodies.

A body is checked against a table of :class:`Field`; anything missing, of the
wrong type, out of range, too long, or not asked for is refused with a 422 that
names each field, so that a form can show the message beside the field.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from typing import Any
from zoneinfo import available_timezones

from .errors import Invalid, NotFound

_TYPE_NAMES = {str: "a string", int: "an integer", float: "a number", bool: "true or false"}

UUID_PATTERN = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$", re.I)


@dataclass(frozen=True)
class Field:
    kind: type = str
    required: bool = True
    nullable: bool = False
    max_length: int | None = None
    min_length: int = 0
    minimum: float | None = None
    exclusive_minimum: float | None = None
    maximum: float | None = None
    pattern: re.Pattern | None = None
    choices: tuple | None = None
    check: Callable[[Any], str | None] | None = None

    def problem(self, value: Any) -> str | None:
        """Why ``value`` does not fit this field, or ``None``."""
        if value is None:
            return None if self.nullable else "must not be null"
        if not _is_kind(value, self.kind):
            return f"must be {_TYPE_NAMES.get(self.kind, self.kind.__name__)}"
        if isinstance(value, str):
            value_len = len(value.strip())
            if value_len < max(self.min_length, 1 if self.required else 0):
                return (
                    "must not be empty"
                    if self.min_length <= 1
                    else (f"must be at least {self.min_length} characters")
                )
            if self.max_length is not None and len(value) > self.max_length:
                return f"must be at most {self.max_length} characters"
            if self.pattern is not None and not self.pattern.match(value):
                return "has an invalid format"
        if isinstance(value, int | float):
            if self.minimum is not None and value < self.minimum:
                return f"must be at least {self.minimum:g}"
            if self.exclusive_minimum is not None and value <= self.exclusive_minimum:
                return f"must be greater than {self.exclusive_minimum:g}"
            if self.maximum is not None and value > self.maximum:
                return f"must be at most {self.maximum:g}"
        if self.choices is not None and value not in self.choices:
            return "must be one of " + ", ".join(map(str, self.choices))
        if self.check is not None:
            return self.check(value)
        return None


def _is_kind(value: Any, kind: type) -> bool:
    if kind is float:
        return (
            isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)
        )
    if kind is int:
        return isinstance(value, int) and not isinstance(value, bool)
    return isinstance(value, kind)


def validate(body: Any, fields: dict[str, Field], *, partial: bool = False) -> dict[str, Any]:
    """Return the checked fields of ``body``; with ``partial`` none is required."""
    if not isinstance(body, dict):
        raise Invalid("the request body must be a JSON object")
    problems: dict[str, str] = {}
    for name in body.keys() - fields.keys():
        problems[name] = "is not a known field"
    clean: dict[str, Any] = {}
    for name, field in fields.items():
        if name not in body:
            if field.required and not partial:
                problems[name] = "is required"
            continue
        problem = field.problem(body[name])
        if problem:
            problems[name] = problem
        else:
            value = body[name]
            clean[name] = value.strip() if isinstance(value, str) else value
    if problems:
        summary = "; ".join(f"{name} {text}" for name, text in sorted(problems.items()))
        raise Invalid(summary, fields=problems)
    if partial and not clean:
        raise Invalid("nothing to change")
    return clean


@cache
def _known_zones() -> frozenset[str]:
    return frozenset(available_timezones())


def timezone_problem(value: str) -> str | None:
    """A :class:`Field` ``check`` for IANA time zone names (``Europe/Bucharest``).

    A name is looked up among the zones that exist, never opened as given: a caller's
    text is no file name (one too long for the file system made ``ZoneInfo`` fail).
    """
    if "/" not in value and value != "UTC":
        return "must be an IANA time zone such as Europe/Bucharest or UTC"
    if value not in _known_zones():
        return "is not a known IANA time zone"
    return None


def parse_uuid(value: str, what: str = "id") -> str:
    if not isinstance(value, str) or not UUID_PATTERN.match(value):
        raise NotFound(what)
    return value.lower()
