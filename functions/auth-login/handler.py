"""POST /function/auth-login: a token for the right username and password."""

from faas_ems.identity import throttle, users
from faas_ems.runtime import auth
from faas_ems.runtime.validation import validate
from faas_ems.runtime.web import HTTPError, Routes, json_body

routes = Routes()


@routes.post("/")
def login(event):
    credentials = validate(json_body(event), users.LOGIN_FIELDS)
    username, address = credentials["username"], throttle.client_address(event)
    throttle.ensure_allowed(username, address)
    user = users.authenticate(username, credentials["password"])
    if user is None:
        throttle.record_failure(username, address)
        raise HTTPError(401, "invalid_credentials", "wrong username or password")
    throttle.record_success(username)
    token, expires_at = auth.issue_token(user)
    return {"token": token, "expires_at": expires_at, "user": users.representation(user)}


handle = routes
