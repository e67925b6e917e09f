"""Topic user.deleted: a deleted user's devices become unassigned (internal).

The connector posts one event envelope (the function has no ``batch`` annotation);
a malformed one is refused with its reason (dead-lettered) and applies nothing.
"""

from faas_ems.inventory import assignment
from faas_ems.runtime import auth
from faas_ems.runtime.validation import UUID_PATTERN, Field, validate
from faas_ems.runtime.web import Routes, json_body

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
    envelope = validate(json_body(event), ENVELOPE)
    user_id = validate(envelope["data"], DELETED_USER)["id"].lower()
    return {"users": 1, "devices_unassigned": assignment.forget_user(user_id)}


handle = routes
