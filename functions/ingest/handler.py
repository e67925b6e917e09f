"""ingest: meter readings into exact hourly totals and overconsumption alerts.

Internal only (the connector calls it for topic ``meter.reading``). With the
``batch`` annotation the connector posts a JSON list of message bodies and says so
in ``X-Batch-Size``; the answer is 200 naming the messages to dead-letter
(``rejected``) and to bring back later (``retry``), as connector/README.md
describes. Called with one message, a refused message is a 422 (dead-lettered at
once) and one for a device not known yet a 409 (retried).
"""

from faas_ems.monitoring import ingestion
from faas_ems.runtime.auth import require_internal
from faas_ems.runtime.web import HTTPError, Routes, json_body

routes = Routes()


def _summary(outcome: ingestion.Outcome) -> dict:
    return {"stored": outcome.stored, "duplicates": outcome.duplicates, "alerts": outcome.alerts}


@routes.post("/")
def ingest(event):
    require_internal(event)
    body = json_body(event)
    if event.headers.get("X-Batch-Size") is not None:
        if not isinstance(body, list):
            raise HTTPError(422, "validation_failed", "a batch must be a JSON list of messages")
        outcome = ingestion.ingest(body)
        return {**_summary(outcome), "rejected": outcome.rejected, "retry": outcome.retry}
    outcome = ingestion.ingest([body])
    if outcome.rejected:
        raise HTTPError(422, "invalid_reading", outcome.rejected[0]["reason"])
    if outcome.retry:
        raise HTTPError(409, "unknown_device", outcome.retry[0]["reason"])
    return _summary(outcome)


handle = routes
