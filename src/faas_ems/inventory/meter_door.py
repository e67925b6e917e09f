"""The HTTP door for meters and meter gateways: readings checked against the credential.

Each reading of the body (one, or a list of up to ``MAX_READINGS``) is checked as
ingest checks it, as far as that needs no monitoring data: its fields, and its time in
the device's site zone. It must name a device the credential covers (by id or meter
number); a meter's reading may also name none, which then means the meter's own, while a
gateway's must always say which of its devices it is for. The accepted readings are published
as one ``meter.reading`` message naming the device by id, times in UTC, so the rest of
the path is the AMQP door's: the same dedupe (a gateway retrying counts nothing twice),
the same totals and alerts.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cache
from zoneinfo import ZoneInfo

from faas_ems.monitoring import readings

from .credentials import Coverage, Covered

MAX_READINGS = 10_000
VALUE_FIELD = {readings.INTERVAL: "measurement_value", readings.REGISTER: "register_kwh"}


@dataclass
class Checked:
    accepted: list[bytes] = field(default_factory=list)  # each reading as JSON
    rejected: list[dict] = field(default_factory=list)  # {"index", "reason"}

    def message(self) -> bytes:
        """The accepted readings as one ``meter.reading`` message (a JSON list)."""
        return b"[" + b",".join(self.accepted) + b"]"


def _reading(device: Covered, taken_at: datetime, sent: readings.Sent) -> bytes:
    """A reading naming the device by id, its time in UTC, and its value as the exact
    decimal text that was sent (a JSON number; through a float it could lose digits)."""
    head = json.dumps({"device_id": device.device_id, "timestamp": taken_at.isoformat()})
    return f'{head[:-1]}, "{VALUE_FIELD[sent.kind]}": {sent.value}}}'.encode()


def check(payload, coverage: Coverage, now: datetime | None = None) -> Checked:
    now = now or datetime.now(UTC)
    default = coverage.default.device_id if coverage.default else None
    checked = Checked()
    for index, sent in enumerate(readings.parse_message(payload, topic_device=default)):
        device = coverage.default
        if sent.device is not None:
            device = coverage.find(sent.device, meter_id_only=sent.by_meter_id)
            if device is None:
                sent.problems.append(f"device {sent.device} is not covered by this credential")
        if not sent.problems:
            taken_at, problems = readings.place(sent, _zone(device.timezone), now)
            sent.problems += problems
        if sent.problems:
            checked.rejected.append({"index": index, "reason": "; ".join(sent.problems)})
            continue
        checked.accepted.append(_reading(device, taken_at, sent))
    return checked


@cache
def _zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)
