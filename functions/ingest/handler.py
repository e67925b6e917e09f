"""ingest: meter readings into exact hourly totals and overconsumption alerts.

Internal only (the connector calls it for topic ``meter.reading``). With the
``batch`` annotation the connector posts a JSON list of message bodies and says so
in ``X-Batch-Size``; the answer is 200 naming the messages to dead-letter
(``rejected``), as connector/README.md describes. Called with one message, a refused
message is a 422 (dead-lettered at once). ``X-Topic`` (one message) or
``X-Batch-Topics`` (a JSON list, one routing key per message) say where each came
from: an MQTT topic ``meters/<device>/reading`` names the device.
"""

import json

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
        outcome = ingestion.ingest(body, _batch_topics(event, len(body)))
        return {**_summary(outcome), "rejected": outcome.rejected}
    outcome = ingestion.ingest([body], [event.headers.get("X-Topic")])
    if outcome.rejected:
        raise HTTPError(422, "invalid_reading", outcome.rejected[0]["reason"])
    return _summary(outcome)


def _batch_topics(event, size: int) -> list[str | None] | None:
    raw = event.headers.get("X-Batch-Topics")
    if raw is None:
        return None
    try:
        topics = json.loads(raw)
    except ValueError:
        topics = None
    if not isinstance(topics, list) or len(topics) != size:
        raise HTTPError(422, "validation_failed", "X-Batch-Topics must list one topic a message")
    return [topic if isinstance(topic, str) else None for topic in topics]


handle = routes
