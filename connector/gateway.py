"""The OpenFaaS gateway as the connector sees it: a list of functions, and calls."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass

import requests

log = logging.getLogger("ems.connector")

# The header ``faas_ems.runtime.auth.require_internal`` checks. Named here rather than
# imported so that the connector's image needs neither PyJWT nor the web helpers.
INTERNAL_HEADER = "X-Internal-Token"

# Answers that say "not now" rather than "this message failed": the gateway or the
# function is not reachable, or asks to slow down. They never count as an attempt.
UNAVAILABLE_STATUSES = frozenset({429, 502, 503, 504})


class GatewayUnavailable(Exception):
    """The call did not reach a function that could answer; try again later."""


@dataclass(frozen=True)
class Function:
    """A function that listens to topics; ``batch`` is its maximum messages per call (0: one)."""

    name: str
    topics: tuple[str, ...]
    batch: int = 0


@dataclass(frozen=True)
class Reply:
    status: int
    body: bytes
    ms: float

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300


def _batch_size(name: str, raw: str | None, limit: int) -> int:
    """``batch: "500"`` caps a call at 500 messages; ``"true"`` at the connector's limit."""
    if raw is None or not raw.strip():
        return 0
    raw = raw.strip().lower()
    if raw in {"true", "yes", "on"}:
        return limit
    try:
        size = int(raw)
    except ValueError:
        size = 0
    if size < 1:
        log.error("%s: batch annotation %r is not a positive number, ignored", name, raw)
        return 0
    return min(size, limit)


def parse_functions(listing: list[dict], batch_limit: int) -> dict[str, Function]:
    """The functions of a ``/system/functions`` answer that carry a ``topic`` annotation."""
    found = {}
    for entry in listing:
        annotations = entry.get("annotations") or {}
        topics = tuple(
            sorted({t.strip() for t in (annotations.get("topic") or "").split(",") if t.strip()})
        )
        if topics:
            name = entry["name"]
            batch = _batch_size(name, annotations.get("batch"), batch_limit)
            found[name] = Function(name, topics, batch)
    return found


class Gateway:
    """One HTTP session to the gateway; not shared between threads."""

    def __init__(
        self,
        url: str,
        token: str,
        identity: str,
        timeout: float,
        auth: tuple[str, str] | None = None,
    ):
        self.url = url.rstrip("/")
        self.timeout = timeout
        self.auth = auth
        self.http = requests.Session()
        self.http.headers[INTERNAL_HEADER] = token
        self.http.headers["X-Connector"] = f"ems-connector/{identity}"

    def functions(self, batch_limit: int) -> dict[str, Function]:
        response = self.http.get(f"{self.url}/system/functions", auth=self.auth, timeout=10)
        response.raise_for_status()
        return parse_functions(response.json(), batch_limit)

    def invoke(self, function: str, body: bytes, headers: dict[str, str]) -> Reply:
        """POST to the function; GatewayUnavailable when nobody could answer."""
        started = time.perf_counter()
        try:
            response = self.http.post(
                f"{self.url}/function/{function}",
                data=body,
                headers={"Content-Type": "application/json", **headers},
                timeout=self.timeout,
            )
        except requests.RequestException as exc:
            raise GatewayUnavailable(f"{type(exc).__name__}: {exc}") from exc
        if response.status_code in UNAVAILABLE_STATUSES:
            raise GatewayUnavailable(f"HTTP {response.status_code}")
        return Reply(response.status_code, response.content, (time.perf_counter() - started) * 1000)

    def close(self) -> None:
        self.http.close()
