"""The gateway's management API (``/system/*``) is closed, as OpenFaaS's gateway's is.

Listing, describing and scaling functions need the gateway's basic-auth
credentials (``basic-auth-user``, ``basic-auth-password``: generated per install
into ``.ems/secrets`` and printed by ``ems up``), the same secrets faas-cli and the
connectors use against OpenFaaS. A request a browser sends from another origin is
refused even with them, so that a page elsewhere cannot ride on credentials the
browser remembers. A path under ``/system/`` that names nothing is a JSON 404.
"""

from __future__ import annotations

import hmac

from aiohttp import BasicAuth, web

CREDENTIALS = web.AppKey("system_credentials", tuple)
REALM = 'Basic realm="faas-ems gateway", charset="UTF-8"'


def _error(status: int, code: str, message: str, **headers: str) -> web.Response:
    body = {"error": {"code": code, "message": message}}
    return web.json_response(body, status=status, headers=headers)


def _cross_origin(request: web.Request) -> bool:
    if request.headers.get("Sec-Fetch-Site", "same-origin") not in {"same-origin", "none"}:
        return True
    origin = request.headers.get("Origin")
    return origin is not None and origin != f"{request.scheme}://{request.host}"


def _authorised(request: web.Request) -> bool:
    user, password = request.app[CREDENTIALS]
    try:
        given = BasicAuth.decode(request.headers.get("Authorization", ""))
    except ValueError:
        return False
    same_user = hmac.compare_digest(given.login.encode(), user.encode())
    return hmac.compare_digest(given.password.encode(), password.encode()) and same_user


def guarded(handler):
    """Wrap a ``/system/*`` handler: same origin and the credentials, or a JSON refusal."""

    async def checked(request: web.Request) -> web.StreamResponse:
        if _cross_origin(request):
            return _error(403, "cross_origin", "the management API answers no other origin")
        if not _authorised(request):
            return _error(
                401,
                "unauthorized",
                "the management API needs the gateway's basic-auth credentials",
                **{"WWW-Authenticate": REALM},
            )
        return await handler(request)

    return checked


@guarded
async def not_found(request: web.Request) -> web.Response:
    return _error(404, "not_found", f"no such management path: {request.path}")
