"""meter-auth: answers RabbitMQ's ``rabbitmq_auth_backend_http`` about meters' logins and rights.

RabbitMQ posts form fields to ``/user``, ``/vhost``, ``/resource`` and ``/topic`` and
reads ``allow`` or ``deny`` (see inventory.broker_rights for the rules). The broker
cannot send headers, so the internal token comes as the ``token`` query parameter of
the URLs it is configured with; without it every answer is ``deny``.
"""

import hmac
from urllib.parse import parse_qsl, unquote, urlsplit

from faas_ems.inventory import broker_rights, credentials
from faas_ems.runtime import settings
from faas_ems.runtime.web import Routes

routes = Routes()
PLAIN = {"Content-Type": "text/plain"}


def _params(event) -> dict:
    params = dict(event.query.items()) if hasattr(event.query, "items") else {}
    if event.body:
        params.update(parse_qsl(event.body.decode("utf-8", "replace")))
    return params


def _answer(allowed: bool):
    return ("allow" if allowed else "deny"), 200, PLAIN


def _trusted(params: dict) -> bool:
    token = params.get("token") or ""
    expected = settings.current().required("internal_token")
    return hmac.compare_digest(token.encode(), expected.encode())


def _system_vhost() -> str:
    path = urlsplit(settings.current().amqp_url).path
    return unquote(path[1:]) if len(path) > 1 else "/"


def _ask(event, judge):
    params = _params(event)
    if not _trusted(params):
        return _answer(False)
    meter = credentials.by_username(params.get("username") or "")
    return _answer(meter is not None and judge(meter, params))


@routes.post("/user")
def user(event):
    params = _params(event)
    if not _trusted(params):
        return _answer(False)
    meter = credentials.sign_in(params.get("username") or "", params.get("password") or "")
    return _answer(meter is not None)


@routes.post("/vhost")
def vhost(event):
    return _ask(event, lambda meter, p: p.get("vhost") == _system_vhost())


@routes.post("/resource")
def resource(event):
    exchange = settings.current().exchange
    return _ask(event, lambda meter, p: broker_rights.may_use_resource(p, exchange))


@routes.post("/topic")
def topic(event):
    exchange = settings.current().exchange
    return _ask(event, lambda meter, p: broker_rights.may_use_topic(meter, p, exchange))


handle = routes
