"""POST /function/auth-register: anyone opens a client account, while it is allowed."""

from ems_runtime import settings
from ems_runtime.validation import validate
from ems_runtime.web import HTTPError, Routes, json_body

from .contexts.identity import users

routes = Routes()


@routes.post("/")
def register(event):
    if not settings.bool_setting("EMS_SELF_REGISTRATION", True):
        raise HTTPError(403, "registration_closed", "accounts are opened by an administrator here")
    fields = validate(json_body(event), users.REGISTER_FIELDS)
    return users.representation(users.create({**fields, "role": "client"})), 201


handle = routes
