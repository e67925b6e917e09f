"""What happens to each message after a call: acked, retried later, or dead with a reason.

Pure decisions, no I/O: the worker carries them out.
"""

from __future__ import annotations

import hashlib
import json
import logging
from dataclasses import dataclass, field
from typing import Any

from .gateway import Reply

log = logging.getLogger("ems.connector")

ATTEMPT_HEADER = "x-ems-attempt"
TOPIC_HEADER = "x-ems-topic"
NOT_JSON = "not JSON"


@dataclass
class Delivery:
    """One message taken from a function's queue."""

    tag: int
    routing_key: str
    properties: Any
    body: bytes
    payload: Any = None
    _parsed: bool | None = field(default=None, repr=False)

    @property
    def headers(self) -> dict:
        return self.properties.headers or {}

    @property
    def topic(self) -> str:
        """The original routing key, also after a trip through a retry queue."""
        return str(self.headers.get(TOPIC_HEADER) or self.routing_key)

    @property
    def attempts(self) -> int:
        """Calls already made with this message (by any connector)."""
        try:
            return int(self.headers.get(ATTEMPT_HEADER) or 0)
        except (TypeError, ValueError):
            return 0

    @property
    def is_json(self) -> bool:
        """Whether the body parses as JSON (parsed once, kept in ``payload``)."""
        if self._parsed is None:
            try:
                self.payload = json.loads(self.body)
                self._parsed = True
            except ValueError:
                self._parsed = False
        return self._parsed

    @property
    def call_id(self) -> str:
        """Stable across retries: the AMQP message id, the event's id, or the body's hash."""
        if self.properties.message_id:
            return str(self.properties.message_id)
        envelope = self.payload if self.is_json and isinstance(self.payload, dict) else {}
        if isinstance(envelope.get("id"), str) and envelope["id"]:
            return envelope["id"]
        return hashlib.sha256(self.body).hexdigest()[:32]


@dataclass
class Settlement:
    """Messages to retry (with the reason) and to dead-letter (with the reason and the
    number of calls made with it); the rest succeeded."""

    retry: list[tuple[Delivery, str]] = field(default_factory=list)
    dead: list[tuple[Delivery, str, int]] = field(default_factory=list)


def error_message(reply: Reply) -> str:
    """The function's ``{"error": {"message"}}`` if it gave one, else the start of its body."""
    try:
        message = json.loads(reply.body)["error"]["message"]
        if isinstance(message, str) and message:
            return message
    except (ValueError, KeyError, TypeError):
        pass
    return reply.body[:500].decode("utf-8", "replace").strip() or "no message"


def judge_single(delivery: Delivery, reply: Reply) -> Settlement:
    """A 422 is final (invalid data never becomes valid); other failures are retried."""
    if reply.ok:
        return Settlement()
    if reply.status == 422:
        return Settlement(dead=[(delivery, error_message(reply), delivery.attempts + 1)])
    return Settlement(retry=[(delivery, f"HTTP {reply.status}: {error_message(reply)}")])


def _indexed(answer: dict, key: str, size: int) -> dict[int, str]:
    chosen: dict[int, str] = {}
    for item in answer.get(key) or []:
        index = item.get("index") if isinstance(item, dict) else None
        if isinstance(index, int) and not isinstance(index, bool) and 0 <= index < size:
            chosen[index] = str(item.get("reason") or key)
        else:
            log.warning("ignoring %s entry %r of a batch of %d", key, item, size)
    return chosen


def judge_batch(deliveries: list[Delivery], reply: Reply) -> Settlement:
    """A 2xx may name rejected and retry indices; any other answer retries every message."""
    if not reply.ok:
        reason = f"HTTP {reply.status}: {error_message(reply)}"
        return Settlement(retry=[(d, reason) for d in deliveries])
    try:
        answer = json.loads(reply.body) if reply.body.strip() else {}
    except ValueError:
        answer = {}
    if not isinstance(answer, dict):
        return Settlement()
    rejected = _indexed(answer, "rejected", len(deliveries))
    retry = _indexed(answer, "retry", len(deliveries))
    return Settlement(
        retry=[(deliveries[i], reason) for i, reason in retry.items() if i not in rejected],
        dead=[(deliveries[i], why, deliveries[i].attempts + 1) for i, why in rejected.items()],
    )
