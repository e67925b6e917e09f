"""What happens to each message: judged unreadable before any call, or after a call
acked, retried later, or dead with a reason.

Pure decisions, no I/O: the worker carries them out.
"""

from __future__ import annotations

import codecs
import hashlib
import json
import logging
from dataclasses import dataclass, field
from typing import Any

from faas_ems.runtime import headers as x_ems

from .gateway import Reply

log = logging.getLogger("ems.connector")

NOT_JSON = "not JSON"
# No event of ours nests deeper than a few levels; a body far deeper is an attack or a
# bug. Functions refuse JSON deeper than faas_ems.runtime.web.MAX_JSON_DEPTH (32), and a
# batch wraps its messages in one more list: one level less keeps a batch acceptable.
MAX_DEPTH = 31
# A reason travels in a message header; the broker closes the connection on a header
# frame over its frame_max (128 KiB), so a function's long answer is cut well below it.
MAX_REASON_BYTES = 2048


class Unreadable(ValueError):
    """A body no function can be handed: the message says why."""


def bounded(reason: str, limit: int = MAX_REASON_BYTES) -> str:
    """The reason cut to ``limit`` bytes of UTF-8, saying how much was cut."""
    data = reason.encode("utf-8", "replace")
    if len(data) <= limit:
        return reason
    kept = data[: limit - 40].decode("utf-8", "ignore")
    return f"{kept} ... ({len(data) - len(kept.encode())} more bytes cut)"


def _depth_over(value: Any, limit: int) -> bool:
    """Whether lists and objects nest deeper than ``limit`` (walked without recursion)."""
    pending = [(value, 1)]
    while pending:
        item, level = pending.pop()
        if isinstance(item, dict):
            item = item.values()
        elif not isinstance(item, list):
            continue
        if level > limit:
            return True
        pending.extend((child, level + 1) for child in item)
    return False


def read_body(body: bytes) -> tuple[bytes, Any]:
    """The body as UTF-8 JSON text (a byte order mark dropped) and its value.

    JSON between systems is UTF-8 (RFC 8259), which may start with a BOM that a reader
    ignores; bodies in UTF-16 or UTF-32 are refused rather than guessed at, so that the
    batch the body joins stays one valid UTF-8 document.
    """
    if body.startswith(codecs.BOM_UTF8):
        body = body[len(codecs.BOM_UTF8) :]
    encoding = json.detect_encoding(body)
    if encoding != "utf-8":
        raise Unreadable(f"{NOT_JSON}: encoded as {encoding.upper()}, JSON must be UTF-8")
    try:
        payload = json.loads(body.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise Unreadable(f"{NOT_JSON}: not UTF-8 (byte {exc.start})") from None
    except RecursionError:
        raise Unreadable(f"{NOT_JSON}: nested deeper than {MAX_DEPTH} levels") from None
    except ValueError:
        raise Unreadable(NOT_JSON) from None
    brackets = body.count(b"[") + body.count(b"{")  # fewer cannot nest deeper: no walk
    if brackets > MAX_DEPTH and _depth_over(payload, MAX_DEPTH):
        raise Unreadable(f"{NOT_JSON}: nested deeper than {MAX_DEPTH} levels")
    return body, payload


@dataclass
class Delivery:
    """One message taken from a function's queue."""

    tag: int
    routing_key: str
    properties: Any
    body: bytes
    payload: Any = None

    @property
    def headers(self) -> dict:
        return self.properties.headers or {}

    @property
    def topic(self) -> str:
        """The original routing key, also after a trip through a retry queue."""
        return str(self.headers.get(x_ems.TOPIC) or self.routing_key)

    @property
    def attempts(self) -> int:
        """Calls already made with this message (by any connector)."""
        try:
            return int(self.headers.get(x_ems.ATTEMPT) or 0)
        except (TypeError, ValueError, OverflowError):  # a forged header, inf included
            return 0

    def problem(self) -> str | None:
        """Why no function can be handed this message, or None once it is ready for one.

        Judged on its own before it joins a batch, so that one bad body never fails
        the others; whatever goes wrong while judging condemns this message only.
        """
        try:
            self.body, self.payload = read_body(self.body)
        except Unreadable as exc:
            return str(exc)
        except Exception as exc:  # any failure here is this message's own
            log.exception("cannot judge a message of %d bytes", len(self.body))
            return f"cannot be read: {type(exc).__name__}"
        return None

    @property
    def call_id(self) -> str:
        """Stable across retries: the AMQP message id, the event's id, or the body's hash."""
        if self.properties.message_id:
            return str(self.properties.message_id)
        envelope = self.payload if isinstance(self.payload, dict) else {}
        if isinstance(envelope.get("id"), str) and envelope["id"]:
            return envelope["id"]
        return hashlib.sha256(self.body).hexdigest()[:32]


@dataclass
class Settlement:
    """Messages to retry (with the reason), to dead-letter (with the reason and the
    number of calls made with it) and to give back untried; the rest succeeded."""

    retry: list[tuple[Delivery, str]] = field(default_factory=list)
    dead: list[tuple[Delivery, str, int]] = field(default_factory=list)
    requeue: list[Delivery] = field(default_factory=list)

    def add(self, other: Settlement) -> None:
        self.retry += other.retry
        self.dead += other.dead
        self.requeue += other.requeue


def error_message(reply: Reply) -> str:
    """The function's ``{"error": {"message"}}`` if it gave one, else the start of its body."""
    try:
        message = json.loads(reply.body)["error"]["message"]
        if isinstance(message, str) and message:
            return message
    except (ValueError, KeyError, TypeError, RecursionError):
        pass
    return reply.body[:500].decode("utf-8", "replace").strip() or "no message"


# Answers that say the message itself is wrong (malformed, invalid): final.
FINAL_STATUSES = frozenset({400, 422})


def judge_single(delivery: Delivery, reply: Reply) -> Settlement:
    """A 400 or 422 is final (invalid data never becomes valid); other failures are retried."""
    if reply.ok:
        return Settlement()
    if reply.status in FINAL_STATUSES:
        return Settlement(dead=[(delivery, error_message(reply), delivery.attempts + 1)])
    return Settlement(retry=[(delivery, f"HTTP {reply.status}: {error_message(reply)}")])


def _indexed(answer: dict, key: str, size: int) -> dict[int, str]:
    chosen: dict[int, str] = {}
    items = answer.get(key) or []
    if not isinstance(items, list):
        log.warning("ignoring %s %r: not a list", key, items)
        items = []
    for item in items:
        index = item.get("index") if isinstance(item, dict) else None
        if isinstance(index, int) and not isinstance(index, bool) and 0 <= index < size:
            chosen[index] = str(item.get("reason") or key)
        else:
            log.warning("ignoring %s entry %r of a batch of %d", key, item, size)
    return chosen


def failed_whole(deliveries: list[Delivery], reply: Reply) -> bool:
    """A batch of several messages that failed as one: split it to find the guilty."""
    return len(deliveries) > 1 and not reply.ok


def judge_batch(deliveries: list[Delivery], reply: Reply) -> Settlement:
    """A 2xx may name rejected and retry indices; a failed call of one message is judged
    as a single call (the worker splits a failed batch of several before this)."""
    if not reply.ok:
        if len(deliveries) == 1:
            return judge_single(deliveries[0], reply)
        reason = f"HTTP {reply.status}: {error_message(reply)}"
        return Settlement(retry=[(d, reason) for d in deliveries])
    try:
        answer = json.loads(reply.body) if reply.body.strip() else {}
    except (ValueError, RecursionError):
        answer = {}
    if not isinstance(answer, dict):
        return Settlement()
    rejected = _indexed(answer, "rejected", len(deliveries))
    retry = _indexed(answer, "retry", len(deliveries))
    return Settlement(
        retry=[(deliveries[i], reason) for i, reason in retry.items() if i not in rejected],
        dead=[(deliveries[i], why, deliveries[i].attempts + 1) for i, why in rejected.items()],
    )
