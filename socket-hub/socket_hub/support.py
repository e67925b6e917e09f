"""The conversations function, called over the gateway with the internal token.

The support context stores messages, read receipts and conversations; the hub
only relays. Its errors (``{"error": {"code", "message"}}``) come back as
``HTTPError`` so that they reach the browser unchanged.
"""

from __future__ import annotations

import json
import logging
import re
from typing import Any

import aiohttp

from faas_ems.runtime.auth import INTERNAL_HEADER, Caller
from faas_ems.runtime.web import HTTPError

from .config import HubConfig

log = logging.getLogger("socket_hub.support")

OWNERS_REMEMBERED = 10_000
# An id goes into a URL called with the internal token: nothing but an id may pass.
CONVERSATION_ID = re.compile(r"[A-Za-z0-9_-]{1,64}")


def user_of(caller: Caller) -> dict[str, str]:
    """The verified user, as the conversations function expects it."""
    return {"id": caller.id, "role": caller.role, "name": caller.name or caller.username}


class SupportClient:
    def __init__(self, config: HubConfig):
        self.base = f"{config.gateway_url}/function/conversations"
        self.config = config
        self.session: aiohttp.ClientSession | None = None
        # A conversation's user never changes, so who owns it can be remembered.
        self._owners: dict[str, str] = {}

    async def open(self) -> None:
        self.session = aiohttp.ClientSession(
            timeout=aiohttp.ClientTimeout(total=self.config.call_timeout_seconds),
            headers={INTERNAL_HEADER: self.config.internal_token},
        )

    async def close(self) -> None:
        if self.session is not None:
            await self.session.close()

    async def send_message(self, caller: Caller, fields: dict[str, Any]) -> dict:
        """Store a message (the function publishes ``chat.message``): ``{"message", ...}``."""
        return await self._call("POST", "/messages", {"user": user_of(caller), **fields})

    async def mark_read(self, caller: Caller, message_id: Any) -> dict:
        body = {"user": user_of(caller), "message_id": message_id}
        return await self._call("POST", "/read", body)

    async def owner_of(self, conversation_id: str) -> str:
        """The id of the client whose conversation it is."""
        if not isinstance(conversation_id, str) or not CONVERSATION_ID.fullmatch(conversation_id):
            raise HTTPError(400, "bad_request", "conversation_id must be a conversation's id")
        owner = self._owners.get(conversation_id)
        if owner is None:
            conversation = await self._call("GET", f"/{conversation_id}")
            if not conversation.get("user_id"):
                raise HTTPError(502, "support_error", "the conversation has no user")
            owner = str(conversation["user_id"])
            if len(self._owners) >= OWNERS_REMEMBERED:
                self._owners.clear()
            self._owners[conversation_id] = owner
        return owner

    async def _call(self, method: str, path: str, body: dict | None = None) -> dict:
        try:
            async with self.session.request(method, self.base + path, json=body) as response:
                status, raw = response.status, await response.read()
        except (aiohttp.ClientError, TimeoutError) as exc:
            log.warning("%s %s failed: %r", method, path, exc)
            raise HTTPError(
                503, "support_unavailable", "the support service did not answer; try again"
            ) from None
        try:
            answer = json.loads(raw)
        except ValueError:
            answer = None
        if status >= 400:
            raise _passed_through(status, answer)
        if not isinstance(answer, dict):
            log.warning("%s %s answered %s with %r", method, path, status, raw[:200])
            raise HTTPError(502, "support_error", "the support service gave no answer")
        return answer


def _passed_through(status: int, answer: Any) -> HTTPError:
    error = answer.get("error") if isinstance(answer, dict) else None
    if isinstance(error, dict) and error.get("code") and error.get("message"):
        return HTTPError(
            status, str(error["code"]), str(error["message"]), fields=error.get("fields")
        )
    return HTTPError(status, "support_error", f"the support service answered {status}")
