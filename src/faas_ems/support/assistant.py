"""The LLM behind the rule bot: Gemini through ``google-genai``.

Configuration: the ``gemini-api-key`` secret (no key: not configured, every
question goes to a human), ``GEMINI_MODEL``, ``GEMINI_TIMEOUT_SECONDS``, and
``GEMINI_BASE_URL`` to point the client elsewhere (a proxy, or the tests' fake).
"""

from __future__ import annotations

import logging
import re
import threading
from functools import cache

from google import genai
from google.genai import types

from faas_ems.runtime import settings

from .messages import MAX_TEXT

log = logging.getLogger("ems.support.assistant")

HANDOFF_TOKEN = "HANDOFF"

SYSTEM_PROMPT = f"""You are the support assistant of an energy management platform for smart
electricity meters. Clients see their meters, hourly and daily consumption charts, and alerts
when a meter uses more than its hourly limit within one hour. Answer in at most four short
sentences, in the client's language, using only the facts below; never invent figures.
Administrators assign meters, set limits and manage accounts. If you cannot help, or the
client needs an administrator, answer exactly {HANDOFF_TOKEN}."""

_CANNOT_HELP = re.compile(
    rf"^\W*{HANDOFF_TOKEN}\b"
    r"|\bI\s*(?:cannot|can't|can\s+not|am\s+unable\s+to|'m\s+unable\s+to|am\s+not\s+able\s+to)"
    r"\s+help\b",
    re.IGNORECASE,
)


class AssistantUnavailable(Exception):
    """Gemini failed, timed out, or answered nothing usable."""


def api_key() -> str | None:
    return settings.current().gemini_api_key or None


def configured() -> bool:
    return api_key() is not None


@cache
def _client(key: str, base_url: str | None, timeout_ms: int) -> genai.Client:
    options = types.HttpOptions(base_url=base_url, api_version="v1beta", timeout=timeout_ms)
    return genai.Client(api_key=key, http_options=options)


_client_lock = threading.Lock()


def client() -> genai.Client:
    """The process's client, made once: a second one made by a racing thread would be
    dropped, and a dropped ``genai.Client`` closes the connection pool in use."""
    timeout = settings.current().gemini_timeout_seconds
    base_url = settings.current().gemini_base_url or None
    with _client_lock:
        return _client(api_key(), base_url, int(timeout * 1000))


def ask(history: list[dict], user_context: str) -> str:
    """Gemini's answer to the last client message, given the conversation so far.

    ``history`` is the conversation's last messages (API shape, oldest first).
    """
    contents = [
        types.Content(
            role="user" if message["sender"]["role"] == "client" else "model",
            parts=[types.Part(text=message["text"])],
        )
        for message in history
    ]
    config = types.GenerateContentConfig(
        system_instruction=f"{SYSTEM_PROMPT}\n\nFacts about this client:\n{user_context}",
        temperature=0.3,
    )
    model = settings.current().gemini_model
    try:
        response = client().models.generate_content(model=model, contents=contents, config=config)
        text = (response.text or "").strip()
    # google-genai raises its own APIError, httpx's timeouts and transport errors, and
    # pydantic's on a malformed answer; each of them means the same here: hand off.
    except Exception as error:
        log.warning("Gemini failed: %s: %s", type(error).__name__, error)
        raise AssistantUnavailable(str(error)) from error
    if not text:
        raise AssistantUnavailable("Gemini answered with no text")
    return text[:MAX_TEXT]


def cannot_help(answer: str) -> bool:
    """Whether the answer is Gemini saying it cannot help (its token, or in words)."""
    return bool(_CANNOT_HELP.search(answer))
