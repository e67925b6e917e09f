"""What the identity, inventory and sync tests share: bad tokens, errors, event taps."""

from __future__ import annotations

import json
import time

import jwt

from tests.harness import TestStack


def token_for(stack: TestStack, user: dict, *, key: str | None = None, ttl: int = 3600) -> str:
    """A token shaped like the real ones, signed with ``key`` (the stack's by default)."""
    now = int(time.time())
    claims = {
        "iss": "faas-ems",
        "sub": user["id"],
        "role": user["role"],
        "username": user["username"],
        "name": user["name"],
        "tz": user["timezone"],
        "iat": now - 7200,
        "exp": now + ttl,
    }
    return jwt.encode(claims, key or stack.jwt_secret, algorithm="HS256")


def expired_token(stack: TestStack, user: dict) -> str:
    return token_for(stack, user, ttl=-60)


def forged_token(stack: TestStack, user: dict) -> str:
    """Claims an administrator would have, signed with a key the stack does not know."""
    return token_for(stack, {**user, "role": "admin"}, key="not-the-stack-secret-" + "x" * 20)


def error_code(response) -> str:
    """The JSON error's code; fails if the answer is not ``{"error": {"code", "message"}}``."""
    assert response.headers.get("Content-Type", "").startswith("application/json"), response.text
    error = response.json()["error"]
    assert isinstance(error["message"], str) and error["message"]
    return error["code"]


class EventTap:
    """A private queue bound to the ``ems`` exchange: what the contexts publish."""

    def __init__(self, stack: TestStack, *patterns: str):
        self.connection = stack.amqp()
        self.channel = self.connection.channel()
        self.channel.exchange_declare("ems", "topic", durable=True)
        self.queue = self.channel.queue_declare("", exclusive=True).method.queue
        for pattern in patterns:
            self.channel.queue_bind(self.queue, "ems", routing_key=pattern)
        self.seen: list[dict] = []

    def __enter__(self) -> EventTap:
        return self

    def __exit__(self, *exc) -> None:
        self.connection.close()

    def _drain(self) -> None:
        while True:
            method, _, body = self.channel.basic_get(self.queue, auto_ack=True)
            if method is None:
                return
            self.seen.append(json.loads(body))

    def wait_for(self, count: int, predicate, timeout: float = 10.0) -> list[dict]:
        """Wait until ``count`` received events match ``predicate``; return those."""
        deadline = time.monotonic() + timeout
        while True:
            self._drain()
            matching = [event for event in self.seen if predicate(event)]
            if len(matching) >= count or time.monotonic() >= deadline:
                assert len(matching) >= count, f"got {matching} among {self.seen}"
                return matching
            time.sleep(0.05)


def settled(stack: TestStack, function: str) -> bool:
    """No message for ``function`` is waiting, in flight, or waiting to be retried."""
    listed = stack.services.rabbitmqctl(
        "list_queues", "-p", stack.vhost, "--no-table-headers", "name", "messages"
    )
    counts = dict(line.split("\t") for line in listed.splitlines() if line.strip())
    relevant = [
        int(count)
        for name, count in counts.items()
        if name == f"ems.{function}" or name.startswith(f"ems.{function}.retry.")
    ]
    return bool(relevant) and all(count == 0 for count in relevant)
