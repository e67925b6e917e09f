"""POST /function/device-assign: an administrator gives a device to a user, or takes it back."""

from faas_ems.inventory import assignment, devices
from faas_ems.runtime import auth
from faas_ems.runtime.validation import UUID_PATTERN, Field, validate
from faas_ems.runtime.web import Routes, json_body

FIELDS = {
    "device_id": Field(pattern=UUID_PATTERN, max_length=36),
    "user_id": Field(pattern=UUID_PATTERN, max_length=36, nullable=True),
}

routes = Routes()


@routes.post("/")
def assign(event):
    auth.require_admin(event)
    body = validate(json_body(event), FIELDS)
    user_id = body["user_id"].lower() if body["user_id"] else None
    return devices.representation(assignment.assign(body["device_id"].lower(), user_id))


handle = routes
