"""What RabbitMQ lets a meter do, asked through ``rabbitmq_auth_backend_http``.

The broker checks its own users (the components' accounts) first and asks faas-ems only
about the others: meters. A meter signs in with its credential's username and secret,
may use the system's vhost, may write to the events exchange and nothing else (no
queue to configure or read, so it never sees another meter's messages), and on that
exchange only routing key ``meters.<ref>.reading`` (MQTT topic ``meters/<ref>/reading``)
with ``<ref>`` its device's id or meter number. Any other event type (``alert.raised``,
``user.deleted``...) or another meter's topic is refused by the broker.
"""

from __future__ import annotations

from .credentials import Meter


def routing_key(reference: str) -> str:
    """The routing key of MQTT topic ``meters/<reference>/reading`` (the plugin swaps . and /)."""
    return f"meters.{reference.replace('.', '/')}.reading"


def may_use_resource(params: dict, exchange: str) -> bool:
    """Only writing to the events exchange: no queue, no reading."""
    return (
        params.get("resource") == "exchange"
        and params.get("name") == exchange
        and params.get("permission") == "write"
    )


def may_use_topic(meter: Meter, params: dict, exchange: str) -> bool:
    """Only the meter's own readings topic."""
    return (
        params.get("resource") == "topic"
        and params.get("name") == exchange
        and params.get("permission") == "write"
        and params.get("routing_key") in {routing_key(ref) for ref in meter.references}
    )
