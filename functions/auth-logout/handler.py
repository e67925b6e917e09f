"""POST /function/auth-logout: sign this token out; it is refused from now until it expires.

Other sign-ins of the same user (another browser) stay. 503 ``revocation_unavailable``
while Redis, where revocations live, does not answer: a sign-out never pretends.
"""

from faas_ems.runtime import auth
from faas_ems.runtime.web import Routes

routes = Routes()


@routes.post("/")
def logout(event):
    auth.revoke_token(auth.require_user(event))
    return None, 204


handle = routes
