"""notify: an alert to its owner's e-mail or webhook (topics alert.raised, alert.warning).

Internal only; called by the connector with one event envelope. A channel that fails
is answered 500, so the connector tries again with backoff and dead-letters after its
last attempt; the log keeps each alert and channel once, so a retry never sends again
what already went out. An address the system never sends to is answered 422: no retry
can help, the dead letter says why at once. The live alert never waits for any of it:
the hub reads alert events from a queue of its own.
"""

from faas_ems.notifications import dispatch
from faas_ems.runtime import db
from faas_ems.runtime.auth import require_internal
from faas_ems.runtime.web import HTTPError, guarded, json_body


@guarded
def handle(event, context):
    require_internal(event)
    envelope = json_body(event)
    if not isinstance(envelope, dict) or "data" not in envelope:
        raise HTTPError(422, "validation_failed", "expected an event envelope with data")
    alert = dispatch.parse_alert(
        envelope.get("type") or event.headers.get("X-Topic"), envelope["data"]
    )
    with db.connection() as conn:
        outcome = dispatch.notify(conn, alert)
    if outcome.refused:
        raise HTTPError(422, "webhook_refused", outcome.detail or "webhook refused")
    if outcome.retry:
        raise HTTPError(500, "channel_failed", f"{outcome.channel}: {outcome.detail}")
    return outcome.body()
