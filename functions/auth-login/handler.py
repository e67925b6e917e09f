"""POST /function/auth-login: a token for the right username and password.

The attempt is counted before the password is checked and given back if it was
right (see ``faas_ems.identity.throttle``).
"""

from faas_ems.identity import throttle, users
from faas_ems.runtime import auth
from faas_ems.runtime.validation import validate
from faas_ems.runtime.web import HTTPError, Routes, json_body

routes = Routes()


@routes.post("/")
def login(event):
    credentials = validate(json_body(event), users.LOGIN_FIELDS)
    attempt = throttle.attempt(credentials["username"], throttle.client_address(event))
    user = users.authenticate(credentials["username"], credentials["password"])
    if user is None:
        raise HTTPError(401, "invalid_credentials", "wrong username or password")
    attempt.succeeded()
    token, expires_at = auth.issue_token(user)
    return {"token": token, "expires_at": expires_at, "user": users.representation(user)}


handle = routes
