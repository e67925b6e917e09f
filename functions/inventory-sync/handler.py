"""Topic user.deleted: a deleted user's devices become unassigned (internal).

The connector posts one event envelope, or a list of them with a batch. Every
envelope is checked before any is applied, so a malformed one refuses the whole
call with its reason (retried, then dead-lettered) and applies nothing.
"""

from faas_ems.inventory import assignment
from faas_ems.runtime import auth
from faas_ems.runtime.validation import UUID_PATTERN, Field, validate
from faas_ems.runtime.web import HTTPError, Routes, json_body

ENVELOPE = {
    "id": Field(max_length=100),
    "type": Field(choices=("user.deleted",)),
    "occurred_at": Field(required=False, max_length=64),
    "data": Field(kind=dict),
}
DELETED_USER = {
    "id": Field(pattern=UUID_PATTERN, max_length=36),
    "version": Field(kind=int, required=False),
}

routes = Routes()


@routes.post("/")
def user_deleted(event):
    auth.require_internal(event)
    body = json_body(event)
    envelopes = body if isinstance(body, list) else [body]
    if not envelopes:
        raise HTTPError(422, "validation_failed", "no events in the batch")
    user_ids = [
        validate(validate(envelope, ENVELOPE)["data"], DELETED_USER)["id"].lower()
        for envelope in envelopes
    ]
    unassigned = sum(assignment.forget_user(user_id) for user_id in user_ids)
    return {"users": len(user_ids), "devices_unassigned": unassigned}


handle = routes
