"""Routing, JSON bodies and JSON errors for handlers.

A handler module exposes ``handle(event, context)``; most build it from a
:class:`Routes` table so that a function with sub-paths (``/me``, ``/<id>``)
stays a list of small views. Every refusal is an :class:`HTTPError`, answered
as ``{"error": {"code", "message"}}`` with its status.
"""

from __future__ import annotations

import json
import logging
import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

log = logging.getLogger("ems.web")


class HTTPError(Exception):
    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        *,
        fields: dict[str, str] | None = None,
        headers: dict[str, str] | None = None,
    ):
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.fields = fields
        self.headers = headers or {}

    def response(self) -> dict:
        error: dict[str, Any] = {"code": self.code, "message": self.message}
        if self.fields:
            error["fields"] = self.fields
        return {"statusCode": self.status, "body": {"error": error}, "headers": self.headers}


def not_found(what: str = "resource") -> HTTPError:
    return HTTPError(404, "not_found", f"{what} not found")


def json_default(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, uuid.UUID):
        return str(value)
    raise TypeError(f"{type(value).__name__} is not JSON serializable")


def to_json(value: Any) -> str:
    return json.dumps(value, default=json_default, separators=(",", ":"))


def json_body(event, *, allow_empty: bool = False) -> Any:
    """The request body as JSON, or a 400 that says what is wrong with it."""
    raw = event.body or b""
    if not raw.strip():
        if allow_empty:
            return None
        raise HTTPError(400, "bad_json", "the request body must be JSON")
    try:
        return json.loads(raw)
    except (ValueError, UnicodeDecodeError) as exc:
        raise HTTPError(400, "bad_json", f"the request body is not valid JSON: {exc}") from None


def query_param(event, name: str, default: str | None = None) -> str | None:
    values = event.query.get(name) if hasattr(event.query, "get") else None
    return values if values is not None else default


@dataclass(frozen=True)
class _Route:
    method: str
    pattern: re.Pattern
    view: Callable


_PARAM = re.compile(r"<([a-z_]+)>")


class Routes:
    """A method-and-path table, in the spirit of a tiny Flask ``url_map``.

    ``@routes.get("/<device_id>")`` registers a view called as
    ``view(event, device_id=...)``. A view returns a body, ``(body, status)`` or
    ``(body, status, headers)``.
    """

    def __init__(self):
        self._routes: list[_Route] = []

    def route(self, method: str, path: str):
        regex = "^" + _PARAM.sub(r"(?P<\1>[^/]+)", path.rstrip("/")) + "/?$"

        def register(view):
            self._routes.append(_Route(method.upper(), re.compile(regex), view))
            return view

        return register

    def get(self, path):
        return self.route("GET", path)

    def post(self, path):
        return self.route("POST", path)

    def put(self, path):
        return self.route("PUT", path)

    def delete(self, path):
        return self.route("DELETE", path)

    def __call__(self, event, context) -> dict:
        try:
            view, params = self._match(event.method.upper(), event.path or "/")
            return as_response(view(event, **params))
        except HTTPError as exc:
            return exc.response()

    def _match(self, method: str, path: str):
        allowed = []
        for route in self._routes:
            found = route.pattern.match(path)
            if found:
                if route.method == method:
                    return route.view, found.groupdict()
                allowed.append(route.method)
        if allowed:
            raise HTTPError(
                405,
                "method_not_allowed",
                f"{method} is not allowed here",
                headers={"Allow": ", ".join(sorted(set(allowed)))},
            )
        raise HTTPError(404, "not_found", f"no such path: {path}")


def as_response(result) -> dict:
    if isinstance(result, dict) and "statusCode" in result:
        return result
    headers: dict[str, str] = {}
    status = 200
    body = result
    if isinstance(result, tuple):
        body, status, *rest = result
        if rest:
            headers = rest[0]
    return {"statusCode": status, "body": body, "headers": headers}


def guarded(handle: Callable) -> Callable:
    """Wrap a plain ``handle`` so that an :class:`HTTPError` becomes its JSON answer."""

    def wrapper(event, context):
        try:
            return as_response(handle(event, context))
        except HTTPError as exc:
            return exc.response()

    wrapper.__doc__ = handle.__doc__
    return wrapper
