"""What the run is doing: a progress bar on stderr, and the summary at the end."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import TextIO

from .timeline import Message

BAR_WIDTH = 30


@dataclass
class Tally:
    """What the broker confirmed so far."""

    devices: int
    started: float = field(default_factory=time.monotonic)
    readings: int = 0
    messages: int = 0
    kwh: float = 0.0
    first_end: datetime | None = None
    last_end: datetime | None = None

    def add(self, message: Message) -> None:
        self.readings += message.readings
        self.messages += 1
        self.kwh += message.kwh
        if self.first_end is None or message.first_end < self.first_end:
            self.first_end = message.first_end
        if self.last_end is None or message.last_end > self.last_end:
            self.last_end = message.last_end

    def seconds(self) -> float:
        return time.monotonic() - self.started

    def rate(self) -> float:
        return self.readings / max(self.seconds(), 1e-9)

    def summary(self) -> str:
        period = "-"
        if self.first_end is not None:
            period = f"{self.first_end.isoformat()} .. {self.last_end.isoformat()}"
        rows = [
            ("readings", f"{self.readings}"),
            ("messages", f"{self.messages}"),
            ("devices", f"{self.devices}"),
            ("period", period),
            ("kWh total", f"{self.kwh:.3f}"),
            ("seconds", f"{self.seconds():.2f}"),
            ("readings/s", f"{self.rate():.0f}"),
        ]
        return "\n".join(f"{name:<11} {value}" for name, value in rows)


class ProgressBar:
    """Readings confirmed out of the total, and the rate.

    On a terminal the bar redraws in place ten times a second; otherwise (a log, a
    pipe) it writes a plain line every few seconds.
    """

    def __init__(
        self,
        tally: Tally,
        total: int | None,
        stream: TextIO = sys.stderr,
        clock: Callable[[], float] = time.monotonic,
    ):
        self.tally = tally
        self.total = total
        self.stream = stream
        self.clock = clock
        self.terminal = stream.isatty()
        self.every = 0.1 if self.terminal else 5.0
        self.shown_at = float("-inf")

    def update(self) -> None:
        now = self.clock()
        if now - self.shown_at >= self.every:
            self.shown_at = now
            self._show()

    def finish(self) -> None:
        self._show()
        if self.terminal:
            self.stream.write("\n")
        self.stream.flush()

    def line(self) -> str:
        done = self.tally.readings
        rate = f"{self.tally.rate():,.0f} readings/s"
        latest = self.tally.last_end.isoformat() if self.tally.last_end else "-"
        if not self.total:
            return f"{done:,} readings  {rate}  up to {latest}"
        share = min(done / self.total, 1.0)
        filled = round(share * BAR_WIDTH)
        bar = "#" * filled + "-" * (BAR_WIDTH - filled)
        return f"[{bar}] {done:,}/{self.total:,} readings {share:6.1%}  {rate}"

    def _show(self) -> None:
        if self.terminal:
            self.stream.write("\r" + self.line() + "\x1b[K")
        else:
            self.stream.write(self.line() + "\n")
        self.stream.flush()
