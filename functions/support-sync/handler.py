"""support-sync: forgets a deleted user (topic ``user.deleted``; internal token only).

A deleted client's conversation and its messages are removed. A deleted
administrator's replies stay in the clients' history under "Former
administrator", and the conversations they had taken go back to the waiting
queue for another administrator. Replaying the event changes nothing more.
"""

from __future__ import annotations

from faas_ems.runtime import db
from faas_ems.runtime.auth import require_internal
from faas_ems.runtime.validation import UUID_PATTERN, Field, validate
from faas_ems.runtime.web import HTTPError, guarded, json_body
from faas_ems.support import conversations, messages

DELETED_FIELDS = {"id": Field(pattern=UUID_PATTERN), "version": Field(kind=int, required=False)}


def forget(data) -> dict:
    user_id = validate(data, DELETED_FIELDS)["id"].lower()
    with db.connection() as conn:
        return {
            "user_id": user_id,
            "conversations_removed": conversations.delete_for_user(conn, user_id),
            "conversations_released": conversations.release_admin(conn, user_id),
            "messages_anonymised": messages.anonymise_sender(conn, user_id),
        }


@guarded
def handle(event, context):
    require_internal(event)
    envelope = json_body(event)
    if not isinstance(envelope, dict) or envelope.get("type") != "user.deleted":
        raise HTTPError(422, "validation_failed", "expected a user.deleted event envelope")
    return forget(envelope.get("data"))
