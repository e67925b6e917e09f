"""What the support bot says to a client message, and storing it exactly once.

Order: an administrator's conversation (``human``) or one waiting for one stays
quiet; then the rules; then Gemini; and a human whenever the client asks for one
or Gemini is not configured, fails, times out, or says it cannot help.
"""

from __future__ import annotations

from dataclasses import dataclass

from . import assistant, conversations, messages, rules
from .messages import ASSISTANT, RULE_BOT, Sender
from .user_facts import FactsUnavailable, UserFacts

QUIET_STATES = ("waiting", "human")
HISTORY_LENGTH = 10

_WILL_ANSWER = "An administrator will answer here shortly; you can keep writing meanwhile."
HANDOFF_TEXTS = {
    "asked": "I'm handing you over to an administrator. " + _WILL_ANSWER,
    "unconfigured": "I can't answer that myself, so I've asked an administrator to join. "
    + _WILL_ANSWER,
    "failed": "I couldn't work that out just now, so I've asked an administrator to join. "
    + _WILL_ANSWER,
    "cannot_help": "That's more than I can help with, so I've asked an administrator to join. "
    + _WILL_ANSWER,
}
FIGURES_UNAVAILABLE = (
    "I can't reach your figures right now. Please try again in a minute, "
    'or write "talk to a human".'
)


@dataclass(frozen=True)
class Answer:
    sender: Sender
    text: str
    handoff: bool = False


def hand_off(reason: str) -> Answer:
    return Answer(RULE_BOT, HANDOFF_TEXTS[reason], handoff=True)


def decide(text: str, history: list[dict], facts: UserFacts) -> Answer:
    """The rule bot's answer, else Gemini's, else a handoff (see the module's order)."""
    rule = rules.match(text)
    if rule is not None:
        if rule.hands_off:
            return hand_off("asked")
        try:
            return Answer(RULE_BOT, rule.answer(facts))
        except FactsUnavailable:
            return Answer(RULE_BOT, FIGURES_UNAVAILABLE)
    if not assistant.configured():
        return hand_off("unconfigured")
    try:
        context = facts.describe()
    except FactsUnavailable:
        context = "The client's figures are unavailable right now."
    try:
        reply = assistant.ask(history, context)
    except assistant.AssistantUnavailable:
        return hand_off("failed")
    if assistant.cannot_help(reply):
        return hand_off("cannot_help")
    return Answer(ASSISTANT, reply)


@dataclass(frozen=True)
class Stored:
    message: dict
    conversation: dict


def store(conn, conversation_id: str, client_message_id: str, answer: Answer) -> Stored | None:
    """Store the answer unless the bot must stay quiet now or already answered.

    The conversation is locked and its state checked again: an administrator may
    have taken it over while Gemini was thinking, and then the bot says nothing.
    """
    row = conversations.get(conn, conversation_id, for_update=True)
    if row is None or row["state"] in QUIET_STATES:
        return None
    message = messages.add(
        conn, conversation_id, answer.sender, answer.text, reply_to=client_message_id
    )
    if message is None:
        return None
    changes = {"state": "waiting", "assigned_admin_id": None} if answer.handoff else {}
    row = conversations.update(conn, conversation_id, **changes)
    return Stored(message, conversations.shape(row))
