"""One ingest call: a batch of ``meter.reading`` messages, each a reading or a list.

Every valid reading of a known device is stored and counted, whatever happens to
the other messages of the batch. A message with any refused reading is *rejected*
with every problem of every reading in its reason (the connector dead-letters it at
once, and it shows at ``/function/dead-letters``); its valid readings are stored all
the same, so replaying it once fixed adds only what was missing. A reading for a
device monitoring does not know is refused too: it cannot succeed until someone
creates the device or gives it that meter number, and then a replay counts it once.

Steps: parse what needs no device; find the devices (by id or meter number); read
local times in each device's zone; give new devices the kind (interval or register)
of their first reading, committed on its own; then one transaction: interval
readings and their hours, register readings and theirs, early warnings (early_warning),
alarms (alerts), the devices' last
readings, with their events queued in the outbox and published once it committed.
Each step locks in key order and register batches take their device locks before
any row, so concurrent calls never deadlock.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from faas_ems.runtime import db, outbox

from . import alerts, device_refs, early_warning, liveness, readings, registers, retention, totals
from .readings import INTERVAL, Reading, Sent

TOPIC_PREFIX, TOPIC_SUFFIX = "meters.", ".reading"


@dataclass
class Outcome:
    stored: int = 0
    duplicates: int = 0
    rejected: list[dict] = field(default_factory=list)  # {"index", "reason"}
    alerts: int = 0
    warnings: int = 0


def topic_device(topic: str | None) -> str | None:
    """The device named by MQTT topic ``meters/<ref>/reading`` (key ``meters.<ref>.reading``).

    RabbitMQ's MQTT plugin swaps ``/`` and ``.`` between topics and routing keys, so a
    meter number with dots arrives with slashes.
    """
    if not topic or not topic.startswith(TOPIC_PREFIX) or not topic.endswith(TOPIC_SUFFIX):
        return None
    reference = topic[len(TOPIC_PREFIX) : -len(TOPIC_SUFFIX)]
    return reference.replace("/", ".") or None


def _locate(sent: Sent, found: device_refs.Found) -> device_refs.Device | None:
    """The reading's device, checking the topic's agrees; problems go to the reading."""
    if sent.reference is None:
        return None
    device, problem = found.resolve(sent.reference, meter_id_only=sent.by_meter_id)
    if problem:
        sent.problems.append(problem)
        return None
    if sent.device is not None and sent.topic_device is not None:
        from_topic, _ = found.resolve(sent.topic_device, meter_id_only=False)
        if from_topic is None or from_topic.id != device.id:
            sent.problems.append(
                f"the reading's device does not match the topic's ({sent.topic_device})"
            )
            return None
    return device


def _ready(
    sents: list[Sent], found: device_refs.Found, now: datetime, oldest: datetime | None
) -> list[tuple[Sent, Reading]]:
    """Every reading whose device and time are good, with its UTC time."""
    ready = []
    for sent in sents:
        device = _locate(sent, found)
        if device is None or sent.problems:
            continue
        taken_at, problems = readings.place(sent, ZoneInfo(device.timezone), now, oldest)
        if problems:
            sent.problems += problems
            continue
        ready.append((sent, Reading(device.id, taken_at, sent.value, sent.kind)))
    return ready


def _kinds(ready: list[tuple[Sent, Reading]], found: device_refs.Found) -> dict[str, str]:
    """Each device's kind; a device without one gets the kind of its first reading here."""
    kinds = {device.id: device.kind for device in found.by_id.values() if device.kind}
    wanted: dict[str, str] = {}
    for _, reading in ready:
        if reading.device_id not in kinds:
            wanted.setdefault(reading.device_id, reading.kind)
    if wanted:
        with db.connection() as conn:
            kinds.update(registers.claim_kinds(conn, wanted))
    return kinds


MIXED = {
    INTERVAL: "the device reports register readings (register_kwh); no interval readings",
    readings.REGISTER: "the device reports interval readings (measurement_value); no registers",
}


def ingest(messages: list, topics: list[str | None] | None = None) -> Outcome:
    now = datetime.now(UTC)
    oldest = retention.oldest_kept(now)
    topics = topics or [None] * len(messages)
    parsed = [
        readings.parse_message(message, topic_device(topic))
        for message, topic in zip(messages, topics, strict=True)
    ]
    every = [sent for message in parsed for sent in message]
    references = [s.reference for s in every if s.reference is not None]
    references += [s.topic_device for s in every if s.topic_device is not None]
    with db.connection() as conn:
        found = device_refs.find(conn, references)
    ready = _ready(every, found, now, oldest)
    kinds = _kinds(ready, found)
    batch: dict[str, dict[tuple, Reading]] = {INTERVAL: {}, readings.REGISTER: {}}
    for sent, reading in ready:
        if kinds.get(reading.device_id, reading.kind) != reading.kind:
            sent.problems.append(MIXED[reading.kind])
            continue
        batch[reading.kind].setdefault((reading.device_id, reading.taken_at), reading)
    counted = [*batch[INTERVAL].values(), *batch[readings.REGISTER].values()]
    with db.connection() as conn:
        intervals = totals.add(conn, batch[INTERVAL].values())
        register = registers.add(conn, batch[readings.REGISTER].values())
        gone = intervals.unknown | intervals.deleted
        live = [r for r in counted if r.device_id not in gone]
        warned = early_warning.warn(conn, live, now)
        raised = alerts.raise_over_limit(conn, intervals.over_limit)
        raised += alerts.raise_over_limit(conn, register.over_limit)
        back_online = liveness.mark_seen(conn, live)
    if warned or raised or back_online:
        outbox.flush()
    for sent, reading in ready:
        if reading.device_id in gone:
            sent.problems.append(f"device {reading.device_id} was deleted")
    outcome = Outcome(
        stored=intervals.stored + register.stored, alerts=len(raised), warnings=len(warned)
    )
    outcome.duplicates = sum(1 for r in counted if r.device_id not in gone) - outcome.stored
    for index, message in enumerate(parsed):
        reason = readings.reason(message)
        if reason:
            outcome.rejected.append({"index": index, "reason": reason})
    return outcome
