"""Finding the device a reading names: by its id, or by the number printed on the meter.

A reference given as ``device_id`` (or ``deviceId``, or in an MQTT topic) is the
device's UUID if some device has it, else looked up as a ``meter_id``, so meters that
know only their integer number work. One given as ``meter_id`` is only a meter number.
Deleted devices are found by id (to say so) but never by number, since the number may
have passed to the meter that replaced them.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from faas_ems.runtime.validation import UUID_PATTERN


@dataclass(frozen=True)
class Device:
    id: str
    timezone: str
    kind: str | None  # 'interval' or 'register' once its first reading counted
    deleted: bool


@dataclass
class Found:
    by_id: dict[str, Device]
    by_meter_id: dict[str, list[Device]]

    def resolve(self, reference: str, *, meter_id_only: bool) -> tuple[Device | None, str | None]:
        """The device ``reference`` names, or why there is none."""
        if not meter_id_only and UUID_PATTERN.match(reference):
            device = self.by_id.get(reference.lower())
            if device is not None:
                if device.deleted:
                    return None, f"device {reference} was deleted"
                return device, None
        matches = self.by_meter_id.get(reference, [])
        if len(matches) > 1:
            return None, f"meter_id {reference} names more than one device"
        if not matches:
            return None, f"unknown device {reference}"
        return matches[0], None


_FIND = """
SELECT id::text, meter_id, timezone, reading_kind, deleted_at IS NOT NULL AS deleted
  FROM devices
 WHERE id = ANY(%(ids)s::uuid[])
    OR (meter_id = ANY(%(numbers)s::text[]) AND deleted_at IS NULL)
"""


def find(conn, references: Iterable[str]) -> Found:
    """Every device the references could name, in one query."""
    numbers = sorted(set(references))
    ids = [ref.lower() for ref in numbers if UUID_PATTERN.match(ref)]
    found = Found({}, {})
    if not numbers:
        return found
    for row in conn.execute(_FIND, {"ids": ids, "numbers": numbers}).fetchall():
        device = Device(row["id"], row["timezone"], row["reading_kind"], row["deleted"])
        found.by_id[device.id] = device
        if row["meter_id"] is not None and not device.deleted:
            found.by_meter_id.setdefault(row["meter_id"], []).append(device)
    return found
