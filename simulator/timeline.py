"""When readings are due, and the messages that carry them.

The simulator keeps a simulated clock that starts at ``now`` (the real time unless
told otherwise) and runs ``speed`` times faster than the real one. A reading for
the interval ending at ``end`` is due when the simulated clock reaches ``end``:
backfilled intervals are already past, so they go out as fast as the broker takes
them; live ones wait for their time.
"""

from __future__ import annotations

import json
import math
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from .fleet import Device
from .profile import LoadModel


@dataclass(frozen=True)
class Plan:
    now: datetime  # the simulated clock's start, aware
    interval_seconds: int = 600
    backfill_days: float = 0
    follow: bool = False  # go on live after the backfill
    count: int | None = None  # stop after this many intervals
    speed: float = 1.0

    @property
    def live(self) -> bool:
        return not self.backfill_days or self.follow

    def first_end(self) -> datetime:
        """The end of the first interval: the grid point after ``now``, minus the backfill."""
        step = self.interval_seconds
        last_past = math.floor(self.now.timestamp() / step) * step
        return datetime.fromtimestamp(last_past - self.backfill_intervals() * step + step, UTC)

    def backfill_intervals(self) -> int:
        return int(self.backfill_days * 86400 // self.interval_seconds)

    def intervals(self) -> int | None:
        """How many intervals the run covers, or None when it goes on until stopped."""
        if self.live:
            return self.count
        backfill = self.backfill_intervals()
        return backfill if self.count is None else min(backfill, self.count)

    def ends(self) -> Iterator[datetime]:
        total = self.intervals()
        end = self.first_end()
        step = timedelta(seconds=self.interval_seconds)
        produced = 0
        while total is None or produced < total:
            yield end
            end += step
            produced += 1


@dataclass(frozen=True)
class Message:
    body: bytes
    readings: int
    kwh: float
    first_end: datetime
    last_end: datetime


@dataclass(frozen=True)
class Pause:
    """Nothing is due before ``until`` (a ``time.monotonic()`` value)."""

    until: float


def reading(device: Device, end: datetime, kwh: float) -> dict:
    """A ``meter.reading`` in the seeds' format."""
    return {"timestamp": end.isoformat(), "device_id": device.id, "measurement_value": kwh}


def messages(
    devices: list[Device],
    model: LoadModel,
    plan: Plan,
    batch: int = 1,
    clock: Callable[[], float] = time.monotonic,
) -> Iterator[Message | Pause]:
    """The run's messages in time order, with a ``Pause`` before each interval not yet due.

    With ``batch`` 1 a message is one reading (a JSON object), otherwise a JSON list
    of up to ``batch`` readings; a batch never waits for a later interval.
    """
    started = clock()
    pending: list[dict] = []
    kwh = 0.0
    first_end = last_end = None

    def flush() -> Message:
        nonlocal pending, kwh, first_end
        payload = pending[0] if batch == 1 else pending
        message = Message(json.dumps(payload).encode(), len(pending), kwh, first_end, last_end)
        pending, kwh, first_end = [], 0.0, None
        return message

    for end in plan.ends():
        due = started + (end - plan.now).total_seconds() / plan.speed
        if due > clock():
            if pending:
                yield flush()
            yield Pause(due)
        for device in devices:
            value = model.kwh(device, end)
            pending.append(reading(device, end, value))
            kwh += value
            first_end = first_end or end
            last_end = end
            if len(pending) >= batch:
                yield flush()
    if pending:
        yield flush()
