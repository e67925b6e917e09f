"""POST /function/auth-register: anyone opens a client account, while it is allowed.

At most ``REGISTRATIONS_PER_ADDRESS`` sign-ups per address and window, counted
before the password is hashed, accounts opened or not (see throttle).
"""

from faas_ems.identity import throttle, users
from faas_ems.runtime import settings
from faas_ems.runtime.validation import validate
from faas_ems.runtime.web import HTTPError, Routes, json_body

routes = Routes()


@routes.post("/")
def register(event):
    if not settings.current().ems_self_registration:
        raise HTTPError(403, "registration_closed", "accounts are opened by an administrator here")
    fields = validate(json_body(event), users.REGISTER_FIELDS)
    throttle.register_attempt(throttle.client_address(event))
    user = users.create({**fields, "role": "client"})
    return users.representation(user), 201


handle = routes
