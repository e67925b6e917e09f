"""Support conversations: history for clients and administrators, and the hub's writes.

Public (JWT): the list, a conversation's messages, take over and resolve.
Internal (``X-Internal-Token``, called by the socket hub with the user it verified):
store a message, mark messages read, read one conversation.
"""

from __future__ import annotations

from faas_ems.runtime import db, outbox, paging
from faas_ems.runtime.auth import is_internal, require_admin, require_internal, require_user
from faas_ems.runtime.errors import Invalid, NotFound
from faas_ems.runtime.validation import UUID_PATTERN, Field, parse_uuid, validate
from faas_ems.runtime.web import HTTPError, Routes, json_body, query_param
from faas_ems.support import chat, conversations, messages, notify, pace
from faas_ems.support.messages import Sender

routes = Routes()

USER_FIELDS = {
    "id": Field(pattern=UUID_PATTERN),
    "role": Field(choices=("client", "admin")),
    "name": Field(max_length=100),
}


def _sender(body: dict) -> Sender:
    """The user the hub verified; its problems are reported as ``user.<field>``."""
    try:
        user = validate(body["user"], USER_FIELDS)
    except Invalid as error:
        fields = {f"user.{name}": text for name, text in (error.fields or {}).items()}
        raise Invalid(f"user: {error.message}", fields=fields) from None
    return Sender(id=user["id"].lower(), role=user["role"], name=user["name"])


# public ---------------------------------------------------------------------------


@routes.get("/")
def list_conversations(event):
    caller = require_user(event)
    state = query_param(event, "state")
    if state is not None and state not in conversations.STATES:
        raise HTTPError(
            422, "validation_failed", "state must be one of " + ", ".join(conversations.STATES)
        )
    page = paging.page_params(event.query, conversations.SORTS, "-waiting")
    with db.connection() as conn:
        return paging.answer(*conversations.page_for(conn, caller, page, state))


@routes.get("/<conversation_id>")
def get_conversation(event, conversation_id):
    conversation_id = parse_uuid(conversation_id, "conversation")
    with db.connection() as conn:
        if is_internal(event.headers):
            row = conversations.get(conn, conversation_id)
            if row is None:
                raise NotFound("conversation")
        else:
            caller = require_user(event)
            row = conversations.get_visible(conn, conversation_id, caller)
        return conversations.shape(row)


@routes.get("/<conversation_id>/messages")
def list_messages(event, conversation_id):
    caller = require_user(event)
    conversation_id = parse_uuid(conversation_id, "conversation")
    with db.connection() as conn:
        conversations.get_visible(conn, conversation_id, caller)
        return messages.list_for(conn, conversation_id)


@routes.post("/<conversation_id>/take")
def take(event, conversation_id):
    admin = require_admin(event)
    return _change_state(conversation_id, state="human", assigned_admin_id=admin.id)


@routes.post("/<conversation_id>/resolve")
def resolve(event, conversation_id):
    require_admin(event)
    return _change_state(conversation_id, state="resolved", assigned_admin_id=None)


def _change_state(conversation_id: str, **changes) -> dict:
    conversation_id = parse_uuid(conversation_id, "conversation")
    with db.connection() as conn:
        row = conversations.update(conn, conversation_id, **changes)
        if row is None:
            raise NotFound("conversation")
        conversation = conversations.shape(row)
        notify.state(conn, conversation)
    outbox.flush()
    return conversation


# internal: the socket hub ---------------------------------------------------------

MESSAGE_FIELDS = {
    "user": Field(kind=dict),
    "text": Field(max_length=messages.MAX_TEXT),
    "conversation_id": Field(required=False, nullable=True, pattern=UUID_PATTERN),
}


@routes.post("/messages")
def post_message(event):
    require_internal(event)
    body = validate(json_body(event), MESSAGE_FIELDS)
    sender = _sender(body)
    pace.count_message(sender)
    conversation_id = body.get("conversation_id")
    with db.connection() as conn:
        posted = chat.post(
            conn, sender, body["text"], conversation_id.lower() if conversation_id else None
        )
        if posted.state_changed:
            notify.state(conn, posted.conversation)
        notify.message(conn, "chat.message", posted.message, posted.conversation)
    outbox.flush()
    return {"message": posted.message, "conversation": posted.conversation}, 201


READ_FIELDS = {"user": Field(kind=dict), "message_id": Field(pattern=UUID_PATTERN)}


@routes.post("/read")
def mark_read(event):
    require_internal(event)
    body = validate(json_body(event), READ_FIELDS)
    reader = _sender(body)
    with db.connection() as conn:
        receipt = messages.mark_read(conn, reader, body["message_id"].lower())
        row = conversations.get(conn, receipt["conversation_id"])
    return {**receipt, "conversation": conversations.shape(row)}


handle = routes
