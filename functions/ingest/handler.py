"""ingest: meter readings into exact hourly totals, early warnings and overconsumption alerts.

Internal only (the connector calls it for topic ``meter.reading``). With the
``batch`` annotation the connector posts a JSON list of message bodies and says so
in ``X-Batch-Size``; the answer is 200 naming the messages to dead-letter
(``rejected``), as connector/README.md describes. Called with one message, a refused
message is a 422 (dead-lettered at once). ``X-Topic`` (one message) or
with ``X-Batch-Format: topics`` (the ``batch-topics`` annotation) each batch item
``{"topic", "message"}`` say where each came from: an MQTT topic
``meters/<device>/reading`` names the device.
"""

from decimal import Decimal

from faas_ems.monitoring import ingestion
from faas_ems.runtime.auth import require_internal
from faas_ems.runtime.web import HTTPError, Routes, json_body

routes = Routes()


def _summary(outcome: ingestion.Outcome) -> dict:
    return {
        "stored": outcome.stored,
        "duplicates": outcome.duplicates,
        "alerts": outcome.alerts,
        "warnings": outcome.warnings,
    }


@routes.post("/")
def ingest(event):
    require_internal(event)
    body = json_body(event, parse_float=Decimal)  # kWh exactly as sent, never via a float
    if event.headers.get("X-Batch-Size") is not None:
        if not isinstance(body, list):
            raise HTTPError(422, "validation_failed", "a batch must be a JSON list of messages")
        messages, topics = _unwrapped(event, body)
        outcome = ingestion.ingest(messages, topics)
        return {**_summary(outcome), "rejected": outcome.rejected}
    outcome = ingestion.ingest([body], [event.headers.get("X-Topic")])
    if outcome.rejected:
        raise HTTPError(422, "invalid_reading", outcome.rejected[0]["reason"])
    return _summary(outcome)


def _unwrapped(event, batch: list) -> tuple[list, list[str | None] | None]:
    """The batch's messages, and each one's routing key when the connector sent them."""
    if event.headers.get("X-Batch-Format") != "topics":
        return batch, None
    if not all(isinstance(item, dict) and "message" in item for item in batch):
        raise HTTPError(422, "validation_failed", 'each batch item must be {"topic", "message"}')
    topics = [item.get("topic") if isinstance(item.get("topic"), str) else None for item in batch]
    return [item["message"] for item in batch], topics


handle = routes
