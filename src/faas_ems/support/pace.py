"""How fast a client may write in the support chat.

Every client message may wake the bot and Gemini, which is billed per call, so a
client writes at most ``CHAT_MAX_MESSAGES_PER_MINUTE`` (20) messages a minute;
past that, 429 ``too_many_messages``. Each message is counted before it is stored,
atomically, so parallel sends cannot slip past. Administrators answer as fast as
they type.
"""

from __future__ import annotations

from faas_ems.runtime import cache, rate_limit, settings

from .messages import Sender

WINDOW_SECONDS = 60


def count_message(sender: Sender) -> None:
    """Count a client's message, or refuse it with 429 at once."""
    if sender.is_admin:
        return
    limit = rate_limit.Limit(
        cache.key("chat-messages", sender.id),
        settings.current().chat_max_messages_per_minute,
        WINDOW_SECONDS,
    )
    rate_limit.take_or_refuse([limit], "too_many_messages", "too many messages")
