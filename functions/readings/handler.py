"""/function/readings: meters and meter gateways post readings over HTTP.

``Authorization: Bearer <secret>`` of a meter credential or of a gateway credential
(which covers several devices); the body is a reading or a list of up to 10,000
(docs/readings.md). Answers 202 ``{"accepted", "rejected":
[{"index", "reason"}]}`` once the accepted readings are queued with the broker's
confirm; posting the same readings again counts nothing twice. A wrong or revoked
secret is 401.
"""

from decimal import Decimal

from pika.exceptions import AMQPError

from faas_ems.inventory import credentials, gateways, meter_door
from faas_ems.runtime import auth, events
from faas_ems.runtime.web import HTTPError, Routes, json_body

routes = Routes()


def _coverage(event) -> credentials.Coverage:
    """The devices the caller's secret covers: a meter's own, or a gateway's."""
    secret = auth.bearer_token(event.headers)
    if secret:
        meter = credentials.by_secret(secret)
        coverage = meter.coverage() if meter else gateways.by_secret(secret)
        if coverage is not None:
            return coverage
    raise HTTPError(
        401,
        "invalid_credentials",
        "send Authorization: Bearer <secret> of a meter or gateway credential",
        headers={"WWW-Authenticate": "Bearer"},
    )


@routes.post("/")
def post_readings(event):
    coverage = _coverage(event)
    body = json_body(event, parse_float=Decimal)  # values stay exactly as sent
    if isinstance(body, list) and len(body) > meter_door.MAX_READINGS:
        raise HTTPError(
            413, "too_many_readings", f"send at most {meter_door.MAX_READINGS} readings a call"
        )
    checked = meter_door.check(body, coverage)
    if checked.accepted:
        try:
            events.publisher().publish_raw("meter.reading", checked.message())
        except AMQPError:
            raise HTTPError(503, "broker_unavailable", "readings not queued; send again") from None
    return {"accepted": len(checked.accepted), "rejected": checked.rejected}, 202


handle = routes
