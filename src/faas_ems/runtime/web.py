"""Routing, JSON bodies and JSON errors for handlers.

A handler module exposes ``handle(event, context)``; most build it from a
:class:`Routes` table (werkzeug's routing) so that a function with sub-paths
(``/me``, ``/<id>``) stays a list of small views. Every refusal, an
:class:`HTTPError` raised here or a domain :class:`~faas_ems.runtime.errors.Refusal`,
is answered as ``{"error": {"code", "message", "fields"?}}`` with its status.

Odd input is refused here, once for every handler, before any of it reaches a
database or a parser that would fail on it: NUL characters in the path, the query
or any string of a JSON body (PostgreSQL text cannot hold them), JSON nested
deeper than ``MAX_JSON_DEPTH``, and bodies in a ``Content-Encoding`` we do not
speak.
"""

from __future__ import annotations

import json
import logging
import re
import uuid
from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from werkzeug.exceptions import MethodNotAllowed
from werkzeug.exceptions import NotFound as NoSuchPath
from werkzeug.routing import Map, Rule

from .errors import Conflict, Invalid, NotFound, Refusal, Unavailable

log = logging.getLogger("ems.web")

# The status each kind of domain refusal is answered with.
REFUSAL_STATUS = {NotFound: 404, Invalid: 422, Conflict: 409, Unavailable: 503}
MAX_JSON_DEPTH = 32
_PLAIN_CALL_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{0,99}")


class HTTPError(Exception):
    """A refusal that only makes sense on the web: a status of its own, headers."""

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

    @classmethod
    def from_refusal(cls, refusal: Refusal) -> HTTPError:
        status = next(s for kind, s in REFUSAL_STATUS.items() if isinstance(refusal, kind))
        headers = {"Retry-After": str(refusal.retry_after)} if refusal.retry_after else None
        return cls(status, refusal.code, refusal.message, fields=refusal.fields, headers=headers)

    def response(self) -> dict:
        error: dict[str, Any] = {"code": self.code, "message": self.message}
        if self.fields:
            error["fields"] = self.fields
        return {"statusCode": self.status, "body": {"error": error}, "headers": self.headers}


def error_response(exc: HTTPError | Refusal) -> dict:
    """The JSON answer to any refusal, web or domain."""
    return (exc if isinstance(exc, HTTPError) else HTTPError.from_refusal(exc)).response()


def call_id(supplied: str | None) -> str:
    """The caller's ``X-Call-Id`` if it is a plain token, else a new one: it goes into
    every log line of the call, where spaces or ``=`` would forge fields."""
    if supplied and _PLAIN_CALL_ID.fullmatch(supplied):
        return supplied
    return str(uuid.uuid4())


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
        body = json.loads(raw)
    except RecursionError:
        raise _too_deep() from None
    except (ValueError, UnicodeDecodeError) as exc:
        raise HTTPError(400, "bad_json", f"the request body is not valid JSON: {exc}") from None
    _check_json(body)
    return body


def _too_deep() -> HTTPError:
    return HTTPError(400, "bad_json", f"the JSON is nested deeper than {MAX_JSON_DEPTH} levels")


def _check_json(body: Any) -> None:
    """Refuse NUL in any string (keys included) and nesting past MAX_JSON_DEPTH; no
    recursion, so that no depth can overflow the stack."""
    pending = [(body, 1)]
    while pending:
        value, depth = pending.pop()
        if isinstance(value, str):
            if "\x00" in value:
                raise HTTPError(400, "bad_json", "strings must not contain NUL (\\u0000)")
        elif isinstance(value, dict | list):
            if depth > MAX_JSON_DEPTH:
                raise _too_deep()
            items = value.items() if isinstance(value, dict) else enumerate(value)
            for key, item in items:
                pending.append((key, depth))
                pending.append((item, depth + 1))


def check_request(event) -> None:
    """What no handler can use, refused before any of them runs (see the module's doc)."""
    encoding = (event.headers.get("Content-Encoding") or "identity").strip().lower()
    if encoding != "identity" and event.body:
        raise HTTPError(
            415,
            "unsupported_encoding",
            f"Content-Encoding {encoding!r} is not accepted; send the body uncompressed",
            headers={"Accept-Encoding": "identity"},
        )
    query = getattr(event, "query", None) or {}
    query = query.items(multi=True) if hasattr(query, "getlist") else query.items()
    texts = [event.path or "", *(part for pair in query for part in pair)]
    if any("\x00" in text for text in texts):
        raise HTTPError(400, "bad_request", "the path and query must not contain NUL (%00)")


def query_param(event, name: str, default: str | None = None) -> str | None:
    values = event.query.get(name) if hasattr(event.query, "get") else None
    return values if values is not None else default


class Routes:
    """A method-and-path table on werkzeug's routing, in the spirit of Flask's ``url_map``.

    ``@routes.get("/<device_id>")`` registers a view called as
    ``view(event, device_id=...)``. A view returns a body, ``(body, status)`` or
    ``(body, status, headers)``. A known path with another method is a 405 with
    ``Allow``; a trailing slash is optional.
    """

    def __init__(self):
        self._map = Map(strict_slashes=False, merge_slashes=False)
        self._views: dict[str, Callable] = {}

    def route(self, method: str, path: str):
        def register(view):
            endpoint = f"{method.upper()} {path}"
            self._map.add(Rule(path, endpoint=endpoint, methods=[method.upper()]))
            self._views[endpoint] = view
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
            check_request(event)
            view, params = self._match(event.method.upper(), event.path or "/")
            return as_response(view(event, **params))
        except (HTTPError, Refusal) as exc:
            return error_response(exc)

    def _match(self, method: str, path: str):
        urls = self._map.bind("localhost")
        try:
            endpoint, params = urls.match(path, method=method)
        except MethodNotAllowed as exc:
            allowed = ", ".join(sorted(set(exc.valid_methods or []) - {"HEAD", "OPTIONS"}))
            raise HTTPError(
                405,
                "method_not_allowed",
                f"{method} is not allowed here",
                headers={"Allow": allowed},
            ) from None
        except NoSuchPath:
            raise HTTPError(404, "not_found", f"no such path: {path}") from None
        return self._views[endpoint], params


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
    """Wrap a plain ``handle`` so that a refusal becomes its JSON answer."""

    def wrapper(event, context):
        try:
            check_request(event)
            return as_response(handle(event, context))
        except (HTTPError, Refusal) as exc:
            return error_response(exc)

    wrapper.__doc__ = handle.__doc__
    return wrapper
