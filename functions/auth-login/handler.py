"""POST /function/auth-login: a token for the right username and password."""

from ems_runtime import auth
from ems_runtime.validation import validate
from ems_runtime.web import HTTPError, Routes, json_body

from .contexts.identity import throttle, users

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
