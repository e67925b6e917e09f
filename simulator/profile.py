"""The load shape of a household meter: what one device uses in one interval.

``interval_kwh`` is a pure function of the device, the local time and a source of
randomness. ``LoadModel`` feeds it randomness derived from ``(seed, device,
timestamp)`` by hashing, so a reading's value depends on nothing else: the same
seed gives the same readings whatever the batch size, the order of publishing or
a resend after a reconnect.

The shape: low at night, a morning peak (later and flatter at the weekend, when
people are at home through midday), the highest peak in the evening. Each device
gets its own peak level and a shift of its daily rhythm; each day its own level
(weather, guests); each interval noise and now and then an appliance burst
(oven, kettle, washing machine). The peak level sits close to the device's hourly
limit, so a few percent of hours go over it and raise alerts.
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

# Share of the evening peak used in each local hour (value at the middle of the hour).
WEEKDAY = (
    0.22, 0.18, 0.16, 0.15, 0.15, 0.18, 0.36, 0.62, 0.58, 0.40, 0.33, 0.32,
    0.35, 0.33, 0.31, 0.34, 0.45, 0.65, 0.88, 1.00, 0.97, 0.85, 0.62, 0.38,
)  # fmt: skip
WEEKEND = (
    0.28, 0.22, 0.18, 0.16, 0.15, 0.16, 0.20, 0.30, 0.48, 0.60, 0.62, 0.58,
    0.60, 0.55, 0.50, 0.50, 0.55, 0.70, 0.88, 0.98, 0.95, 0.85, 0.66, 0.42,
)  # fmt: skip

PEAK_SHARE = (0.84, 0.98)  # a device's evening peak, as a share of its hourly limit
SHIFT_HOURS = 0.75  # a device's rhythm is up to this much earlier or later
DAY_SIGMA = 0.12  # day-to-day level (log-normal)
NOISE_SIGMA = 0.20  # interval-to-interval noise
BURST_CHANCE = 0.04  # chance of an appliance burst in an interval
BURST_SHARE = (0.2, 0.6)  # its extra power, as a share of the peak hour


class HashDraws:
    """Reproducible random numbers from a hash of ``parts``, cheaper than seeding
    a ``random.Random`` for every reading; offers the two methods the shape uses."""

    def __init__(self, *parts: object):
        self._digest = hashlib.blake2b(repr(parts).encode(), digest_size=64).digest()
        self._offset = 0

    def random(self) -> float:
        chunk = self._digest[self._offset : self._offset + 7]
        self._offset = (self._offset + 7) % 63
        return int.from_bytes(chunk) / 2**56

    def uniform(self, low: float, high: float) -> float:
        return low + (high - low) * self.random()

    def gauss(self, mu: float = 0.0, sigma: float = 1.0) -> float:
        u1 = 1.0 - self.random()  # in (0, 1], so the log is finite
        u2 = self.random()
        return mu + sigma * math.sqrt(-2.0 * math.log(u1)) * math.cos(2.0 * math.pi * u2)


@dataclass(frozen=True)
class Character:
    """What makes one device's days its own."""

    peak_kwh: float  # expected use in the evening peak hour
    shift_hours: float
    day_level: float  # of the day in question


def shape(local: datetime) -> float:
    """The share of the evening peak at a local time, interpolated between hours."""
    table = WEEKEND if local.weekday() >= 5 else WEEKDAY
    position = local.hour + local.minute / 60 + local.second / 3600 - 0.5
    low = math.floor(position)
    fraction = position - low
    return table[low % 24] * (1 - fraction) + table[(low + 1) % 24] * fraction


def interval_kwh(character: Character, local_middle: datetime, interval_seconds: int, rng) -> float:
    """kWh used in the interval whose middle is ``local_middle`` (the device's local time)."""
    hours = interval_seconds / 3600
    shifted = local_middle.timestamp() - character.shift_hours * 3600
    when = datetime.fromtimestamp(shifted, local_middle.tzinfo)
    base = character.peak_kwh * character.day_level * shape(when) * hours
    noise = max(0.0, rng.gauss(1.0, NOISE_SIGMA))
    burst = 0.0
    if rng.random() < BURST_CHANCE:
        burst = rng.uniform(*BURST_SHARE) * character.peak_kwh * hours
    return round(base * noise + burst, 4)


class LoadModel:
    """Readings of a fleet for a seed: ``kwh(device, end)`` for the interval ending at ``end``."""

    def __init__(self, seed: int, interval_seconds: int):
        self.seed = seed
        self.interval_seconds = interval_seconds
        self._characters: dict[tuple[str, str], Character] = {}
        self._zones: dict[str, ZoneInfo] = {}

    def kwh(self, device, end: datetime) -> float:
        zone = self._zone(device.timezone)
        middle = datetime.fromtimestamp(end.timestamp() - self.interval_seconds / 2, zone)
        character = self._character(device, middle.date().isoformat())
        rng = HashDraws(self.seed, device.id, int(end.timestamp()))
        return interval_kwh(character, middle, self.interval_seconds, rng)

    def _zone(self, name: str) -> ZoneInfo:
        if name not in self._zones:
            self._zones[name] = ZoneInfo(name)
        return self._zones[name]

    def _character(self, device, day: str) -> Character:
        key = (device.id, day)
        character = self._characters.get(key)
        if character is None:
            own = HashDraws(self.seed, device.id)
            daily = HashDraws(self.seed, device.id, day)
            character = Character(
                peak_kwh=device.max_hourly_kwh * own.uniform(*PEAK_SHARE),
                shift_hours=own.uniform(-SHIFT_HOURS, SHIFT_HOURS),
                day_level=math.exp(daily.gauss(0.0, DAY_SIGMA)),
            )
            if len(self._characters) > 100_000:
                self._characters.clear()
            self._characters[key] = character
        return character
