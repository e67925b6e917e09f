"""How fast a client may write in the support chat.

Every client message may wake the bot and Gemini, which is billed per call, so a
client writes at most ``CHAT_MAX_MESSAGES_PER_MINUTE`` (20) messages a minute;
past that, 429 ``too_many_messages``. Administrators answer as fast as they type.
"""

from __future__ import annotations

from faas_ems.runtime import cache, rate_limit, settings

from .messages import Sender

WINDOW_SECONDS = 60


def _limit(sender: Sender) -> rate_limit.Limit:
    return (
        cache.key("chat-messages", sender.id),
        settings.current().chat_max_messages_per_minute,
    )


def ensure_may_write(sender: Sender) -> None:
    if not sender.is_admin:
        rate_limit.ensure_allowed([_limit(sender)], "too_many_messages", "too many messages")


def record_message(sender: Sender) -> None:
    if not sender.is_admin:
        rate_limit.count([_limit(sender)[0]], WINDOW_SECONDS)
