"""chat-reply: answers client messages (topic ``chat.message``; internal token only).

Each client message is answered at most once: the answer is stored against the
message's id, together with its ``chat.reply`` (and ``chat.state`` on a handoff)
in the context's outbox, so a redelivered message changes nothing.
"""

from __future__ import annotations

import logging

from faas_ems.runtime import db, outbox
from faas_ems.runtime.auth import require_internal
from faas_ems.runtime.validation import UUID_PATTERN, Field, validate
from faas_ems.runtime.web import HTTPError, guarded, json_body
from faas_ems.support import conversations, messages, notify, responder
from faas_ems.support.user_facts import UserFacts

log = logging.getLogger("ems.chat-reply")

MESSAGE_FIELDS = {
    "id": Field(pattern=UUID_PATTERN),
    "conversation_id": Field(pattern=UUID_PATTERN),
    "sender": Field(kind=dict),
    "text": Field(),
}


def _client_message(envelope) -> dict:
    """The message of a ``chat.message`` envelope, or a 422 that says what is wrong."""
    try:
        message = envelope["data"]["message"]
        needed = {name: message[name] for name in MESSAGE_FIELDS if name in message}
    except (KeyError, TypeError):
        raise HTTPError(
            422, "validation_failed", "expected an event envelope with data.message"
        ) from None
    validate(needed, MESSAGE_FIELDS)
    return message


def answer(message: dict) -> str:
    """Answer one client message; return what happened, for the log and the caller."""
    if message["sender"].get("role") != "client":
        return "ignored: not a client's message"
    message_id, conversation_id = message["id"].lower(), message["conversation_id"].lower()
    with db.connection() as conn:
        if messages.answered(conn, message_id):
            return "already answered"
        conversation = conversations.get(conn, conversation_id)
        history = messages.history(conn, message_id, responder.HISTORY_LENGTH)
    if conversation is None or not history:
        return "ignored: the conversation is gone"
    if conversation["state"] in responder.QUIET_STATES:
        return f"quiet: the conversation is {conversation['state']}"
    reply = responder.decide(message["text"], history, UserFacts(str(conversation["user_id"])))
    with db.connection() as conn:
        stored = responder.store(conn, conversation_id, message_id, reply)
        if stored is None:
            return "quiet: taken over or answered meanwhile"
        if reply.handoff:
            notify.state(conn, stored.conversation)
        notify.message(conn, "chat.reply", stored.message, stored.conversation)
    return "handed off" if reply.handoff else f"answered by {reply.sender.name}"


@guarded
def handle(event, context):
    require_internal(event)
    body = json_body(event)
    envelopes = body if isinstance(body, list) else [body]
    outcomes = [answer(_client_message(envelope)) for envelope in envelopes]
    outbox.flush()
    for outcome in outcomes:
        log.info("chat.message: %s", outcome)
    return {"outcomes": outcomes}
