"""One ingest call: a batch of ``meter.reading`` messages, each a reading or a list.

Every valid reading of a known device is stored and counted, whatever happens to
the other messages of the batch. Each message then gets its own outcome, so the
connector dead-letters or retries exactly the ones that need it:

- *rejected* (dead-lettered with the reason): a reading is invalid or its device
  was deleted. Valid readings of the same message are still stored; replaying the
  fixed message later adds only what was missing.
- *retry*: a reading names a device whose copy has not arrived yet (a device created
  a moment ago); the connector brings it back later, and if the device never
  appears the message ends dead-lettered with that reason.

It is one transaction: readings and hours, alerts, then the devices' last
readings, with their events queued in the outbox and published once it committed.
Each step locks its rows in key order and no step waits for rows of an earlier
one, so concurrent calls never deadlock.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

from faas_ems.runtime import db, outbox

from . import alerts, liveness, readings, retention, totals


@dataclass
class Outcome:
    stored: int = 0
    duplicates: int = 0
    rejected: list[dict] = field(default_factory=list)  # {"index", "reason"}
    retry: list[dict] = field(default_factory=list)
    alerts: int = 0


def _judge(parsed: list, added: totals.Added) -> Outcome:
    outcome = Outcome(stored=added.stored)
    for index, message in enumerate(parsed):
        problems = list(message.problems)
        problems += [
            f"device {device_id} was deleted"
            for device_id in sorted({r.device_id for r in message.readings} & added.deleted)
        ]
        unknown = sorted({r.device_id for r in message.readings} & added.unknown)
        if problems:
            outcome.rejected.append({"index": index, "reason": "; ".join(problems)})
        elif unknown:
            outcome.retry.append({"index": index, "reason": f"unknown device {', '.join(unknown)}"})
    return outcome


def ingest(messages: list) -> Outcome:
    now = datetime.now(UTC)
    oldest = retention.oldest_kept(now)
    parsed = [readings.parse_message(message, now, oldest) for message in messages]
    candidates: dict[tuple, readings.Reading] = {}
    for message in parsed:
        for reading in message.readings:
            candidates.setdefault((reading.device_id, reading.taken_at), reading)
    with db.connection() as conn:
        added = totals.add(conn, candidates.values())
        raised = alerts.raise_over_limit(conn, added.over_limit)
        back_online = liveness.mark_seen(conn, candidates.values())
    if raised or back_online:
        outbox.flush()
    outcome = _judge(parsed, added)
    live = sum(1 for device_id, _ in candidates if device_id not in added.unknown | added.deleted)
    outcome.duplicates = live - added.stored
    outcome.alerts = len(raised)
    return outcome
